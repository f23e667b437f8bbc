/**
 * The AWS fault suite: every AWS API the collectors call fails in turn, in each of the ways AWS fails — AccessDenied,
 * ThrottlingException (then success), a timeout, an empty response, a malformed one — and `collectEvidence` +
 * `diagnose` must still complete: the step that needed the API in `error` (or `partial`), a message naming the cause
 * (the IAM action for AccessDenied), and the diagnosis less sure of itself. A throttle the SDK's retry absorbs must
 * leave no trace at all.
 *
 * How: the production clients (`createClients`, standard retry mode, 3 attempts) get one extra middleware, placed
 * below the SDK's retry and signing, that answers instead of the network: with the fault (the SDK's real exception
 * classes, AWS's real messages, test/fixtures/errors.ts), or with what an aws-sdk-client-mock of the same client
 * answers for the command. So the SDK's own retry decisions and error handling run as in production (its backoff
 * waits set to zero, see withoutBackoff).
 *
 * The counts (cases tried, crashes) are printed at the end, for the README.
 */
import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, FilterLogEventsCommand, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient } from "@aws-sdk/client-ecr";
import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListServiceDeploymentsCommand,
  ListServicesCommand,
  ListTasksCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClients, type AwsClients } from "../../src/aws/clients";
import { fixedClock } from "../../src/clock";
import { collectEvidence } from "../../src/collect/collect-evidence";
import { resolveTarget } from "../../src/collect/resolve-target";
import { diagnose } from "../../src/diagnose/diagnose";
import { loadPlaybooks } from "../../src/diagnose/load-playbooks";
import type { Diagnosis } from "../../src/diagnose/types";
import type { Evidence } from "../../src/evidence/schema";
import {
  CLUSTER_ARN,
  NOW,
  REGION,
  SERVICE,
  SERVICE_ARN,
  minutesAgo,
  sdkService,
  sdkStoppedTask,
  sdkTask,
} from "../fixtures/aws";
import { accessDenied, htmlServerError, throttled } from "../fixtures/errors";
import { TARGET, instantLimiter } from "../helpers/context";
import { answerEverything, type ClientMocks } from "../helpers/estate";

type Prefix = "ecs" | "elasticloadbalancing" | "logs" | "ec2" | "ecr" | "cloudtrail" | "cloudwatch";
const FAULTS = ["AccessDenied", "ThrottlingException then success", "timeout", "empty response", "malformed response"];
type Fault = (typeof FAULTS)[number];

/** The command classes by name, so the middleware can hand the mock the command it would have sent. */
const COMMANDS: Record<string, new (input: never) => object> = {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  ListClustersCommand,
  ListServicesCommand,
  ListServiceDeploymentsCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  DescribeLoadBalancersCommand,
  DescribeSubnetsCommand,
  DescribeSecurityGroupsCommand,
  DescribeRouteTablesCommand,
  DescribeVpcEndpointsCommand,
  GetLogEventsCommand,
  FilterLogEventsCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  LookupEventsCommand,
  GetMetricDataCommand,
};

/** The node HTTP handler's own timeout error (requestTimeout with throwOnRequestTimeout, as src/aws/clients.ts sets). */
function requestTimeout(): Error {
  return Object.assign(
    new Error("@smithy/node-http-handler - [ERROR] a request has exceeded the configured 10000 ms requestTimeout."),
    { name: "TimeoutError", code: "ETIMEDOUT" },
  );
}

/** One client's answering instance: aws-sdk-client-mock on an instance, so the production clients stay real. */
function answeringMocks(): ClientMocks {
  return {
    ecs: mockClient(new ECSClient({ region: REGION })),
    elbv2: mockClient(new ElasticLoadBalancingV2Client({ region: REGION })),
    logs: mockClient(new CloudWatchLogsClient({ region: REGION })),
    ec2: mockClient(new EC2Client({ region: REGION })),
    ecr: mockClient(new ECRClient({ region: REGION })),
    cloudtrail: mockClient(new CloudTrailClient({ region: REGION })),
    cloudwatch: mockClient(new CloudWatchClient({ region: REGION })),
  } as ClientMocks;
}

