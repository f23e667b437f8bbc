import type { Evidence, StepId, StepRecord } from "./schema";

type DataOf<K extends StepId> = NonNullable<Extract<StepRecord, { id: K }>["data"]>;

/**
 * A step's data, typed by its id, or undefined when the step is missing from the snapshot or collected nothing.
 * The one way the diagnosis and the renderers read a step.
 */
export function stepData<K extends StepId>(evidence: Evidence, id: K): DataOf<K> | undefined {
  const record = evidence.steps.find((s) => s.id === id);
  return (record?.data ?? undefined) as DataOf<K> | undefined;
}
