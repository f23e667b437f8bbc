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
});
export type DiagnoseJob = z.infer<typeof DiagnoseJobSchema>;

// Moved to ./action-ids (no zod there); re-exported for existing importers.
export { ACTION_IDS, type ActionId } from "./action-ids";