/**
 * An incident every collector has something to read in: tasks killed for memory after a deploy (stopped tasks with
 * awslogs streams, ECR images), a service deployment with its revision, events, a target group with targets, subnets,
 * security groups, CloudTrail changes and metrics.
 */
function answerIncident(mocks: ClientMocks): void {
  const stopped: Task[] = [2, 4, 6, 8].map((m) =>
    sdkStoppedTask(m, { exitCode: 137, containerReason: "OutOfMemoryError: Container killed due to memory usage" }),
  );
  const running = [sdkTask(), sdkTask()];
  answerEverything(mocks, [...stopped, ...running]);
  const arns = (tasks: Task[]) => tasks.map((t) => t.taskArn!);
  mocks.ecs
    .on(ListTasksCommand, { desiredStatus: "STOPPED" })
    .resolves({ taskArns: arns(stopped) })
    .on(ListTasksCommand, { desiredStatus: "RUNNING" })
    .resolves({ taskArns: arns(running) });
  mocks.ecs.on(ListClustersCommand).resolves({ clusterArns: [CLUSTER_ARN] });
  // As ECS answers: the service when it exists, a MISSING failure when it does not.
  mocks.ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
    services: input.services.includes(SERVICE) ? [sdkService()] : [],
    failures: input.services
      .filter((s) => s !== SERVICE)
      .map((s) => ({ arn: `arn:aws:ecs:${REGION}:123456789012:service/prod/${s}`, reason: "MISSING" })),
  }));
  mocks.ecs.on(ListServicesCommand).resolves({ serviceArns: [SERVICE_ARN] });
  const deploymentArn = `arn:aws:ecs:${REGION}:123456789012:service-deployment/prod/${SERVICE}/r9H5OEjBrDbY`;
  const revisionArn = `arn:aws:ecs:${REGION}:123456789012:service-revision/prod/${SERVICE}/4980306466373577095`;
  mocks.ecs.on(ListServiceDeploymentsCommand).resolves({
    serviceDeployments: [
      {
        serviceDeploymentArn: deploymentArn,
        serviceArn: SERVICE_ARN,
        clusterArn: CLUSTER_ARN,
        status: "IN_PROGRESS",
        createdAt: minutesAgo(12),
        startedAt: minutesAgo(12),
        targetServiceRevisionArn: revisionArn,
      },
    ],
  });
  mocks.ecs.on(DescribeServiceDeploymentsCommand).resolves({
    serviceDeployments: [
      {
        serviceDeploymentArn: deploymentArn,
        serviceArn: SERVICE_ARN,
        clusterArn: CLUSTER_ARN,
        status: "IN_PROGRESS",
        createdAt: minutesAgo(12),
        startedAt: minutesAgo(12),
        targetServiceRevision: { arn: revisionArn, requestedTaskCount: 2, runningTaskCount: 0, pendingTaskCount: 2 },
      },
    ],
    failures: [],
  });
  mocks.ecs.on(DescribeServiceRevisionsCommand).resolves({
    serviceRevisions: [
      {
        serviceRevisionArn: revisionArn,
        serviceArn: SERVICE_ARN,
        clusterArn: CLUSTER_ARN,
        taskDefinition: `arn:aws:ecs:${REGION}:123456789012:task-definition/${SERVICE}:42`,
        createdAt: minutesAgo(12),
      },
    ],
    failures: [],
  });
  mocks.elbv2.on(DescribeTargetHealthCommand).resolves({
    TargetHealthDescriptions: [
      {
        Target: { Id: "10.0.1.23", Port: 8080, AvailabilityZone: "us-east-1a" },
        HealthCheckPort: "8080",
        TargetHealth: { State: "healthy" },
      },
    ],
  });
  mocks.logs.on(GetLogEventsCommand).resolves({
    events: [
      { timestamp: minutesAgo(3).getTime(), message: "INFO warming cache", ingestionTime: minutesAgo(3).getTime() },
      {
        timestamp: minutesAgo(2).getTime(),
        message: "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
        ingestionTime: minutesAgo(2).getTime(),
      },
    ],
  });
  mocks.ecr.on(DescribeImagesCommand).resolves({
    imageDetails: [
      {
        registryId: "123456789012",
        repositoryName: SERVICE,
        imageDigest: "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        imageTags: ["v1.42"],
        imagePushedAt: minutesAgo(60),
      },
    ],
  });
  mocks.ecr.on(DescribeRepositoriesCommand).resolves({
    repositories: [{ repositoryName: SERVICE, imageTagMutability: "IMMUTABLE", registryId: "123456789012" }],
  });
  mocks.ec2.on(DescribeSecurityGroupsCommand).resolves({
    SecurityGroups: [{ GroupId: "sg-0alb0000000000001", GroupName: "prod-alb", VpcId: "vpc-1", IpPermissions: [] }],
  });
  mocks.cloudwatch.on(GetMetricDataCommand).resolves({
    MetricDataResults: [{ Id: "cpu", Label: "CPUUtilization", Timestamps: [minutesAgo(5)], Values: [40] }],
    Messages: [],
  });
}

