import type { ChangeEvent, Evidence } from "../../evidence/schema";
import { shortName } from "../template";
import type { Check, CheckHit } from "./check";
import { currentTaskDefinition, currentTaskDefinitionArn, humanMinutes, shortActor, stepData } from "./evidence-access";
import { sameSecret } from "./secret-ref";

/** Calls that change what the service runs, how traffic reaches it, or what it may read at start-up. */
export const MUTATING_EVENTS: ReadonlySet<string> = new Set([
  // ECS
  "CreateService",
  "UpdateService",
  "DeleteService",
  "UpdateServicePrimaryTaskSet",
  "RegisterTaskDefinition",
  "DeregisterTaskDefinition",
  "PutClusterCapacityProviders",
  "UpdateCapacityProvider",
  // Elastic Load Balancing
  "ModifyTargetGroup",
  "ModifyTargetGroupAttributes",
  "DeleteTargetGroup",
  "ModifyListener",
  "DeleteListener",
  "ModifyRule",
  "CreateRule",
  "DeleteRule",
  "SetRulePriorities",
  "SetSecurityGroups",
  "ModifyLoadBalancerAttributes",
  // EC2 networking
  "AuthorizeSecurityGroupIngress",
  "AuthorizeSecurityGroupEgress",
  "RevokeSecurityGroupIngress",
  "RevokeSecurityGroupEgress",
  "ModifySecurityGroupRules",
  "DeleteSecurityGroup",
  "ModifyNetworkInterfaceAttribute",
  "CreateRoute",
  "ReplaceRoute",
  "DeleteRoute",
  "DeleteNatGateway",
  "ModifyVpcEndpoint",
  "DeleteVpcEndpoints",
  "CreateNetworkAclEntry",
  "ReplaceNetworkAclEntry",
  "DeleteNetworkAclEntry",
  "ReplaceNetworkAclAssociation",
  // Secrets Manager, SSM
  "PutSecretValue",
  "UpdateSecret",
  "DeleteSecret",
  "RotateSecret",
  "PutResourcePolicy",
  "DeleteResourcePolicy",
  "UpdateSecretVersionStage",
  "PutParameter",
  "DeleteParameter",
  "DeleteParameters",
  "LabelParameterVersion",
  // IAM
  "PutRolePolicy",
  "DeleteRolePolicy",
  "AttachRolePolicy",
  "DetachRolePolicy",
  "UpdateAssumeRolePolicy",
  "DeleteRole",
  "PutRolePermissionsBoundary",
  "DeleteRolePermissionsBoundary",
  "CreatePolicyVersion",
  "SetDefaultPolicyVersion",
  // KMS
  "PutKeyPolicy",
  "DisableKey",
  "ScheduleKeyDeletion",
  "RevokeGrant",
  "RetireGrant",
  // ECR
  "PutLifecyclePolicy",
  "BatchDeleteImage",
  "PutImage",
  "DeleteRepository",
  "SetRepositoryPolicy",
  "DeleteRepositoryPolicy",
  "PutImageTagMutability",
]);

/** At most this many changes are reported: prime suspects first, then nearest to the onset. */
const MAX_HITS = 5;
/** A change to the service's own configuration this close before the first failure is the prime suspect. */
const PRIME_SUSPECT_MINUTES = 15;

/**
 * Step 10 — successful write calls shortly before the first failure (within `recentChangeMinutes`), or anywhere
 * in the window when nothing failed yet. One hit per change. A change is a suspect, never a failure by itself, so
 * the severity is warn at most (a critical here would fail step 10, and the run, on its own): warn before a
 * failure; info when nothing failed (no onset) or when it is Application Auto Scaling changing the desired count.
 * Prime suspects — within 15 minutes before the onset and touching the service's task definition (a deployment),
 * its security groups, target groups, secrets or roles — come first (the finding's title names the first), then
 * the rest, nearest to the onset first. Failed calls changed nothing and are left to the symptom rules.
 */
