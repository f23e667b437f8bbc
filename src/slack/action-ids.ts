/**
 * Button action ids; values carry JSON (≤ 2000 chars, Slack's limit). Kept apart from job.ts, which needs zod, so the
 * `slack` bundle can name the buttons without loading a schema library on its cold-start path.
 */
export const ACTION_IDS = {
  rollback: "ecs_medic_rollback",
  scale: "ecs_medic_scale",
  export: "ecs_medic_export",
  rerun: "ecs_medic_rerun",
} as const;
export type ActionId = (typeof ACTION_IDS)[keyof typeof ACTION_IDS];
