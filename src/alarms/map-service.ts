import type { Config } from "../config/config";
import type { AlarmSignal } from "./parse";
import type { ServiceLookup, ServiceRef } from "./service-lookup";

/** Tag on an alarm naming its service: `cluster/service` (a config mapping still wins). */
export const SERVICE_TAG = "ecs-medic:service";

export interface AlarmMapping {
  /** The services the alarm is about; empty when nothing maps it (still posted, saying so). */
  readonly services: readonly ServiceRef[];
  /** How, for the post and the log. */
  readonly mappedBy: string;
  /** The alarm's tags when they were read (routing by tag). */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * Alarm → service, most explicit first:
 * 1. a config `alarms:` entry (by name, then by prefix) — the operator said so;
 * 2. the alarm's `ecs-medic:service` tag (`cluster/service`);
 * 3. ECS dimensions `ClusterName` + `ServiceName` on any of its metrics (metric-math alarms have several);
 * 4. an ALB `TargetGroup` dimension (`targetgroup/name/id`) → the service(s) whose load balancer uses that group.
 * Composite alarms carry no metrics; unless 1 or 2 maps them they map to nothing.
 */
export async function mapAlarm(signal: AlarmSignal, config: Config, lookup: ServiceLookup): Promise<AlarmMapping> {
  const byName = config.alarms.find((m) => m.alarm === signal.alarmName);
  const byPrefix = byName ?? config.alarms.find((m) => m.alarmPrefix && signal.alarmName.startsWith(m.alarmPrefix));
  const tags = signal.alarmArn ? await lookup.alarmTags(signal.alarmArn) : {};
  if (byPrefix) {
    return {
      services: [{ cluster: byPrefix.cluster, service: byPrefix.service }],
      mappedBy: byName ? `config alarms: ${signal.alarmName}` : `config alarms: prefix ${byPrefix.alarmPrefix}`,
      tags,
    };
  }
  const tagged = tags[SERVICE_TAG];
  const m = tagged ? /^([A-Za-z0-9_-]+)\/([A-Za-z0-9_-]+)$/.exec(tagged) : null;
  if (m) return { services: [{ cluster: m[1]!, service: m[2]! }], mappedBy: `alarm tag ${SERVICE_TAG}`, tags };

  const ecs = uniq(
    signal.metrics.flatMap((metric) => {
      const cluster = metric.dimensions.ClusterName;
      const service = metric.dimensions.ServiceName;
      return cluster && service ? [{ cluster, service }] : [];
    }),
  );
  if (ecs.length > 0) return { services: ecs, mappedBy: "ECS dimensions ClusterName + ServiceName", tags };

  const groups = [...new Set(signal.metrics.flatMap((metric) => metric.dimensions.TargetGroup ?? []))];
  const viaGroups = uniq((await Promise.all(groups.map((g) => lookup.servicesForTargetGroup(g)))).flat());
  if (viaGroups.length > 0) {
    return { services: viaGroups, mappedBy: `target group ${groups.join(", ")} → service load balancer`, tags };
  }
  const why = signal.composite
    ? "composite alarm (no metrics): map it with a config alarms: entry or the ecs-medic:service tag"
    : groups.length > 0
      ? `no ECS service uses target group ${groups.join(", ")}`
      : "no ECS or target-group dimension, no config mapping, no ecs-medic:service tag";
  return { services: [], mappedBy: why, tags };
}

function uniq(refs: readonly ServiceRef[]): ServiceRef[] {
  const seen = new Map<string, ServiceRef>();
  for (const r of refs) seen.set(`${r.cluster}/${r.service}`, r);
  return [...seen.values()];
}
