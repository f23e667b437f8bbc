import { oneLine } from "../util/format";
import type { StepEntry } from "./entry";

export const serviceEventsEntry: StepEntry<"service-events"> = {
  id: "service-events",
  number: 1,
  title: "Service events",
  summarize(data) {
    const inWindow = data.events.filter((e) => e.inWindow);
    if (inWindow.length === 0) return `no events in the window (${data.returned} older)`;
    return `${inWindow.length} event(s); latest: ${oneLine(inWindow[0]!.message)}`;
  },
};
