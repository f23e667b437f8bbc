/**
 * Reads an AWS AccessDenied message: who was denied (principal), what (action), on what (resource) and why (which
 * kind of policy, explicit or implicit deny), and says the one change that fixes it. Pure string work.
 *
 * The families (sources in test/diagnose/access-denied.test.ts):
 * - IAM's current form: "User: arn:… is not authorized to perform: sqs:SendMessage on resource: arn:… because no
 *   identity-based policy allows the sqs:SendMessage action", "… with an explicit deny in a service control policy
 *   [: arn:aws:organizations::…]", "… in a permissions boundary", "… in a resource-based policy", "… session policy",
 *   "… VPC endpoint policy", "… resource control policy";
 * - the older form without a reason ("… on resource: arn:…"), or with a bare "with an explicit deny";
 * - wrapped in start-up errors (ECR "denied: User: …", Secrets Manager / SSM "AccessDeniedException: User: …
 *   status code: 400, request id: …"), SDK errors ("(Service: AmazonECS; Status Code: 400; …)") and log lines;
 * - S3's quoted resource ('on resource: "arn:aws:s3:::bucket/key"'), non-ARN resources ("on resource: role X");
 * - Secrets Manager's "Access to KMS is not allowed" (kms:Decrypt, no principal) and "Not authorized to perform
 *   sts:AssumeRole" (no principal).
 */

export type DenyingPolicy =
  | "identity-based"
  | "resource-based"
  | "service control"
  | "resource control"
  | "permissions boundary"
  | "session"
  | "VPC endpoint";

export interface AccessDenial {
  /** The denied identity's ARN, as written. */
  readonly principal?: string | undefined;
  /** The role or user name: `arn:aws:sts::…:assumed-role/payment-api-task/abc` → `payment-api-task`. */
  readonly principalName?: string | undefined;
  /** `sqs:SendMessage`. */
  readonly action?: string | undefined;
  /** The resource as written (an ARN, `*`, or "role X"). */
  readonly resource?: string | undefined;
  /** Readable: `queue orders-events`, `secret prod/db`, `table orders`, `all resources`. */
  readonly resourceName?: string | undefined;
  readonly deny: "explicit" | "implicit" | "unknown";
  /** The kind of policy that denied (explicit) or did not allow (implicit), when the message says. */
  readonly policy?: DenyingPolicy | undefined;
  /** The denying policy's ARN, when the message names it (SCPs, identity-based policies). */
  readonly policyArn?: string | undefined;
}

const PRINCIPAL = /\b(arn:aws[\w-]*:(?:iam|sts):[^\s"]*?)\s+is\s+not\s+authori[sz]ed\s+to\s+perform/i;
const ACTION = /not\s+authori[sz]ed\s+to\s+perform:?\s+([a-z0-9-]+:[A-Za-z0-9*]+)/i;
/** The resource runs to the reason, an SDK suffix or the end: ARNs have no spaces, "role X" / "user X" do. */
const RESOURCE = /\son\s+resource:?\s+"?(arn:[^\s"]+|\*|(?:role|user|group|policy|instance-profile)\s+[\w+=,.@/-]+)"?/i;
const IMPLICIT =
  /because\s+no\s+(identity-based|resource-based|service\s+control|resource\s+control|permissions\s+boundary|session|VPC\s+endpoint)(?:\s+polic(?:y|ies))?\s+allows?/i;
