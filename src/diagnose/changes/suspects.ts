import type { ChangeEvent, PathKind } from "../../evidence/schema";
import type { Symptom } from "../symptoms";
import type { Finding } from "../types";

/**
 * Which changes are suspects: routine changes made by AWS on the service's behalf are not, and among the rest a
 * change on the failing path of the leading symptom ranks before one elsewhere on the service's path.
 */

/**
 * Principals whose changes are routine: Application Auto Scaling setting a desired count, ECS's service-linked
 * role registering targets and managing ENIs, anything ECS invokes on someone's behalf. Matched on the principal
 * ARN, the user name, `invokedBy` and the user agent (AWS services sign their own calls with their host name).
 */
const ROUTINE_PRINCIPAL =
  /AWSServiceRoleForApplicationAutoScaling|AWSServiceRoleForECS\b|(?:^|[^\w.-])(?:application-autoscaling|ecs)\.amazonaws\.com\b/i;

export function isRoutine(event: ChangeEvent): boolean {
  const who = [event.actor, event.username, event.invokedBy, event.userAgent].filter(Boolean).join(" ");
  return ROUTINE_PRINCIPAL.test(who);
}

/** The resource kinds whose change can cause each symptom: its failing path. */
export const FAILING_PATH: Partial<Record<Symptom, readonly PathKind[]>> = {
  elb_health_check_failed: ["target-group", "load-balancer", "security-group", "task-definition", "service"],
  health_check_misconfigured: ["target-group", "task-definition"],
  port_mismatch: ["target-group", "task-definition", "service"],
  security_group_blocks_traffic: ["security-group", "load-balancer"],
  secret_access_denied: ["secret", "kms-key", "role", "vpc-endpoint", "route-table", "nat-gateway"],
  secret_not_readable: ["secret", "kms-key", "role"],
  registry_auth_or_network: [
    "route-table",
    "nat-gateway",
    "vpc-endpoint",
    "subnet",
    "security-group",
    "role",
    "ecr-repository",
  ],
  image_pull_failure: ["ecr-repository", "task-definition", "role", "vpc-endpoint", "route-table", "nat-gateway"],
  image_not_found: ["ecr-repository", "task-definition"],
  iam_task_role_denied: ["role", "kms-key"],
  app_crash: ["task-definition", "service", "secret", "ecr-repository"],
  oom_killed: ["task-definition", "service"],
  container_health_check_failed: ["task-definition", "service", "security-group", "route-table", "nat-gateway"],
  deployment_failed: ["task-definition", "service", "ecr-repository"],
  subnet_ip_exhaustion: ["subnet", "service"],
  subnet_ip_low: ["subnet", "service"],
  capacity_unavailable: ["service", "subnet"],
};

/** The symptom whose failing path ranks the changes: the most severe message finding, earliest first. */
export function leadSymptom(findings: readonly Finding[]): Symptom | undefined {
  const rank = (f: Finding) => (f.severity === "critical" ? 0 : f.severity === "warn" ? 1 : 2);
  const lead = [...findings]
    .filter((f) => f.severity !== "info" && f.symptom !== "other" && f.symptom !== "normal")
    .sort((a, b) => rank(a) - rank(b) || (a.firstSeen ?? "~").localeCompare(b.firstSeen ?? "~"))[0];
  return lead?.symptom;
}

/** Words for a path kind, in a title: "target group", "KMS key". */
export const KIND_WORDS: Readonly<Record<PathKind, string>> = {
  service: "the service",
  "task-definition": "the task definition",
  "target-group": "its target group",
  "load-balancer": "its load balancer",
  "security-group": "a security group on its path",
  subnet: "its subnet",
  "route-table": "its subnets' route table",
  "nat-gateway": "its NAT gateway",
  "vpc-endpoint": "a VPC endpoint it uses",
  role: "its task or execution role",
  secret: "a secret it reads",
  "kms-key": "the KMS key of its secrets",
  "ecr-repository": "its image repository",
};
