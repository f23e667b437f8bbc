/**
 * Records the example incident snapshots in `examples/` by running the real collectors (`collectEvidence`)
 * against each scenario's AWS estate, served through aws-sdk-client-mock with the request semantics of the real
 * APIs (DescribeTasks by ARN, GetLogEvents' newest-N, FilterLogEvents' terms and time range, LookupEvents by
 * ResourceName and time, GetMetricData per query and period, the real "not found" exceptions).
 *
 *   npx tsx scripts/examples/record.ts            # all scenarios, and examples/README.md
 *   npx tsx scripts/examples/record.ts healthy    # only the named ones
 *
 * Deterministic: a fixed clock per scenario, an instant CloudTrail limiter, ids from seeds. Re-running writes
 * the same bytes; test/examples/examples.test.ts checks exactly that.
 */
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isDeepStrictEqual } from "node:util";
import {
  CloudTrailClient,
  LookupEventsCommand,
  type LookupEventsCommandInput,
  type LookupEventsResponse,
} from "@aws-sdk/client-cloudtrail";
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type GetMetricDataOutput,
} from "@aws-sdk/client-cloudwatch";
import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  type FilterLogEventsCommandInput,
  type FilterLogEventsResponse,
  type FilteredLogEvent,
  type GetLogEventsCommandInput,
  type GetLogEventsResponse,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  DescribeSecurityGroupsCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
  type DescribeSecurityGroupsCommandInput,
  type DescribeSecurityGroupsResult,
  type DescribeSubnetsCommandInput,
  type DescribeSubnetsResult,
} from "@aws-sdk/client-ec2";
import {
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  type DescribeImagesCommandInput,
  type DescribeImagesResponse,
  type DescribeRepositoriesCommandInput,
  type DescribeRepositoriesResponse,
} from "@aws-sdk/client-ecr";
import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  type DescribeServiceDeploymentsCommandInput,
  type DescribeServiceDeploymentsResponse,
  type DescribeServiceRevisionsCommandInput,
  type DescribeServiceRevisionsResponse,
  type DescribeTaskDefinitionCommandInput,
  type DescribeTaskDefinitionResponse,
  type DescribeTasksCommandInput,
  type DescribeTasksResponse,
  type ListServiceDeploymentsCommandInput,
  type ListServiceDeploymentsResponse,
  type ListTasksCommandInput,
  type ListTasksResponse,
} from "@aws-sdk/client-ecs";
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type DescribeLoadBalancersCommandInput,
  type DescribeLoadBalancersOutput,
  type DescribeTargetGroupsCommandInput,
  type DescribeTargetGroupsOutput,
  type DescribeTargetHealthCommandInput,
  type DescribeTargetHealthOutput,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { createClients, destroyClients } from "../../src/aws/clients";
import { fixedClock } from "../../src/clock";
import { collectEvidence } from "../../src/collect/collect-evidence";
import type { RateLimiter } from "../../src/collect/rate-limiter";
import { clusterName } from "../../src/collect/resolve-target";
import type { Evidence, Target } from "../../src/evidence/schema";
import { parseEvidence, serializeEvidence } from "../../src/evidence/snapshot";
import { notFound } from "../../test/fixtures/errors";
import { SCENARIOS, type AwsWorld, type MetricSeries, type Scenario } from "./scenarios";

export const EXAMPLES_DIR = fileURLToPath(new URL("../../examples/", import.meta.url));

/** CloudTrail allows 2 LookupEvents a second; a recording has nothing to wait for. */
const instantLimiter: RateLimiter = { async acquire() {} };

/** Runs the collectors against the scenario and returns the snapshot, validated against the schema. */
export async function collectScenario(scenario: Scenario): Promise<Evidence> {
  const problems = checkScenario(scenario);
  if (problems.length > 0) throw new Error(`scenario ${scenario.name} is inconsistent:\n  ${problems.join("\n  ")}`);

  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const restore = serveWorld(scenario.aws);
  const clients = createClients({ region: targetOf(scenario).region, maxAttempts: 1 });
  try {
    return await collectEvidence({
      clients,
      resolved: { target: targetOf(scenario), service: scenario.service },
      window: scenario.window,
      clock: fixedClock(scenario.clock),
      cloudTrailLimiter: instantLimiter,
    });
  } finally {
    destroyClients(clients);
    restore();
  }
}