export const recentChangeCheck: Check = {
  id: "recent-change",
  step: "changes",
  run(ctx) {
    const data = stepData(ctx.evidence, "changes");
    if (!data) return [];
    const onset = ctx.onset;
    const limitMinutes = ctx.thresholds.recentChangeMinutes;
    const { since, until } = ctx.evidence.window;
    const owned = ownedResources(ctx.evidence);

    const candidates = data.events
      .filter((e) => MUTATING_EVENTS.has(e.eventName) && !e.errorCode)
      .map((e) => ({ event: e, before: onset ? (Date.parse(onset) - Date.parse(e.eventTime)) / 60_000 : undefined }))
      .filter(({ event, before }) =>
        before === undefined
          ? event.eventTime >= since && event.eventTime <= until
          : before >= 0 && before <= limitMinutes,
      )
      .map((c) => ({
        ...c,
        prime: c.before !== undefined && c.before <= PRIME_SUSPECT_MINUTES && touchesService(c.event, owned),
      }))
      .sort((a, b) => {
        if (a.prime !== b.prime) return a.prime ? -1 : 1;
        return a.before !== undefined && b.before !== undefined
          ? a.before - b.before
          : b.event.eventTime.localeCompare(a.event.eventTime);
      })
      .slice(0, MAX_HITS);

    return candidates.map(({ event, before }): CheckHit => {
      const actor = shortActor(event.actor ?? event.username) ?? "an unknown principal";
      const what = describeTarget(event) || event.eventSource || "an unnamed resource";
      // Nothing failed (no onset), or an auto-scaling desired-count change: context, not a suspect.
      const routine = before === undefined || isAutoScaling(event);
      return {
        check: "recent-change",
        step: "changes",
        severity: routine ? "info" : "warn",
        at: event.eventTime,
        vars: {
          eventName: event.eventName,
          actor,
          what,
          minutesBefore:
            before === undefined ? "during the window" : `${humanMinutes(Math.round(before))} before the first failure`,
          eventTime: event.eventTime,
          sourceIp: event.sourceIPAddress,
        },
        evidence: [
          {
            step: "changes",
            kind: "change",
            id: event.eventId,
            at: event.eventTime,
            text: `${event.eventName} by ${actor} on ${what}`,
          },
        ],
      };
    });
  },
};

/** Application Auto Scaling setting the desired count: routine unless it coincides with a failure. */
function isAutoScaling(event: ChangeEvent): boolean {
  const p = event.requestParameters ?? {};
  if (event.eventName !== "UpdateService" || p["taskDefinition"] !== undefined || p["forceNewDeployment"] === true)
    return false;
  return /application-autoscaling|AWSServiceRoleForApplicationAutoScaling/i.test(
    `${event.userAgent ?? ""} ${event.actor ?? ""} ${event.username ?? ""}`,
  );
}

interface Owned {
  readonly service: string;
  readonly family?: string | undefined;
  readonly taskDefinitionArn?: string | undefined;
  readonly ids: ReadonlySet<string>;
  readonly secrets: readonly string[];
}

/** The service's own resources: what a change must touch to be a prime suspect. */
function ownedResources(evidence: Evidence): Owned {
  const td = currentTaskDefinition(evidence);
  const network = stepData(evidence, "network-ports");
  const roleArns = [td?.executionRoleArn, td?.taskRoleArn].filter((r): r is string => r !== undefined);
  const ids = new Set<string>([
    ...(evidence.service.network?.securityGroups ?? []),
    ...(network?.serviceSecurityGroups ?? []),
    ...(network?.loadBalancers.flatMap((lb) => lb.securityGroups) ?? []),
    ...evidence.service.loadBalancers.flatMap((lb) => (lb.targetGroupArn ? [lb.targetGroupArn] : [])),
    ...roleArns,
    ...roleArns.map((r) => shortName(r)!),
  ]);
  const secrets =
    td?.containers.flatMap((c) => [
      ...c.secrets.map((s) => s.valueFrom),
      ...(c.repositoryCredentialsParameter ? [c.repositoryCredentialsParameter] : []),
    ]) ?? [];
  return {
    service: evidence.target.service,
    family: td?.family,
    taskDefinitionArn: currentTaskDefinitionArn(evidence),
    ids,
    secrets,
  };
}

