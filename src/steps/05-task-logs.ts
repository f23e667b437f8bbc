import { oneLine } from "../util/format";
import type { StepEntry } from "./entry";

export const taskLogsEntry: StepEntry<"task-logs"> = {
  id: "task-logs",
  number: 5,
  title: "Task logs",
  summarize(data) {
    const parts: string[] = [];
    const read = data.streams.filter((s) => !s.error);
    const lines = read.reduce((n, s) => n + s.lines.length, 0);
    const failed = data.streams.length - read.length;
    parts.push(`${read.length} stream(s) read, ${lines} line(s)${failed > 0 ? `, ${failed} unreadable` : ""}`);
    if (data.patternSearches.length > 0) {
      const matches = data.patternSearches.reduce((n, p) => n + p.matches.length, 0);
      const more = data.patternSearches.some((p) => p.truncated) ? "+" : "";
      const searchErrors = data.patternSearches.filter((p) => p.error).length;
      parts.push(
        `error words: ${matches}${more} match(es)${searchErrors > 0 ? ` (${searchErrors} group(s) not searched)` : ""}`,
      );
    }
    if (data.skipped.length > 0) parts.push(`${data.skipped.length} container(s) skipped`);
    const last = read.find((s) => s.lines.length > 0)?.lines.at(-1);
    if (last) parts.push(`last line: ${oneLine(last.message, 100)}`);
    return parts.join("; ");
  },
};
