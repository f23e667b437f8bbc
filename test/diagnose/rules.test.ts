import { describe, expect, it } from "vitest";
import { classifyMessage, toMessage } from "../../src/diagnose/classify";
import { loadPlaybooks } from "../../src/diagnose/load-playbooks";
import type { CompiledRule } from "../../src/diagnose/matcher";
import { MESSAGE_FIELDS, type MessageField } from "../../src/diagnose/symptoms";

/**
 * Every failure rule, with real AWS / runtime wordings: a message it must win, a near miss in the same field it
 * must not match, and a field it does not cover. A new rule without a row here fails the coverage test.
 */

interface Input {
  readonly field: MessageField;
  readonly text: string;
  readonly extra?: Record<string, unknown>;
}
interface RuleCase {
  readonly match: Input;
  readonly nearMiss: Input;
  readonly notApplicable: MessageField;
}

const playbooks = loadPlaybooks();
const classify = (input: Input) => classifyMessage(toMessage(input), playbooks);
const compiled = (id: string): CompiledRule => {
  const rule = playbooks.rules.find((r) => r.rule.id === id);
  if (!rule) throw new Error(`no rule ${id}`);
  return rule;
};

const SR = "stoppedReason" as const;
const CR = "container.reason" as const;
const SC = "stopCode" as const;
const EC = "container.exitCode" as const;
const SE = "service_event_message" as const;
const TH = "target_health" as const;
const LL = "log_line" as const;
const CT = "cloudtrail_event" as const;
const EB = "eventbridge_event" as const;

const RIE =
  "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed:";
const ASM = `${RIE} unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/db-AbCdEf from secrets manager:`;
const serviceAction = (eventName: string, eventType = "ERROR", more: Record<string, unknown> = {}) =>
  JSON.stringify({
    version: "0",
    "detail-type": "ECS Service Action",
    source: "aws.ecs",
    account: "111122223333",
    region: "us-west-2",
    resources: ["arn:aws:ecs:us-west-2:111122223333:service/default/web"],
    detail: { eventType, eventName, clusterArn: "arn:aws:ecs:us-west-2:111122223333:cluster/default", ...more },
  });
const trail = (eventSource: string, eventName: string, role: string, errorCode?: string, invokedBy?: string) =>
  JSON.stringify({
    eventSource,
    eventName,
    userIdentity: {
      type: "AssumedRole",
      arn: `arn:aws:sts::123456789012:assumed-role/${role}/3f1c2b7e`,
      ...(invokedBy ? { invokedBy } : {}),
    },
    ...(errorCode
      ? {
          errorCode,
          errorMessage: `User: arn:aws:sts::123456789012:assumed-role/${role}/3f1c2b7e is not authorized to perform: ${eventSource.split(".")[0]}:${eventName}`,
        }
      : {}),
  });

