import { z } from "zod";

/**
 * What the `slack` function hands to the `worker` function (asynchronous Lambda invoke), and what the Socket Mode
 * dev server runs in-process. Plain JSON; validated by the worker because async invocations can be replayed.
 */
export const DiagnoseJobSchema = z.object({
  kind: z.literal("diagnose"),
  /** Unique per request, stable across Slack retries (the slash command's trigger_id): the idempotency key. */
  jobId: z.string().min(1).max(200),
  service: z.string().min(1).max(600),
  cluster: z.string().max(600).optional(),
  /** The `--since` text as typed (default 1h); parsed by the worker against its clock. */
  since: z.string().min(1).max(40),
  /** Where to post the report. */
  channel: z.string().min(1),
  /** The channel's name as Slack sent it, for `#name` entries of the access: section (re-checked by the worker). */
  channelName: z.string().max(100).optional(),
  /** Who asked, for the message and the audit. */
  user: z.string().min(1),
  teamId: z.string().optional(),
  /** Slack's response_url: ephemeral replies to the requester (valid 30 min). */
  responseUrl: z.string().url().optional(),
  /** ISO time the request was received. */
  requestedAt: z.string(),
  /** Post the report in this thread (a Re-run pressed on an earlier report) instead of as a new message. */
  threadTs: z.string().optional(),
  /**
   * Set when an alarm or ECS event (not a person) started the job: the incident post names the alarm and links it.
   * The worker prepends `incidentHeaderBlocks(job.incident)` (src/alarms/incident-message.ts) to its messages and
   * reports the posted message with `incidentPosted(...)`. Absent for `/ecs diagnose`.
   */
  incident: z
    .object({
      /** The incident's id: `<fingerprint>#<generation>`, stable for the incident's life. */
      id: z.string().min(1).max(600),
      /** The store key of the incident (src/store/incidents.ts). */
      fingerprint: z.string().min(1).max(600),
      generation: z.number().int().min(1),
      source: z.enum(["alarm", "ecs-event"]),
      /** Alarm name, or the ECS event name (SERVICE_DEPLOYMENT_FAILED, SERVICE_TASK_PLACEMENT_FAILURE …). */
      title: z.string().min(1).max(300),
      alarmName: z.string().max(300).optional(),
      metric: z.string().max(300).optional(),
      threshold: z.string().max(120).optional(),
      value: z.string().max(120).optional(),
      reason: z.string().max(1000).optional(),
      /** ISO time the alarm went into ALARM (or the event happened). */
      since: z.string().min(1).max(40),
      /** Console link to the alarm (or the service's events). */
      link: z.string().url().max(2000).optional(),
      /** How the alarm was mapped to the service ("ECS dimensions ClusterName/ServiceName", "no service" …). */
      mappedBy: z.string().max(300).optional(),
      /** Other services grouped into this incident (a storm with a shared cause). */
      services: z.array(z.string().max(600)).max(100).optional(),
      sharedCause: z.string().max(300).optional(),
    })
    .optional(),
});
export type DiagnoseJob = z.infer<typeof DiagnoseJobSchema>;

/**
 * A rollback or emergency-scale button pressed on a report: what the `slack` function hands to the `actions` function
 * (the only one whose role may change a service). `value` is the button's signed value, verified again there.
 */
export const ActionJobSchema = z.object({
  kind: z.literal("action"),
  /** Slack's trigger id of the click: a retried delivery of the same click is recognised. */
  jobId: z.string().min(1).max(200),
  actionId: z.enum(["ecs_medic_rollback", "ecs_medic_scale"]),
  value: z.string().min(1).max(2000),
  channel: z.string().min(1),
  user: z.string().min(1),
  teamId: z.string().optional(),
  /** The report the button is on: updated to show who acted; its thread gets the follow-up. */
  messageTs: z.string().optional(),
  /** The report's blocks as Slack sent them with the click, so the buttons can be replaced without re-rendering. */
  messageBlocks: z.array(z.record(z.string(), z.unknown())).max(50).optional(),
  responseUrl: z.string().url().optional(),
  requestedAt: z.string(),
});
export type ActionJob = z.infer<typeof ActionJobSchema>;

/** A button's value once its signature is verified: what to change, and what the service must still look like. */
export const ProposalValueSchema = z.object({
  kind: z.enum(["rollback", "scale"]),
  cluster: z.string().min(1).max(255),
  service: z.string().min(1).max(255),
  region: z.string().regex(/^[a-z]{2}(?:-[a-z]+)+-\d$/),
  expect: z.object({ taskDefinition: z.string().optional(), desiredCount: z.number().int().min(0) }),
  change: z.object({
    taskDefinition: z.string().optional(),
    desiredCount: z.number().int().min(1).max(5000).optional(),
  }),
  targetDigests: z.record(z.string(), z.string()).optional(),
});
export type ProposalValue = z.infer<typeof ProposalValueSchema>;

/**
 * An evidence export (`/ecs evidence …` or a report's Export button) for the worker: the bundle is uploaded into
 * `threadTs` (the report's thread) or, from the slash command, into the thread of a new message.
 */
export const ExportJobSchema = z.object({
  kind: z.literal("export"),
  jobId: z.string().min(1).max(200),
  service: z.string().min(1).max(600),
  cluster: z.string().max(600).optional(),
  /** The report's region (button), so the export reads the same account region. */
  region: z
    .string()
    .regex(/^[a-z]{2}(?:-[a-z]+)+-\d$/)
    .optional(),
  since: z.string().min(1).max(40),
  channel: z.string().min(1),
  channelName: z.string().max(100).optional(),
  user: z.string().min(1),
  teamId: z.string().optional(),
  responseUrl: z.string().url().optional(),
  requestedAt: z.string(),
  threadTs: z.string().optional(),
  via: z.enum(["slack-command", "slack-button"]),
});
export type ExportJob = z.infer<typeof ExportJobSchema>;

/** What the worker accepts, by kind. */
export const WorkerJobSchema = z.discriminatedUnion("kind", [DiagnoseJobSchema, ExportJobSchema]);

export type Job = DiagnoseJob | ActionJob | ExportJob;

// Moved to ./action-ids (no zod there); re-exported for existing importers.
export { ACTION_IDS, type ActionId } from "./action-ids";
