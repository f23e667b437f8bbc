import type { ChangeEvent, Evidence, PathKind, PathResource, TaskDefinition } from "../../evidence/schema";
import { stepData } from "../../evidence/read";
import { sameSecret } from "../checks/secret-ref";

/**
 * The resources on a service's path — what a change must touch to be a suspect — and the matching of a CloudTrail
 * event against them. Pure: the collector uses it to keep the write-events sweep's relevant events, the diagnosis to
 * tell a change on this service's path from one to someone else's resources in the same minutes.
 *
 * Matching is by exact value, never by substring of free text: AWS ids (`sg-…`, `rtb-…`, `nat-…`, `vpce-…`,
 * `subnet-…`) and ARNs anywhere in the request parameters or the event's resources; plain names (a service, a task
 * family, a role, a repository, a secret, a key id) only under the parameter keys that name that kind of resource,
 * so a container called like the service does not make an unrelated change a suspect. Listeners and listener rules
 * belong to their load balancer through their ARN (`listener/app/<name>/<id>/…`).
 */

/** Parameter keys (lower case) whose value names a resource of the kind by its plain name. */
const NAME_KEYS: Partial<Record<PathKind, readonly string[]>> = {
  service: ["service", "servicename"],
  "task-definition": ["family", "taskdefinition"],
  role: ["rolename"],
  secret: ["secretid", "name", "names"],
  "kms-key": ["keyid", "kmskeyid"],
  "ecr-repository": ["repositoryname"],
};

/** Secrets Manager calls whose `kmsKeyId` names the key a secret is encrypted with. */
const SECRET_KEY_EVENTS: ReadonlySet<string> = new Set(["CreateSecret", "UpdateSecret"]);

/** A path resource a change touched, and how. */
export interface PathMatch {
  readonly resource: PathResource;
  /** A listener or rule of the load balancer rather than the load balancer itself. */
  readonly via?: "listener" | "rule" | undefined;
}

/** The service's path from a snapshot: its own resources, those other steps saw, and what step 10 recorded. */
export function pathFromEvidence(evidence: Evidence): PathResource[] {
  const out: PathResource[] = [];
  const add = (kind: PathKind, id: string | undefined) => {
    if (id) out.push({ kind, id });
  };
  add("service", evidence.target.service);
  add("service", evidence.target.serviceArn);
  for (const td of evidence.taskDefinitions) for (const r of taskDefinitionResources(td)) out.push(r);
  for (const lb of evidence.service.loadBalancers) add("target-group", lb.targetGroupArn);
  for (const sg of evidence.service.network?.securityGroups ?? []) add("security-group", sg);
  for (const subnet of evidence.service.network?.subnets ?? []) add("subnet", subnet);
  for (const tg of stepData(evidence, "target-health")?.targetGroups ?? [])
    for (const lb of tg.loadBalancerArns ?? []) add("load-balancer", lb);
  const network = stepData(evidence, "network-ports");
  for (const lb of network?.loadBalancers ?? []) {
    add("load-balancer", lb.loadBalancerArn);
    for (const sg of lb.securityGroups) add("security-group", sg);
  }
  for (const repo of stepData(evidence, "image")?.repositories ?? []) add("ecr-repository", repo.repositoryName);
  const changes = stepData(evidence, "changes");
  for (const r of changes?.path ?? []) out.push(r);
  out.push(...secretKeys(changes?.events ?? [], out));
  return dedupe(out);
}

/**
 * The KMS keys of the path's secrets that CloudTrail shows (CreateSecret / UpdateSecret with `kmsKeyId`): a key
 * policy change or a disabled key breaks the secret as surely as a changed secret does.
 */
export function secretKeys(events: readonly ChangeEvent[], path: readonly PathResource[]): PathResource[] {
  const secrets = path.filter((r) => r.kind === "secret");
  return events.flatMap((e): PathResource[] => {
    const p = e.requestParameters ?? {};
    const ref = p["secretId"] ?? p["name"];
    const key = p["kmsKeyId"];
    if (e.errorCode || !SECRET_KEY_EVENTS.has(e.eventName) || typeof ref !== "string" || typeof key !== "string")
      return [];
    return secrets.some((s) => sameSecret(ref, s.id)) ? [{ kind: "kms-key", id: key }] : [];
  });
}

