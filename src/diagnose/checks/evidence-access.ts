import type { Evidence, Task, TaskDefinition } from "../../evidence/schema";

/**
 * Typed, read-only access to the snapshot for the configuration checks and proposals. No lookups beyond the
 * snapshot, no clock: "now" is `evidence.collectedAt`.
 */

import { stepData } from "../../evidence/read";

export { stepData };

export function currentTaskDefinition(evidence: Evidence): TaskDefinition | undefined {
  return evidence.taskDefinitions.find((t) => t.role === "current");
}

export function previousTaskDefinition(evidence: Evidence): TaskDefinition | undefined {
  return evidence.taskDefinitions.find((t) => t.role === "previous");
}

/** The ARN of the revision the service runs: the described current task definition, else the service's own field. */
export function currentTaskDefinitionArn(evidence: Evidence): string | undefined {
  return currentTaskDefinition(evidence)?.taskDefinitionArn ?? evidence.service.taskDefinition;
}

/** Stopped and running tasks by ARN. */
export function tasksByArn(evidence: Evidence): ReadonlyMap<string, Task> {
  const data = stepData(evidence, "stopped-tasks");
  const all = [...(data?.stopped ?? []), ...(data?.running ?? [])];
  return new Map(all.map((t) => [t.taskArn, t]));
}

/** Whole minutes from `from` to `to` (ISO), rounded; NaN when either does not parse. */
export function minutesBetween(from: string, to: string): number {
  return Math.round((Date.parse(to) - Date.parse(from)) / 60_000);
}

/** Seconds from `from` to `to` (ISO). */
export function secondsBetween(from: string, to: string): number {
  return (Date.parse(to) - Date.parse(from)) / 1000;
}

/** "4 min", "2 h", "3 d": a duration as people say it on call. */
export function humanMinutes(minutes: number): string {
  if (minutes < 1) return "under a minute";
  if (minutes < 90) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h`;
  return `${Math.round(minutes / 1440)} d`;
}

/**
 * A principal as a person reads it: `arn:aws:sts::1:assumed-role/deployer/ci-42` → `deployer/ci-42`,
 * `arn:aws:iam::1:user/alice` → `alice`, `arn:aws:iam::1:root` → `root`,
 * `…:assumed-role/AWSReservedSSO_PlatformEngineer_5f2c0e9d6a1b3c47/jane` → `PlatformEngineer/jane`; a plain user name stays.
 */
export function shortActor(actor: string | undefined): string | undefined {
  if (!actor) return undefined;
  if (!actor.startsWith("arn:")) return actor;
  const resource = actor.split(":").slice(5).join(":");
  const assumed = /^assumed-role\/(.+)$/.exec(resource);
  // IAM Identity Center roles are `AWSReservedSSO_<permission set>_<16 hex>`: the permission set is the readable part.
  if (assumed) return assumed[1]!.replace(/^AWSReservedSSO_(.+)_[0-9a-f]{16}\//, "$1/");
  const parts = resource.split("/");
  return parts[parts.length - 1] || resource;
}

/** Shortens a digest for display: `sha256:0123456789ab…`. */
export function shortDigest(digest: string): string {
  return digest.length > 19 ? `${digest.slice(0, 19)}…` : digest;
}

/** "a, b and c" / "a, b and 3 more". */
export function listOf(items: readonly string[], max = 3): string {
  if (items.length === 0) return "";
  if (items.length === 1) return items[0]!;
  if (items.length <= max) return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
  return `${items.slice(0, max).join(", ")} and ${items.length - max} more`;
}
