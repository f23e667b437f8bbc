import type { ChangeEvent, Evidence } from "../../evidence/schema";
import type { TemplateVars } from "../template";
import { ACCESS_DESCRIBERS } from "./describe-access";
import { NETWORK_DESCRIBERS } from "./describe-network";
import { clock, Params, previous, resourceName, type ChangeDescription, type Describer } from "./params";

export type { ChangeDescription } from "./params";

/**
 * One change in words, by event family: a table from CloudTrail's eventName to a describer that reads the request
 * parameters (and, for the old value, earlier events of the same resource in the snapshot). An event without a
 * describer is named by the resource it touched.
 */

const updateService: Describer = (p, ctx) => {
  const service = resourceName(p.str("service") ?? p.str("serviceName")) ?? "?";
  const td = resourceName(p.str("taskDefinition"));
  const earlier = previous(
    ctx,
    ["UpdateService", "CreateService"],
    (q) => resourceName(q.str("service") ?? q.str("serviceName")) === service && q.str("taskDefinition") !== undefined,
  );
  // The revision before: an earlier deployment in CloudTrail, else the snapshot's previous revision when this change
  // deployed the current one, else the last known-good revision the diagnosis found.
  const current = ctx.evidence.taskDefinitions.find((t) => t.role === "current");
  const prior = ctx.evidence.taskDefinitions.find((t) => t.role === "previous");
  const deployedCurrent = td !== undefined && current !== undefined && resourceName(current.taskDefinitionArn) === td;
  // A deployment of a newer revision than the one the service runs now was rolled back (the circuit breaker, or a
  // person): what it replaced is what runs again.
  const currentName = current ? resourceName(current.taskDefinitionArn) : undefined;
  const rolledBackFrom = td !== undefined && currentName !== undefined && isOlderRevision(currentName, td);
  const oldTd =
    resourceName(earlier?.params.str("taskDefinition")) ??
    (deployedCurrent && prior ? resourceName(prior.taskDefinitionArn) : undefined) ??
    (rolledBackFrom ? currentName : undefined) ??
    ctx.vars["previousTaskDefinition"];
  const desired = p.num("desiredCount");
  const parts = [
    td ? `task definition ${oldTd && oldTd !== td ? `${oldTd} ` : ""}→ ${td}` : undefined,
    desired !== undefined ? `desired count → ${desired}` : undefined,
    p.bool("forceNewDeployment") ? "forced new deployment (image tags resolved again)" : undefined,
  ].filter(Boolean);
  const what = `service ${service}: ${parts.join(", ") || "updated"}`;
  if (td || p.bool("forceNewDeployment"))
    return oldTd && oldTd !== td
      ? { what, before: `task definition ${oldTd}`, revert: `roll back to ${oldTd}` }
      : { what, revert: "roll back to the last revision that worked" };
  return { what, revert: `set service ${service} back as it was before ${clock(ctx.event.eventTime)}` };
};

const registerTaskDefinition: Describer = (p, ctx) => {
  const family = p.str("family") ?? "?";
  const containers = p.list("containerDefinitions").length;
  return {
    what: `task definition family ${family}: new revision${containers > 0 ? ` (${containers} container${containers === 1 ? "" : "s"})` : ""}`,
    revert: ctx.vars["previousTaskDefinition"]
      ? `roll back to ${ctx.vars["previousTaskDefinition"]}`
      : "roll back to the last revision that worked",
  };
};

const deregisterTaskDefinition: Describer = (p) => {
  const td = resourceName(p.str("taskDefinition")) ?? "?";
  return {
    what: `task definition ${td} deregistered (INACTIVE: no new tasks from it)`,
    before: `${td} ACTIVE`,
    revert: `register ${td}'s definition again as a new revision and deploy that`,
  };
};

/** "tag v43", "sha256:abcd…" for each image id. */
function imageIds(p: Params): string[] {
  return p.list("imageIds").flatMap((i) => {
    if (i === null || typeof i !== "object") return [];
    const r = i as Record<string, unknown>;
    const tag = typeof r["imageTag"] === "string" ? `tag ${r["imageTag"]}` : undefined;
    const digest = typeof r["imageDigest"] === "string" ? String(r["imageDigest"]).slice(0, 19) : undefined;
    return [tag ?? digest ?? "an image"];
  });
}