/** What a task definition puts on the path: its family, ARN, roles, secrets and ECR repositories. */
export function taskDefinitionResources(td: TaskDefinition): PathResource[] {
  const out: PathResource[] = [
    { kind: "task-definition", id: td.family },
    { kind: "task-definition", id: td.taskDefinitionArn },
  ];
  if (td.executionRoleArn) out.push({ kind: "role", id: td.executionRoleArn });
  if (td.taskRoleArn) out.push({ kind: "role", id: td.taskRoleArn });
  for (const c of td.containers) {
    for (const s of c.secrets) out.push({ kind: "secret", id: s.valueFrom });
    if (c.repositoryCredentialsParameter) out.push({ kind: "secret", id: c.repositoryCredentialsParameter });
    const repo = ecrRepository(c.image);
    if (repo) out.push({ kind: "ecr-repository", id: repo });
  }
  return dedupe(out);
}

/** `123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api:v1` → `team/api`; undefined for other registries. */
export function ecrRepository(image: string): string | undefined {
  const m = /^\d{12}\.dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\/([^:@]+)/.exec(image);
  return m?.[1];
}

/** The first path resource the event touches, or undefined when it changed someone else's resources. */
export function matchPath(event: ChangeEvent, path: readonly PathResource[]): PathMatch | undefined {
  return matchAll(event, path)[0];
}

/** Every path resource the event touches, in path order. */
export function matchAll(event: ChangeEvent, path: readonly PathResource[]): PathMatch[] {
  const pairs = keyedValues(event.requestParameters ?? {});
  for (const r of event.resources) if (r.name) pairs.push({ key: "*resource", value: r.name });
  return path.flatMap((resource) => {
    const via = touches(resource, pairs);
    return via === false ? [] : [{ resource, via: via === true ? undefined : via }];
  });
}

/** ARNs and AWS resource ids are unique wherever they appear; plain names count only under their own keys. */
const UNIQUE_ID = /^(?:arn:|(?:sg|subnet|rtb|nat|vpce|vpc|igw|eni|pl)-[0-9a-z]{8,}$)/;

function touches(
  resource: PathResource,
  pairs: readonly { key: string; value: string }[],
): boolean | "listener" | "rule" {
  const id = resource.id;
  const names = plainNames(resource);
  const nameKeys = NAME_KEYS[resource.kind] ?? [];
  const lbTail = resource.kind === "load-balancer" ? loadBalancerTail(id) : undefined;
  const unique = UNIQUE_ID.test(id);
  for (const { key, value } of pairs) {
    if (unique && value === id) return true;
    if (lbTail) {
      if (value.includes(`:listener/${lbTail}/`)) return "listener";
      if (value.includes(`:listener-rule/${lbTail}/`)) return "rule";
    }
    const byName = key === "*resource" || nameKeys.includes(key);
    if (!byName) continue;
    if (resource.kind === "secret") {
      if (sameSecret(value, id)) return true;
      continue;
    }
    if (names.includes(value) || names.includes(lastSegment(value))) return true;
  }
  return false;
}

/** The plain names a resource also goes by: a role's name, a key's id, a service's name, a family without revision. */
function plainNames(resource: PathResource): string[] {
  const id = resource.id;
  if (!id.startsWith("arn:")) return resource.kind === "task-definition" ? [id, id.split(":")[0]!] : [id];
  const tail = lastSegment(id);
  switch (resource.kind) {
    case "task-definition":
      return [tail, tail.split(":")[0]!];
    case "role":
    case "service":
    case "kms-key":
      return [tail];
    case "ecr-repository":
      return [id.split(":repository/")[1] ?? tail];
    default:
      return [];
  }
}

/** `arn:…:loadbalancer/app/my-lb/50dc6c495c0c9188` → `app/my-lb/50dc6c495c0c9188`. */
function loadBalancerTail(arn: string): string | undefined {
  return /:loadbalancer\/((?:app|net|gwy)\/[^/]+\/[^/]+)$/.exec(arn)?.[1];
}

function lastSegment(value: string): string {
  const slash = value.split("/").pop() ?? value;
  return value.startsWith("arn:") ? slash : value;
}

/** Every string in the request parameters with the (lower-case) key it sits under; list items keep their list's key. */
function keyedValues(value: unknown, key = "", depth = 0, out: { key: string; value: string }[] = []) {
  if (typeof value === "string") out.push({ key, value });
  else if (Array.isArray(value)) for (const v of value) keyedValues(v, key, depth + 1, out);
  else if (value !== null && typeof value === "object" && depth <= 8)
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      // EC2's newer APIs nest the request (`{"DeleteNatGatewayRequest": {"NatGatewayId": …}}`) and lists
      // (`{"items": […]}`, `{"tag": 1, "content": "vpce-…"}`): the wrapper keys do not name anything.
      const inner = k === "items" || k === "content" || k.endsWith("Request") ? key : k.toLowerCase();
      keyedValues(v, inner, depth + 1, out);
    }
  return out;
}

function dedupe(resources: readonly PathResource[]): PathResource[] {
  const seen = new Set<string>();
  return resources.filter((r) => {
    const key = `${r.kind} ${r.id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
