import { AwsCallError } from "../errors";
import { StepErrorKind, type StepError } from "../evidence/schema";
import { redact } from "../evidence/redact";

/** What each read is for, to finish the sentence "grant X to see …". */
const PURPOSE: Record<string, string> = {
  "ecs:DescribeServices": "the service, its events and deployments",
  "ecs:ListClusters": "which clusters hold the service",
  "ecs:ListServices": "similar service names",
  "ecs:ListTasks": "stopped and running tasks",
  "ecs:DescribeTasks": "stopped-task reasons and exit codes",
  "ecs:DescribeTaskDefinition": "containers, ports, images, secrets and log settings",
  "ecs:ListServiceDeployments": "deployment history and circuit-breaker results",
  "ecs:DescribeServiceDeployments": "deployment history and circuit-breaker results",
  "ecs:DescribeServiceRevisions": "which task definition each deployment ran",
  "elasticloadbalancing:DescribeTargetGroups": "target-group health-check settings",
  "elasticloadbalancing:DescribeTargetHealth": "target health reasons",
  "elasticloadbalancing:DescribeLoadBalancers": "load-balancer security groups",
  "logs:GetLogEvents": "the failed tasks' last log lines",
  "logs:FilterLogEvents": "error patterns in the service's logs",
  "ec2:DescribeSecurityGroups": "whether the load balancer can reach the task port",
  "ec2:DescribeSubnets": "subnet free IPs",
  "ecr:DescribeImages": "whether the image tag exists and its digest",
  "ecr:DescribeRepositories": "the repository's tag mutability",
  "cloudtrail:LookupEvents": "who changed what before the failure",
  "cloudwatch:GetMetricData": "CPU, memory and load metrics (the emergency-scale decision)",
};

const ACCESS_DENIED = new Set([
  "AccessDeniedException",
  "AccessDenied",
  "UnauthorizedOperation",
  "UnauthorizedException",
  "UnrecognizedClientException",
  "InvalidClientTokenId",
  "ExpiredTokenException",
  "ExpiredToken",
]);
const THROTTLED = new Set([
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "RequestThrottled",
  "RequestThrottledException",
  "LimitExceededException",
  "SlowDown",
]);
const NOT_FOUND = new Set([
  "ResourceNotFoundException",
  "ClusterNotFoundException",
  "ServiceNotFoundException",
  "TargetGroupNotFoundException",
  "LoadBalancerNotFoundException",
  "RepositoryNotFoundException",
  "ImageNotFoundException",
  "ServiceDeploymentNotFoundException",
  "InvalidGroup.NotFound",
  "InvalidSubnetID.NotFound",
]);
const UNAVAILABLE = new Set([
  "UnknownOperationException",
  "InvalidAction",
  "UnsupportedOperation",
  "UnsupportedFeatureException",
]);
const TIMEOUT = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException", "ETIMEDOUT"]);
const NETWORK = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "EPIPE", "NetworkingError"]);
const CREDENTIALS = new Set(["CredentialsProviderError", "ProviderError", "TokenProviderError"]);

interface ErrorFacts {
  name: string;
  message: string;
  status?: number | undefined;
  errno?: string | undefined;
}

function facts(error: unknown): ErrorFacts {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const withMeta = error as Error & { $metadata?: { httpStatusCode?: number }; code?: unknown; Code?: unknown };
  const errno = typeof withMeta.code === "string" ? withMeta.code : undefined;
  return { name: error.name, message: error.message, status: withMeta.$metadata?.httpStatusCode, errno };
}

/**
 * The AWS error name (`ClusterNotFoundException`, `ImageNotFoundException`, …) of a failed call, looking through
 * the `AwsCallError` (or any wrapper) that carries it as `cause`; undefined for a non-Error.
 */
export function awsErrorName(error: unknown): string | undefined {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? cause.name : undefined;
}

/** The AWS error message of a failed call, looking through its wrapper like `awsErrorName`. */
export function awsErrorMessage(error: unknown): string | undefined {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? cause.message : undefined;
}

/**
 * A read not made because the resource is in another region than the one this diagnosis reads (the clients
 * read one region). `what` names the resource ("log group /ecs/payment-api"); `hint` overrides the default
 * "run with --region" advice when a direct command is more useful.
 */