/** The snapshot as `examples/<name>.json` holds it: serialised, re-parsed, and checked that nothing was lost. */
export async function recordScenario(scenario: Scenario): Promise<string> {
  const evidence = await collectScenario(scenario);
  const text = serializeEvidence(evidence);
  const parsed = parseEvidence(text, `${scenario.name}.json`);
  // Compared as values: zod rebuilds objects in schema key order, which may differ from the collectors' order.
  if (!isDeepStrictEqual(JSON.parse(serializeEvidence(parsed)), JSON.parse(text))) {
    throw new Error(`${scenario.name}: the schema dropped or changed fields on a round trip`);
  }
  const failed = parsed.steps.filter((s) => s.status === "error").map((s) => `${s.id}: ${s.errors[0]?.message ?? "?"}`);
  if (failed.length > 0 || parsed.contextErrors.length > 0) {
    throw new Error(
      `${scenario.name}: collection failed where the scenario answers every read:\n  ${[...failed, ...parsed.contextErrors.map((e) => e.message)].join("\n  ")}`,
    );
  }
  return text;
}

/** `examples/README.md`: one line per example — the incident and the finding an on-call engineer should get. */
export function readmeText(scenarios: readonly Scenario[] = SCENARIOS): string {
  const rows = scenarios.map(
    (s) =>
      `| [${s.name}](${s.name}.json) | ${s.description.replaceAll("|", "\\|")} | \`${s.primary.symptom}\` — ${s.primary.finding.replaceAll("|", "\\|")} |`,
  );
  return [
    "# Example incidents",
    "",
    "Recorded evidence snapshots for `npm run demo`, or `ecs-medic diagnose payment-api --evidence examples/<name>.json`.",
    "Each is the output of the real collectors (`collectEvidence`) run against AWS answers shaped exactly like the real",
    "APIs' (`scripts/examples/scenarios.ts`), with a fixed clock. Regenerate with `npx tsx scripts/examples/record.ts`;",
    "`test/examples/examples.test.ts` checks that every file parses and that re-recording reproduces it byte for byte.",
    "",
    "| example | incident | primary finding (symptom — what the on-call engineer should read first) |",
    "|---|---|---|",
    ...rows,
    "",
  ].join("\n");
}

export function targetOf(scenario: Scenario): Target {
  const arn = scenario.service.serviceArn ?? "";
  const [, , , region = "", account = ""] = arn.split(":");
  return {
    account,
    region,
    cluster: clusterName(scenario.service.clusterArn ?? ""),
    clusterArn: scenario.service.clusterArn ?? "",
    service: scenario.service.serviceName ?? "",
    serviceArn: arn,
  };
}

// ── the fake AWS ─────────────────────────────────────────────────────────────────────────────────