const CASES: Record<string, RuleCase> = {
  // 10-placement
  "subnet-insufficient-free-addresses": {
    match: {
      field: SR,
      text: "There are not enough free addresses in subnet 'subnet-0a1b2c3d4e5f67890' to satisfy the requested number of instances.",
    },
    nearMiss: { field: SR, text: "Timeout waiting for network interface provisioning to complete." },
    notApplicable: TH,
  },
  "eni-create-failed": {
    match: {
      field: SR,
      text: "Unexpected EC2 error while attempting to Create Network Interface with public IP assignment enabled in subnet 'subnet-0a1b2c3d4e5f67890'",
    },
    nearMiss: { field: SR, text: "Unexpected EC2 error while attempting to tag the network interface" },
    notApplicable: TH,
  },
  "eni-provisioning-timeout": {
    match: { field: SR, text: "Timeout waiting for network interface provisioning to complete." },
    nearMiss: { field: SR, text: "DockerTimeoutError: Could not transition to started; timed out after waiting 3m0s" },
    notApplicable: TH,
  },
  "placement-cpu": {
    match: {
      field: SE,
      text: "service (payment-api) was unable to place a task because no container instance met all of its requirements. The closest matching container-instance 0d2b7c4e has insufficient CPU units available.",
    },
    nearMiss: {
      field: SE,
      text: "service httpd-web was unable to place a task because no container instance met all of its requirements. The closest matching container-instance b1a73168 has insufficient memory available.",
    },
    notApplicable: TH,
  },
  "placement-memory": {
    match: {
      field: SE,
      text: "service httpd-web was unable to place a task because no container instance met all of its requirements. The closest matching container-instance b1a73168 has insufficient memory available.",
    },
    nearMiss: {
      field: SE,
      text: "service (payment-api) was unable to place a task because no container instance met all of its requirements. The closest matching container-instance 0d2b7c4e has insufficient CPU units available.",
    },
    notApplicable: TH,
  },
  "placement-eni": {
    match: {
      field: SE,
      text: 'service qa-web was unable to place a task because no container instance met all of its requirements. The closest matching container-instance 0d2b7c4e encountered error "RESOURCE:ENI".',
    },
    nearMiss: {
      field: SE,
      text: 'service qa-web was unable to place a task because no container instance met all of its requirements. The closest matching container-instance 0d2b7c4e encountered error "RESOURCE:CPU".',
    },
    notApplicable: TH,
  },
  "placement-ports": {
    match: {
      field: SE,
      text: "(service ecs-simple-service) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance 3f4de1c5) is already using a port required by your task.",
    },
    nearMiss: {
      field: SE,
      text: "service examples-nginx was unable to place a task because no container instance met all of its requirements. The closest matching container-instance 333ba941 is missing an attribute required by your task.",
    },
    notApplicable: TH,
  },
  "placement-no-instances": {
    match: {
      field: SE,
      text: "service factorio was unable to place a task because no container instance met all of its requirements. Reason: No Container Instances were found in your cluster.",
    },
    nearMiss: {
      field: SE,
      text: "service (payment-api) was unable to place a task because no container instance met all of its requirements.",
    },
    notApplicable: TH,
  },
  "placement-attribute": {
    match: {
      field: SE,
      text: "service examples-nginx was unable to place a task because no container instance met all of its requirements. The closest matching container-instance 333ba941 is missing an attribute required by your task.",
    },
    nearMiss: {
      field: SE,
      text: "(service ecs-simple-service) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance 3f4de1c5) is already using a port required by your task.",
    },
    notApplicable: TH,
  },
  "placement-constraints": {
    match: {
      field: SE,
      text: "service (payment-api) was unable to place a task because no container instance met all of its requirements.",
    },
    nearMiss: {
      field: SE,
      text: "service (payment-api) was unable to place a task. Reason: Capacity is unavailable at this time.",
    },
    notApplicable: SR,
  },
  "fargate-capacity-unavailable": {
    match: {
      field: SE,
      text: "service (payment-api) was unable to place a task. Reason: Capacity is unavailable at this time. Please try again later or in a different availability zone.",
    },
    nearMiss: { field: SE, text: "service (payment-api) was unable to place a task. Reason: Internal error." },
    notApplicable: TH,
  },
  "task-limit-or-quota": {
    match: {
      field: SE,
      text: "service (payment-api) was unable to place a task. Reason: You’ve reached the limit on the number of vCPUs you can run concurrently",
    },
    nearMiss: {
      field: SE,
      text: "service (payment-api) was unable to place a task. Reason: Capacity is unavailable at this time.",
    },
    notApplicable: TH,
  },
  "placement-could-not-launch": {
    match: {
      field: SE,
      text: "service (payment-api) could not launch 3 tasks for deployment ecs-svc/1571272475813219068.",
    },
    nearMiss: {
      field: SE,
      text: "(service loppestars-service) failed to launch a task with (error ECS was unable to assume the role 'arn:aws:iam::035338517878:role/task' that was provided for this task.)",
    },
    notApplicable: SR,
  },
  "placement-eventbridge": {
    match: { field: EB, text: serviceAction("SERVICE_TASK_PLACEMENT_FAILURE", "INFO") },
    nearMiss: { field: EB, text: serviceAction("SERVICE_TASK_CONFIGURATION_FAILURE") },
    notApplicable: SE,
  },
  "placement-daemon-constraint": {
    match: { field: EB, text: serviceAction("SERVICE_DAEMON_PLACEMENT_CONSTRAINT_VIOLATED") },
    nearMiss: { field: EB, text: serviceAction("ECS_OPERATION_THROTTLED") },
    notApplicable: LL,
  },
  // 20-image-pull
  "pull-platform-mismatch": {
    match: {
      field: SR,
      text: "CannotPullContainerError: image Manifest does not contain descriptor matching platform 'linux/amd64'",
    },
    nearMiss: {
      field: SR,
      text: 'CannotPullContainerError: inspect image has been retried 1 time(s): failed to resolve ref "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v2": 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v2: not found',
    },
    notApplicable: TH,
  },
  "pull-rate-limited": {
    match: { field: CR, text: "ERROR: toomanyrequests: Too Many Requests." },
    nearMiss: {
      field: CR,
      text: 'CannotPullContainerError: inspect image has been retried 1 time(s): failed to resolve ref "x.dkr.ecr.us-east-1.amazonaws.com/web:v2": unexpected status code [manifests v2]: 403 Forbidden',
    },
    notApplicable: TH,
  },
  "pull-access-denied": {
    match: {
      field: CR,
      text: "CannotPullContainerError: Error response from daemon: pull access denied for ecs-task-kite, repository does not exist or may require 'docker login'",
    },
    nearMiss: {
      field: CR,
      text: "CannotPullContainerError: API error (404): repository 111122223333.dkr.ecr.us-east-1.amazonaws.com/orders/api not found",
    },
    notApplicable: TH,
  },
  "pull-manifest-unknown": {
    match: {
      field: CR,
      text: "CannotPullContainerError: Error response from daemon: manifest for 905234897161.dkr.ecr.us-east-1.amazonaws.com/api:latest not found: manifest unknown: Requested image not found",
    },
    nearMiss: {
      field: CR,
      text: "CannotPullContainerError: Error response from daemon: manifest for elasticsearch:latest not found",
    },
    notApplicable: TH,
  },
  "pull-tag-not-found": {
    match: {
      field: CR,
      text: "CannotPullContainerError: Error response from daemon: manifest for elasticsearch:latest not found",
    },
    nearMiss: {
      field: CR,
      text: 'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref "x.dkr.ecr.us-east-1.amazonaws.com/api:v42": failed to do request: Head "https://x.dkr.ecr.us-east-1.amazonaws.com/v2/api/manifests/v42": dial tcp 10.0.3.17:443: i/o timeout',
    },
    notApplicable: TH,
  },
  "pull-disk-or-runtime": {
    match: {
      field: CR,
      text: "CannotPullContainerError: write /var/lib/docker/tmp/GetImageBlob111111111: no space left on device",
    },
    nearMiss: { field: CR, text: "CannotPullContainerError: Error response from daemon: net/http: request canceled" },
    notApplicable: TH,
  },
  "pull-network-timeout": {
    match: {
      field: SR,
      text: 'CannotPullContainerError: inspect image has been retried 5 time(s): failed to resolve ref "docker.io/library/nginx:latest": failed to do request: Head https://registry-1.docker.io/v2/library/nginx/manifests/latest: dial tcp 52.72.252.48:443: i/o timeout',
    },
    nearMiss: {
      field: SR,
      text: "CannotPullContainerError: Error response from daemon: manifest for elasticsearch:latest not found",
    },
    notApplicable: TH,
  },
  "pull-unexpected-status": {
    match: {
      field: SR,
      text: "CannotPullContainerError: ref pull has been retried 1 time(s): failed to copy: httpReaderSeeker: failed open: unexpected status code",
    },
    nearMiss: {
      field: SR,
      text: "CannotPullContainerError: failed to copy: httpReadSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/cypress/included/manifests/sha256:86e3: 429 Too Many Requests",
    },
    notApplicable: TH,
  },
  "pull-generic": {
    match: { field: SR, text: "CannotPullContainerError: Error response from daemon: invalid reference format" },
    nearMiss: { field: SR, text: "CannotStartContainerError: Error response from daemon: invalid reference format" },
    notApplicable: TH,
  },
  // 30-start-up
  "startup-efs-volume": {
    match: {
      field: SR,
      text: "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: mount.nfs4: Connection timed out : unsuccessful EFS utils command execution; code: 32",
    },
    nearMiss: {
      field: SR,
      text: "ResourceInitializationError: failed to create new container runtime task: failed to create shim task: OCI runtime create failed",
    },
    notApplicable: TH,
  },
  "startup-secret-kms": {
    match: { field: SR, text: `${ASM} AccessDeniedException: Access to KMS is not allowed status code: 400` },
    nearMiss: {
      field: SR,
      text: `${ASM} AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/exec/abc is not authorized to perform: secretsmanager:GetSecretValue`,
    },
    notApplicable: TH,
  },
  "startup-registry-auth": {
    match: {
      field: SR,
      text: `${RIE} unable to retrieve ecr registry auth: service call has been retried 3 time(s): RequestError: send request failed`,
    },
    nearMiss: {
      field: SR,
      text: "ResourceInitializationError: unable to pull secrets or registry auth: pull command failed: : signal: killed",
    },
    notApplicable: TH,
  },
  "startup-secret-access-denied": {
    match: {
      field: SR,
      text: `${RIE} unable to retrieve secrets from ssm: service call has been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/exec/1 is not authorized to perform: ssm:GetParameters`,
    },
    nearMiss: {
      field: SR,
      text: `${RIE} unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: /wishkit/gemini-api-key`,
    },
    notApplicable: TH,
  },
  "startup-secret-not-found": {
    match: {
      field: SR,
      text: "ResourceInitializationError: The task can't retrieve the secret with ARN 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf' from AWS Secrets Manager. Check that the secret ARN is correct. ResourceNotFoundException: Secrets Manager can't find the specified secret.",
    },
    nearMiss: {
      field: SR,
      text: `${ASM} AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/exec/abc is not authorized to perform: secretsmanager:GetSecretValue`,
    },
    notApplicable: TH,
  },
  "startup-env-file": {
    match: {
      field: SR,
      text: "ResourceInitializationError: failed to download env files: file download command: non empty error stream: AccessDenied: Access Denied status code: 403",
    },
    nearMiss: {
      field: SR,
      text: "ResourceInitializationError: failed to download env files: file download command: non-empty error stream: RequestCanceled: request context cancelled caused by: context deadline exceeded",
    },
    notApplicable: TH,
  },
  "startup-log-driver-network": {
    match: {
      field: SR,
      text: "ResourceInitializationError: failed to validate logger args: The task cannot find the Amazon CloudWatch log group defined in the task definition. There is a connection issue between the task and Amazon CloudWatch. Check your network configuration. signal: killed",
    },
    nearMiss: {
      field: SR,
      text: "ResourceInitializationError: failed to validate logger args: failed to create CloudWatch log stream: ResourceNotFoundException: The specified log group does not exist.",
    },
    notApplicable: TH,
  },
  "startup-aws-api-network": {
    match: {
      field: SR,
      text: `${RIE} unable to retrieve secrets from ssm: service call has been retried 5 time(s): RequestCanceled: request context canceled caused by: context deadline exceeded. Please check your task network configuration.`,
    },
    nearMiss: {
      field: SR,
      text: 'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref "x.dkr.ecr.us-east-1.amazonaws.com/api:v42": dial tcp 10.0.3.17:443: i/o timeout',
    },
    notApplicable: TH,
  },
  "startup-secret-retrieval-failed": {
    match: {
      field: SR,
      text: `${RIE} unable to retrieve secret from asm: service call has been retried 5 time(s): failed to fetch secret arn:aws:secretsmanager:eu-west-2:788375279931...`,
    },
    nearMiss: { field: SR, text: "ResourceInitializationError: unable to pull secrets or registry auth" },
    notApplicable: TH,
  },
  "startup-log-driver-config": {
    match: {
      field: SR,
      text: "ResourceInitializationError: failed to validate logger args: failed to create CloudWatch log stream: ResourceNotFoundException: The specified log group does not exist.",
    },
    nearMiss: {
      field: SR,
      text: "CannotStartContainerError: Error response from daemon: failed to create shim task: OCI runtime create failed",
    },
    notApplicable: TH,
  },
  "startup-pull-secrets-or-auth": {
    match: { field: SR, text: "ResourceInitializationError: unable to pull secrets or registry auth" },
    nearMiss: {
      field: SR,
      text: "ResourceInitializationError: failed to configure ENI: failed to setup regular eni: netplugin failed with no error message",
    },
    notApplicable: TH,
  },
  "startup-resource-init-generic": {
    match: {
      field: SR,
      text: "ResourceInitializationError: failed to configure ENI: failed to setup regular eni: netplugin failed with no error message",
    },
    nearMiss: {
      field: SR,
      text: "CannotStartContainerError: failed to get container status: context deadline exceeded",
    },
    notApplicable: TH,
  },
  // 40-exits
  "oom-killed": {
    match: { field: CR, text: "OutOfMemoryError: Container killed due to memory usage", extra: { exitCode: 137 } },
    nearMiss: { field: CR, text: "java.lang.OutOfMemoryError: Java heap space" },
    notApplicable: TH,
  },
  "log-process-sigkill": {
    match: {
      field: LL,
      text: "[2024-03-12 10:15:32 +0000] [1] [ERROR] Worker (pid:9) was sent SIGKILL! Perhaps out of memory?",
    },
    nearMiss: { field: LL, text: "[2024-03-12 10:15:32 +0000] [1] [INFO] Handling signal: term" },
    notApplicable: SR,
  },
  "oom-runtime-heap": {
    match: { field: LL, text: "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory" },
    nearMiss: { field: LL, text: "INFO heap usage 412 MB of 1024 MB after GC" },
    notApplicable: SR,
  },
  "exec-format-error": {
    match: { field: CR, text: 'standard_init_linux.go:195: exec user process caused "exec format error"' },
    nearMiss: { field: CR, text: "exec /usr/local/bin/docker-entrypoint.sh: no such file or directory" },
    notApplicable: TH,
  },
  "exec-format-script": {
    match: { field: LL, text: "exec /usr/local/bin/docker-entrypoint.sh: exec format error" },
    nearMiss: { field: LL, text: "exec /usr/local/bin/docker-entrypoint.sh: no such file or directory" },
    notApplicable: TH,
  },
  "entrypoint-unset-variable": {
    match: { field: LL, text: "./entrypoint.sh: line 7: DOMAIN: unbound variable" },
    nearMiss: { field: LL, text: "./entrypoint.sh: line 7: DOMAIN is set to example.com" },
    notApplicable: SR,
  },
  "dependency-connection-failed": {
    match: {
      field: LL,
      text: "redis.exceptions.ConnectionError: Error 111 connecting to 10.0.0.1:6379. Connection refused.",
    },
    nearMiss: { field: LL, text: "Connected to redis at 10.0.0.1:6379" },
    notApplicable: SR,
  },
  "deployment-configuration-blocks": {
    match: {
      field: SE,
      text: "(service payment-api) was unable to stop or start tasks during a deployment because of the service deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again.",
    },
    nearMiss: { field: SE, text: "(service payment-api) has reached a steady state." },
    notApplicable: TH,
  },
  "cannot-start-container": {
    match: {
      field: SR,
      text: 'CannotStartContainerError: API error (500): Cannot start container 54b6caa1: [8] System error: exec: "node index.js": executable file not found in $PATH',
    },
    nearMiss: {
      field: SR,
      text: "CannotStopContainerError: failed sending SIGTERM to container: context deadline exceeded",
    },
    notApplicable: TH,
  },
  "app-start-failure": {
    match: { field: LL, text: "Error: listen EADDRINUSE: address already in use :::3000" },
    nearMiss: { field: LL, text: "Server listening on :::3000" },
    notApplicable: SR,
  },
  "crash-loop-service-event": {
    match: { field: SE, text: "service (payment-api) is unable to consistently start tasks successfully." },
    nearMiss: { field: SE, text: "(service payment-api) has started 2 tasks: (task a1) (task b2)." },
    notApplicable: SR,
  },
  "exit-segfault": {
    match: { field: EC, text: "139", extra: { exitCode: 139, stoppedReason: "Essential container in task exited" } },
    nearMiss: { field: EC, text: "137", extra: { exitCode: 137 } },
    notApplicable: LL,
  },
  "exit-command-not-runnable": {
    match: { field: EC, text: "127", extra: { exitCode: 127 } },
    nearMiss: { field: EC, text: "1", extra: { exitCode: 1 } },
    notApplicable: LL,
  },
  "exit-sigkill-no-oom": {
    match: { field: EC, text: "137", extra: { exitCode: 137, stoppedReason: "Essential container in task exited" } },
    nearMiss: {
      field: EC,
      text: "137",
      extra: { exitCode: 137, stoppedReason: "Scaling activity initiated by (deployment ecs-svc/9223370545345641169)" },
    },
    notApplicable: LL,
  },
  "exit-nonzero": {
    match: { field: EC, text: "1", extra: { exitCode: 1, stoppedReason: "Essential container in task exited" } },
    nearMiss: { field: EC, text: "0", extra: { exitCode: 0, stoppedReason: "Essential container in task exited" } },
    notApplicable: LL,
  },
  "essential-container-exited": {
    match: { field: SR, text: "Essential container in task exited" },
    nearMiss: { field: SR, text: "Essential container in task exited", extra: { exitCode: 0 } },
    notApplicable: LL,
  },
  "app-panic-or-fatal": {
    match: { field: LL, text: "panic: runtime error: invalid memory address or nil pointer dereference" },
    nearMiss: { field: LL, text: "INFO recovered from a handler panic, request aborted with 500" },
    notApplicable: SR,
  },
  // 50-health-checks
  "container-health-check-failed": {
    match: { field: SR, text: "Task failed container health checks" },
    nearMiss: { field: SR, text: "Task failed ELB health checks in (target-group loppestars-tg)" },
    notApplicable: TH,
  },
  "elb-health-check-response-code": {
    match: {
      field: TH,
      text: "Health checks failed with these codes: [502]",
      extra: { reasonCode: "Target.ResponseCodeMismatch", state: "unhealthy" },
    },
    nearMiss: { field: TH, text: "Request timed out", extra: { reasonCode: "Target.Timeout", state: "unhealthy" } },
    notApplicable: LL,
  },
  "elb-health-check-timeout": {
    match: { field: TH, text: "Request timed out", extra: { reasonCode: "Target.Timeout", state: "unhealthy" } },
    nearMiss: {
      field: TH,
      text: "Health checks failed with these codes: [502]",
      extra: { reasonCode: "Target.ResponseCodeMismatch", state: "unhealthy" },
    },
    notApplicable: LL,
  },
  "elb-health-check-failed": {
    match: {
      field: SR,
      text: "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-west-2:111111111111:targetgroup/demo/8e6d68f88cd88d12)",
    },
    nearMiss: { field: SR, text: "Task failed container health checks" },
    notApplicable: LL,
  },
  "elb-internal-error": {
    match: {
      field: TH,
      text: "Health checks failed due to an internal error",
      extra: { reasonCode: "Elb.InternalError", state: "unhealthy" },
    },
    nearMiss: {
      field: TH,
      text: "Health checks failed",
      extra: { reasonCode: "Target.FailedHealthChecks", state: "unhealthy" },
    },
    notApplicable: SR,
  },
  "target-unhealthy-state": {
    match: { field: TH, text: "", extra: { state: "unhealthy" } },
    nearMiss: { field: TH, text: "", extra: { state: "draining" } },
    notApplicable: SE,
  },
  "target-config-problem": {
    match: {
      field: TH,
      text: "Target group is not configured to receive traffic from the load balancer",
      extra: { reasonCode: "Target.NotInUse", state: "unused" },
    },
    nearMiss: {
      field: TH,
      text: "Target is not registered to the target group",
      extra: { reasonCode: "Target.NotRegistered", state: "unused" },
    },
    notApplicable: SR,
  },
  // 60-spot
  "spot-interruption": {
    match: { field: SR, text: "Your Spot Task was interrupted." },
    nearMiss: { field: SR, text: "Your task was stopped by the scheduler." },
    notApplicable: TH,
  },
  "spot-termination-notice": {
    match: { field: SC, text: "TerminationNotice" },
    nearMiss: { field: SC, text: "TaskFailedToStart" },
    notApplicable: LL,
  },
  "spot-warning-eventbridge": {
    match: {
      field: EB,
      text: '{"source":"aws.ec2","detail":{"instance-id":"i-1234567890abcdef0","instance-action":"terminate"}}',
      extra: { detailType: "EC2 Spot Instance Interruption Warning" },
    },
    nearMiss: {
      field: EB,
      text: '{"source":"aws.ec2","detail":{"instance-id":"i-1234567890abcdef0","state":"stopping"}}',
      extra: { detailType: "EC2 Instance State-change Notification" },
    },
    notApplicable: SR,
  },
  // 70-deployment
  "deployment-alarm-rollback": {
    match: {
      field: SE,
      text: "(service fraud-api-prod) (deployment ecs-svc/8028475612093847561) deployment failed: alarm detected.",
    },
    nearMiss: {
      field: SE,
      text: "(service devops-g3-inventory) (deployment ecs-svc/1571272475813219068) deployment failed: tasks failed to start.",
    },
    notApplicable: SR,
  },
  "deployment-circuit-breaker": {
    match: {
      field: SE,
      text: "(service devops-g3-inventory) (deployment ecs-svc/1571272475813219068) deployment failed: tasks failed to start.",
    },
    nearMiss: {
      field: SE,
      text: "(service fraud-api-prod) (deployment ecs-svc/8028475612093847561) deployment failed: alarm detected.",
    },
    notApplicable: SR,
  },
  "deployment-rolled-back": {
    match: { field: SE, text: "(service devops-g3-inventory) rolling back to deployment ecs-svc/1675294001379389663." },
    nearMiss: {
      field: SE,
      text: "(service devops-g3-inventory) (deployment ecs-svc/1571272475813219068) deployment failed: tasks failed to start.",
    },
    notApplicable: SR,
  },
  "deployment-failed": {
    match: { field: SE, text: "(service web) deployment ecs-svc/5591384758103758 has failed." },
    nearMiss: { field: SE, text: "(service web) (deployment ecs-svc/5591384758103758) deployment completed." },
    notApplicable: SR,
  },
  // 80-app-access
  "app-no-credentials": {
    match: { field: LL, text: "botocore.exceptions.NoCredentialsError: Unable to locate credentials" },
    nearMiss: { field: LL, text: "botocore.credentials Found credentials from container provider" },
    notApplicable: SR,
  },
  "app-invalid-credentials": {
    match: {
      field: LL,
      text: "botocore.exceptions.ClientError: An error occurred (UnrecognizedClientException) when calling the Query operation: The security token included in the request is invalid.",
    },
    nearMiss: { field: LL, text: "Refreshing temporary credentials; token valid until 2024-03-12T11:15:32Z" },
    notApplicable: SR,
  },
  "app-access-denied": {
    match: {
      field: LL,
      text: "botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the PutObject operation: Access Denied",
    },
    nearMiss: { field: LL, text: "ERROR 1045 (28000): Access denied for user 'app'@'10.0.1.5' (using password: YES)" },
    notApplicable: SR,
  },
  "app-aws-forbidden": {
    match: {
      field: LL,
      text: "Amazon.S3.AmazonS3Exception: Error making request with Error Code Forbidden and Http Status Code Forbidden. No further error information was returned by the service.",
    },
    nearMiss: {
      field: LL,
      text: '10.0.1.57 - - [12/Mar/2024:10:15:32 +0000] "GET /s3/upload HTTP/1.1" 403 12 "-" "curl/8.0"',
    },
    notApplicable: SR,
  },
  "cloudtrail-access-denied": {
    match: { field: CT, text: "Access Denied", extra: { eventName: "GetObject", errorCode: "AccessDenied" } },
    nearMiss: {
      field: CT,
      text: "Rate exceeded",
      extra: { eventName: "DescribeTasks", errorCode: "ThrottlingException" },
    },
    notApplicable: LL,
  },
  "cloudtrail-denied-other-principal": {
    match: {
      field: CT,
      text: "AccessDenied: User: arn:aws:iam::123456789012:user/bob is not authorized to perform: ecs:UpdateService\ncaller: another principal",
      extra: { eventName: "UpdateService", errorCode: "AccessDenied" },
    },
    nearMiss: {
      field: CT,
      text: "AccessDenied: User: arn:aws:sts::123456789012:assumed-role/payment-api-task/x is not authorized to perform: s3:GetObject\ncaller: task role",
      extra: { eventName: "GetObject", errorCode: "AccessDenied" },
    },
    notApplicable: LL,
  },
  "cloudtrail-execution-role-secret-denied": {
    match: {
      field: CT,
      text: trail(
        "secretsmanager.amazonaws.com",
        "GetSecretValue",
        "ecsTaskExecutionRole",
        "AccessDenied",
        "ecs-tasks.amazonaws.com",
      ),
      extra: { eventName: "GetSecretValue", errorCode: "AccessDenied" },
    },
    nearMiss: {
      field: CT,
      text: trail("secretsmanager.amazonaws.com", "GetSecretValue", "payment-api-task-role", "AccessDenied"),
      extra: { eventName: "GetSecretValue", errorCode: "AccessDenied" },
    },
    notApplicable: LL,
  },
  "cloudtrail-execution-role-kms-denied": {
    match: {
      field: CT,
      text: trail(
        "kms.amazonaws.com",
        "Decrypt",
        "ecsTaskExecutionRole",
        "AccessDeniedException",
        "ecs-tasks.amazonaws.com",
      ),
    },
    nearMiss: {
      field: CT,
      text: trail("kms.amazonaws.com", "Decrypt", "payment-api-task-role", "AccessDeniedException"),
    },
    notApplicable: LL,
  },
  "cloudtrail-image-pull-denied": {
    match: {
      field: CT,
      text: trail(
        "ecr.amazonaws.com",
        "BatchGetImage",
        "ecsTaskExecutionRole",
        "AccessDeniedException",
        "ecs-tasks.amazonaws.com",
      ),
    },
    nearMiss: {
      field: CT,
      text: trail("ecr.amazonaws.com", "BatchGetImage", "ecsTaskExecutionRole", undefined, "ecs-tasks.amazonaws.com"),
    },
    notApplicable: LL,
  },
  "cloudtrail-registry-auth-denied": {
    match: {
      field: CT,
      text: trail(
        "ecr.amazonaws.com",
        "GetAuthorizationToken",
        "ecsTaskExecutionRole",
        "AccessDeniedException",
        "ecs-tasks.amazonaws.com",
      ),
    },
    nearMiss: {
      field: CT,
      text: trail("ecr.amazonaws.com", "GetAuthorizationToken", "ci-runner-task-role", "AccessDeniedException"),
    },
    notApplicable: LL,
  },
  "cloudtrail-log-driver-denied": {
    match: {
      field: CT,
      text: trail(
        "logs.amazonaws.com",
        "CreateLogStream",
        "ecsTaskExecutionRole",
        "AccessDeniedException",
        "ecs-tasks.amazonaws.com",
      ),
    },
    nearMiss: {
      field: CT,
      text: trail("logs.amazonaws.com", "CreateLogStream", "payment-api-task-role", "AccessDeniedException"),
    },
    notApplicable: LL,
  },
  // 95-other-failures
  "agent-disconnected": {
    match: {
      field: SE,
      text: 'service (payment-api) was unable to place a task because no container instance met all of its requirements. The closest matching container-instance 0d2b7c4e encountered error "AGENT".',
    },
    nearMiss: {
      field: SE,
      text: 'service (payment-api) was unable to place a task because no container instance met all of its requirements. The closest matching container-instance 0d2b7c4e encountered error "RESOURCE:ENI".',
    },
    notApplicable: TH,
  },
  "fargate-maintenance": {
    match: { field: SR, text: "ECS is performing maintenance on the underlying infrastructure hosting the task" },
    nearMiss: { field: SR, text: "Host EC2 (instance i-0a1b2c3d4e5f67890) stopped/terminated" },
    notApplicable: TH,
  },
  "unhealthy-replacement": {
    match: {
      field: SE,
      text: "(service devops-g3-inventory) has started 1 tasks: (task 0668979337dc48ebb791640cd1162053). Amazon ECS replaced 1 tasks due to an unhealthy status.",
    },
    nearMiss: {
      field: SE,
      text: "(service devops-g3-inventory) has started 1 tasks: (task 0668979337dc48ebb791640cd1162053).",
    },
    notApplicable: SR,
  },
  "agent-or-host-problem": {
    match: { field: SR, text: "Host EC2 (instance i-0a1b2c3d4e5f67890) stopped/terminated" },
    nearMiss: { field: SR, text: "Task stopped by user" },
    notApplicable: LL,
  },
  "service-throttled-or-config": {
    match: { field: SE, text: "service (payment-api) operations are being throttled. Will try again later." },
    nearMiss: { field: SE, text: "(service payment-api) has reached a steady state." },
    notApplicable: SR,
  },
  "task-failed-to-start": {
    match: { field: SC, text: "TaskFailedToStart" },
    nearMiss: { field: SC, text: "EssentialContainerExited" },
    notApplicable: LL,
  },
  // RE2 twins (issue 14): the same start-up failures from an agent built on the AWS SDK for Go v2, whose texts carry
  // "operation error …" like an application's own SDK error does. Texts constructed in that SDK's error format.
  "startup-secret-kms-sdk-v2": {
    match: {
      field: SR,
      text: `${RIE} unable to retrieve secrets from ssm: service call has been retried 1 time(s): operation error SSM: GetParameters, https response error StatusCode: 400, RequestID: 0a1b, api error AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/ecsTaskExecutionRole/0123 is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:111122223333:key/1234abcd`,
    },
    nearMiss: {
      field: SR,
      text: `${RIE} unable to retrieve secrets from ssm: service call has been retried 1 time(s): operation error SSM: GetParameters, https response error StatusCode: 400, RequestID: 0a1b, api error ParameterNotFound:`,
    },
    notApplicable: TH,
  },
  "startup-secret-access-denied-sdk-v2": {
    match: {
      field: SR,
      text: `${ASM} operation error Secrets Manager: GetSecretValue, https response error StatusCode: 400, RequestID: 0a1b, api error AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/ecsTaskExecutionRole/0123 is not authorized to perform: secretsmanager:GetSecretValue`,
    },
    nearMiss: {
      field: SR,
      text: `${ASM} operation error Secrets Manager: GetSecretValue, https response error StatusCode: 400, RequestID: 0a1b, ResourceNotFoundException: Secrets Manager can't find the specified secret.`,
    },
    notApplicable: TH,
  },
  "startup-secret-not-found-sdk-v2": {
    match: {
      field: SR,
      text: `${ASM} operation error Secrets Manager: GetSecretValue, https response error StatusCode: 400, RequestID: 0a1b, ResourceNotFoundException: Secrets Manager can't find the specified secret.`,
    },
    nearMiss: {
      field: SR,
      text: `${ASM} operation error Secrets Manager: GetSecretValue, https response error StatusCode: 400, RequestID: 0a1b, api error AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/ecsTaskExecutionRole/0123 is not authorized to perform: secretsmanager:GetSecretValue`,
    },
    notApplicable: TH,
  },
  "startup-env-file-sdk-v2": {
    match: {
      field: SR,
      text: "ResourceInitializationError: failed to download env files: service call has been retried 1 time(s): operation error S3: HeadObject, https response error StatusCode: 403, api error Forbidden: Forbidden.",
    },
    nearMiss: {
      field: SR,
      text: `${ASM} operation error Secrets Manager: GetSecretValue, https response error StatusCode: 400, RequestID: 0a1b, ResourceNotFoundException: Secrets Manager can't find the specified secret.`,
    },
    notApplicable: TH,
  },
  "startup-secret-retrieval-failed-sdk-v2": {
    match: { field: SR, text: `${ASM} operation error Secrets Manager: GetSecretValue` },
    nearMiss: {
      field: SR,
      text: "ResourceInitializationError: failed to download env files: service call has been retried 1 time(s): operation error S3: HeadObject, https response error StatusCode: 403, api error Forbidden: Forbidden.",
    },
    notApplicable: TH,
  },
  "oom-killed-bare": {
    match: { field: CR, text: "OutOfMemory" },
    nearMiss: { field: CR, text: "java.lang.OutOfMemoryError: Java heap space" },
    notApplicable: TH,
  },
  // Issue 14's catalogue walk (docs/research/ecs-message-catalogue.md).
  "placement-gpu": {
    match: { field: SR, text: "TaskFailedToStart: RESOURCE:GPU" },
    nearMiss: { field: SR, text: "TaskFailedToStart: RESOURCE:MEMORY" },
    notApplicable: TH,
  },
  "placement-constraint-unsatisfied": {
    match: { field: SR, text: "TaskFailedToStart: MemberOf placement constraint unsatisfied" },
    nearMiss: { field: SR, text: "TaskFailedToStart: ATTRIBUTE" },
    notApplicable: TH,
  },
  "ec2-insufficient-capacity": {
    match: {
      field: LL,
      text: "InsufficientInstanceCapacity: We currently do not have sufficient m5.large capacity in the Availability Zone you requested (us-east-1a).",
    },
    nearMiss: { field: LL, text: "Launching a new EC2 instance: i-0a1b2c3d4e5f67890" },
    notApplicable: TH,
  },
  "pull-through-cache": {
    match: {
      field: LL,
      text: "PullThroughCacheRuleNotFoundException: The pull through cache rule was not found. Specify a valid pull through cache rule and try again.",
    },
    nearMiss: { field: LL, text: "Created pull through cache rule for prefix docker-hub" },
    notApplicable: TH,
  },
  "codedeploy-deployment-failed": {
    match: {
      field: LL,
      text: "The deployment timed out while waiting for the replacement task set to become healthy. This time out period is 60 minutes.",
    },
    nearMiss: { field: LL, text: "Traffic shifted to the replacement task set" },
    notApplicable: SR,
  },
  "codedeploy-state-change-failure": {
    match: {
      field: EB,
      text: '{"detail-type":"CodeDeploy Deployment State-change Notification","source":"aws.codedeploy","detail":{"deploymentId":"d-ABCDEF123","state":"FAILURE"}}',
      extra: { detailType: "CodeDeploy Deployment State-change Notification" },
    },
    nearMiss: {
      field: EB,
      text: '{"detail-type":"CodeDeploy Deployment State-change Notification","source":"aws.codedeploy","detail":{"deploymentId":"d-ABCDEF123","state":"SUCCESS"}}',
      extra: { detailType: "CodeDeploy Deployment State-change Notification" },
    },
    notApplicable: LL,
  },
  "gpu-runtime-missing": {
    match: {
      field: CR,
      text: 'CannotStartContainerError: Error response from daemon: could not select device driver "" with capabilities: [[gpu]]',
    },
    nearMiss: {
      field: CR,
      text: 'CannotStartContainerError: Error response from daemon: OCI runtime create failed: exec: "/app/start.sh": permission denied',
    },
    notApplicable: TH,
  },
  "ecs-agent-runtime-error": {
    match: { field: CR, text: "ContainerVanishedError: No container matching saved ID found" },
    nearMiss: { field: CR, text: "Essential container in task exited" },
    notApplicable: TH,
  },
  "ecs-agent-instance-role": {
    match: {
      field: LL,
      text: 'level=error msg="Unable to register as a container instance with ECS: AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/ecsInstanceRole/i-0a1b2c3d4e5f67890 is not authorized to perform: ecs:RegisterContainerInstance on resource: arn:aws:ecs:us-east-1:111122223333:cluster/prod"',
    },
    nearMiss: {
      field: LL,
      text: "User: arn:aws:sts::111122223333:assumed-role/payment-task-role/0123 is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:111122223333:table/orders",
    },
    notApplicable: SR,
  },
  "task-volume-failed": {
    match: { field: CR, text: "CannotCreateVolumeError: failed to create volume" },
    nearMiss: { field: CR, text: "CannotStopContainerError: failed sending SIGTERM to container" },
    notApplicable: TH,
  },
  "ecs-exec-failed": {
    match: {
      field: LL,
      text: "An error occurred (TargetNotConnectedException) when calling the ExecuteCommand operation: The execute command failed due to an internal error. Try again later.",
    },
    nearMiss: {
      field: LL,
      text: "An error occurred (AccessDeniedException) when calling the PutItem operation: User: arn:aws:sts::111122223333:assumed-role/payment-task-role/0123 is not authorized to perform: dynamodb:PutItem",
    },
    notApplicable: SR,
  },
  "service-mesh-proxy": {
    match: {
      field: LL,
      text: "upstream connect error or disconnect/reset before headers. reset reason: connection failure",
    },
    nearMiss: { field: LL, text: "[info][upstream] cds: add 3 cluster(s), remove 0 cluster(s)" },
    notApplicable: TH,
  },
  "firelens-delivery-failed": {
    match: {
      field: LL,
      text: "[2023/01/10 12:00:00] [ warn] [engine] failed to flush chunk '1-1673352000.123456789.flb', retry in 10 seconds: task_id=0, input=forward.1 > output=cloudwatch_logs.0 (out_id=0)",
    },
    nearMiss: {
      field: LL,
      text: "[2023/01/10 12:00:00] [ info] [output:cloudwatch_logs:cloudwatch_logs.0] Created log stream app/web/0123",
    },
    notApplicable: SR,
  },
  "ecs-api-rejected-config": {
    match: {
      field: LL,
      text: "An error occurred (ClientException) when calling the RegisterTaskDefinition operation: No Fargate configuration exists for given values: 512 CPU, 512 memory. See the Amazon ECS documentation for the valid values.",
    },
    nearMiss: { field: LL, text: "Registered task definition payment-api:42 (512 CPU, 1024 memory)" },
    notApplicable: TH,
  },
  "cloudtrail-ecs-api-rejected": {
    match: {
      field: CT,
      text: '{"eventSource":"ecs.amazonaws.com","eventName":"UpdateService","errorCode":"InvalidParameterException","errorMessage":"The container payment does not exist in the task definition."}',
      extra: { eventName: "UpdateService", errorCode: "InvalidParameterException" },
    },
    nearMiss: {
      field: CT,
      text: '{"eventSource":"lambda.amazonaws.com","eventName":"UpdateFunctionConfiguration20150331v2","errorCode":"InvalidParameterValueException"}',
      extra: { errorCode: "InvalidParameterValueException" },
    },
    notApplicable: LL,
  },
};