const EXPLICIT =
  /with\s+an?\s+(explicit|implicit)\s+deny(?:\s+in\s+(?:an?\s+|the\s+)?(identity-based|resource-based|service\s+control|resource\s+control|permissions\s+boundary|session|VPC\s+endpoint)(?:\s+polic(?:y|ies))?(?::?\s*(arn:aws[\w-]*:(?:organizations|iam)::[^\s".,;)]+))?)?/i;
const KMS_NOT_ALLOWED = /Access to KMS is not allowed/i;

/** Undefined when the text names neither a principal nor an action (a bare "Access Denied" says nothing more). */
export function parseAccessDenied(text: string): AccessDenial | undefined {
  const principal = PRINCIPAL.exec(text)?.[1]?.replace(/[.,;:]$/, "");
  let action = ACTION.exec(text)?.[1];
  if (!action && KMS_NOT_ALLOWED.test(text)) action = "kms:Decrypt";
  if (!principal && !action) return undefined;
  const resource = RESOURCE.exec(text)?.[1]?.replace(/[.,;:]+$/, "");
  const implicit = IMPLICIT.exec(text);
  const explicit = implicit ? undefined : EXPLICIT.exec(text);
  const policyText = implicit?.[1] ?? explicit?.[2];
  return {
    principal,
    principalName: principal ? principalName(principal) : undefined,
    action,
    resource,
    resourceName: resource ? resourceName(resource) : undefined,
    deny: implicit ? "implicit" : explicit ? (explicit[1]!.toLowerCase() as "explicit" | "implicit") : "unknown",
    policy: policyText
      ? (policyText.replace(/\s+/g, " ").toLowerCase().replace("vpc", "VPC") as DenyingPolicy)
      : undefined,
    policyArn: explicit?.[3],
  };
}

/** `…:assumed-role/ROLE/session` → ROLE; `…:role/path/ROLE` → ROLE; `…:user/NAME` → `user NAME`; `…:root` → root. */
export function principalName(arn: string): string {
  const resource = arn.replace(/^arn:[^:]*:[^:]*:[^:]*:[^:]*:/, "");
  const assumed = /^assumed-role\/([^/]+)/.exec(resource);
  if (assumed) return assumed[1]!;
  const role = /^role\/(?:.*\/)?([^/]+)$/.exec(resource);
  if (role) return role[1]!;
  const user = /^user\/(?:.*\/)?([^/]+)$/.exec(resource);
  if (user) return `user ${user[1]}`;
  return resource || arn;
}

/** A readable name for the resources a service's calls touch most; anything else keeps its ARN's resource part. */
export function resourceName(resource: string): string {
  if (resource === "*") return "all resources";
  const m = /^arn:[^:]*:([^:]*):[^:]*:[^:]*:(.*)$/.exec(resource);
  if (!m) return resource;
  const [, service, rest] = m as unknown as [string, string, string];
  const after = (prefix: RegExp) => rest.replace(prefix, "");
  switch (service) {
    case "sqs":
      return `queue ${rest}`;
    case "sns":
      return `topic ${rest}`;
    case "s3":
      return rest.includes("/") ? `object s3://${rest}` : `bucket ${rest}`;
    case "dynamodb":
      return /^table\/[^/]+$/.test(rest) ? `table ${after(/^table\//)}` : rest.replace(/^table\//, "table ");
    case "secretsmanager":
      // Secrets Manager adds "-" and six random characters to a secret's name in its ARN.
      return `secret ${after(/^secret:/).replace(/-[A-Za-z0-9]{6}$/, "")}`;
    case "ssm":
      return `parameter ${after(/^parameter/)}`;
    case "kms":
      return rest.startsWith("alias/") ? rest : `key ${after(/^key\//)}`;
    case "ecr":
      return `repository ${after(/^repository\//)}`;
    case "logs":
      return `log group ${after(/^log-group:/)
        .replace(/:\*?$/, "")
        .replace(/:log-stream:.*$/, "")}`;
    case "iam":
      return rest.replace(/^(role|user|policy|group)\/(?:.*\/)?([^/]+)$/, "$1 $2");
    case "lambda":
      return `function ${after(/^function:/)}`;
    default:
      return rest.replace("/", " ");
  }
}

const POLICY_LABEL: Record<DenyingPolicy, string> = {
  "identity-based": "identity-based policy",
  "resource-based": "resource policy",
  "service control": "service control policy (SCP)",
  "resource control": "resource control policy (RCP)",
  "permissions boundary": "permissions boundary",
  session: "session policy",
  "VPC endpoint": "VPC endpoint policy",
};

/** Why it was denied, in words: "no identity-based policy allows it", "an explicit deny in an SCP". */
export function denialReason(d: AccessDenial): string | undefined {
  if (d.deny === "unknown") return undefined;
  if (d.deny === "implicit")
    return d.policy
      ? `no ${d.policy === "permissions boundary" ? "permissions boundary" : POLICY_LABEL[d.policy]} allows it`
      : "no policy allows it";
  const where = d.policy ? POLICY_LABEL[d.policy] : "a policy";
  return `an explicit deny in ${/^[aeiou]/i.test(where) ? "an" : "a"} ${where}`;
}

/**
 * The change that fixes it, in one sentence, lower-case first: "allow sqs:SendMessage on queue orders-events for
 * payment-api-task", "remove the explicit deny of sqs:SendMessage in the SCP p-abc (an allow cannot override it)".
 */
export function denialFix(d: AccessDenial, fallbackPrincipal?: string): string {
  const action = d.action ?? "the denied action";
  const on = d.resourceName ? ` on ${d.resourceName}` : "";
  const who = d.principalName ?? fallbackPrincipal;
  const forWho = who ? ` for ${who}` : "";
  if (d.deny === "explicit") {
    const policy = d.policy ? POLICY_LABEL[d.policy] : "policy";
    const named = d.policyArn ? ` ${lastPart(d.policyArn)}` : "";
    const owner =
      d.policy === "identity-based" || d.policy === "permissions boundary"
        ? who
          ? ` of ${who}`
          : ""
        : d.policy === "resource-based" && d.resourceName
          ? ` of ${d.resourceName}`
          : "";
    return `remove the explicit deny of ${action} in the ${policy}${named}${owner}, or narrow its condition (an allow cannot override a deny)`;
  }
  switch (d.deny === "implicit" ? d.policy : undefined) {
    case "resource-based":
      return `allow ${who ?? "the caller"} ${action} in the resource policy${d.resourceName ? ` of ${d.resourceName}` : ""}`;
    case "permissions boundary":
      return `allow ${action}${on} in the permissions boundary${who ? ` of ${who}` : ""} (its own policy may allow it already)`;
    case "service control":
      return `allow ${action}${on} in the organization's service control policies (an AWS Organizations change)`;
    case "resource control":
      return `allow ${action}${on} in the organization's resource control policies (an AWS Organizations change)`;
    case "session":
      return `allow ${action}${on} in the session policy passed when the role is assumed`;
    case "VPC endpoint":
      return `allow ${action}${on} in the VPC endpoint policy`;
    default:
      return `allow ${action}${on}${forWho}`;
  }
}

/** "sqs:SendMessage on queue orders-events" — what was denied, for titles. */
export function deniedWhat(d: AccessDenial): string {
  return `${d.action ?? "a call"}${d.resourceName ? ` on ${d.resourceName}` : ""}`;
}

function lastPart(arn: string): string {
  return arn.slice(arn.lastIndexOf("/") + 1) || arn;
}
