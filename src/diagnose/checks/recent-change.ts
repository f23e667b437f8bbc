import type { ChangeEvent } from "../../evidence/schema";
import { describeChange } from "../changes/describe";
import { matchAll, pathFromEvidence, type PathMatch } from "../changes/path";
import { FAILING_PATH, isRoutine, KIND_WORDS, leadSymptom } from "../changes/suspects";
import type { Check, CheckHit } from "./check";
import { humanMinutes, shortActor, stepData } from "./evidence-access";

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
  "CreateListener",
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
  "AssociateRouteTable",
  "ReplaceRouteTableAssociation",
  "DisassociateRouteTable",
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
  "DeletePolicyVersion",
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

/** At most this many changes are reported: suspects first, then the nearest to the onset. */
const MAX_HITS = 5;

interface Candidate {
  readonly event: ChangeEvent;
  /** Minutes before the onset; undefined when nothing failed. */
  readonly before: number | undefined;
  readonly match: PathMatch;
  readonly routine: boolean;
  /** On the failing path of the leading symptom. */
  readonly failingPath: boolean;
}

/**
 * Step 10 — successful write calls to resources on the service's path shortly before the first failure (within
 * `recentChangeMinutes`), or anywhere in the window when nothing failed yet. One hit per change.
 *
 * A change to resources off the path (another service's target group or security group in the same minutes) is
 * not a suspect and is not reported. A change made by Application Auto Scaling or ECS on the service's behalf is
 * routine: info at most. The rest are suspects, warn at most (a change is a suspect, never a failure by itself, and
 * a critical here would fail step 10, and the run, on its own): ranked on the failing path of the leading symptom
 * first (FAILING_PATH: a target group for an ELB health-check failure, a KMS key for a denied secret), then
 * elsewhere on the path, each nearest before the onset first. The finding's title names the first; each hit says
 * what changed old → new where CloudTrail's request (or an earlier event of the same resource) tells, and the fix
 * names the state before the change. Failed calls changed nothing and are left to the symptom rules.
 */
export const recentChangeCheck: Check = {
  id: "recent-change",
  step: "changes",
  run(ctx) {
    const data = stepData(ctx.evidence, "changes");
    if (!data || data.pending) return [];
    const onset = ctx.onset;
    const limitMinutes = ctx.thresholds.recentChangeMinutes;
    const { since, until } = ctx.evidence.window;
    const path = pathFromEvidence(ctx.evidence);
    const failing = new Set(FAILING_PATH[leadSymptom(ctx.messageFindings) ?? "other"] ?? []);

    const candidates = data.events
      .filter((e) => MUTATING_EVENTS.has(e.eventName) && !e.errorCode)
      .flatMap((event): Candidate[] => {
        const before = onset ? (Date.parse(onset) - Date.parse(event.eventTime)) / 60_000 : undefined;
        const inRange =
          before === undefined
            ? event.eventTime >= since && event.eventTime <= until
            : before >= 0 && before <= limitMinutes;
        const matches = inRange ? matchAll(event, path) : [];
        // The resource that puts it on the failing path, if any; else the first on the path.
        const match = matches.find((m) => failing.has(m.resource.kind)) ?? matches[0];
        if (!match) return [];
        const routine = isRoutine(event);
        return [{ event, before, match, routine, failingPath: !routine && failing.has(match.resource.kind) }];
      })
      .sort((a, b) => tier(a) - tier(b) || nearness(a, b))
      .slice(0, MAX_HITS);

    return candidates.map(({ event, before, match, routine, failingPath }): CheckHit => {
      const actor = shortActor(event.actor ?? event.username) ?? "an unknown principal";
      const change = describeChange(event, data.events, ctx.evidence, ctx.vars);
      const when =
        before === undefined ? "during the window" : `${humanMinutes(Math.round(before))} before the first failure`;
      return {
        check: "recent-change",
        step: "changes",
        // Nothing failed (no onset) or AWS acting on the service's behalf: context, not a suspect.
        severity: routine || before === undefined ? "info" : "warn",
        at: event.eventTime,
        vars: {
          eventName: event.eventName,
          actor: routine ? `${actor} (routine)` : actor,
          what: change.what,
          before: change.before ?? "not in CloudTrail's record",
          revert: change.revert,
          onPath: match.via ? `a ${match.via} of ${KIND_WORDS[match.resource.kind]}` : KIND_WORDS[match.resource.kind],
          suspicion: routine ? "routine" : failingPath ? "on the failing path" : "on the service's path",
          judgement: routine
            ? "AWS made it on the service's behalf: routine, not a suspect."
            : before === undefined
              ? "Nothing failed after it in the window: context, not a suspect."
              : "A change this close to the first failure is the first suspect.",
          minutesBefore: when,
          eventTime: event.eventTime,
          sourceIp: event.sourceIPAddress,
        },
        evidence: [
          {
            step: "changes",
            kind: "change",
            id: event.eventId,
            at: event.eventTime,
            text: `${event.eventName} by ${actor}: ${change.what}`,
          },
        ],
      };
    });
  },
};

/** Suspects on the failing path, then suspects elsewhere on the path, then routine changes. */
function tier(c: Candidate): number {
  return c.routine ? 2 : c.failingPath ? 0 : 1;
}

/** Nearest before the onset first; without an onset, newest first. */
function nearness(a: Candidate, b: Candidate): number {
  return a.before !== undefined && b.before !== undefined
    ? a.before - b.before
    : b.event.eventTime.localeCompare(a.event.eventTime);
}
