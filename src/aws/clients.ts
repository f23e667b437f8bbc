import { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECRClient } from "@aws-sdk/client-ecr";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { withRelease } from "./release";

/** Every AWS client the collectors use; tests pass mocked or moto-pointed instances. */
export interface AwsClients {
  readonly ecs: ECSClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly logs: CloudWatchLogsClient;
  readonly ec2: EC2Client;
  readonly ecr: ECRClient;
  readonly cloudtrail: CloudTrailClient;
  readonly cloudwatch: CloudWatchClient;
  /** Only the action path uses it (read and raise the service's scalable target). */
  readonly autoscaling: ApplicationAutoScalingClient;
}

export interface ClientOptions {
  /** Region; unset → the SDK's own chain (AWS_REGION, profile, IMDS). */
  readonly region?: string;
  /** Shared-config profile; unset → the default credential chain. */
  readonly profile?: string;
  /**
   * Attempts per call, including the first, with the SDK's `standard` retry mode (exponential backoff
   * with jitter, retry quota). Bounded so a throttled API cannot stall a diagnosis.
   * @default 3
   */
  readonly maxAttempts?: number;
  /** @default 3000 */
  readonly connectionTimeoutMs?: number;
  /** @default 10000 */
  readonly requestTimeoutMs?: number;
}

/**
 * Builds the clients with bounded retries and timeouts. Endpoints are left to the SDK, which honours
 * `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>` itself (the tests point them at moto_server).
 */
export function createClients(options: ClientOptions = {}): AwsClients {
  const config = {
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    retryMode: "standard",
    maxAttempts: options.maxAttempts ?? 3,
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 3_000,
      requestTimeout: options.requestTimeoutMs ?? 10_000,
      // Without this the handler only logs a warning when requestTimeout passes and keeps waiting.
      throwOnRequestTimeout: true,
    },
  };
  // Each client is constructed on first use, so a run builds only what it calls (an action never builds EC2's).
  const made: Array<{ destroy(): void }> = [];
  const lazy = <T extends { destroy(): void }>(make: () => T): (() => T) => {
    let client: T | undefined;
    return () => {
      if (!client) {
        client = make();
        made.push(client);
      }
      return client;
    };
  };
  const ecs = lazy(() => new ECSClient(config));
  const elbv2 = lazy(() => new ElasticLoadBalancingV2Client(config));
  const logs = lazy(() => new CloudWatchLogsClient(config));
  const ec2 = lazy(() => new EC2Client(config));
  const ecr = lazy(() => new ECRClient(config));
  const cloudtrail = lazy(() => new CloudTrailClient(config));
  const cloudwatch = lazy(() => new CloudWatchClient(config));
  const autoscaling = lazy(() => new ApplicationAutoScalingClient(config));
  const clients: AwsClients = {
    get ecs() {
      return ecs();
    },
    get elbv2() {
      return elbv2();
    },
    get logs() {
      return logs();
    },
    get ec2() {
      return ec2();
    },
    get ecr() {
      return ecr();
    },
    get cloudtrail() {
      return cloudtrail();
    },
    get cloudwatch() {
      return cloudwatch();
    },
    get autoscaling() {
      return autoscaling();
    },
  };
  return withRelease(clients, () => {
    for (const client of made.splice(0)) client.destroy();
  });
}

export { destroyClients } from "./release";
