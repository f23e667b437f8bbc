import { z } from "zod";
import { StepErrorSchema, Timestamp, opt } from "./schema/primitives";
import { ServiceSchema, TaskDefinitionSchema } from "./schema/resources";
import {
  ChangesDataSchema,
  DeploymentDataSchema,
  ImageDataSchema,
  NetworkDataSchema,
  SaturationDataSchema,
  SecretsDataSchema,
  ServiceEventsDataSchema,
  StoppedTasksDataSchema,
  SubnetsDataSchema,
  TargetHealthDataSchema,
  TaskLogsDataSchema,
} from "./schema/step-data";
import type { StepError } from "./schema/primitives";

/**
 * The evidence snapshot: everything the collectors read from AWS for one diagnosis, as plain JSON.
 * It is the contract between collection (I/O) and diagnosis (pure). Timestamps are ISO-8601 UTC strings.
 * Field names follow the AWS API responses they come from, so a reader can look them up in the AWS docs.
 * Bump SCHEMA_VERSION on any incompatible change and keep `docs/evidence-format.md` in step.
 * The building blocks live in ./schema/ (primitives, AWS resources, per-step data); this file ties them together.
 */
export const SCHEMA_VERSION = 1;

export * from "./schema/primitives";
export * from "./schema/resources";
export * from "./schema/step-data";

// ── steps ────────────────────────────────────────────────────────────────────────────────────────

/** Stable step ids in check order (DESIGN.md §3), plus the supporting `saturation` step. */
export const STEP_IDS = [
  "service-events",
  "deployment",
  "stopped-tasks",
  "target-health",
  "task-logs",
  "network-ports",
  "image",
  "secrets",
  "subnets",
  "changes",
  "saturation",
] as const;
export type StepId = (typeof STEP_IDS)[number];

export const StepDataSchemas = {
  "service-events": ServiceEventsDataSchema,
  deployment: DeploymentDataSchema,
  "stopped-tasks": StoppedTasksDataSchema,
  "target-health": TargetHealthDataSchema,
  "task-logs": TaskLogsDataSchema,
  "network-ports": NetworkDataSchema,
  image: ImageDataSchema,
  secrets: SecretsDataSchema,
  subnets: SubnetsDataSchema,
  changes: ChangesDataSchema,
  saturation: SaturationDataSchema,
} as const satisfies Record<StepId, z.ZodType>;

export type StepData = { [K in StepId]: z.infer<(typeof StepDataSchemas)[K]> };

/**
 * How collection of a step went. `collected`: all reads answered; `partial`: data present but some reads
 * failed (see `errors`); `skipped`: not applicable to this service (see `skipReason`); `error`: no data.
 */
export const CollectionStatus = ["collected", "partial", "skipped", "error"] as const;
export type CollectionStatus = (typeof CollectionStatus)[number];

function stepRecordSchema<K extends StepId, S extends z.ZodType>(id: K, data: S) {
  return z.object({
    id: z.literal(id),
    status: z.enum(CollectionStatus),
    data: data.nullable(),
    errors: z.array(StepErrorSchema),
    skipReason: opt(z.string()),
    durationMs: z.number().int().nonnegative(),
  });
}

export const StepRecordSchema = z.discriminatedUnion("id", [
  stepRecordSchema("service-events", StepDataSchemas["service-events"]),
  stepRecordSchema("deployment", StepDataSchemas["deployment"]),
  stepRecordSchema("stopped-tasks", StepDataSchemas["stopped-tasks"]),
  stepRecordSchema("target-health", StepDataSchemas["target-health"]),
  stepRecordSchema("task-logs", StepDataSchemas["task-logs"]),
  stepRecordSchema("network-ports", StepDataSchemas["network-ports"]),
  stepRecordSchema("image", StepDataSchemas["image"]),
  stepRecordSchema("secrets", StepDataSchemas["secrets"]),
  stepRecordSchema("subnets", StepDataSchemas["subnets"]),
  stepRecordSchema("changes", StepDataSchemas["changes"]),
  stepRecordSchema("saturation", StepDataSchemas["saturation"]),
]);

/** One step's record in the snapshot, typed by its id. */
export type StepRecord<K extends StepId = StepId> = {
  [I in K]: {
    id: I;
    status: CollectionStatus;
    data: StepData[I] | null;
    errors: StepError[];
    skipReason?: string | undefined;
    durationMs: number;
  };
}[K];

// ── the snapshot ─────────────────────────────────────────────────────────────────────────────────

export const TargetSchema = z.object({
  account: opt(z.string()),
  region: z.string(),
  cluster: z.string(),
  clusterArn: z.string(),
  service: z.string(),
  serviceArn: z.string(),
});
export type Target = z.infer<typeof TargetSchema>;

export const EvidenceSchema = z
  .object({
    schemaVersion: z.literal(SCHEMA_VERSION),
    tool: z.object({ name: z.literal("ecs-medic"), version: z.string() }),
    target: TargetSchema,
    window: z.object({ since: Timestamp, until: Timestamp }),
    collectedAt: Timestamp,
    durationMs: z.number().int().nonnegative(),
    /** The service as DescribeServices described it (events and deployments are in their steps). */
    service: ServiceSchema,
    /** The current task definition and, when known, the previous one. */
    taskDefinitions: z.array(TaskDefinitionSchema),
    /** Reads every step depends on (task definitions, the previous revision included) that failed. */
    contextErrors: z.array(StepErrorSchema),
    steps: z.array(StepRecordSchema),
  })
  .superRefine((evidence, ctx) => {
    const ids = evidence.steps.map((s) => s.id);
    if (new Set(ids).size !== ids.length)
      ctx.addIssue({ code: "custom", path: ["steps"], message: "a step id appears twice" });
  });
export type Evidence = z.infer<typeof EvidenceSchema>;
