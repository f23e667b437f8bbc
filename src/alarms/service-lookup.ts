import { ListTagsForResourceCommand, type CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import {
  DescribeServicesCommand,
  paginateListClusters,
  paginateListServices,
  type ECSClient,
} from "@aws-sdk/client-ecs";
import { awsCall, chunk, collectPages } from "../aws/aws-call";
import type { Clock } from "../clock";

export interface ServiceRef {
  readonly cluster: string;
  readonly service: string;
}

/**
 * The AWS reads the alarm mapping needs, behind an interface so the mapping stays pure and tests inject a fake:
 * which service's load balancer uses a target group, and an alarm's tags.
 */
export interface ServiceLookup {
  /** `targetgroup/name/id` (the ALB metric dimension) → the services whose `loadBalancers` use that group. */
  servicesForTargetGroup(targetGroup: string): Promise<readonly ServiceRef[]>;
  /** The alarm's tags (empty when it has none or they cannot be read). */
  alarmTags(alarmArn: string): Promise<Readonly<Record<string, string>>>;
}

const DESCRIBE_BATCH = 10; // DescribeServices takes at most 10 services
const MAX_SERVICES_PER_CLUSTER = 1000;

/**
 * ECS-backed lookup. The target-group index (every service's `loadBalancers[].targetGroupArn`, in the given
 * clusters or every cluster) is built once and reused for `cacheMs` (a container serves a storm of alarms with one
 * scan); a target group not in the index triggers at most one rebuild a minute (a service created since).
 */
export function createServiceLookup(options: {
  readonly ecs: ECSClient;
  readonly cloudwatch?: CloudWatchClient | undefined;
  readonly clusters?: readonly string[] | undefined;
  readonly clock: Clock;
  readonly cacheMs?: number;
  readonly log?: (message: string, detail?: Record<string, unknown>) => void;
}): ServiceLookup {
  const cacheMs = options.cacheMs ?? 5 * 60_000;
  let index: { builtAt: number; byTargetGroup: Map<string, ServiceRef[]> } | undefined;
  let building: Promise<Map<string, ServiceRef[]>> | undefined;
  const tags = new Map<string, Promise<Record<string, string>>>();

  async function build(): Promise<Map<string, ServiceRef[]>> {
    const clusters =
      options.clusters && options.clusters.length > 0
        ? [...options.clusters]
        : (
            await awsCall("ecs:ListClusters", () =>
              collectPages(paginateListClusters({ client: options.ecs, pageSize: 100 }, {}), (p) => p.clusterArns, {
                maxItems: 200,
                maxPages: 10,
              }),
            )
          ).items;
    const byTargetGroup = new Map<string, ServiceRef[]>();
    for (const cluster of clusters) {
      const { items: arns } = await awsCall("ecs:ListServices", () =>
        collectPages(paginateListServices({ client: options.ecs, pageSize: 100 }, { cluster }), (p) => p.serviceArns, {
          maxItems: MAX_SERVICES_PER_CLUSTER,
          maxPages: 20,
        }),
      );
      for (const batch of chunk(arns, DESCRIBE_BATCH)) {
        const out = await awsCall("ecs:DescribeServices", () =>
          options.ecs.send(new DescribeServicesCommand({ cluster, services: batch })),
        );
        for (const s of out.services ?? []) {
          const ref = { cluster: lastSegment(s.clusterArn ?? cluster), service: s.serviceName ?? "" };
          for (const lb of s.loadBalancers ?? []) {
            const key = targetGroupKey(lb.targetGroupArn ?? "");
            if (!key) continue;
            byTargetGroup.set(key, [...(byTargetGroup.get(key) ?? []), ref]);
          }
        }
      }
    }
    return byTargetGroup;
  }

  async function current(force: boolean): Promise<Map<string, ServiceRef[]>> {
    const now = options.clock().getTime();
    if (index && !force && now - index.builtAt < cacheMs) return index.byTargetGroup;
    // A miss rebuilds at most once a minute: a storm of alarms on an unknown group must not rescan per alarm.
    if (index && force && now - index.builtAt < 60_000) return index.byTargetGroup;
    building ??= build().finally(() => (building = undefined));
    const byTargetGroup = await building;
    index = { builtAt: options.clock().getTime(), byTargetGroup };
    return byTargetGroup;
  }

  return {
    async servicesForTargetGroup(targetGroup) {
      const key = targetGroupKey(targetGroup);
      if (!key) return [];
      const first = await current(false);
      if (first.has(key)) return first.get(key)!;
      return (await current(true)).get(key) ?? [];
    },
    async alarmTags(alarmArn) {
      if (!options.cloudwatch) return {};
      const cloudwatch = options.cloudwatch;
      let cached = tags.get(alarmArn);
      if (!cached) {
        cached = awsCall("cloudwatch:ListTagsForResource", () =>
          cloudwatch.send(new ListTagsForResourceCommand({ ResourceARN: alarmArn })),
        ).then(
          (out) => Object.fromEntries((out.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])),
          (error: unknown) => {
            options.log?.("alarm tags not readable; routing without them", { alarmArn, error: String(error) });
            tags.delete(alarmArn);
            return {};
          },
        );
        tags.set(alarmArn, cached);
      }
      return cached;
    },
  };
}

/** `arn:…:targetgroup/name/id` or `targetgroup/name/id` → `targetgroup/name/id`. */
export function targetGroupKey(value: string): string | undefined {
  const m = /(targetgroup\/[^/]+\/[0-9a-f]+)$/i.exec(value);
  return m?.[1]?.toLowerCase();
}

function lastSegment(arn: string): string {
  return arn.slice(arn.lastIndexOf("/") + 1);
}