export function otherRegionError(
  operation: string,
  what: string,
  region: string,
  here: string,
  hint?: string,
): StepError {
  return {
    kind: StepErrorKind.OtherRegion,
    code: "OtherRegion",
    operation,
    message: `${what} is in ${region}; this diagnosis reads ${here}`,
    hint: hint ?? `not read: ${what} is in ${region} — run with --region ${region} to read it`,
  };
}

/** The same failure reported by several items (one denied call per container, per group) is listed once. */
export function dedupeErrors(errors: readonly StepError[]): StepError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.operation ?? ""}\u0000${e.code}\u0000${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Translates a failed AWS call into the step error a person reads. The kind decides the hint;
 * AWS's own code and message are kept (redacted) so nothing is lost.
 */
export function toStepError(error: unknown, fallbackOperation?: string): StepError {
  const operation = error instanceof AwsCallError ? error.operation : fallbackOperation;
  const cause = error instanceof AwsCallError ? error.cause : error;
  const f = facts(cause);
  const kind = classify(f);
  const code = kind === StepErrorKind.Network && f.errno ? f.errno : f.name;
  const base = { kind, code, message: redact(f.message).slice(0, 1_000), hint: hintFor(kind, operation, f) };
  return operation ? { ...base, operation } : base;
}

function classify(f: ErrorFacts): StepErrorKind {
  if (ACCESS_DENIED.has(f.name) || f.status === 403) return StepErrorKind.AccessDenied;
  if (THROTTLED.has(f.name) || f.status === 429) return StepErrorKind.Throttled;
  if (CREDENTIALS.has(f.name)) return StepErrorKind.Credentials;
  if (TIMEOUT.has(f.name) || (f.errno && TIMEOUT.has(f.errno))) return StepErrorKind.Timeout;
  if (NETWORK.has(f.name) || (f.errno && NETWORK.has(f.errno))) return StepErrorKind.Network;
  if (NOT_FOUND.has(f.name)) return StepErrorKind.NotFound;
  if (UNAVAILABLE.has(f.name)) return StepErrorKind.ApiUnavailable;
  // An endpoint that does not implement the call (an emulator, a partition without the API) answers with an
  // HTML or empty body the SDK cannot parse: a SyntaxError/deserialization failure carrying a 4xx/5xx status.
  if ((f.name === "SyntaxError" || /deserializ/i.test(f.message)) && f.status !== undefined && f.status >= 400) {
    return StepErrorKind.ApiUnavailable;
  }
  if (f.status === 404 || f.status === 501) return StepErrorKind.ApiUnavailable;
  if (f.name === "SyntaxError" || f.name === "ZodError" || f.name === "TypeError" || f.name === "EmptyAnswerError")
    return StepErrorKind.MalformedResponse;
  if (f.status !== undefined && f.status >= 400 && f.status < 500) return StepErrorKind.InvalidRequest;
  return StepErrorKind.Internal;
}

function hintFor(kind: StepErrorKind, operation: string | undefined, f: ErrorFacts): string {
  const op = operation ?? "this call";
  const purpose = operation ? PURPOSE[operation] : undefined;
  switch (kind) {
    case StepErrorKind.AccessDenied:
      return `AccessDenied on ${op} — grant it to the role ecs-medic runs as${purpose ? ` to see ${purpose}` : ""}`;
    case StepErrorKind.Throttled:
      return `${op} was throttled and the bounded retries ran out — run again in a minute`;
    case StepErrorKind.NotFound:
      return `${op} found nothing: the resource was deleted or is in another account or region`;
    case StepErrorKind.ApiUnavailable:
      return `${op} is not available at this endpoint (an emulator or a region without the API)${f.status ? ` — HTTP ${f.status}` : ""}`;
    case StepErrorKind.Timeout:
      return `${op} did not answer in time — check network access to the AWS endpoint (VPC endpoint, proxy)`;
    case StepErrorKind.Network:
      return `${op} could not reach AWS — check network access to the endpoint`;
    case StepErrorKind.Credentials:
      return "no AWS credentials found — set AWS_PROFILE (or --profile), or run where a role is available";
    case StepErrorKind.MalformedResponse:
      return `${op} returned a response ecs-medic could not read — report it with the saved evidence`;
    case StepErrorKind.InvalidRequest:
      return `${op} rejected the request — check the cluster, service and region`;
    case StepErrorKind.Internal:
      return `${op} failed unexpectedly — run again; if it persists, report it with the saved evidence`;
    case StepErrorKind.OtherRegion:
      return `${op} was not made: the resource is in another region — run with --region set to it`;
  }
}