/** Installs the world's answers on every client the collectors use; returns the function that removes them. */
function serveWorld(world: AwsWorld): () => void {
  const ecs = mockClient(ECSClient);
  const elbv2 = mockClient(ElasticLoadBalancingV2Client);
  const ec2 = mockClient(EC2Client);
  const logs = mockClient(CloudWatchLogsClient);
  const ecr = mockClient(ECRClient);
  const cloudtrail = mockClient(CloudTrailClient);
  const cloudwatch = mockClient(CloudWatchClient);

  // ── ECS
  ecs.on(ListTasksCommand).callsFake((input: ListTasksCommandInput): ListTasksResponse => {
    const wanted = input.desiredStatus ?? "RUNNING";
    const arns = world.tasks
      .filter((t) => t.desiredStatus === wanted && (!input.serviceName || t.group === `service:${input.serviceName}`))
      .map((t) => t.taskArn!)
      .sort(); // ListTasks documents no order; task ids are random, so this is as good as any.
    return page(arns, input.nextToken, input.maxResults ?? 100, (taskArns, nextToken) => ({
      taskArns,
      ...(nextToken ? { nextToken } : {}),
    }));
  });
  ecs.on(DescribeTasksCommand).callsFake((input: DescribeTasksCommandInput): DescribeTasksResponse => {
    const byArn = new Map(world.tasks.map((t) => [t.taskArn!, t]));
    const requested = input.tasks ?? [];
    return {
      tasks: requested.flatMap((arn) => byArn.get(arn) ?? []),
      failures: requested.filter((arn) => !byArn.has(arn)).map((arn) => ({ arn, reason: "MISSING" })),
    };
  });
  ecs
    .on(DescribeTaskDefinitionCommand)
    .callsFake((input: DescribeTaskDefinitionCommandInput): DescribeTaskDefinitionResponse => {
      const ref = input.taskDefinition ?? "";
      const found = world.taskDefinitions.find(
        (td) => td.taskDefinitionArn === ref || `${td.family}:${td.revision}` === ref,
      );
      if (!found) throw notFound("ecs", "ClientException", "Unable to describe task definition.");
      return { taskDefinition: found, tags: [] };
    });
  ecs
    .on(ListServiceDeploymentsCommand)
    .callsFake((input: ListServiceDeploymentsCommandInput): ListServiceDeploymentsResponse => {
      const briefs = world.serviceDeployments.map((d) => ({
        serviceDeploymentArn: d.serviceDeploymentArn,
        serviceArn: d.serviceArn,
        clusterArn: d.clusterArn,
        startedAt: d.startedAt,
        createdAt: d.createdAt,
        ...(d.finishedAt ? { finishedAt: d.finishedAt } : {}),
        targetServiceRevisionArn: d.targetServiceRevision?.arn,
        status: d.status,
        ...(d.statusReason ? { statusReason: d.statusReason } : {}),
      }));
      return page(briefs, input.nextToken, input.maxResults ?? 20, (serviceDeployments, nextToken) => ({
        serviceDeployments,
        ...(nextToken ? { nextToken } : {}),
      }));
    });
  ecs
    .on(DescribeServiceDeploymentsCommand)
    .callsFake((input: DescribeServiceDeploymentsCommandInput): DescribeServiceDeploymentsResponse => {
      const arns = input.serviceDeploymentArns ?? [];
      const found = world.serviceDeployments.filter((d) => arns.includes(d.serviceDeploymentArn!));
      return {
        serviceDeployments: found,
        failures: arns
          .filter((a) => !found.some((d) => d.serviceDeploymentArn === a))
          .map((arn) => ({ arn, reason: "MISSING" })),
      };
    });
  ecs
    .on(DescribeServiceRevisionsCommand)
    .callsFake((input: DescribeServiceRevisionsCommandInput): DescribeServiceRevisionsResponse => {
      const arns = input.serviceRevisionArns ?? [];
      const found = world.serviceRevisions.filter((r) => arns.includes(r.serviceRevisionArn!));
      return {
        serviceRevisions: found,
        failures: arns
          .filter((a) => !found.some((r) => r.serviceRevisionArn === a))
          .map((arn) => ({ arn, reason: "MISSING" })),
      };
    });

  // ── ELBv2
  elbv2
    .on(DescribeTargetGroupsCommand)
    .callsFake((input: DescribeTargetGroupsCommandInput): DescribeTargetGroupsOutput => {
      const arns = input.TargetGroupArns ?? [];
      const found = world.targetGroups.filter((tg) => arns.length === 0 || arns.includes(tg.TargetGroupArn!));
      if (found.length < arns.length)
        throw notFound("elasticloadbalancing", "TargetGroupNotFoundException", "One or more target groups not found");
      return { TargetGroups: found };
    });
  elbv2
    .on(DescribeTargetHealthCommand)
    .callsFake((input: DescribeTargetHealthCommandInput): DescribeTargetHealthOutput => {
      const targets = world.targetHealth[input.TargetGroupArn ?? ""];
      if (!targets && !world.targetGroups.some((tg) => tg.TargetGroupArn === input.TargetGroupArn)) {
        throw notFound(
          "elasticloadbalancing",
          "TargetGroupNotFoundException",
          `Target groups '${input.TargetGroupArn}' not found`,
        );
      }
      return { TargetHealthDescriptions: [...(targets ?? [])] };
    });
  elbv2
    .on(DescribeLoadBalancersCommand)
    .callsFake((input: DescribeLoadBalancersCommandInput): DescribeLoadBalancersOutput => {
      const arns = input.LoadBalancerArns ?? [];
      return {
        LoadBalancers: world.loadBalancers.filter((lb) => arns.length === 0 || arns.includes(lb.LoadBalancerArn!)),
      };
    });

  // ── EC2
  // Route tables and VPC endpoints are not part of the scenarios' world: none (step 10 then knows no route table,
  // NAT gateway or endpoint on the path, and says nothing about them).
  ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
  ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [] });
  ec2.on(DescribeSubnetsCommand).callsFake((input: DescribeSubnetsCommandInput): DescribeSubnetsResult => {
    const ids = input.SubnetIds ?? [];
    const missing = ids.find((id) => !world.subnets.some((s) => s.SubnetId === id));
    if (missing) throw notFound("ec2", "InvalidSubnetID.NotFound", `The subnet ID '${missing}' does not exist`);
    return { Subnets: world.subnets.filter((s) => ids.length === 0 || ids.includes(s.SubnetId!)) };
  });
  ec2
    .on(DescribeSecurityGroupsCommand)
    .callsFake((input: DescribeSecurityGroupsCommandInput): DescribeSecurityGroupsResult => {
      const ids = input.GroupIds ?? [];
      const missing = ids.find((id) => !world.securityGroups.some((g) => g.GroupId === id));
      if (missing) throw notFound("ec2", "InvalidGroup.NotFound", `The security group '${missing}' does not exist`);
      return { SecurityGroups: world.securityGroups.filter((g) => ids.length === 0 || ids.includes(g.GroupId!)) };
    });

  // ── CloudWatch Logs
  logs.on(GetLogEventsCommand).callsFake((input: GetLogEventsCommandInput): GetLogEventsResponse => {
    const group = world.logGroups[input.logGroupName ?? ""];
    if (!group) throw notFound("logs", "ResourceNotFoundException", "The specified log group does not exist.");
    const stream = group[input.logStreamName ?? ""];
    if (!stream) throw notFound("logs", "ResourceNotFoundException", "The specified log stream does not exist.");
    // startFromHead=false with a limit: the newest `limit` events, still oldest first within the page.
    const events = input.startFromHead
      ? stream.slice(0, input.limit ?? 10_000)
      : stream.slice(-(input.limit ?? 10_000));
    return {
      events: [...events],
      nextForwardToken: `f/${token(input.logStreamName ?? "", "f")}/s`,
      nextBackwardToken: `b/${token(input.logStreamName ?? "", "b")}/s`,
    };
  });
  logs.on(FilterLogEventsCommand).callsFake((input: FilterLogEventsCommandInput): FilterLogEventsResponse => {
    const group = world.logGroups[input.logGroupName ?? ""];
    if (!group) throw notFound("logs", "ResourceNotFoundException", "The specified log group does not exist.");
    const terms = filterTerms(input.filterPattern ?? "");
    const matches: FilteredLogEvent[] = [];
    for (const [logStreamName, events] of Object.entries(group).sort(([a], [b]) => a.localeCompare(b))) {
      if (input.logStreamNamePrefix && !logStreamName.startsWith(input.logStreamNamePrefix)) continue;
      for (const e of events) {
        const ts = e.timestamp ?? 0;
        if (input.startTime !== undefined && ts < input.startTime) continue;
        if (input.endTime !== undefined && ts > input.endTime) continue;
        if (terms.length > 0 && !terms.some((t) => (e.message ?? "").includes(t))) continue;
        matches.push({
          logStreamName,
          timestamp: ts,
          message: e.message,
          ingestionTime: e.ingestionTime,
          eventId: token(`${logStreamName}/${ts}/${e.message}`, "e"),
        });
      }
    }
    matches.sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0));
    const limit = input.limit ?? 10_000;
    // startFromHead=false: the newest matches come first when there are more than a page.
    const pageEvents = input.startFromHead === false ? matches.slice(-limit) : matches.slice(0, limit);
    return { events: pageEvents, searchedLogStreams: [] };
  });

  // ── ECR
  ecr.on(DescribeImagesCommand).callsFake((input: DescribeImagesCommandInput): DescribeImagesResponse => {
    const repo = world.ecr.find((r) => r.repository.repositoryName === input.repositoryName);
    const registryId = input.registryId ?? repo?.repository.registryId ?? "";
    if (!repo) {
      throw notFound(
        "ecr",
        "RepositoryNotFoundException",
        `The repository with name '${input.repositoryName}' does not exist in the registry with id '${registryId}'`,
      );
    }
    const details = (input.imageIds ?? []).map((id) => {
      const found = repo.images.find((i) =>
        id.imageDigest ? i.imageDigest === id.imageDigest : (i.imageTags ?? []).includes(id.imageTag ?? ""),
      );
      if (!found) {
        throw notFound(
          "ecr",
          "ImageNotFoundException",
          `The image with imageId {imageDigest:'${id.imageDigest ?? "null"}', imageTag:'${id.imageTag ?? "null"}'} does not exist within the repository with name '${input.repositoryName}' in the registry with id '${registryId}'`,
        );
      }
      return found;
    });
    return { imageDetails: details };
  });
  ecr
    .on(DescribeRepositoriesCommand)
    .callsFake((input: DescribeRepositoriesCommandInput): DescribeRepositoriesResponse => {
      const names = input.repositoryNames ?? [];
      const found = world.ecr.filter((r) => names.includes(r.repository.repositoryName ?? "")).map((r) => r.repository);
      const missing = names.find((n) => !found.some((r) => r.repositoryName === n));
      if (missing)
        throw notFound(
          "ecr",
          "RepositoryNotFoundException",
          `The repository with name '${missing}' does not exist in the registry with id '${input.registryId ?? ""}'`,
        );
      return { repositories: found };
    });

  // ── CloudTrail: newest first, by any resource name the event is indexed under, inside the time range.
  cloudtrail.on(LookupEventsCommand).callsFake((input: LookupEventsCommandInput): LookupEventsResponse => {
    const attribute = input.LookupAttributes?.[0];
    const start = input.StartTime?.getTime() ?? Number.NEGATIVE_INFINITY;
    const end = input.EndTime?.getTime() ?? Number.POSITIVE_INFINITY;
    const events = world.cloudTrail
      .filter((e) =>
        attribute?.AttributeKey === "ReadOnly"
          ? e.ReadOnly === attribute.AttributeValue
          : attribute?.AttributeKey !== "ResourceName" ||
            (e.Resources ?? []).some((r) => r.ResourceName === attribute.AttributeValue),
      )
      .filter((e) => {
        const t = e.EventTime?.getTime() ?? 0;
        return t >= start && t <= end;
      })
      .sort((a, b) => (b.EventTime?.getTime() ?? 0) - (a.EventTime?.getTime() ?? 0));
    return { Events: events.slice(0, input.MaxResults ?? 50) };
  });

  // ── CloudWatch: one datapoint per period from StartTime (inclusive) to EndTime (exclusive), ascending.
  cloudwatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput): GetMetricDataOutput => {
    const start = input.StartTime?.getTime() ?? 0;
    const end = input.EndTime?.getTime() ?? 0;
    const results = (input.MetricDataQueries ?? []).map((q) => {
      const stat = q.MetricStat;
      const series = seriesOf(stat?.Metric?.MetricName, stat?.Stat);
      const periodMs = (stat?.Period ?? 60) * 1000;
      const Timestamps: Date[] = [];
      const Values: number[] = [];
      for (let t = Math.ceil(start / periodMs) * periodMs; t < end; t += periodMs) {
        const value = series ? world.metrics(series, Math.round((end - t) / 60_000)) : undefined;
        if (value === undefined) continue;
        Timestamps.push(new Date(t));
        Values.push(value);
      }
      return { Id: q.Id, Label: q.Label, Timestamps, Values, StatusCode: "Complete" as const };
    });
    return { MetricDataResults: results, Messages: [] };
  });

  return () => {
    for (const mock of [ecs, elbv2, ec2, logs, ecr, cloudtrail, cloudwatch]) mock.restore();
  };
}

