import { deploymentEntry } from "../../steps/02-deployment";
import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  ListServiceDeploymentsCommand,
  type Deployment as SdkDeployment,
  type ECSClient,
  type ServiceDeployment as SdkServiceDeployment,
  type ServiceDeploymentBrief as SdkServiceDeploymentBrief,
} from "@aws-sdk/client-ecs";
import { awsCall, chunk } from "../../aws/aws-call";
import { toStepError } from "../../aws/step-error";
import type { DeploymentData, StepError, Target } from "../../evidence/schema";
import { compact, isoOrUndefined } from "../convert";
import { outcome, type CollectContext, type Step } from "../step";

type Deployment = DeploymentData["deployments"][number];
type ServiceDeployment = DeploymentData["history"]["serviceDeployments"][number];

/** DescribeServiceDeployments and DescribeServiceRevisions take at most 20 ARNs per call. */
const DESCRIBE_BATCH = 20;
/**
 * ListServiceDeployments documents no order, so every entry is read (bounded) and sorted before the newest
 * `maxServiceDeployments` are kept. It may answer an empty page that still carries a nextToken: bound the pages too.
 */
const MAX_LIST_ENTRIES = 100;
const MAX_LIST_PAGES = 20;
/** ECS's documented default when DescribeServices names no deployment controller. */
const DEFAULT_CONTROLLER = "ECS";

/**
 * Step 2 — the service's rollout state and deployment history.
 *
 * `deployments[]` and the deployment configuration come from the DescribeServices answer the target resolution
 * already has. The history comes from ListServiceDeployments (all pages up to 100 entries, sorted newest
 * `createdAt` first, the newest `maxServiceDeployments` kept) → DescribeServiceDeployments (status, circuit
 * breaker and alarm results, rollback) → DescribeServiceRevisions (which task definition each target revision
 * ran), so a diagnosis can name the last task definition that rolled out successfully — the rollback candidate.
 * ECS only records service deployments created on or after 2024-10-25, and emulators may not implement these
 * APIs at all: a failed history read is kept in `history.error` and the step stays usable ("partial").
 */
export const deploymentStep: Step<"deployment"> = {
  ...deploymentEntry,
  async collect(ctx) {
    const dc = ctx.service.deploymentConfiguration;
    const deployments = (ctx.sdkService.deployments ?? []).map(toDeployment).sort(primaryFirst);
    const { history, errors } = await loadHistory(ctx);
    const data: DeploymentData = compact({
      deploymentController: ctx.service.deploymentController ?? DEFAULT_CONTROLLER,
      deploymentControllerDefaulted: ctx.service.deploymentController === undefined,
      minimumHealthyPercent: dc?.minimumHealthyPercent,
      maximumPercent: dc?.maximumPercent,
      circuitBreaker: dc?.circuitBreaker ?? null,
      alarms: dc?.alarms ?? null,
      deployments,
      history,
      lastSuccessfulTaskDefinition: lastSuccessful(history.serviceDeployments, deployments),
    });
    return outcome(data, errors);
  },
};

function toDeployment(d: SdkDeployment): Deployment {
  return compact({
    id: d.id ?? "",
    status: d.status ?? "",
    taskDefinition: d.taskDefinition,
    desiredCount: d.desiredCount ?? 0,
    pendingCount: d.pendingCount ?? 0,
    runningCount: d.runningCount ?? 0,
    failedTasks: d.failedTasks ?? 0,
    rolloutState: d.rolloutState,
    rolloutStateReason: d.rolloutStateReason,
    createdAt: isoOrUndefined(d.createdAt),
    updatedAt: isoOrUndefined(d.updatedAt),
    launchType: d.launchType,
    platformVersion: d.platformVersion,
  });
}

/** PRIMARY first, then the rest newest first. */
function primaryFirst(a: Deployment, b: Deployment): number {
  const rank = (d: Deployment) => (d.status === "PRIMARY" ? 0 : 1);
  return rank(a) - rank(b) || (b.createdAt ?? "").localeCompare(a.createdAt ?? "");
}

