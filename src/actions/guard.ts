import {
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
  ServiceNamespace,
  ScalableDimension,
} from "@aws-sdk/client-application-auto-scaling";
import { DescribeSubnetsCommand } from "@aws-sdk/client-ec2";
import { DescribeImagesCommand } from "@aws-sdk/client-ecr";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import type { AwsClients } from "../aws/clients";
import { awsCall } from "../aws/aws-call";
import { awsErrorName } from "../aws/step-error";
import { parseImageRef } from "../collect/image-ref";
import { shortName } from "../diagnose/template";
import { shortDigest } from "../util/format";
import { sameFamily } from "./rollback-target";
import type { PlannedAction, ServiceState } from "./types";

/** The service as UpdateService would change it, read fresh right before acting. */
export interface LiveService extends ServiceState {
  readonly status: string;
  readonly deploymentController: string;
  readonly runningCount: number;
  readonly maximumPercent: number;
  readonly subnets: readonly string[];
  readonly scalableTarget: boolean;
}

const resourceId = (cluster: string, service: string) => `service/${cluster}/${service}`;

/** DescribeServices + the service's Application Auto Scaling target (when one exists). */
export async function readService(clients: AwsClients, cluster: string, service: string): Promise<LiveService> {
  const [described, scalable] = await Promise.all([
    awsCall("ecs:DescribeServices", () =>
      clients.ecs.send(new DescribeServicesCommand({ cluster, services: [service] })),
    ),
    awsCall("application-autoscaling:DescribeScalableTargets", () =>
      clients.autoscaling.send(
        new DescribeScalableTargetsCommand({
          ServiceNamespace: ServiceNamespace.ECS,
          ResourceIds: [resourceId(cluster, service)],
          ScalableDimension: ScalableDimension.ECSServiceDesiredCount,
        }),
      ),
    ),
  ]);
  const svc = described.services?.[0];
  if (!svc || !svc.taskDefinition)
    throw new ServiceGoneError(`${service} is no longer an active service in ${cluster}`);
  const target = scalable.ScalableTargets?.[0];
  return {
    taskDefinition: svc.taskDefinition,
    desiredCount: svc.desiredCount ?? 0,
    status: svc.status ?? "UNKNOWN",
    deploymentController: svc.deploymentController?.type ?? "ECS",
    runningCount: svc.runningCount ?? 0,
    maximumPercent: svc.deploymentConfiguration?.maximumPercent ?? 200,
    subnets: svc.networkConfiguration?.awsvpcConfiguration?.subnets ?? [],
    scalableTarget: target !== undefined,
    ...(target ? { autoscalingMax: target.MaxCapacity, autoscalingMin: target.MinCapacity } : {}),
  };
}

/** The service was deleted or drained since the report. */
export class ServiceGoneError extends Error {
  override readonly name = "ServiceGoneError";
}

/** Why the live service no longer matches what the proposal was made for, or undefined when it still does. */
export function staleReason(p: PlannedAction, live: LiveService): string | undefined {
  if (live.status !== "ACTIVE") return `${p.service} is ${live.status}, not ACTIVE`;
  const changed: string[] = [];
  if (p.expect.taskDefinition && live.taskDefinition !== p.expect.taskDefinition)
    changed.push(`it now runs ${short(live.taskDefinition)} (the report saw ${short(p.expect.taskDefinition)})`);
  if (live.desiredCount !== p.expect.desiredCount)
    changed.push(`its desired count is now ${live.desiredCount} (the report saw ${p.expect.desiredCount})`);
  return changed.length > 0 ? `${p.service} changed since the report: ${changed.join("; ")}` : undefined;
}

/**
 * Checks on the revision a rollback returns to, made right before acting: it exists, is ACTIVE, is of the same
 * family, and every image it names by a tag still points at the digest that ran when it was good (a moved mutable
 * tag would not restore the same bytes). Returns a refusal reason, plus notes for what could not be verified.
 */
