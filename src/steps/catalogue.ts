import type { StepData, StepId } from "../evidence/schema";
import type { StepEntry } from "./entry";
import { serviceEventsEntry } from "./01-service-events";
import { deploymentEntry } from "./02-deployment";
import { stoppedTasksEntry } from "./03-stopped-tasks";
import { targetHealthEntry } from "./04-target-health";
import { taskLogsEntry } from "./05-task-logs";
import { networkPortsEntry } from "./06-network-ports";
import { imageEntry } from "./07-image";
import { secretsEntry } from "./08-secrets";
import { subnetsEntry } from "./09-subnets";
import { changesEntry } from "./10-changes";
import { saturationEntry } from "./11-saturation";

/**
 * The steps ecs-medic knows, in check order (DESIGN.md §3), then supporting steps. Everything that counts or names
 * steps (progress "3/11", the check order in a report) derives from this list; `src/collect/steps/index.ts` holds
 * the collectors in the same order (a test keeps the two aligned).
 */
export const CATALOGUE: readonly StepEntry[] = [
  serviceEventsEntry,
  deploymentEntry,
  stoppedTasksEntry,
  targetHealthEntry,
  taskLogsEntry,
  networkPortsEntry,
  imageEntry,
  secretsEntry,
  subnetsEntry,
  changesEntry,
  saturationEntry,
];

const byId = new Map<StepId, StepEntry>(CATALOGUE.map((e) => [e.id, e]));

export function stepEntry<K extends StepId>(id: K): StepEntry<K> {
  const entry = byId.get(id);
  if (!entry) throw new RangeError(`no step "${id}" in the catalogue`);
  return entry as unknown as StepEntry<K>;
}

/** The step's one-line summary of its data, or undefined when the data does not have the shape summarize expects. */
export function summarizeStep<K extends StepId>(id: K, data: StepData[K]): string | undefined {
  try {
    return stepEntry(id).summarize(data);
  } catch {
    return undefined;
  }
}
