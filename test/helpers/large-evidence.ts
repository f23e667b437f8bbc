import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Evidence } from "../../src/evidence/schema";
import { parseEvidence } from "../../src/evidence/snapshot";

/** A recorded example snapshot (examples/NAME.json), parsed and validated. */
export function exampleEvidence(name: string): Evidence {
  const file = fileURLToPath(new URL(`../../examples/${name}.json`, import.meta.url));
  return parseEvidence(readFileSync(file, "utf8"), file);
}

/**
 * A snapshot `factor` times larger than `base` in what grows with an incident: every stopped task, service event
 * and log stream (and pattern-search match) repeated `factor` times, with unique task ARNs, event ids and stream
 * names so each copy is its own unit. Stopped tasks and events keep their times, so onset and grouping are the same
 * problem seen more often. Deterministic.
 */
export function inflateEvidence(base: Evidence, factor: number): Evidence {
  const copy = structuredClone(base);
  for (const step of copy.steps) {
    const data = step.data as Record<string, unknown> | undefined;
    if (!data) continue;
    if (step.id === "stopped-tasks") {
      const stopped = data.stopped as { taskArn: string }[];
      data.stopped = repeat(stopped, factor, (t, i) => ({ ...t, taskArn: `${t.taskArn}${suffix(i)}` }));
    }
    if (step.id === "service-events") {
      const events = data.events as { id: string }[];
      data.events = repeat(events, factor, (e, i) => ({ ...e, id: `${e.id}${suffix(i)}` }));
    }
    if (step.id === "task-logs") {
      // A copy of a line in another stream is another line (the diagnosis drops exact repeats).
      const streams = data.streams as { logStream: string }[];
      data.streams = repeat(streams, factor, (s, i) => ({ ...s, logStream: `${s.logStream}${suffix(i)}` }));
      for (const search of data.patternSearches as { matches: { logStream: string }[] }[]) {
        search.matches = repeat(search.matches, factor, (m, i) => ({ ...m, logStream: `${m.logStream}${suffix(i)}` }));
      }
    }
  }
  return copy;
}

const suffix = (i: number) => (i === 0 ? "" : `-${i}`);

function repeat<T>(items: readonly T[], factor: number, copy: (item: T, i: number) => T): T[] {
  const out: T[] = [];
  for (let i = 0; i < factor; i++) for (const item of items) out.push(i === 0 ? item : copy(item, i));
  return out;
}

/**
 * `base` with one more log stream holding `lines` distinct error lines of one kind (an application failing the same
 * way for every request), all classified alike: one finding with `lines` members — the shape that made replay
 * quadratic. Timestamps one second apart inside the window.
 */
export function floodLogs(base: Evidence, lines: number): Evidence {
  const copy = structuredClone(base);
  const step = copy.steps.find((s) => s.id === "task-logs");
  const data = step?.data as { streams: Record<string, unknown>[] } | undefined;
  if (!data || data.streams.length === 0) throw new Error("the base snapshot has no task-logs streams");
  const first = data.streams[0]!;
  const start = Date.parse(copy.window.since);
  data.streams.push({
    ...first,
    logStream: `${String(first.logStream)}-flood`,
    lines: Array.from({ length: lines }, (_, i) => ({
      timestamp: new Date(start + (i % 3_600) * 1_000).toISOString().replace(/\.000Z$/, "Z"),
      message: `ERROR payment ${i} failed: upstream connection reset by peer (order o-${100_000 + i})`,
    })),
  });
  return copy;
}
