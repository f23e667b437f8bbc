import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  type ListServiceDeploymentsResponse,
  type ServiceDeployment,
  type ServiceRevision,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { deploymentStep } from "../../../src/collect/steps/02-deployment";
import { DeploymentDataSchema } from "../../../src/evidence/schema";
import {
  ACCOUNT,
  CLUSTER,
  CLUSTER_ARN,
  REGION,
  SERVICE,
  SERVICE_ARN,
  TASK_DEF_ARN,
  minutesAgo,
  sdkDeployment,
  sdkService,
} from "../../fixtures/aws";
import { accessDenied, htmlServerError, throttled } from "../../fixtures/errors";
import { makeContext } from "../../helpers/context";

const ecs = mockClient(ECSClient);

const SD_ARN = (id: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/${CLUSTER}/${SERVICE}/${id}`;
const REV_ARN = (id: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:service-revision/${CLUSTER}/${SERVICE}/${id}`;
const CIRCUIT_BREAKER_REASON = "ECS deployment circuit breaker: task failed to start.";
const DAY = 24 * 60;

/** A DescribeServiceDeployments entry, shaped as ECS returns it. */
function sdkServiceDeployment(
  id: string,
  createdMinutesAgo: number,
  target: string,
  overrides: Partial<ServiceDeployment> = {},
): ServiceDeployment {
  return {
    serviceDeploymentArn: SD_ARN(id),
    serviceArn: SERVICE_ARN,
    clusterArn: CLUSTER_ARN,
    createdAt: minutesAgo(createdMinutesAgo),
    startedAt: minutesAgo(createdMinutesAgo - 0.05),
    finishedAt: minutesAgo(createdMinutesAgo - 6),
    updatedAt: minutesAgo(createdMinutesAgo - 6),
    sourceServiceRevisions: [],
    targetServiceRevision: { arn: REV_ARN(target), requestedTaskCount: 3, runningTaskCount: 3, pendingTaskCount: 0 },
    status: "SUCCESSFUL",
    deploymentConfiguration: {
      deploymentCircuitBreaker: { enable: true, rollback: true },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
    },
    deploymentCircuitBreaker: { status: "MONITORING_COMPLETE", failureCount: 0, threshold: 3 },
    alarms: { status: "DISABLED" },
    ...overrides,
  };
}

/** The ListServiceDeployments brief of a described deployment. */
function brief(sd: ServiceDeployment) {
  return {
    serviceDeploymentArn: sd.serviceDeploymentArn,
    serviceArn: sd.serviceArn,
    clusterArn: sd.clusterArn,
    startedAt: sd.startedAt,
    createdAt: sd.createdAt,
    finishedAt: sd.finishedAt,
    targetServiceRevisionArn: sd.targetServiceRevision?.arn,
    status: sd.status,
    statusReason: sd.statusReason,
  };
}

function sdkRevision(id: string, revision: number): ServiceRevision {
  return {
    serviceRevisionArn: REV_ARN(id),
    serviceArn: SERVICE_ARN,
    clusterArn: CLUSTER_ARN,
    taskDefinition: TASK_DEF_ARN(revision),
    launchType: "FARGATE",
    platformVersion: "1.4.0",
    platformFamily: "Linux",
    loadBalancers: [],
    serviceRegistries: [],
    containerImages: [],
    guardDutyEnabled: false,
    createdAt: minutesAgo(60),
  };
}

/** ListServiceDeployments answers keyed by the request's nextToken ("" for the first page). */
function listPages(pages: Record<string, ListServiceDeploymentsResponse>) {
  ecs.on(ListServiceDeploymentsCommand).callsFake((input: { nextToken?: string }) => {
    const page = pages[input.nextToken ?? ""];
    if (!page) throw new Error(`unexpected nextToken ${input.nextToken}`);
    return page;
  });
}

/** DescribeServiceDeployments / DescribeServiceRevisions answer from these, for whatever ARNs are asked. */
function describeFrom(deployments: readonly ServiceDeployment[], revisions: readonly ServiceRevision[]) {
  ecs.on(DescribeServiceDeploymentsCommand).callsFake((input: { serviceDeploymentArns: string[] }) => ({
    serviceDeployments: deployments.filter((d) => input.serviceDeploymentArns.includes(d.serviceDeploymentArn!)),
    failures: [],
  }));
  ecs.on(DescribeServiceRevisionsCommand).callsFake((input: { serviceRevisionArns: string[] }) => ({
    serviceRevisions: revisions.filter((r) => input.serviceRevisionArns.includes(r.serviceRevisionArn!)),
    failures: [],
  }));
}

async function collect(ctx = makeContext()) {
  const result = await deploymentStep.collect(ctx);
  if (result.status === "skipped") throw new Error(`unexpected skip: ${result.skipReason}`);
  DeploymentDataSchema.parse(result.data);
  return result;
}

// A circuit-breaker rollback in progress: revision 43 failed to start, ECS is rolling back to 42.
const failing = sdkServiceDeployment("Xk7rT2mP9sLwQn4vB8fYd", 20, "5537712870234522631", {
  status: "ROLLBACK_IN_PROGRESS",
  statusReason: CIRCUIT_BREAKER_REASON,
  finishedAt: undefined,
  updatedAt: minutesAgo(8),
  sourceServiceRevisions: [
    { arn: REV_ARN("4980306466373577095"), requestedTaskCount: 3, runningTaskCount: 3, pendingTaskCount: 0 },
  ],
  targetServiceRevision: {
    arn: REV_ARN("5537712870234522631"),
    requestedTaskCount: 3,
    runningTaskCount: 0,
    pendingTaskCount: 1,
  },
  rollback: {
    reason: CIRCUIT_BREAKER_REASON,
    startedAt: minutesAgo(8),
    serviceRevisionArn: REV_ARN("4980306466373577095"),
  },
  deploymentCircuitBreaker: { status: "TRIGGERED", failureCount: 4, threshold: 3 },
  alarms: { status: "MONITORING", alarmNames: ["payment-api-5xx"], triggeredAlarmNames: [] },
});
const good = sdkServiceDeployment("NCWGC2ZR-taawPAYrIaU5", 3 * DAY, "4980306466373577095");
const older = sdkServiceDeployment("ejGvqq2ilnbKT9qj0vLJe", 10 * DAY, "1485800978477494678");
const revisions = [
  sdkRevision("5537712870234522631", 43),
  sdkRevision("4980306466373577095", 42),
  sdkRevision("1485800978477494678", 41),
];

const rollingBackService = sdkService({
  taskDefinition: TASK_DEF_ARN(42),
  deploymentConfiguration: {
    deploymentCircuitBreaker: { enable: true, rollback: true },
    maximumPercent: 200,
    minimumHealthyPercent: 100,
    alarms: { alarmNames: ["payment-api-5xx"], enable: true, rollback: true },
  },
  // ECS lists the failed deployment after the rollback PRIMARY; put it first to show the step orders them.
  deployments: [
    sdkDeployment({
      id: "ecs-svc/9876543210987654321",
      status: "ACTIVE",
      taskDefinition: TASK_DEF_ARN(43),
      desiredCount: 0,
      runningCount: 0,
      pendingCount: 0,
      failedTasks: 4,
      createdAt: minutesAgo(20),
      updatedAt: minutesAgo(8),
      rolloutState: "FAILED",
      rolloutStateReason: CIRCUIT_BREAKER_REASON,
    }),
    sdkDeployment({
      id: "ecs-svc/1111111111111111111",
      status: "PRIMARY",
      taskDefinition: TASK_DEF_ARN(42),
      desiredCount: 3,
      runningCount: 3,
      createdAt: minutesAgo(8),
      updatedAt: minutesAgo(2),
      rolloutState: "IN_PROGRESS",
      rolloutStateReason: "ECS deployment ecs-svc/1111111111111111111 in progress.",
    }),
  ],
});

describe("step 2: deployment", () => {
  beforeEach(() => ecs.reset());

  it("reads the rollout, the circuit breaker and the service-deployment history, newest first", async () => {
    // Real ListServiceDeployments pages can be empty and still carry a nextToken.
    listPages({
      "": { serviceDeployments: [brief(older)], nextToken: "page-2" },
      "page-2": { serviceDeployments: [], nextToken: "page-3" },
      "page-3": { serviceDeployments: [brief(good), brief(failing)] },
    });
    describeFrom([failing, good, older], revisions);

    const result = await collect(makeContext({ service: rollingBackService }));

    expect(result.status).toBe("collected");
    const data = result.data;
    expect(data.deploymentController).toBe("ECS");
    expect(data.deploymentControllerDefaulted).toBe(false);
    expect(data.minimumHealthyPercent).toBe(100);
    expect(data.maximumPercent).toBe(200);
    expect(data.circuitBreaker).toEqual({ enable: true, rollback: true });
    expect(data.alarms).toEqual({ alarmNames: ["payment-api-5xx"], enable: true, rollback: true });
    expect(data.deployments.map((d) => [d.status, d.rolloutState, d.failedTasks])).toEqual([
      ["PRIMARY", "IN_PROGRESS", 0],
      ["ACTIVE", "FAILED", 4],
    ]);
    expect(data.deployments[1]).toEqual({
      id: "ecs-svc/9876543210987654321",
      status: "ACTIVE",
      taskDefinition: TASK_DEF_ARN(43),
      desiredCount: 0,
      pendingCount: 0,
      runningCount: 0,
      failedTasks: 4,
      rolloutState: "FAILED",
      rolloutStateReason: CIRCUIT_BREAKER_REASON,
      createdAt: "2026-11-26T09:40:00Z",
      updatedAt: "2026-11-26T09:52:00Z",
      launchType: "FARGATE",
      platformVersion: "1.4.0",
    });

    expect(data.history.error).toBeUndefined();
    expect(data.history.serviceDeployments.map((d) => [d.status, d.targetTaskDefinition])).toEqual([
      ["ROLLBACK_IN_PROGRESS", TASK_DEF_ARN(43)],
      ["SUCCESSFUL", TASK_DEF_ARN(42)],
      ["SUCCESSFUL", TASK_DEF_ARN(41)],
    ]);
    expect(data.history.serviceDeployments[0]).toEqual({
      serviceDeploymentArn: SD_ARN("Xk7rT2mP9sLwQn4vB8fYd"),
      status: "ROLLBACK_IN_PROGRESS",
      statusReason: CIRCUIT_BREAKER_REASON,
      createdAt: "2026-11-26T09:40:00Z",
      startedAt: "2026-11-26T09:40:03Z",
      updatedAt: "2026-11-26T09:52:00Z",
      targetServiceRevisionArn: REV_ARN("5537712870234522631"),
      targetTaskDefinition: TASK_DEF_ARN(43),
      sourceServiceRevisionArns: [REV_ARN("4980306466373577095")],
      rollback: {
        reason: CIRCUIT_BREAKER_REASON,
        startedAt: "2026-11-26T09:52:00Z",
        serviceRevisionArn: REV_ARN("4980306466373577095"),
      },
      circuitBreaker: { status: "TRIGGERED", failureCount: 4, threshold: 3 },
      alarms: { status: "MONITORING", triggeredAlarmNames: [] },
    });
    expect(data.lastSuccessfulTaskDefinition).toBe(TASK_DEF_ARN(42));

    expect(ecs).toHaveReceivedCommandTimes(ListServiceDeploymentsCommand, 3);
    expect(ecs).toHaveReceivedNthCommandWith(ListServiceDeploymentsCommand, 1, {
      cluster: CLUSTER_ARN,
      service: SERVICE,
      maxResults: 100,
    });
    expect(ecs).toHaveReceivedNthCommandWith(ListServiceDeploymentsCommand, 3, { nextToken: "page-3" });
    expect(ecs).toHaveReceivedCommandTimes(DescribeServiceDeploymentsCommand, 1);
    expect(ecs).toHaveReceivedCommandTimes(DescribeServiceRevisionsCommand, 1);

    expect(deploymentStep.summarize(data)).toBe(
      "PRIMARY payment-api:42 IN_PROGRESS (3/3 running), ACTIVE payment-api:43 FAILED (0/0 running, 4 failed); " +
        "circuit breaker on (rollback); latest service deployment ROLLBACK_IN_PROGRESS: ECS deployment circuit breaker: task failed to start.; " +
        "last successful payment-api:42",
    );
  });

  it("reads every page before keeping the newest maxServiceDeployments (the list has no documented order), describing in batches of 20", async () => {
    // sd0 is the newest (1 h ago), sd39 the oldest; the list hands them out oldest first, 10 per page.
    const many = Array.from({ length: 40 }, (_, i) => sdkServiceDeployment(`sd${i}`, 60 * (i + 1), `rev${i}`));
    const oldestFirst = [...many].reverse();
    ecs.on(ListServiceDeploymentsCommand).callsFake((input: { nextToken?: string }) => {
      const start = Number(input.nextToken ?? 0);
      const next = start + 10 < oldestFirst.length ? { nextToken: String(start + 10) } : {};
      return { serviceDeployments: oldestFirst.slice(start, start + 10).map(brief), ...next };
    });
    describeFrom(
      many,
      many.map((_, i) => sdkRevision(`rev${i}`, 100 - i)),
    );

    const result = await collect(makeContext({ limits: { maxServiceDeployments: 25 } }));

    expect(ecs).toHaveReceivedCommandTimes(ListServiceDeploymentsCommand, 4);
    const kept = result.data.history.serviceDeployments;
    expect(kept.map((d) => d.serviceDeploymentArn)).toEqual(many.slice(0, 25).map((d) => d.serviceDeploymentArn));
    expect(ecs).toHaveReceivedCommandTimes(DescribeServiceDeploymentsCommand, 2);
    expect(ecs).toHaveReceivedCommandTimes(DescribeServiceRevisionsCommand, 2);
    for (const call of ecs.commandCalls(DescribeServiceDeploymentsCommand)) {
      expect(call.args[0].input.serviceDeploymentArns!.length).toBeLessThanOrEqual(20);
    }
    expect(result.data.lastSuccessfulTaskDefinition).toBe(TASK_DEF_ARN(100));
  });

  it("stops listing at 100 entries however many pages offer more", async () => {
    let served = 0;
    // Every page offers 10 more and another token: only the entry bound ends the loop.
    ecs.on(ListServiceDeploymentsCommand).callsFake(() => {
      const page = Array.from({ length: 10 }, () => sdkServiceDeployment(`sd${served}`, 60 * ++served, "rev"));
      return { serviceDeployments: page.map(brief), nextToken: String(served) };
    });
    ecs.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [], failures: [] });
    ecs.on(DescribeServiceRevisionsCommand).resolves({ serviceRevisions: [], failures: [] });

    const result = await collect();

    expect(ecs).toHaveReceivedCommandTimes(ListServiceDeploymentsCommand, 10);
    expect(ecs).toHaveReceivedNthCommandWith(ListServiceDeploymentsCommand, 10, { maxResults: 10, nextToken: "90" });
    expect(result.data.history.serviceDeployments).toHaveLength(10);
  });

  it("gives up after a bounded number of empty pages that keep returning a nextToken", async () => {
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [], nextToken: "again" });

    const result = await collect();

    expect(result.status).toBe("collected");
    expect(result.data.history.serviceDeployments).toEqual([]);
    expect(ecs).toHaveReceivedCommandTimes(ListServiceDeploymentsCommand, 20);
    expect(ecs).toHaveReceivedCommandTimes(DescribeServiceDeploymentsCommand, 0);
  });

  it.each([
    {
      case: "the API is missing at the endpoint (moto answers an HTML 500)",
      error: htmlServerError(),
      kind: "api_unavailable",
      code: "SyntaxError",
      hint: "ecs:ListServiceDeployments is not available at this endpoint",
    },
    {
      case: "AccessDenied",
      error: accessDenied("ecs:ListServiceDeployments"),
      kind: "access_denied",
      code: "AccessDeniedException",
      hint: "AccessDenied on ecs:ListServiceDeployments",
    },
    {
      case: "throttling",
      error: throttled("ecs"),
      kind: "throttled",
      code: "ThrottlingException",
      hint: "ecs:ListServiceDeployments was throttled",
    },
  ])(
    "keeps deployments[] and records history.error when ListServiceDeployments fails: $case",
    async ({ error, kind, code, hint }) => {
      ecs.on(ListServiceDeploymentsCommand).rejects(error);

      const result = await collect();

      expect(result.status).toBe("partial");
      if (result.status !== "partial") throw new Error("expected partial");
      const historyError = result.data.history.error!;
      expect(historyError).toMatchObject({ kind, code, operation: "ecs:ListServiceDeployments" });
      expect(historyError.hint).toContain(hint);
      expect(result.errors).toEqual([historyError]);
      expect(result.data.history.serviceDeployments).toEqual([]);
      expect(result.data.deployments).toHaveLength(1);
      // The fixture's PRIMARY deployment completed its rollout.
      expect(result.data.lastSuccessfulTaskDefinition).toBe(TASK_DEF_ARN(42));
      expect(ecs).toHaveReceivedCommandTimes(DescribeServiceDeploymentsCommand, 0);
      expect(deploymentStep.summarize(result.data)).toContain(`history unavailable (${kind})`);
    },
  );

  it("falls back to the list's brief entries when DescribeServiceDeployments is denied", async () => {
    listPages({ "": { serviceDeployments: [brief(failing), brief(good)] } });
    ecs.on(DescribeServiceDeploymentsCommand).rejects(accessDenied("ecs:DescribeServiceDeployments"));
    ecs.on(DescribeServiceRevisionsCommand).callsFake((input: { serviceRevisionArns: string[] }) => ({
      serviceRevisions: revisions.filter((r) => input.serviceRevisionArns.includes(r.serviceRevisionArn!)),
      failures: [],
    }));

    const result = await collect(makeContext({ service: rollingBackService }));

    expect(result.status).toBe("partial");
    if (result.status !== "partial") throw new Error("expected partial");
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({
      kind: "access_denied",
      code: "AccessDeniedException",
      operation: "ecs:DescribeServiceDeployments",
    });
    expect(result.data.history.error).toEqual(result.errors[0]);
    expect(result.data.history.serviceDeployments[0]).toEqual({
      serviceDeploymentArn: SD_ARN("Xk7rT2mP9sLwQn4vB8fYd"),
      status: "ROLLBACK_IN_PROGRESS",
      statusReason: CIRCUIT_BREAKER_REASON,
      createdAt: "2026-11-26T09:40:00Z",
      startedAt: "2026-11-26T09:40:03Z",
      targetServiceRevisionArn: REV_ARN("5537712870234522631"),
      targetTaskDefinition: TASK_DEF_ARN(43),
      sourceServiceRevisionArns: [],
    });
    expect(result.data.lastSuccessfulTaskDefinition).toBe(TASK_DEF_ARN(42));
  });

  it.each([
    {
      case: "DescribeServiceRevisions denied: falls back to a deployments[] entry that COMPLETED",
      service: sdkService(),
      expected: TASK_DEF_ARN(42),
    },
    {
      case: "DescribeServiceRevisions denied and nothing COMPLETED in deployments[]",
      service: sdkService({
        deployments: [sdkDeployment({ rolloutState: "IN_PROGRESS", rolloutStateReason: undefined })],
      }),
      expected: undefined,
    },
  ])("$case", async ({ service, expected }) => {
    listPages({ "": { serviceDeployments: [brief(good)] } });
    ecs.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [good], failures: [] });
    ecs.on(DescribeServiceRevisionsCommand).rejects(accessDenied("ecs:DescribeServiceRevisions"));

    const result = await collect(makeContext({ service }));

    expect(result.status).toBe("partial");
    expect(result.data.history.error).toMatchObject({
      kind: "access_denied",
      operation: "ecs:DescribeServiceRevisions",
    });
    expect(result.data.history.error!.hint).toContain("ecs:DescribeServiceRevisions");
    expect(result.data.history.serviceDeployments[0]!.targetTaskDefinition).toBeUndefined();
    expect(result.data.lastSuccessfulTaskDefinition).toBe(expected);
  });

  it("handles a service with every optional field absent (no controller, configuration or deployments)", async () => {
    const { deploymentController: _c, deploymentConfiguration: _d, deployments: _e, ...bare } = sdkService();
    // Before 2024-10-25 ECS recorded no service deployments; the answer then has no list at all.
    ecs.on(ListServiceDeploymentsCommand).resolves({});

    const result = await collect(makeContext({ service: bare }));

    expect(result.status).toBe("collected");
    expect(result.data).toEqual({
      deploymentController: "ECS",
      deploymentControllerDefaulted: true,
      circuitBreaker: null,
      alarms: null,
      deployments: [],
      history: { serviceDeployments: [] },
    });
    expect(ecs).toHaveReceivedCommandTimes(DescribeServiceDeploymentsCommand, 0);
    expect(ecs).toHaveReceivedCommandTimes(DescribeServiceRevisionsCommand, 0);
    expect(deploymentStep.summarize(result.data)).toBe("no deployments listed");
  });

  it("keeps a CODE_DEPLOY controller as ECS reports it", async () => {
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
    const result = await collect(
      makeContext({ service: sdkService({ deploymentController: { type: "CODE_DEPLOY" } }) }),
    );
    expect(result.data.deploymentController).toBe("CODE_DEPLOY");
  });
});
