/** The closed vocabularies of DESIGN.md §4. Stable: playbooks, JSON output and outside checks use these strings. */

export const MESSAGE_SYMPTOMS = [
  "subnet_ip_exhaustion",
  "capacity_unavailable",
  "image_pull_failure",
  "registry_auth_or_network",
  "secret_access_denied",
  "oom_killed",
  "app_crash",
  "container_health_check_failed",
  "elb_health_check_failed",
  "spot_interruption",
  "deployment_failed",
  "iam_task_role_denied",
  "normal",
  "other",
] as const;
export type MessageSymptom = (typeof MESSAGE_SYMPTOMS)[number];

export const CONFIG_SYMPTOMS = [
  "port_mismatch",
  "security_group_blocks_traffic",
  "image_not_found",
  "mutable_image_tag",
  "secret_not_readable",
  "subnet_ip_low",
  "health_check_misconfigured",
  "recent_change",
] as const;
export type ConfigSymptom = (typeof CONFIG_SYMPTOMS)[number];

export type Symptom = MessageSymptom | ConfigSymptom;

export const SEVERITIES = ["info", "warn", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The fields a message can come from (DESIGN.md §5, `classify`). */
export const MESSAGE_FIELDS = [
  "stoppedReason",
  "stopCode",
  "container.reason",
  "container.exitCode",
  "service_event_message",
  "target_health",
  "log_line",
  "cloudtrail_event",
  "eventbridge_event",
] as const;
export type MessageField = (typeof MESSAGE_FIELDS)[number];
