import type { Config } from "./config";

export interface RouteTarget {
  readonly cluster?: string | undefined;
  readonly service?: string | undefined;
  /** The alarm's tags, when they were read. */
  readonly tags?: Readonly<Record<string, string>> | undefined;
}

export interface ChannelChoice {
  readonly channel: string;
  /** Why this channel, for the log: "route 2 (cluster prod)", "defaultChannel", "ECS_MEDIC_DEFAULT_CHANNEL". */
  readonly why: string;
}

/**
 * The channel an incident goes to: the first route whose every given condition matches (service and cluster names,
 * a tag key/value of the alarm), else the config's `defaultChannel`, else `ECS_MEDIC_DEFAULT_CHANNEL`. Undefined when
 * none is set — the caller logs that and posts nothing rather than guessing.
 */
export function routeChannel(
  config: Config,
  target: RouteTarget,
  env: NodeJS.ProcessEnv = process.env,
): ChannelChoice | undefined {
  for (const [i, route] of config.routes.entries()) {
    if (route.cluster !== undefined && route.cluster !== target.cluster) continue;
    if (route.service !== undefined && route.service !== target.service) continue;
    if (route.tag !== undefined && target.tags?.[route.tag.key] !== route.tag.value) continue;
    const on = [
      route.cluster && `cluster ${route.cluster}`,
      route.service && `service ${route.service}`,
      route.tag && `tag ${route.tag.key}=${route.tag.value}`,
    ].filter(Boolean);
    return { channel: route.channel, why: `routes[${i}] (${on.join(", ")})` };
  }
  if (config.defaultChannel) return { channel: config.defaultChannel, why: "defaultChannel" };
  const fallback = env.ECS_MEDIC_DEFAULT_CHANNEL;
  if (fallback) return { channel: fallback, why: "ECS_MEDIC_DEFAULT_CHANNEL" };
  return undefined;
}

/** Whether a stopped task of this service is archived (config `stoppedTaskArchive`). */
export function archivesService(config: Config, cluster: string, service: string): boolean {
  const a = config.stoppedTaskArchive;
  if (!a.enabled) return false;
  if (a.clusters && !a.clusters.includes(cluster)) return false;
  if (a.services && !a.services.includes(service)) return false;
  return true;
}
