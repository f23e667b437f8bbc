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

/** The image digest each container ran with under `taskDefinition`, from the tasks the snapshot holds (newest first). */
export function revisionDigests(evidence: Evidence, taskDefinition: string): Record<string, string> | undefined {
  const data = stepData(evidence, "stopped-tasks");
  const tasks = [...(data?.running ?? []), ...(data?.stopped ?? [])].filter(
    (t) => t.taskDefinitionArn === taskDefinition,
  );
  const out: Record<string, string> = {};
  for (const t of tasks) for (const c of t.containers) if (c.imageDigest && !out[c.name]) out[c.name] = c.imageDigest;
  return Object.keys(out).length > 0 ? out : undefined;
}
