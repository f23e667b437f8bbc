/**
 * ARN and resource-name helpers shared by the collectors. Pure string work: no AWS call, no validation beyond
 * what each function documents.
 */

/**
 * The part after the last `/`: `arn:aws:ecs:…:task/prod/0123…` → `0123…`,
 * `arn:aws:iam::123456789012:role/service-role/payment-api-execution` → `payment-api-execution`.
 * A value without `/` comes back whole; an empty last segment falls back to the whole value.
 */
export function lastSegment(arn: string): string {
  return arn.slice(arn.lastIndexOf("/") + 1) || arn;
}

/** `arn:aws:ecs:…:task/cluster/0123…` (or the old `task/0123…`) → `0123…`. */
export function taskIdOf(taskArn: string): string {
  return lastSegment(taskArn);
}

/** A task definition reference split into its parts. */
export interface TaskDefinitionRef {
  /** Everything before the family: `arn:aws:ecs:us-east-1:123456789012:task-definition/`, or "" for `family:rev`. */
  readonly prefix: string;
  readonly family: string;
  /** Absent for a bare family (ECS then means the latest ACTIVE revision). */
  readonly revision?: number | undefined;
}

const TASK_DEFINITION_ARN = /^(arn:aws[a-z-]*:ecs:[^:]*:[^:]*:task-definition\/)([^:/]+)(?::(\d+))?$/;
const FAMILY_REVISION = /^([^:/]+)(?::(\d+))?$/;

/**
 * Parses `arn:aws:ecs:…:task-definition/payment-api:42`, `payment-api:42` or a bare `payment-api`;
 * anything else → undefined.
 */
export function parseTaskDefinition(taskDefinition: string): TaskDefinitionRef | undefined {
  const arn = TASK_DEFINITION_ARN.exec(taskDefinition);
  if (arn) return withRevision(arn[1]!, arn[2]!, arn[3]);
  const short = FAMILY_REVISION.exec(taskDefinition);
  return short ? withRevision("", short[1]!, short[2]) : undefined;
}

function withRevision(prefix: string, family: string, revision: string | undefined): TaskDefinitionRef {
  return revision === undefined ? { prefix, family } : { prefix, family, revision: Number(revision) };
}

/** `arn:aws:ecs:…:task-definition/payment-api:42`, `payment-api:42` or `payment-api` → `payment-api`. */
export function familyOf(taskDefinition: string | undefined): string | undefined {
  return taskDefinition ? parseTaskDefinition(taskDefinition)?.family : undefined;
}

/** `arn:…:task-definition/payment-api:42` → `arn:…:task-definition/payment-api:41` (none before revision 1). */
export function previousRevision(taskDefinition: string): string | undefined {
  const ref = parseTaskDefinition(taskDefinition);
  if (ref?.revision === undefined || ref.revision <= 1) return undefined;
  return `${ref.prefix}${ref.family}:${ref.revision - 1}`;
}

/** `arn:aws:ecs:…:task-definition/payment-api:42` → `payment-api:42`. */
export function shortTaskDefinition(taskDefinition: string): string {
  return lastSegment(taskDefinition);
}