const batchDeleteImage: Describer = (p) => {
  const repo = p.str("repositoryName") ?? "?";
  const ids = imageIds(p);
  return {
    what: `image${ids.length === 1 ? "" : "s"} deleted from repository ${repo}: ${ids.join(", ") || "?"}`,
    before: `${ids.join(", ") || "the images"} in ${repo}`,
    revert: `push ${ids.join(", ") || "the images"} to ${repo} again (or deploy a revision whose image still exists)`,
  };
};

const putImage: Describer = (p) => {
  const repo = p.str("repositoryName") ?? "?";
  const tag = p.str("imageTag");
  return {
    what: tag ? `tag ${tag} of repository ${repo} → a new image (a mutable tag moves)` : `image pushed to ${repo}`,
    revert: tag
      ? `point tag ${tag} of ${repo} back at the image it named before, or deploy by digest`
      : "deploy by digest",
  };
};

const putImageTagMutability: Describer = (p) => {
  const repo = p.str("repositoryName") ?? "?";
  const now = p.str("imageTagMutability") ?? "?";
  const old = now === "IMMUTABLE" ? "MUTABLE" : now === "MUTABLE" ? "IMMUTABLE" : undefined;
  return {
    what: `repository ${repo} tags ${old ? `${old} ` : ""}→ ${now}`,
    ...(old ? { before: `tags ${old}` } : {}),
    revert: old ? `set ${repo}'s tags to ${old} again` : `restore ${repo}'s tag mutability`,
  };
};

const repositoryPolicy: Describer = (p, ctx) => {
  const repo = p.str("repositoryName") ?? "?";
  return {
    what: `repository ${repo}: ${ctx.event.eventName === "DeleteRepositoryPolicy" ? "policy deleted" : ctx.event.eventName === "PutLifecyclePolicy" ? "lifecycle policy replaced (it may expire images in use)" : "policy replaced"}`,
    revert: `restore ${repo}'s ${ctx.event.eventName === "PutLifecyclePolicy" ? "lifecycle " : ""}policy from before ${clock(ctx.event.eventTime)}`,
  };
};

/** eventName → describer: the data-driven part. */
export const DESCRIBERS: Readonly<Record<string, Describer>> = {
  UpdateService: updateService,
  CreateService: updateService,
  RegisterTaskDefinition: registerTaskDefinition,
  DeregisterTaskDefinition: deregisterTaskDefinition,
  BatchDeleteImage: batchDeleteImage,
  PutImage: putImage,
  PutImageTagMutability: putImageTagMutability,
  SetRepositoryPolicy: repositoryPolicy,
  DeleteRepositoryPolicy: repositoryPolicy,
  PutLifecyclePolicy: repositoryPolicy,
  ...NETWORK_DESCRIBERS,
  ...ACCESS_DESCRIBERS,
};

/**
 * The change in words. `events` is the snapshot's list (newest first): the successful events before this one are
 * where an old value may show.
 */
export function describeChange(
  event: ChangeEvent,
  events: readonly ChangeEvent[],
  evidence: Evidence,
  vars: TemplateVars,
): ChangeDescription {
  const earlier = events.filter((e) => !e.errorCode && e.eventId !== event.eventId && e.eventTime <= event.eventTime);
  const describer = DESCRIBERS[event.eventName];
  const params = new Params(event.requestParameters);
  if (describer) {
    try {
      return describer(params, { event, earlier, evidence, vars });
    } catch {
      // A shape the describer did not expect: fall back to naming the resource.
    }
  }
  const target = namedResource(params, event);
  return {
    what: `${event.eventName}${target ? ` on ${target}` : ""}`,
    revert: `undo ${event.eventName}${target ? ` on ${target}` : ""}`,
  };
}

/** The resource a call names, from the usual parameter keys or the event's resources. */
function namedResource(p: Params, event: ChangeEvent): string | undefined {
  for (const key of [
    "targetGroupArn",
    "listenerArn",
    "ruleArn",
    "loadBalancerArn",
    "groupId",
    "routeTableId",
    "natGatewayId",
    "vpcEndpointId",
    "secretId",
    "name",
    "roleName",
    "keyId",
    "repositoryName",
    "policyArn",
    "service",
    "family",
  ]) {
    const v = p.str(key);
    if (v) return resourceName(v);
  }
  return event.resources.find((r) => r.name)?.name;
}

/** `family:3` is an older revision of the same family than `family:7`. */
function isOlderRevision(a: string, b: string): boolean {
  const [fa, ra] = a.split(":");
  const [fb, rb] = b.split(":");
  return fa === fb && ra !== undefined && rb !== undefined && Number(ra) < Number(rb);
}