async function loadHistory(ctx: CollectContext): Promise<{ history: DeploymentData["history"]; errors: StepError[] }> {
  const ecs = ctx.clients.ecs;
  let briefs: SdkServiceDeploymentBrief[];
  try {
    briefs = await listServiceDeployments(ecs, ctx.target, ctx.limits.maxServiceDeployments);
  } catch (error) {
    const stepError = toStepError(error);
    return { history: { serviceDeployments: [], error: stepError }, errors: [stepError] };
  }

  const errors: StepError[] = [];
  const arns = briefs.flatMap((b) => (b.serviceDeploymentArn ? [b.serviceDeploymentArn] : []));
  const details = new Map<string, SdkServiceDeployment>();
  if (arns.length > 0) {
    try {
      const pages = await Promise.all(
        chunk(arns, DESCRIBE_BATCH).map((serviceDeploymentArns) =>
          awsCall("ecs:DescribeServiceDeployments", () =>
            ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns })),
          ),
        ),
      );
      for (const sd of pages.flatMap((p) => p.serviceDeployments ?? [])) {
        if (sd.serviceDeploymentArn) details.set(sd.serviceDeploymentArn, sd);
      }
    } catch (error) {
      errors.push(toStepError(error));
    }
  }

  // Without the details, the list's brief entries still give status, reason, times and the target revision.
  const merged = briefs.map((b) => {
    const detail = b.serviceDeploymentArn ? details.get(b.serviceDeploymentArn) : undefined;
    return detail ? fromDetail(detail) : fromBrief(b);
  });

  const revisionArns = [
    ...new Set(merged.flatMap((d) => (d.targetServiceRevisionArn ? [d.targetServiceRevisionArn] : []))),
  ];
  const taskDefinitionOf = new Map<string, string>();
  if (revisionArns.length > 0) {
    try {
      const pages = await Promise.all(
        chunk(revisionArns, DESCRIBE_BATCH).map((serviceRevisionArns) =>
          awsCall("ecs:DescribeServiceRevisions", () =>
            ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns })),
          ),
        ),
      );
      for (const revision of pages.flatMap((p) => p.serviceRevisions ?? [])) {
        if (revision.serviceRevisionArn && revision.taskDefinition) {
          taskDefinitionOf.set(revision.serviceRevisionArn, revision.taskDefinition);
        }
      }
    } catch (error) {
      errors.push(toStepError(error));
    }
  }

  const serviceDeployments = merged
    .map((d) =>
      compact({
        ...d,
        targetTaskDefinition: d.targetServiceRevisionArn ? taskDefinitionOf.get(d.targetServiceRevisionArn) : undefined,
      }),
    )
    .sort(newestFirst);
  return { history: compact({ serviceDeployments, error: errors[0] }), errors };
}

/**
 * The newest `max` ListServiceDeployments entries. The API documents no order, so every page is read (up to
 * 100 entries or 20 pages; the SDK has no paginator for it) and sorted newest `createdAt` first before cutting.
 */
async function listServiceDeployments(
  ecs: ECSClient,
  target: Target,
  max: number,
): Promise<SdkServiceDeploymentBrief[]> {
  if (max <= 0) return [];
  const all: SdkServiceDeploymentBrief[] = [];
  await awsCall("ecs:ListServiceDeployments", async () => {
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES && all.length < MAX_LIST_ENTRIES; page++) {
      const response = await ecs.send(
        new ListServiceDeploymentsCommand({
          cluster: target.clusterArn,
          service: target.service,
          maxResults: Math.min(100, MAX_LIST_ENTRIES - all.length),
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      all.push(...(response.serviceDeployments ?? []).slice(0, MAX_LIST_ENTRIES - all.length));
      nextToken = response.nextToken;
      if (!nextToken) return;
    }
  });
  const time = (b: SdkServiceDeploymentBrief) => (b.createdAt ?? b.startedAt)?.getTime() ?? -Infinity;
  return all.sort((a, b) => time(b) - time(a)).slice(0, max);
}

function fromBrief(b: SdkServiceDeploymentBrief): ServiceDeployment {
  return compact({
    serviceDeploymentArn: b.serviceDeploymentArn ?? "",
    status: b.status,
    statusReason: b.statusReason,
    createdAt: isoOrUndefined(b.createdAt),
    startedAt: isoOrUndefined(b.startedAt),
    finishedAt: isoOrUndefined(b.finishedAt),
    targetServiceRevisionArn: b.targetServiceRevisionArn,
    sourceServiceRevisionArns: [],
  });
}

function fromDetail(d: SdkServiceDeployment): ServiceDeployment {
  const cb = d.deploymentCircuitBreaker;
  return compact({
    serviceDeploymentArn: d.serviceDeploymentArn ?? "",
    status: d.status,
    statusReason: d.statusReason,
    createdAt: isoOrUndefined(d.createdAt),
    startedAt: isoOrUndefined(d.startedAt),
    finishedAt: isoOrUndefined(d.finishedAt),
    stoppedAt: isoOrUndefined(d.stoppedAt),
    updatedAt: isoOrUndefined(d.updatedAt),
    targetServiceRevisionArn: d.targetServiceRevision?.arn,
    sourceServiceRevisionArns: (d.sourceServiceRevisions ?? []).flatMap((r) => (r.arn ? [r.arn] : [])),
    rollback: d.rollback
      ? compact({
          reason: d.rollback.reason,
          startedAt: isoOrUndefined(d.rollback.startedAt),
          serviceRevisionArn: d.rollback.serviceRevisionArn,
        })
      : undefined,
    circuitBreaker: cb
      ? compact({ status: cb.status, failureCount: cb.failureCount, threshold: cb.threshold })
      : undefined,
    alarms: d.alarms
      ? compact({ status: d.alarms.status, triggeredAlarmNames: d.alarms.triggeredAlarmNames ?? [] })
      : undefined,
  });
}

function newestFirst(a: ServiceDeployment, b: ServiceDeployment): number {
  const time = (d: ServiceDeployment) => d.createdAt ?? d.startedAt ?? d.updatedAt ?? "";
  return time(b).localeCompare(time(a));
}

/**
 * The newest SUCCESSFUL service deployment's task definition; else a deployments[] entry whose rollout
 * COMPLETED (during a rollout that is the old ACTIVE deployment; after one, the PRIMARY itself).
 */
function lastSuccessful(history: readonly ServiceDeployment[], deployments: readonly Deployment[]): string | undefined {
  const newestSuccessful = history.find((d) => d.status === "SUCCESSFUL");
  return (
    newestSuccessful?.targetTaskDefinition ?? deployments.find((d) => d.rolloutState === "COMPLETED")?.taskDefinition
  );
}