export async function checkRollbackTarget(
  clients: AwsClients,
  p: PlannedAction,
  live: LiveService,
): Promise<{ refusal?: string; notes: string[] }> {
  const to = p.change.taskDefinition;
  if (!to) return { refusal: "the proposal names no task definition to return to", notes: [] };
  if (live.deploymentController !== "ECS")
    return {
      refusal: `${p.service} uses the ${live.deploymentController} deployment controller: roll back with the tool that deploys it, not UpdateService`,
      notes: [],
    };
  if (!sameFamily(live.taskDefinition, to))
    return { refusal: `${short(to)} is not a revision of ${short(live.taskDefinition)}'s family`, notes: [] };
  let described;
  try {
    described = await awsCall("ecs:DescribeTaskDefinition", () =>
      clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: to })),
    );
  } catch (error) {
    if (/ClientException|InvalidParameter/i.test(awsErrorName(error) ?? ""))
      return { refusal: `${short(to)} does not exist`, notes: [] };
    throw error;
  }
  const td = described.taskDefinition;
  if (!td) return { refusal: `${short(to)} does not exist`, notes: [] };
  if (td.status !== "ACTIVE")
    return {
      refusal: `${short(to)} is ${td.status ?? "not ACTIVE"}: ECS cannot start new tasks from it — register a new revision with its settings instead`,
      notes: [],
    };

  const notes: string[] = [];
  for (const container of td.containerDefinitions ?? []) {
    if (!container.image) continue;
    const ref = parseImageRef(container.image);
    if (ref.digest || !ref.tag) continue; // pinned by digest: the same bytes by construction
    const known = p.targetDigests?.[container.name ?? ""];
    if (ref.registry !== "ecr") {
      notes.push(
        `${container.name}: ${container.image} is a tag outside ECR; whether it still names the same image was not checked`,
      );
      continue;
    }
    if (!known) {
      notes.push(`${container.name}: the digest ${ref.tag} had when ${short(to)} last ran is unknown; not verified`);
      continue;
    }
    const now = await currentDigest(clients, ref.repositoryName, ref.tag, ref.registryId);
    if (now && now !== known)
      return {
        refusal: `${container.name}'s image ${ref.repositoryName}:${ref.tag} has moved since ${short(to)} ran (${cutDigest(known)} → ${cutDigest(now)}): rolling back would not restore the same bytes — roll back to a revision pinned by digest, or re-tag ${cutDigest(known)}`,
        notes,
      };
    if (!now)
      return { refusal: `${container.name}'s image ${ref.repositoryName}:${ref.tag} no longer exists in ECR`, notes };
  }
  return { notes };
}

async function currentDigest(
  clients: AwsClients,
  repositoryName: string,
  tag: string,
  registryId: string | undefined,
): Promise<string | undefined> {
  try {
    const out = await awsCall("ecr:DescribeImages", () =>
      clients.ecr.send(
        new DescribeImagesCommand({
          repositoryName,
          imageIds: [{ imageTag: tag }],
          ...(registryId ? { registryId } : {}),
        }),
      ),
    );
    return out.imageDetails?.[0]?.imageDigest;
  } catch (error) {
    if (awsErrorName(error) === "ImageNotFoundException") return undefined;
    throw error;
  }
}

/**
 * Checks for an emergency scale-out made right before acting: the subnets' free IPs cover the added tasks plus the
 * surge a later deployment needs at the new size. Returns a refusal reason or undefined.
 */
export async function checkScaleRoom(
  clients: AwsClients,
  p: PlannedAction,
  live: LiveService,
): Promise<string | undefined> {
  const to = p.change.desiredCount;
  if (to === undefined || to <= live.desiredCount)
    return `the proposal does not raise the desired count above ${live.desiredCount}`;
  if (live.subnets.length === 0) return undefined; // bridge/host mode: tasks use the instances' IPs
  const out = await awsCall("ec2:DescribeSubnets", () =>
    clients.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [...live.subnets] })),
  );
  const free = (out.Subnets ?? []).reduce((n, s) => n + (s.AvailableIpAddressCount ?? 0), 0);
  const added = to - Math.max(live.runningCount, 0);
  const surge = Math.max(0, Math.floor((to * live.maximumPercent) / 100) - to);
  if (free < added + surge)
    return `the service's subnets have ${free} free IP(s); ${to} tasks need ${added} more now and ${surge} more for the next deployment's surge`;
  return undefined;
}

/** The change itself. A scale-out above the autoscaler's MaxCapacity raises it first, or the autoscaler pulls it back. */
export async function applyChange(clients: AwsClients, p: PlannedAction, live: LiveService): Promise<string[]> {
  const notes: string[] = [];
  if (p.kind === "rollback") {
    await awsCall("ecs:UpdateService", () =>
      clients.ecs.send(
        new UpdateServiceCommand({ cluster: p.cluster, service: p.service, taskDefinition: p.change.taskDefinition }),
      ),
    );
    return notes;
  }
  const to = p.change.desiredCount!;
  if (live.scalableTarget && live.autoscalingMax !== undefined && live.autoscalingMax < to) {
    await awsCall("application-autoscaling:RegisterScalableTarget", () =>
      clients.autoscaling.send(
        new RegisterScalableTargetCommand({
          ServiceNamespace: ServiceNamespace.ECS,
          ResourceId: resourceId(p.cluster, p.service),
          ScalableDimension: ScalableDimension.ECSServiceDesiredCount,
          MaxCapacity: to,
        }),
      ),
    );
    notes.push(
      `Application Auto Scaling MaxCapacity raised ${live.autoscalingMax} → ${to}, so the autoscaler does not pull the count back`,
    );
  }
  await awsCall("ecs:UpdateService", () =>
    clients.ecs.send(new UpdateServiceCommand({ cluster: p.cluster, service: p.service, desiredCount: to })),
  );
  return notes;
}

const short = (arn: string | undefined) => shortName(arn) ?? "?";

/** The shared short form, marked as cut. */
const cutDigest = (digest: string) => `${shortDigest(digest)}…`;
