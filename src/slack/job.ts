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
  /** Who asked, for the message and the audit. */
  user: z.string().min(1),
  teamId: z.string().optional(),
  /** Slack's response_url: ephemeral replies to the requester (valid 30 min). */
  responseUrl: z.string().url().optional(),
  /** ISO time the request was received. */
  requestedAt: z.string(),
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

// Moved to ./action-ids (no zod there); re-exported for existing importers.
export { ACTION_IDS, type ActionId } from "./action-ids";
