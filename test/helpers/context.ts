import type { Service as SdkService } from "@aws-sdk/client-ecs";
import { createClients, type AwsClients } from "../../src/aws/clients";
import { fixedClock } from "../../src/clock";
import { createCollectContext } from "../../src/collect/collect-evidence";
import type { RateLimiter } from "../../src/collect/rate-limiter";
import type { CollectContext, CollectLimits } from "../../src/collect/step";
import type { Target } from "../../src/evidence/schema";
import { ACCOUNT, CLUSTER, CLUSTER_ARN, NOW, REGION, SERVICE, SERVICE_ARN, sdkService } from "../fixtures/aws";

export const TARGET: Target = {
  account: ACCOUNT,
  region: REGION,
  cluster: CLUSTER,
  clusterArn: CLUSTER_ARN,
  service: SERVICE,
  serviceArn: SERVICE_ARN,
};

/** A limiter that never waits; it counts acquisitions. */
export function instantLimiter(): RateLimiter & { acquired: number } {
  const limiter = {
    acquired: 0,
    async acquire() {
      limiter.acquired += 1;
    },
  };
  return limiter;
}

export interface ContextOptions {
  service?: SdkService;
  /** Default: one hour before NOW until NOW. */
  window?: { since: string; until: string };
  limits?: Partial<CollectLimits>;
  clients?: AwsClients;
  cloudTrailLimiter?: RateLimiter;
}

/**
 * A real CollectContext over real SDK clients, built by the production factory; tests intercept the calls with
 * aws-sdk-client-mock (`mockClient(ECSClient)` patches every instance), so the shared lookups run exactly as in
 * production.
 */
export function makeContext(options: ContextOptions = {}): CollectContext {
  return createCollectContext({
    clients: options.clients ?? createClients({ region: REGION, maxAttempts: 1 }),
    resolved: { target: TARGET, service: options.service ?? sdkService() },
    window: options.window ?? { since: "2026-11-26T09:00:00Z", until: NOW },
    clock: fixedClock(NOW),
    limits: options.limits,
    cloudTrailLimiter: options.cloudTrailLimiter ?? instantLimiter(),
  });
}