/** One page of `items` after `nextToken` (an offset here; opaque to callers, as AWS's are). */
function page<T, R>(
  items: readonly T[],
  nextToken: string | undefined,
  size: number,
  build: (items: T[], nextToken: string | undefined) => R,
): R {
  const from = nextToken ? Number(nextToken.replace(/^page-/, "")) : 0;
  const to = from + size;
  return build(items.slice(from, to), to < items.length ? `page-${to}` : undefined);
}

/** `?ERROR ?"Out of memory"` → `["ERROR", "Out of memory"]`: CloudWatch's "any of these terms", case-sensitive. */
function filterTerms(pattern: string): string[] {
  return [...pattern.matchAll(/\?(?:"([^"]+)"|(\S+))/g)].map((m) => m[1] ?? m[2] ?? "").filter(Boolean);
}

function seriesOf(metricName: string | undefined, stat: string | undefined): MetricSeries | undefined {
  switch (`${metricName}/${stat}`) {
    case "CPUUtilization/Average":
      return "cpu_avg";
    case "CPUUtilization/Maximum":
      return "cpu_max";
    case "MemoryUtilization/Average":
      return "mem_avg";
    case "MemoryUtilization/Maximum":
      return "mem_max";
    case "RequestCountPerTarget/Sum":
      return "rpt";
    case "TargetResponseTime/p95":
      return "p95";
    case "HTTPCode_Target_5XX_Count/Sum":
      return "5xx";
    default:
      return undefined;
  }
}

/** CloudWatch Logs' numeric tokens and event ids, derived from a seed. */
function token(seed: string, kind: string): string {
  let out = "";
  let h = 0x811c9dc5;
  for (let round = 0; out.length < 56; round++) {
    for (const ch of `${kind}/${seed}/${round}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString().padStart(10, "0");
  }
  return out.slice(0, 56);
}

// ── consistency: the scenario must agree with itself before it is recorded ─────────────────────

/** Cross-API facts a real estate cannot contradict. An empty list means the scenario is consistent. */
export function checkScenario(scenario: Scenario): string[] {
  const { service, aws } = scenario;
  const problems: string[] = [];
  const tdArns = new Set(aws.taskDefinitions.map((td) => td.taskDefinitionArn));
  const tasksById = new Map(aws.tasks.map((t) => [t.taskArn!.slice(t.taskArn!.lastIndexOf("/") + 1), t]));
  const until = Date.parse(scenario.clock);

  if (!tdArns.has(service.taskDefinition))
    problems.push(`service task definition ${service.taskDefinition} is not describable`);
  for (const d of service.deployments ?? [])
    if (!tdArns.has(d.taskDefinition)) problems.push(`deployment ${d.id} runs an unknown task definition`);
  for (const t of aws.tasks) {
    if (!tdArns.has(t.taskDefinitionArn)) problems.push(`task ${t.taskArn} runs an unknown task definition`);
    for (const time of [t.createdAt, t.startedAt, t.stoppingAt, t.stoppedAt]) {
      if (time && time.getTime() > until) problems.push(`task ${t.taskArn} has a time after the clock`);
    }
    if (t.stoppedAt && t.stoppingAt && t.stoppedAt < t.stoppingAt)
      problems.push(`task ${t.taskArn} stopped before it began stopping`);
    if (t.startedAt && t.createdAt && t.startedAt < t.createdAt)
      problems.push(`task ${t.taskArn} started before it was created`);
  }
  const running = aws.tasks.filter((t) => t.lastStatus === "RUNNING");
  for (const [arn, targets] of Object.entries(aws.targetHealth)) {
    for (const target of targets) {
      const owner = aws.tasks.find(
        (t) => t.containers?.[0]?.networkInterfaces?.[0]?.privateIpv4Address === target.Target?.Id,
      );
      if (!owner) problems.push(`target ${target.Target?.Id} in ${arn} belongs to no task`);
      else if (target.TargetHealth?.State !== "draining" && !running.includes(owner))
        problems.push(`target ${target.Target?.Id} is ${target.TargetHealth?.State} but its task is not running`);
    }
  }
  for (const [group, streams] of Object.entries(aws.logGroups)) {
    for (const [stream, events] of Object.entries(streams)) {
      const task = tasksById.get(stream.slice(stream.lastIndexOf("/") + 1));
      if (!task) problems.push(`log stream ${group} ${stream} belongs to no task`);
      for (const e of events)
        if ((e.timestamp ?? 0) > until) problems.push(`log stream ${stream} has an event after the clock`);
    }
  }
  for (const e of service.events ?? []) {
    if ((e.createdAt?.getTime() ?? 0) > until) problems.push(`service event after the clock: ${e.message}`);
    for (const [, id] of (e.message ?? "").matchAll(/\(task ([0-9a-f]{32})\)/g))
      if (!tasksById.has(id!)) problems.push(`service event names unknown task ${id}`);
  }
  for (const e of aws.cloudTrail)
    if ((e.EventTime?.getTime() ?? 0) > until) problems.push(`CloudTrail event ${e.EventName} after the clock`);
  return problems;
}

// ── command line ─────────────────────────────────────────────────────────────────────────────────

async function main(names: readonly string[]): Promise<void> {
  const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length > 0)
    throw new Error(`unknown scenario(s): ${unknown.join(", ")}; known: ${SCENARIOS.map((s) => s.name).join(", ")}`);
  const chosen = names.length > 0 ? SCENARIOS.filter((s) => names.includes(s.name)) : SCENARIOS;
  // One at a time: aws-sdk-client-mock patches the client classes globally.
  for (const scenario of chosen) {
    const text = await recordScenario(scenario);
    const file = resolve(EXAMPLES_DIR, `${scenario.name}.json`);
    await writeFile(file, text, "utf8");
    process.stdout.write(`wrote ${file} (${text.length} bytes)\n`);
  }
  if (names.length === 0) {
    const readme = resolve(EXAMPLES_DIR, "README.md");
    await writeFile(readme, readmeText(), "utf8");
    process.stdout.write(`wrote ${readme}\n`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