interface Injection {
  readonly operation: string;
  readonly fault: Fault;
}

/** The clients the collectors use (Application Auto Scaling belongs to the action path, not the diagnosis). */
type CollectorClient = Exclude<keyof AwsClients, "autoscaling">;
const CLIENT_PREFIX: Record<CollectorClient, Prefix> = {
  ecs: "ecs",
  elbv2: "elasticloadbalancing",
  logs: "logs",
  ec2: "ec2",
  ecr: "ecr",
  cloudtrail: "cloudtrail",
  cloudwatch: "cloudwatch",
};

/**
 * The client's own retry strategy (which errors retry, how many attempts, the retry quota) with its backoff set to
 * zero, as the SDK's ConfiguredRetryStrategy does: what is retried, and when a call gives up, is the SDK's decision
 * as in production; only the waits (up to a second per throttled call) are skipped. Should the SDK rename its
 * backoff hook, the suite only gets slower.
 */
function withoutBackoff(client: ECSClient): void {
  type Backoff = { computeNextBackoffDelay(attempt: number): number };
  const config = client.config as unknown as { retryStrategy: () => Promise<{ retryBackoffStrategy?: Backoff }> };
  const own = config.retryStrategy;
  config.retryStrategy = async () => {
    const strategy = await own();
    if (strategy.retryBackoffStrategy) strategy.retryBackoffStrategy.computeNextBackoffDelay = () => 0;
    return strategy;
  };
}

/** Production clients whose network is replaced by the mocks, with one fault injected (or none). */
function faultyClients(mocks: ClientMocks, injection: Injection | undefined, seen: Map<string, number>): AwsClients {
  const clients = createClients({ region: REGION });
  for (const key of Object.keys(CLIENT_PREFIX) as CollectorClient[]) {
    const prefix = CLIENT_PREFIX[key];
    const throttledOnce = new WeakSet<object>();
    const client = clients[key] as ECSClient;
    withoutBackoff(client);
    client.middlewareStack.add(
      (_next, context) => async (args) => {
        const name = (context as { commandName: string }).commandName;
        const operation = `${prefix}:${name.replace(/Command$/, "")}`;
        seen.set(operation, (seen.get(operation) ?? 0) + 1);
        const input = args.input as object;
        if (injection?.operation === operation) {
          switch (injection.fault) {
            case "AccessDenied":
              throw accessDenied(operation);
            case "ThrottlingException then success":
              // The first attempt of each call is throttled; the SDK's retry sends it again.
              if (!throttledOnce.has(input)) {
                throttledOnce.add(input);
                throw throttled(prefix);
              }
              break;
            case "timeout":
              throw requestTimeout();
            case "empty response":
              return { output: { $metadata: { httpStatusCode: 200 } }, response: {} };
            case "malformed response":
              throw htmlServerError();
          }
        }
        const Command = COMMANDS[name];
        if (!Command) throw new Error(`no command class for ${name}`);
        const mock = mocks[key] as unknown as { send(command: object): Promise<object | undefined> };
        const output = (await mock.send(new Command(input as never))) ?? {};
        return { output: { ...output, $metadata: { httpStatusCode: 200 } }, response: {} };
      },
      { step: "finalizeRequest", priority: "low", name: "ecsMedicFaultInjection" },
    );
  }
  return clients;
}