function touchesService(event: ChangeEvent, owned: Owned): boolean {
  const p = event.requestParameters ?? {};
  const values = [...strings(p), ...event.resources.flatMap((r) => (r.name ? [r.name] : []))];
  switch (event.eventName) {
    case "UpdateService":
    case "CreateService":
      // A deployment of this service: a new revision or a forced redeploy (which re-resolves image tags).
      return (
        values.some((v) => v === owned.service || v.endsWith(`/${owned.service}`)) &&
        (p["taskDefinition"] !== undefined || p["forceNewDeployment"] === true)
      );
    case "RegisterTaskDefinition":
      return owned.family !== undefined && p["family"] === owned.family;
    case "DeregisterTaskDefinition":
      return (
        owned.taskDefinitionArn !== undefined &&
        values.some((v) => v === owned.taskDefinitionArn || owned.taskDefinitionArn!.endsWith(`/${v}`))
      );
  }
  if (values.some((v) => owned.ids.has(v))) return true;
  // Secrets and parameters are named by `secretId` / `name` / `names`, as an ARN or a bare name.
  const secretRefs = [p["secretId"], p["name"], ...(Array.isArray(p["names"]) ? p["names"] : [])].filter(
    (v): v is string => typeof v === "string",
  );
  return owned.secrets.some((secret) => secretRefs.some((ref) => sameSecret(ref, secret)));
}

/** What the call changed, from its request parameters: "service payment-api → payment-api:43", "sg-0abc", … */
function describeTarget(event: ChangeEvent): string {
  const p = event.requestParameters ?? {};
  const str = (key: string) => (typeof p[key] === "string" ? (p[key] as string) : undefined);
  switch (event.eventName) {
    case "UpdateService":
    case "CreateService": {
      const service = shortName(str("service") ?? str("serviceName"));
      const parts = [
        str("taskDefinition") ? `→ ${shortName(str("taskDefinition"))}` : undefined,
        typeof p["desiredCount"] === "number" ? `desired ${p["desiredCount"]}` : undefined,
        p["forceNewDeployment"] === true ? "forced new deployment" : undefined,
      ].filter(Boolean);
      return [`service ${service ?? "?"}`, ...parts].join(" ");
    }
    case "RegisterTaskDefinition":
      return `task definition family ${str("family") ?? "?"}`;
    case "DeregisterTaskDefinition":
      return `task definition ${shortName(str("taskDefinition")) ?? "?"}`;
  }
  const named =
    str("targetGroupArn") ??
    str("listenerArn") ??
    str("ruleArn") ??
    str("loadBalancerArn") ??
    str("groupId") ??
    findKey(p, "GroupId", 0) ??
    str("secretId") ??
    str("name") ??
    str("roleName") ??
    str("keyId") ??
    str("repositoryName") ??
    str("policyArn");
  const extra = [str("policyName") ?? shortName(str("policyArn")), str("imageTag")].filter((x) => x && x !== named);
  const target = named
    ? named.startsWith("arn:")
      ? shortName(named)
      : named
    : event.resources.find((r) => r.name)?.name;
  return [target, ...extra].filter(Boolean).join(" ");
}

function findKey(value: unknown, key: string, depth: number): string | undefined {
  if (depth > 4 || value === null || typeof value !== "object") return undefined;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === key && typeof v === "string") return v;
    const found = findKey(v, key, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** Every string inside request parameters (bounded depth). */
function strings(value: unknown, depth = 0): string[] {
  if (typeof value === "string") return [value];
  if (depth > 5 || value === null || typeof value !== "object") return [];
  return Object.values(value as Record<string, unknown>).flatMap((v) => strings(v, depth + 1));
}
