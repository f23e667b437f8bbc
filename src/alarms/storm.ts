import type { Task } from "../evidence/schema";
import type { EcsServiceSignal } from "./parse";

/**
 * Storm grouping: several services failing at once because of one cause should be one incident that names the
 * cause and lists the services, not a post per service. The grouping rule, from what the events themselves say
 * (nothing is guessed from timing alone, except the deploy wave, which is named as such):
 *
 * | cause key | from | meaning |
 * |---|---|---|
 * | `placement:<acct>:<region>:<eventName>:<reason>:<capacity providers>` | ECS Service Action ERROR with a `reason` | the scheduler cannot place tasks for the same reason on the same capacity (e.g. RESOURCE:FARGATE on FARGATE_SPOT) |
 * | `deploy-wave:<acct>:<region>:<cluster>` | SERVICE_DEPLOYMENT_FAILED | deployments of several services in one cluster failing within the window: a deploy wave (a shared base image, config or dependency) |
 * | `registry:<acct>:<region>:<registry host>` | the service's archived STOPPED tasks of the last 15 min | image pulls failing (CannotPullContainerError) from the same registry |
 * | `subnet:<acct>:<region>:<subnet id>` | same | tasks failing to get an ENI / IP address in the same subnet |
 * | `az:<acct>:<region>:<zone>:<stop code>` | same | tasks stopped by Spot interruption / termination notice in the same zone |
 *
 * The first incident to claim a key within `STORM_WINDOW_MS` (10 min) is the storm's primary (its post and
 * diagnosis); a later incident sharing a key is grouped into it: no post, no diagnosis of its own, a thread reply on
 * the primary, and the primary's header lists it. An alarm alone (CPU, 5xx) carries no cause, so alarms group only
 * through the archived stopped tasks of their service.
 */

export const STORM_WINDOW_MS = 10 * 60_000;
/** How far back the archive is read for cause keys. */
export const STORM_LOOKBACK_MS = 15 * 60_000;

export interface CauseKey {
  readonly key: string;
  /** For people: "image pulls failing from 123….dkr.ecr.us-east-1.amazonaws.com". */
  readonly label: string;
}

export function causeKeysOfEvent(signal: EcsServiceSignal): CauseKey[] {
  const scope = `${signal.account}:${signal.region}`;
  if (signal.detailType === "ECS Service Action" && signal.eventType === "ERROR" && signal.reason) {
    const providers = signal.capacityProviderArns.map((a) => a.slice(a.lastIndexOf("/") + 1)).sort();
    return [
      {
        key: `placement:${scope}:${signal.eventName}:${signal.reason}:${providers.join(",")}`,
        label: `${signal.eventName} ${signal.reason}${providers.length ? ` on ${providers.join(", ")}` : ""}`,
      },
    ];
  }
  if (signal.eventName === "SERVICE_DEPLOYMENT_FAILED") {
    return [
      {
        key: `deploy-wave:${scope}:${signal.cluster}`,
        label: `deployments failing together in cluster ${signal.cluster} (a deploy wave)`,
      },
    ];
  }
  return [];
}

const PULL = /CannotPullContainerError|pull image|failed to resolve ref|ImagePull/i;
const NETWORK =
  /ResourceInitializationError.*(ENI|network interface|IP address)|no (?:free|available) IP|insufficient free addresses/i;
const SPOT = /^(SpotInterruption|TerminationNotice)$/;

function registryOf(image: string | undefined): string | undefined {
  if (!image) return undefined;
  const first = image.split("/")[0] ?? "";
  // A registry host has a dot or a port, or is localhost; otherwise it is Docker Hub.
  return image.includes("/") && /[.:]|^localhost$/.test(first) ? first : "docker.io";
}

/** Cause keys the service's recent stopped tasks support (ListTasks or archive), each with one task as witness. */
export function causeKeysOfTasks(account: string, region: string, tasks: readonly Task[]): CauseKey[] {
  const scope = `${account}:${region}`;
  const keys = new Map<string, CauseKey>();
  for (const task of tasks) {
    const texts = [task.stoppedReason ?? "", ...task.containers.map((c) => c.reason ?? "")];
    if (texts.some((t) => PULL.test(t))) {
      for (const c of task.containers) {
        const registry = registryOf(c.image);
        if (registry && PULL.test(`${c.reason ?? ""} ${task.stoppedReason ?? ""}`)) {
          keys.set(`registry:${scope}:${registry}`, {
            key: `registry:${scope}:${registry}`,
            label: `image pulls failing from ${registry}`,
          });
        }
      }
    }
    if (task.subnetId && texts.some((t) => NETWORK.test(t))) {
      keys.set(`subnet:${scope}:${task.subnetId}`, {
        key: `subnet:${scope}:${task.subnetId}`,
        label: `tasks cannot get an ENI/IP in subnet ${task.subnetId}`,
      });
    }
    if (task.availabilityZone && task.stopCode && SPOT.test(task.stopCode)) {
      keys.set(`az:${scope}:${task.availabilityZone}:${task.stopCode}`, {
        key: `az:${scope}:${task.availabilityZone}:${task.stopCode}`,
        label: `${task.stopCode} in ${task.availabilityZone}`,
      });
    }
  }
  return [...keys.values()];
}