/** Benign rules: one message each that they match and no failure rule claims. */
const BENIGN: Record<string, Input> = {
  "benign-service-events": { field: SE, text: "(service cerebrumdev-backend) has reached a steady state." },
  "benign-eventbridge-names": {
    field: EB,
    text: '{"detail":{"eventType":"INFO"}}',
    extra: { eventName: "SERVICE_STEADY_STATE" },
  },
  "benign-eventbridge-state-change": {
    field: EB,
    text: '{"detail":{"lastStatus":"RUNNING","desiredStatus":"RUNNING"}}',
    extra: { detailType: "ECS Task State Change" },
  },
  "benign-task-stops": { field: SR, text: "Scaling activity initiated by (deployment ecs-svc/9223370545345641169)" },
  "benign-stop-codes": { field: SC, text: "", extra: { stopCode: "ServiceSchedulerInitiated" } },
  "benign-exit-codes": { field: EC, text: "0" },
  "benign-target-health": { field: TH, text: "Initial health checks in progress" },
  "benign-target-states": { field: TH, text: "", extra: { state: "healthy" } },
  "benign-target-reason-codes": { field: TH, text: "", extra: { reasonCode: "Elb.RegistrationInProgress" } },
  "benign-cloudtrail": {
    field: CT,
    text: '{"eventSource":"ecs.amazonaws.com","eventName":"RegisterTaskDefinition","requestParameters":{"family":"payment-api"}}',
  },
  "benign-log-line": { field: LL, text: "Tomcat started on port(s): 8080 (http) with context path ''" },
  "benign-user-stop": { field: SR, text: "Task stopped by user" },
  "benign-cloudtrail-user-stop": {
    field: CT,
    text: '{"eventSource":"ecs.amazonaws.com","eventName":"StopTask","userIdentity":{"arn":"arn:aws:sts::123456789012:assumed-role/Admin/jane"},"requestParameters":{"cluster":"prod","task":"0a1b2c3d"}}',
  },
};