const playbooks = loadPlaybooks();

async function runDiagnosis(injection: Injection | undefined) {
  const mocks = answeringMocks();
  answerIncident(mocks);
  const seen = new Map<string, number>();
  const clients = faultyClients(mocks, injection, seen);
  const evidence = await collectEvidence({
    clients,
    resolved: { target: TARGET, service: sdkService() },
    window: { since: "2026-11-26T09:00:00Z", until: NOW },
    clock: fixedClock(NOW),
    cloudTrailLimiter: instantLimiter(),
  });
  const diagnosis = diagnose(evidence, playbooks);
  return { evidence, diagnosis, seen };
}

/** What the policy grants = what the code calls (test/aws/iam-policy.test.ts): every one of them is tried. */
const ALL_OPERATIONS = (
  JSON.parse(readFileSync("iam/diagnose-readonly.json", "utf8")) as { Statement: { Action: string[] }[] }
).Statement.flatMap((s) => s.Action);
const RESOLVE_OPERATIONS = ["ecs:ListClusters", "ecs:ListServices", "ecs:DescribeServices"];
const COLLECT_OPERATIONS = ALL_OPERATIONS.filter((op) => !RESOLVE_OPERATIONS.includes(op));

const counts = { tried: 0, completed: 0, crashes: 0, namedCause: 0, confidenceLowered: 0, absorbed: 0 };
let baseline: { evidence: Evidence; diagnosis: Diagnosis; seen: Map<string, number> };

beforeAll(async () => {
  baseline = await runDiagnosis(undefined);
});

afterAll(() => {
  console.log(
    `AWS fault suite: ${counts.tried} cases tried (${COLLECT_OPERATIONS.length + RESOLVE_OPERATIONS.length} APIs × ` +
      `${FAULTS.length} faults), ${counts.completed} completed, ${counts.crashes} crashes; ` +
      `${counts.namedCause} failures named their cause, ${counts.absorbed} throttles absorbed by the SDK's retry, ` +
      `${counts.confidenceLowered} diagnoses less confident`,
  );
});

describe("the fault-free run (the baseline every fault is compared with)", () => {
  it("calls every API the collectors use, collects every step and names the OOM kills with high confidence", () => {
    const { evidence, diagnosis, seen } = baseline;
    expect(COLLECT_OPERATIONS.filter((op) => !seen.has(op))).toEqual([]);
    expect(evidence.steps.filter((s) => s.status !== "collected").map((s) => `${s.id}: ${s.status}`)).toEqual([]);
    expect(evidence.contextErrors).toEqual([]);
    const primary = diagnosis.findings.find((f) => f.id === diagnosis.primary?.finding);
    expect(primary?.symptom).toBe("oom_killed");
    expect(diagnosis.primary!.confidence).toBeGreaterThanOrEqual(0.7);
  });
});

const stepsUsing = (evidence: Evidence, operation: string) =>
  evidence.steps.filter((s) => s.errors.some((e) => e.operation === operation));