/** The placeholders rule text may use (template.ts fills them from the evidence), plus the rule's named groups. */
const PLACEHOLDERS = new Set([
  "container",
  "exitCode",
  "image",
  "secretArn",
  "action",
  "principal",
  "platform",
  "executionRole",
  "taskRole",
  "taskDefinition",
  "previousTaskDefinition",
  "subnets",
  "targetGroup",
  "healthCheckPath",
  "healthCheckPort",
  "containerPort",
  "matcher",
  "memory",
  "region",
  "service",
  "cluster",
  "actionSuffix",
  "secret",
  // Filled by findings.ts from a rule's named groups: "host:port" of a dependency (issue 9).
  "dependency",
]);

const failureIds = playbooks.rules.filter((r) => r.rule.symptom !== "normal").map((r) => r.rule.id);
const benignIds = playbooks.rules.filter((r) => r.rule.symptom === "normal").map((r) => r.rule.id);

describe("symptom rules", () => {
  it("has cases for every failure rule and no stale ones", () => {
    expect(Object.keys(CASES).sort()).toEqual([...failureIds].sort());
    expect(Object.keys(BENIGN).sort()).toEqual([...benignIds].sort());
  });

  describe.each(Object.entries(CASES))("%s", (id, c) => {
    const rule = compiled(id);

    it("wins its matching message", () => {
      const result = classify(c.match);
      expect(result.rule, `${c.match.field}: ${c.match.text.slice(0, 120)}`).toBe(id);
      expect(result.symptom).toBe(rule.rule.symptom);
      expect(result.cause).toBe(rule.rule.cause);
    });

    it("does not match a near miss in the same field", () => {
      expect(c.nearMiss.field).toBe(c.match.field);
      expect(rule.test(toMessage(c.nearMiss))).toBeUndefined();
      expect(classify(c.nearMiss).rule).not.toBe(id);
    });

    it("does not apply to a field it does not cover", () => {
      expect(rule.fields.has(c.notApplicable)).toBe(false);
      expect(rule.test(toMessage({ ...c.match, field: c.notApplicable }))).toBeUndefined();
    });

    it("gives the on-call engineer a title, a why and a fix with known placeholders", () => {
      const r = rule.rule;
      expect(r.title.trim().length).toBeGreaterThan(10);
      expect(r.why.trim().length).toBeGreaterThan(20);
      expect(r.fix.trim().length).toBeGreaterThan(20);
      const patterns = [r.match.any, r.match.all, r.match.capture]
        .flat()
        .filter((p): p is string => typeof p === "string");
      const groups = new Set(
        patterns.flatMap((p) => [...p.matchAll(/\(\?<([A-Za-z][A-Za-z0-9]*)>/g)].map((m) => m[1]!)),
      );
      for (const text of [r.title, r.why, r.fix]) {
        for (const [, name] of text.matchAll(/\{([A-Za-z][A-Za-z0-9_]*)\}/g)) {
          expect(PLACEHOLDERS.has(name!) || groups.has(name!), `{${name}} in ${id}`).toBe(true);
        }
      }
    });
  });

  it.each(Object.entries(BENIGN))("benign rule %s matches its message, which is normal", (id, input) => {
    expect(compiled(id).test(toMessage(input))).toBeDefined();
    expect(classify(input).symptom).toBe("normal");
  });

  it("knows every field it lists", () => {
    for (const r of playbooks.rules) for (const f of r.fields) expect(MESSAGE_FIELDS).toContain(f);
  });
});

/** When a message carries tokens of several families, the documented precedence decides (docs/symptoms.md). */
const PRECEDENCE: { name: string; input: Input; symptom: string; cause?: string | undefined }[] = [
  {
    name: "pull access denied beats repository does not exist",
    input: {
      field: CR,
      text: "CannotPullContainerError: Error response from daemon: pull access denied for elasticsearch/elasticsearch, repository does not exist or may require 'docker login'",
    },
    symptom: "image_pull_failure",
    cause: "access_denied",
  },
  {
    name: "manifest unknown beats manifest … not found",
    input: {
      field: CR,
      text: "CannotPullContainerError: Error response from daemon: manifest for x.dkr.ecr.us-east-1.amazonaws.com/api:latest not found: manifest unknown: Requested image not found",
    },
    symptom: "image_pull_failure",
    cause: "manifest_unknown",
  },
  {
    name: "a 429 beats the bare unexpected status code",
    input: {
      field: CR,
      text: "failed to copy: httpReadSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/cypress/included/manifests/sha256:86e3: 429 Too Many Requests - Server message: toomanyrequests",
    },
    symptom: "image_pull_failure",
    cause: "rate_limited",
  },
  {
    name: "the container's OOM reason beats 'Essential container in task exited'",
    input: {
      field: SR,
      text: "Essential container in task exited",
      extra: { reason: "OutOfMemoryError: Container killed due to memory usage" },
    },
    symptom: "oom_killed",
  },
  {
    name: "the OOM reason beats exit code 1",
    input: {
      field: EC,
      text: "1",
      extra: { exitCode: 1, reason: "OutOfMemoryError: container killed due to memory usage" },
    },
    symptom: "oom_killed",
  },
  {
    name: "an ELB health-check stop beats the exit 137 that follows it",
    input: {
      field: SR,
      text: "Task failed ELB health checks in (target-group loppestars-tg)",
      extra: { exitCode: 137 },
    },
    symptom: "elb_health_check_failed",
  },
  {
    name: "…also when the exit code is the message",
    input: {
      field: EC,
      text: "137",
      extra: { exitCode: 137, stoppedReason: "Task failed ELB health checks in (target-group loppestars-tg)" },
    },
    symptom: "elb_health_check_failed",
  },
  {
    name: "a container health-check stop beats ServiceSchedulerInitiated",
    input: {
      field: SC,
      text: "ServiceSchedulerInitiated",
      extra: { stoppedReason: "Task failed container health checks" },
    },
    symptom: "container_health_check_failed",
  },
  {
    name: "a Spot interruption beats exit 1",
    input: { field: EC, text: "1", extra: { exitCode: 1, stoppedReason: "Your Spot Task was interrupted." } },
    symptom: "spot_interruption",
  },
  {
    name: "a scale-in stop with exit 137 is normal",
    input: {
      field: EC,
      text: "137",
      extra: { exitCode: 137, stoppedReason: "Scaling activity initiated by (deployment ecs-svc/9223370545345641169)" },
    },
    symptom: "normal",
  },
  {
    name: "an essential container that exited 0 is normal",
    input: { field: SR, text: "Essential container in task exited", extra: { exitCode: 0 } },
    symptom: "normal",
  },
  {
    name: "an exit code stated in the reason text counts",
    input: { field: SR, text: "Essential container in task exited. Exit code: 137" },
    symptom: "app_crash",
    cause: "sigkill",
  },
  {
    name: "a user stop beats the exit code, and is routine (issue 14)",
    input: { field: EC, text: "143", extra: { exitCode: 143, stoppedReason: "Task stopped by user" } },
    symptom: "normal",
    cause: "user_stop",
  },
  {
    name: "a user stop whose app ignored SIGTERM (exit 137) is still routine",
    input: { field: EC, text: "137", extra: { exitCode: 137, stoppedReason: "Task stopped by user" } },
    symptom: "normal",
    cause: "user_stop",
  },
  {
    name: "a Spot stop code beside a scale-in reason is the scale-in",
    input: {
      field: SC,
      text: "TerminationNotice",
      extra: { stoppedReason: "Scaling activity initiated by (deployment ecs-svc/1234567890123456789)" },
    },
    symptom: "normal",
  },
  {
    name: "the instance role denied at registration is the host, not the task role",
    input: {
      field: LL,
      text: "Unable to register as a container instance with ECS: AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/ecsInstanceRole/i-0a1b is not authorized to perform: ecs:RegisterContainerInstance",
    },
    symptom: "other",
    cause: "host",
  },
  {
    name: "a FireLens router that refuses the log driver is configuration, not the network to CloudWatch",
    input: {
      field: CR,
      text: "CannotStartContainerError: Error response from daemon: failed to initialize logging driver: dial tcp 127.0.0.1:24224: connect: connection refused",
    },
    symptom: "other",
    cause: "log_driver",
  },
  // An application's own AWS SDK for Go v2 error is the task role at run time, never a start-up secret read (the
  // *-sdk-v2 twins need a start-up marker). Texts constructed in that SDK's error format.
  {
    name: "an app's Go SDK secret denial is the task role",
    input: {
      field: LL,
      text: "operation error Secrets Manager: GetSecretValue, https response error StatusCode: 400, RequestID: 0a1b, api error AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/payment-task-role/0123 is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:111122223333:secret:payment/db-AbCdEf",
    },
    symptom: "iam_task_role_denied",
  },
  {
    name: "an app's Go SDK KMS denial behind SSM is the task role",
    input: {
      field: LL,
      text: "operation error SSM: GetParameters, https response error StatusCode: 400, RequestID: 0a1b, api error AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/payment-task-role/0123 is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:111122223333:key/1234",
    },
    symptom: "iam_task_role_denied",
  },
  {
    name: "an app's Go SDK secret-not-found is not a start-up secret failure",
    input: {
      field: LL,
      text: "operation error Secrets Manager: GetSecretValue, https response error StatusCode: 400, RequestID: 0a1b, ResourceNotFoundException: Secrets Manager can't find the specified secret.",
    },
    symptom: "other",
  },
  {
    name: "the JVM's own OutOfMemoryError in a log is the runtime, not a kernel kill",
    input: { field: LL, text: "OutOfMemoryError: Java heap space" },
    symptom: "app_crash",
    cause: "runtime_oom",
  },
  {
    name: "an OOM kill score line is no kill",
    input: { field: LL, text: "kernel: OOM kill score adjusted for pid 4242" },
    symptom: "other",
  },
  {
    name: "Envoy denied its management stream is the task role",
    input: {
      field: LL,
      text: "[warning][config] StreamAggregatedResources gRPC config stream closed: 7, Unauthorized to perform appmesh:StreamAggregatedResources for arn:aws:appmesh:us-east-1:111122223333:mesh/m/virtualNode/vn",
    },
    symptom: "iam_task_role_denied",
  },
  {
    name: "network tokens beat the secret in a start-up secret fetch",
    input: {
      field: SR,
      text: `${ASM} RequestCanceled: request context canceled caused by: context deadline exceeded. Please check your task network configuration.`,
    },
    symptom: "registry_auth_or_network",
    cause: "network",
  },
  {
    name: "registry auth beats the network tokens around it",
    input: {
      field: SR,
      text: "ResourceInitializationError: unable to pull secrets or registry auth: The task cannot pull registry auth from Amazon ECR: There is a connection issue between the task and Amazon ECR. Check your task network configuration. RequestError: send request failed",
    },
    symptom: "registry_auth_or_network",
    cause: "registry_auth",
  },
  {
    name: "an image pull over no route stays an image pull failure",
    input: {
      field: SR,
      text: 'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref "x.dkr.ecr.us-east-1.amazonaws.com/api:v42": failed to do request: Head "https://x.dkr.ecr.us-east-1.amazonaws.com/v2/api/manifests/v42": dial tcp 10.0.3.17:443: i/o timeout',
    },
    symptom: "image_pull_failure",
    cause: "network_timeout",
  },
  {
    name: "a log-driver permission failure is log_driver, not a secret or task-role denial",
    input: {
      field: SR,
      text: "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: AccessDeniedException: User: arn:aws:sts::181905276501:assumed-role/ServiceExecutionRole/3caf is not authorized to perform: logs:CreateLogStream",
    },
    symptom: "other",
    cause: "log_driver",
  },
  {
    name: "a log-driver failure wrapped in CannotStartContainerError is log_driver",
    input: {
      field: CR,
      text: "CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. status code: 400",
    },
    symptom: "other",
    cause: "log_driver",
  },
  {
    name: "CannotStartContainerError beats the network token inside it",
    input: { field: CR, text: "CannotStartContainerError: failed to get container status: context deadline exceeded" },
    symptom: "app_crash",
    cause: "start_command",
  },
  {
    name: "an EFS mount timing out is efs, not start-up network",
    input: {
      field: SR,
      text: "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: mount.nfs4: Connection timed out : unsuccessful EFS utils command execution; code: 32",
    },
    symptom: "other",
    cause: "efs",
  },
  {
    name: "env files over no route are start-up network",
    input: {
      field: SR,
      text: "ResourceInitializationError: failed to download env files: file download command: non-empty error stream: RequestCanceled: request context cancelled caused by: context deadline exceeded",
    },
    symptom: "registry_auth_or_network",
    cause: "network",
  },
  {
    name: "an agent disconnect is not a capacity problem",
    input: {
      field: SE,
      text: 'service (payment-api) was unable to place a task because no container instance met all of its requirements. The closest matching container-instance 0d2b encountered error "AGENT".',
    },
    symptom: "other",
    cause: "host",
  },
  {
    name: "the rollback beats the circuit breaker that caused it",
    input: {
      field: EB,
      text: '{"detail-type":"ECS Deployment State Change","detail":{"eventType":"INFO","eventName":"SERVICE_DEPLOYMENT_IN_PROGRESS","reason":"ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1."}}',
    },
    symptom: "deployment_failed",
    cause: "rollback",
  },
  {
    name: "a JVM heap OOM in the log is a runtime crash, not a kernel kill",
    input: { field: LL, text: 'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space' },
    symptom: "app_crash",
    cause: "runtime_oom",
  },
  {
    name: "a SIGKILLed worker beats its 'Perhaps out of memory?' guess",
    input: { field: LL, text: "[ERROR] Worker (pid:9) was sent SIGKILL! Perhaps out of memory?" },
    symptom: "app_crash",
    cause: "sigkill",
  },
  {
    name: "the task role reading a secret at run time is iam_task_role_denied",
    input: {
      field: CT,
      text: trail("secretsmanager.amazonaws.com", "GetSecretValue", "payment-api-task-role", "AccessDenied"),
      extra: { eventName: "GetSecretValue", errorCode: "AccessDenied" },
    },
    symptom: "iam_task_role_denied",
  },
  {
    name: "the execution role reading it at start-up is secret_access_denied",
    input: {
      field: CT,
      text: trail(
        "secretsmanager.amazonaws.com",
        "GetSecretValue",
        "ecsTaskExecutionRole",
        "AccessDenied",
        "ecs-tasks.amazonaws.com",
      ),
      extra: { eventName: "GetSecretValue", errorCode: "AccessDenied" },
    },
    symptom: "secret_access_denied",
    cause: "access_denied",
  },
  {
    name: "a stop code alone defers to the stop reason beside it",
    input: {
      field: SC,
      text: "TaskFailedToStart",
      extra: {
        stoppedReason:
          "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref docker.io/library/nginx:latest: dial tcp 52.72.252.48:443: i/o timeout",
      },
    },
    symptom: "image_pull_failure",
    cause: "network_timeout",
  },
  {
    name: "Target.NotRegistered is normal",
    input: {
      field: TH,
      text: "Target is not registered to the target group",
      extra: { reasonCode: "Target.NotRegistered", state: "unused" },
    },
    symptom: "normal",
  },
];

describe("precedence between families", () => {
  it.each(PRECEDENCE)("$name", ({ input, symptom, cause }) => {
    const result = classify(input);
    expect(result.symptom).toBe(symptom);
    if (cause !== undefined) expect(result.cause).toBe(cause);
  });
});