describe.each(COLLECT_OPERATIONS)("%s", (operation) => {
  it.each(FAULTS)("%s: the diagnosis completes and says what failed", async (fault) => {
    counts.tried += 1;
    let result: Awaited<ReturnType<typeof runDiagnosis>>;
    try {
      result = await runDiagnosis({ operation, fault });
    } catch (error) {
      counts.crashes += 1;
      throw error;
    }
    counts.completed += 1;
    const { evidence, diagnosis } = result;
    const errors = [...evidence.steps.flatMap((s) => s.errors), ...evidence.contextErrors].filter(
      (e) => e.operation === operation,
    );
    const affected = stepsUsing(evidence, operation);
    const confidence = diagnosis.primary?.confidence ?? 0;

    if (fault === "ThrottlingException then success") {
      // The SDK's retry absorbed it: the same evidence and the same diagnosis as without the throttle.
      expect(errors).toEqual([]);
      expect(evidence.steps.map((s) => s.status)).toEqual(baseline.evidence.steps.map((s) => s.status));
      expect(diagnosis.verdict).toBe(baseline.diagnosis.verdict);
      expect(diagnosis.primary).toEqual(baseline.diagnosis.primary);
      counts.absorbed += 1;
      return;
    }

    if (fault === "empty response") {
      // An empty answer is a valid one ("nothing there") for most reads; where a step needs a field, it says which
      // call left it out, and the diagnosis is less sure.
      expect(diagnosis.verdict).toBeDefined();
      const all = [...evidence.steps.flatMap((s) => s.errors), ...evidence.contextErrors];
      const action = operation.split(":")[1]!;
      for (const e of all) expect(`${e.message} ${e.hint}`).toContain(action);
      if (all.length > 0) {
        counts.namedCause += 1;
        expect(confidence).toBeLessThan(baseline.diagnosis.primary!.confidence);
        counts.confidenceLowered += 1;
      }
      return;
    }

    // AccessDenied, timeout (every attempt), malformed (every attempt): the read failed for good.
    expect(errors.length, `no error recorded for ${operation}`).toBeGreaterThan(0);
    const kind = { AccessDenied: "access_denied", timeout: "timeout", "malformed response": undefined }[fault];
    for (const e of errors) {
      if (kind) expect(e.kind).toBe(kind);
      expect(e.hint, JSON.stringify(e)).toContain(operation);
    }
    if (fault === "AccessDenied") expect(errors[0]!.hint).toMatch(/^AccessDenied on /);
    counts.namedCause += 1;
    if (evidence.contextErrors.every((e) => e.operation !== operation)) {
      for (const step of affected) expect(["error", "partial"]).toContain(step.status);
      expect(affected.length).toBeGreaterThan(0);
    }
    // The diagnosis knows it saw less: its confidence drops (or there is no primary finding left to be sure of).
    expect(confidence).toBeLessThan(baseline.diagnosis.primary!.confidence);
    counts.confidenceLowered += 1;
  });
});

describe.each(RESOLVE_OPERATIONS)("%s (resolving the service, before any evidence)", (operation) => {
  it.each(FAULTS)("%s: resolution ends in a typed error naming the call, or succeeds", async (fault) => {
    counts.tried += 1;
    const mocks = answeringMocks();
    answerIncident(mocks);
    const clients = faultyClients(mocks, { operation, fault }, new Map());
    // ListServices is read only after a miss, to suggest similar names: ask for a misspelled service to reach it.
    const asked = operation === "ecs:ListServices" ? `${SERVICE}x` : SERVICE;
    let outcome: unknown;
    try {
      outcome = await resolveTarget(clients.ecs, { service: asked });
    } catch (error) {
      outcome = error;
    }
    if (
      outcome instanceof Error &&
      /^(TypeError|ReferenceError|SyntaxError|RangeError|Error)$/.test(outcome.constructor.name)
    ) {
      counts.crashes += 1;
    } else counts.completed += 1;
    if (outcome instanceof Error) {
      // A typed error the CLI and the worker turn into a sentence, never a bare SDK exception or a TypeError.
      expect(outcome.constructor.name).not.toMatch(/^(TypeError|ReferenceError|SyntaxError|RangeError|Error)$/);
      const text = `${outcome.message} ${JSON.stringify(outcome)}`;
      if (operation === "ecs:ListServices") {
        // Only the suggestions ("did you mean") need ListServices: without them the answer still stands.
        expect(outcome.constructor.name).toBe("TargetNotFoundError");
      } else if (fault === "AccessDenied") expect(text).toContain(operation);
      if (text.includes(operation)) counts.namedCause += 1;
    } else {
      expect(asked).toBe(SERVICE);
      expect(outcome).toMatchObject({ target: { service: SERVICE } });
      if (fault === "ThrottlingException then success") counts.absorbed += 1;
    }
  });
});
