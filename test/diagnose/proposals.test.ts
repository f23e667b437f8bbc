import { describe, expect, it } from "vitest";
import { proposeActions, scaleProposal } from "../../src/diagnose/proposals";
import type { Finding } from "../../src/diagnose/types";
import type { StepData } from "../../src/evidence/schema";
import {
  ago,
  container,
  deploymentData,
  deploymentEntry,
  evidence,
  finding,
  IMAGE,
  metricSeries,
  runningTask,
  saturationData,
  stoppedTasksData,
  subnetsData,
  task,
  TASK_DEF_ARN,
  taskDefinition,
  taskRefs,
  THRESHOLDS,
  type EvidenceOptions,
} from "./checks/fixture";

const TD42 = TASK_DEF_ARN(42);
const TD43 = TASK_DEF_ARN(43);

// ── rollback ─────────────────────────────────────────────────────────────────────────────────────

/** payment-api:43 halved memory; every :43 task is OOM-killed about a minute after it starts. */
const oomKilled = (revision = 43) =>
  task({
    taskDefinitionArn: TASK_DEF_ARN(revision),
    containers: [
      {
        name: "app",
        image: IMAGE(`v1.${revision}`),
        lastStatus: "STOPPED",
        exitCode: 137,
        reason: "OutOfMemoryError: Container killed due to memory usage",
      },
    ],
  });
const NINE = Array.from({ length: 9 }, () => oomKilled());
const OLD_FAILING = [oomKilled(42), oomKilled(42)];

const rollout = (overrides: Partial<StepData["deployment"]> = {}) =>
  deploymentData({
    circuitBreaker: { enable: false, rollback: false },
    deployments: [
      {
        ...deploymentEntry(),
        rolloutState: "IN_PROGRESS",
        runningCount: 0,
        failedTasks: 9,
        rolloutStateReason: "ECS deployment ecs-svc/1111111111111111111 in progress.",
      },
      {
        ...deploymentEntry(),
        id: "ecs-svc/0000000000000000042",
        status: "ACTIVE",
        taskDefinition: TD42,
        runningCount: 3,
        createdAt: ago(7 * 1440),
        updatedAt: ago(120),
      },
    ],
    history: {
      serviceDeployments: [
        {
          serviceDeploymentArn: "arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/payment-api/Nw3x",
          status: "IN_PROGRESS",
          targetTaskDefinition: TD43,
          sourceServiceRevisionArns: [],
          createdAt: ago(20),
        },
        {
          serviceDeploymentArn: "arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/payment-api/Ab1c",
          status: "SUCCESSFUL",
          targetTaskDefinition: TD42,
          sourceServiceRevisionArns: [],
          createdAt: ago(7 * 1440),
          finishedAt: ago(120),
        },
      ],
    },
    lastSuccessfulTaskDefinition: TD42,
    ...overrides,
  });

/** :43 is the only deployment, created `minutes` ago, its rollout COMPLETED 8 min later; :42 completed a week ago. */
const settled = (minutes: number, overrides: Partial<StepData["deployment"]> = {}) =>
  rollout({
    // updatedAt moves with every desired-count change (auto scaling): it says nothing about the rollout.
    deployments: [{ ...deploymentEntry(), createdAt: ago(minutes), updatedAt: ago(1) }],
    history: {
      serviceDeployments: [
        {
          serviceDeploymentArn: "arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/payment-api/Nw3x",
          status: "SUCCESSFUL",
          targetTaskDefinition: TD43,
          sourceServiceRevisionArns: [],
          createdAt: ago(minutes),
          finishedAt: ago(minutes - 8),
        },
        {
          serviceDeploymentArn: "arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/payment-api/Ab1c",
          status: "SUCCESSFUL",
          targetTaskDefinition: TD42,
          sourceServiceRevisionArns: [],
          createdAt: ago(7 * 1440 + 10),
          finishedAt: ago(7 * 1440),
        },
      ],
    },
    lastSuccessfulTaskDefinition: TD42,
    ...overrides,
  });

const oomFinding = (tasks = NINE, overrides: Partial<Finding> = {}) =>
  finding({ symptom: "oom_killed", evidence: taskRefs(tasks.slice(0, 5)), count: tasks.length, ...overrides });

function rollbackCase(
  overrides: {
    deployment?: StepData["deployment"] | null;
    stopped?: ReturnType<typeof task>[];
    service?: EvidenceOptions["service"];
  } = {},
): EvidenceOptions {
  return {
    service: overrides.service,
    steps: {
      ...(overrides.deployment === null ? {} : { deployment: overrides.deployment ?? rollout() }),
      "stopped-tasks": stoppedTasksData({ stopped: overrides.stopped ?? NINE }),
    },
  };
}

const rollbackCases: Array<{
  case: string;
  options: EvidenceOptions;
  findings: Finding[];
  primary?: Finding;
  offered: boolean;
  reason?: string;
  to?: string;
}> = [
  {
    case: "offered: every failing task runs :43 and :42 completed its rollout",
    options: rollbackCase(),
    findings: [oomFinding()],
    offered: true,
    reason:
      "all 9 task(s) that failed in the window ran payment-api:43; payment-api:43 was deployed 11 min before the first failure (rollout IN_PROGRESS); payment-api:42 completed its rollout 2 h ago",
    to: TD42,
  },
  {
    case: "offered: the old deployment is still running tasks (no completed rollout known)",
    options: rollbackCase({
      deployment: rollout({ lastSuccessfulTaskDefinition: undefined, history: { serviceDeployments: [] } }),
    }),
    findings: [oomFinding()],
    offered: true,
    reason:
      "all 9 task(s) that failed in the window ran payment-api:43; payment-api:43 was deployed 11 min before the first failure (rollout IN_PROGRESS); payment-api:42 is still running 3 task(s) (ACTIVE deployment)",
    to: TD42,
  },
  {
    case: "offered: the previous task definition completed its rollout (history only)",
    options: rollbackCase({
      deployment: rollout({
        lastSuccessfulTaskDefinition: undefined,
        deployments: [{ ...deploymentEntry(), rolloutState: "IN_PROGRESS", failedTasks: 9, runningCount: 0 }],
      }),
    }),
    findings: [oomFinding()],
    offered: true,
    to: TD42,
  },
  {
    case: "offered: configuration evidence about :43 (image not in ECR) with no task evidence",
    options: rollbackCase({ stopped: [] }),
    findings: [
      finding({
        symptom: "image_not_found",
        title: "Image …/payment-api:v1.43 for app is not in ECR",
        steps: ["image"],
        evidence: [
          {
            step: "image",
            kind: "config",
            id: `${TD43}#app`,
            text: "app: …/payment-api:v1.43 — tag v1.43 is not in repository payment-api",
          },
        ],
      }),
    ],
    offered: true,
    reason:
      "Image …/payment-api:v1.43 for app is not in ECR (payment-api:43); payment-api:43 was deployed 20 min ago (rollout IN_PROGRESS); payment-api:42 completed its rollout 2 h ago",
  },
  { case: "refused: no primary finding", options: rollbackCase(), findings: [], offered: false },
  {
    case: "refused: the primary finding is only a warning",
    options: rollbackCase(),
    findings: [oomFinding(NINE, { severity: "warn" })],
    offered: false,
  },
  {
    case: "refused: a cause no revision introduces (subnet IPs)",
    options: rollbackCase(),
    findings: [finding({ symptom: "subnet_ip_exhaustion", evidence: taskRefs(NINE.slice(0, 5)) })],
    offered: false,
  },
  {
    case: "refused: the failing tasks run the old revision",
    options: rollbackCase({ stopped: OLD_FAILING }),
    findings: [oomFinding(OLD_FAILING)],
    offered: false,
  },
  {
    case: "refused: the primary finding's own evidence includes an old-revision task failing the same way",
    options: rollbackCase({ stopped: [...NINE, OLD_FAILING[0]!] }),
    findings: [oomFinding([OLD_FAILING[0]!, ...NINE.slice(0, 4)])],
    offered: false,
  },
  {
    case: "refused: failures spread over both revisions (5 of 8 on :43)",
    options: rollbackCase({ stopped: [...NINE.slice(0, 5), oomKilled(42), oomKilled(42), oomKilled(42)] }),
    findings: [oomFinding(NINE.slice(0, 5))],
    offered: false,
  },
  {
    case: "refused: no earlier revision is known to have run healthy",
    options: rollbackCase({
      deployment: rollout({
        lastSuccessfulTaskDefinition: undefined,
        history: { serviceDeployments: [] },
        deployments: [{ ...deploymentEntry(), rolloutState: "IN_PROGRESS", failedTasks: 9, runningCount: 0 }],
      }),
    }),
    findings: [oomFinding()],
    offered: false,
  },
  {
    case: "refused: the circuit breaker already rolled back",
    options: rollbackCase({
      deployment: rollout({
        history: {
          serviceDeployments: [
            {
              serviceDeploymentArn: "arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/payment-api/Nw3x",
              status: "ROLLBACK_SUCCESSFUL",
              targetTaskDefinition: TD43,
              sourceServiceRevisionArns: [],
              rollback: { reason: "Circuit breaker triggered", startedAt: ago(10) },
            },
          ],
        },
      }),
    }),
    findings: [oomFinding()],
    offered: false,
  },
  {
    case: "refused: the old revision is PRIMARY again (rolled back, the service runs :42)",
    options: rollbackCase({
      service: { taskDefinition: TD42 },
      deployment: rollout({
        deployments: [
          {
            ...deploymentEntry(),
            id: "ecs-svc/3333333333333333333",
            taskDefinition: TD42,
            rolloutState: "IN_PROGRESS",
          },
          {
            ...deploymentEntry(),
            status: "ACTIVE",
            rolloutState: "FAILED",
            failedTasks: 10,
            rolloutStateReason:
              "ECS deployment circuit breaker: tasks failed to start. Rolling back to deployment ecs-svc/3333333333333333333.",
          },
        ],
      }),
    }),
    findings: [oomFinding()],
    offered: false,
  },
  {
    case: "offered: a COMPLETED rollout of :43 that started 40 min before the first failure",
    options: rollbackCase({ deployment: settled(49) }),
    findings: [oomFinding()],
    offered: true,
    reason:
      "all 9 task(s) that failed in the window ran payment-api:43; payment-api:43 was deployed 40 min before the first failure (rollout COMPLETED); payment-api:42 completed its rollout 7 d ago",
  },
  {
    case: "offered: a rollout still IN_PROGRESS long after it started (no circuit breaker keeps it retrying)",
    options: rollbackCase({
      deployment: rollout({
        deployments: [
          {
            ...deploymentEntry(),
            rolloutState: "IN_PROGRESS",
            failedTasks: 90,
            runningCount: 0,
            createdAt: ago(9 * 60),
          },
          rollout().deployments[1]!,
        ],
      }),
    }),
    findings: [oomFinding()],
    offered: true,
    reason:
      "all 9 task(s) that failed in the window ran payment-api:43; payment-api:43 was deployed 9 h before the first failure (rollout IN_PROGRESS); payment-api:42 completed its rollout 2 h ago",
  },
  {
    case: "refused: :43 has run for 3 days (COMPLETED) and its tasks are now OOM-killed",
    options: rollbackCase({ deployment: settled(3 * 1440) }),
    findings: [oomFinding()],
    offered: false,
  },
  {
    case: "refused: :43 COMPLETED 3 days ago, no history, a stale last-successful :42",
    options: rollbackCase({ deployment: settled(3 * 1440, { history: { serviceDeployments: [] } }) }),
    findings: [oomFinding()],
    offered: false,
  },
  {
    case: "refused: the COMPLETED :43 deployment started 3 h before the first failure (limit 2 × 60 min; no history)",
    options: rollbackCase({ deployment: settled(3 * 60 + 9, { history: { serviceDeployments: [] } }) }),
    findings: [oomFinding()],
    offered: false,
  },
  {
    case: "refused: a forced redeploy of :43 (IN_PROGRESS) after :43 had completed a rollout 3 days ago",
    options: rollbackCase({
      deployment: rollout({
        lastSuccessfulTaskDefinition: TD43,
        deployments: [
          {
            ...deploymentEntry(),
            id: "ecs-svc/2222222222222222222",
            rolloutState: "IN_PROGRESS",
            failedTasks: 9,
            runningCount: 0,
          },
          {
            ...deploymentEntry(),
            status: "ACTIVE",
            rolloutState: "COMPLETED",
            createdAt: ago(3 * 1440 + 10),
            updatedAt: ago(3 * 1440),
          },
        ],
        history: {
          serviceDeployments: [
            {
              serviceDeploymentArn: "arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/payment-api/Fr3d",
              status: "IN_PROGRESS",
              targetTaskDefinition: TD43,
              sourceServiceRevisionArns: [],
              createdAt: ago(20),
            },
            {
              serviceDeploymentArn: "arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/payment-api/Ok43",
              status: "SUCCESSFUL",
              targetTaskDefinition: TD43,
              sourceServiceRevisionArns: [],
              createdAt: ago(3 * 1440 + 10),
              finishedAt: ago(3 * 1440),
            },
            {
              serviceDeploymentArn: "arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/payment-api/Ab1c",
              status: "SUCCESSFUL",
              targetTaskDefinition: TD42,
              sourceServiceRevisionArns: [],
              createdAt: ago(10 * 1440),
              finishedAt: ago(10 * 1440),
            },
          ],
        },
      }),
    }),
    findings: [oomFinding()],
    offered: false,
  },
  {
    case: "refused: no deployment evidence",
    options: rollbackCase({ deployment: null }),
    findings: [oomFinding()],
    offered: false,
  },
];

describe("proposeActions: rollback", () => {
  it.each(rollbackCases)("$case", ({ options, findings, offered, reason, to }) => {
    const ev = evidence({ ...options, taskDefinitions: [taskDefinition(43), taskDefinition(42)] });
    const proposals = proposeActions({ evidence: ev, findings, primary: findings[0], thresholds: THRESHOLDS }).filter(
      (p) => p.kind === "rollback",
    );
    expect(proposals.length).toBe(offered ? 1 : 0);
    if (!offered) return;
    const [p] = proposals;
    expect(p!.title).toBe(`Roll back payment-api to ${(to ?? TD42).split("/").pop()}`);
    expect(p!.expect).toEqual({ taskDefinition: TD43, desiredCount: 3 });
    expect(p!.change).toEqual({ taskDefinition: to ?? TD42 });
    expect(p).toMatchObject({ cluster: "prod", service: "payment-api" });
    if (reason) expect(p!.reason).toBe(reason);
  });
});

describe("proposeActions: rollback, how new the current revision must be", () => {
  const offered = (startedMinutesAgo: number, recentChangeMinutes: number) => {
    const ev = evidence({
      ...rollbackCase({ deployment: settled(startedMinutesAgo, { history: { serviceDeployments: [] } }) }),
      taskDefinitions: [taskDefinition(43), taskDefinition(42)],
    });
    const findings = [oomFinding()];
    return proposeActions({
      evidence: ev,
      findings,
      primary: findings[0],
      thresholds: { ...THRESHOLDS, recentChangeMinutes },
    }).some((p) => p.kind === "rollback");
  };

  it("within 2 × recentChangeMinutes before the first failure", () => {
    // The first :43 failure is 9 min ago.
    expect(offered(9 + 100, 60)).toBe(true);
    expect(offered(9 + 130, 60)).toBe(false);
  });

  it("never more than 6 h, however long recentChangeMinutes is", () => {
    expect(offered(9 + 5 * 60, 240)).toBe(true);
    expect(offered(9 + 7 * 60, 240)).toBe(false);
  });

  it("a deployment that started after the first failure is not the cause by time", () => {
    expect(offered(5, 60)).toBe(false);
  });
});

// ── emergency scale ──────────────────────────────────────────────────────────────────────────────

const healthy = (n: number, health = "HEALTHY") =>
  Array.from({ length: n }, () => runningTask({ healthStatus: health }));
const hot = saturationData([
  metricSeries(
    "cpu_avg",
    Array.from({ length: 15 }, (_, i) => (i < 10 ? 45 : 92)),
  ),
]);

function scaleCase(
  overrides: {
    desired?: number;
    running?: number;
    subnets?: StepData["subnets"] | null;
    saturation?: StepData["saturation"];
    tasks?: ReturnType<typeof task>[];
    bridge?: boolean;
    deployment?: StepData["deployment"];
  } = {},
): EvidenceOptions {
  const desired = overrides.desired ?? 6;
  const running = overrides.running ?? desired;
  // What the subnets collector records: a rolling deployment at maximumPercent 200 may add desired × 2 − running ENIs.
  const surgeNeed = Math.max(0, desired * 2 - running);
  return {
    service: {
      desiredCount: desired,
      runningCount: running,
      ...(overrides.bridge ? { network: undefined, launchType: "EC2" } : {}),
    },
    taskDefinitions: [
      taskDefinition(
        43,
        overrides.bridge
          ? {
              networkMode: "bridge",
              requiresCompatibilities: ["EC2"],
              containers: [container({ portMappings: [{ containerPort: 8080, hostPort: 0, protocol: "tcp" }] })],
            }
          : {},
      ),
    ],
    steps: {
      "stopped-tasks": stoppedTasksData({ running: overrides.tasks ?? healthy(running) }),
      saturation: overrides.saturation ?? hot,
      ...(overrides.subnets === null
        ? {}
        : {
            subnets:
              overrides.subnets ?? subnetsData([200, 259], { desiredCount: desired, runningCount: running, surgeNeed }),
          }),
      ...(overrides.deployment ? { deployment: overrides.deployment } : {}),
    },
  };
}

/** A subnets step with these free IPs, for 6 desired and running tasks (surge 6). */
const subnets6 = (free: number[]) => subnetsData(free, { desiredCount: 6, runningCount: 6, surgeNeed: 6 });

/** A single settled deployment of :43 (6 of 6 running). */
const steady = deploymentData({
  deployments: [
    { ...deploymentEntry(), desiredCount: 6, runningCount: 6, createdAt: ago(7 * 1440), updatedAt: ago(30) },
  ],
  history: {
    serviceDeployments: [
      {
        serviceDeploymentArn: "arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/payment-api/Ok43",
        status: "SUCCESSFUL",
        targetTaskDefinition: TD43,
        sourceServiceRevisionArns: [],
        createdAt: ago(7 * 1440),
        finishedAt: ago(7 * 1440 - 8),
      },
    ],
  },
  lastSuccessfulTaskDefinition: TD43,
});

/** :43 rolling out over :42 (3 of 6 new tasks running). */
const rollingOut = deploymentData({
  deployments: [
    {
      ...deploymentEntry(),
      desiredCount: 6,
      runningCount: 3,
      rolloutState: "IN_PROGRESS",
      createdAt: ago(10),
      updatedAt: ago(1),
    },
    {
      ...deploymentEntry(),
      id: "ecs-svc/0000000000000000042",
      status: "ACTIVE",
      taskDefinition: TD42,
      desiredCount: 6,
      runningCount: 6,
      createdAt: ago(7 * 1440),
    },
  ],
});

const scaleCases: Array<{ case: string; options: EvidenceOptions; findings?: Finding[]; to?: number }> = [
  { case: "offered: CPU 92% on 6 healthy tasks, plenty of IPs → 9", options: scaleCase(), to: 9 },
  {
    case: "offered: requests per target rising, CPU fine",
    options: scaleCase({
      saturation: saturationData([
        metricSeries("cpu_avg", Array(15).fill(50)),
        metricSeries("tg0_rpt", [...Array(5).fill(1000), ...Array(5).fill(1500), ...Array(5).fill(2100)]),
      ]),
    }),
    to: 9,
  },
  { case: "offered, capped by scaleMaxAdd: 60 → 80", options: scaleCase({ desired: 60 }), to: 80 },
  {
    case: "offered, capped by free IPs less the deployment surge: 8 free − 6 surge → 6 → 8",
    options: scaleCase({ subnets: subnets6([4, 4]) }),
    to: 8,
  },
  { case: "offered: a single settled deployment", options: scaleCase({ deployment: steady }), to: 9 },
  {
    case: "offered: warning-level configuration and change findings do not block",
    options: scaleCase(),
    findings: [
      finding({ symptom: "mutable_image_tag", severity: "warn" }),
      finding({ symptom: "recent_change", severity: "warn" }),
    ],
    to: 9,
  },
  { case: "offered: not awsvpc, no subnets to count", options: scaleCase({ bridge: true, subnets: null }), to: 9 },
  {
    case: "offered: one unhealthy task of six",
    options: scaleCase({ tasks: [...healthy(5), ...healthy(1, "UNHEALTHY")] }),
    to: 9,
  },
  { case: "refused: a crash loop", options: scaleCase(), findings: [finding({ symptom: "app_crash" })] },
  { case: "refused: an OOM loop", options: scaleCase(), findings: [finding({ symptom: "oom_killed" })] },
  {
    case: "refused: image pull failures",
    options: scaleCase(),
    findings: [finding({ symptom: "image_pull_failure" })],
  },
  {
    case: "refused: a start-up secret failure",
    options: scaleCase(),
    findings: [finding({ symptom: "secret_access_denied" })],
  },
  {
    case: "refused: not saturated",
    options: scaleCase({ saturation: saturationData([metricSeries("cpu_avg", Array(15).fill(40))]) }),
  },
  { case: "refused: no metrics", options: scaleCase({ saturation: saturationData([metricSeries("cpu_avg", [])]) }) },
  { case: "refused: no free IP in the subnets", options: scaleCase({ subnets: subnetsData([0, 0]) }) },
  {
    case: "refused: the free IPs only cover a deployment's surge (6 free, surge 6)",
    options: scaleCase({ subnets: subnets6([3, 3]) }),
  },
  {
    case: "refused: a deployment is IN_PROGRESS (new tasks would run the new revision)",
    options: scaleCase({ deployment: rollingOut }),
  },
  {
    case: "refused: a deployment is in the history as IN_PROGRESS",
    options: scaleCase({
      deployment: {
        ...steady,
        history: {
          serviceDeployments: [
            {
              serviceDeploymentArn: "arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/payment-api/Nw44",
              status: "IN_PROGRESS",
              targetTaskDefinition: TD43,
              sourceServiceRevisionArns: [],
              createdAt: ago(2),
            },
          ],
        },
      },
    }),
  },
  {
    case: "refused: targets fail ELB health checks",
    options: scaleCase(),
    findings: [finding({ symptom: "elb_health_check_failed" })],
  },
  {
    case: "refused: containers fail their health check",
    options: scaleCase(),
    findings: [finding({ symptom: "container_health_check_failed" })],
  },
  {
    case: "refused: a critical configuration finding (port mismatch)",
    options: scaleCase(),
    findings: [finding({ symptom: "port_mismatch", steps: ["network-ports"] })],
  },
  {
    case: "refused: a critical configuration finding (security group)",
    options: scaleCase(),
    findings: [finding({ symptom: "security_group_blocks_traffic", steps: ["network-ports"] })],
  },
  { case: "refused: awsvpc but the subnets were not read", options: scaleCase({ subnets: null }) },
  {
    case: "refused: most running tasks are unhealthy",
    options: scaleCase({ tasks: [...healthy(2), ...healthy(4, "UNHEALTHY")] }),
  },
  { case: "refused: no task is running", options: scaleCase({ running: 0, tasks: [] }) },
];

describe("proposeActions: emergency scale", () => {
  it.each(scaleCases)("$case", ({ options, findings = [], to }) => {
    const ev = evidence(options);
    const proposals = proposeActions({ evidence: ev, findings, primary: findings[0], thresholds: THRESHOLDS }).filter(
      (p) => p.kind === "scale",
    );
    expect(proposals.length).toBe(to === undefined ? 0 : 1);
    if (to === undefined) return;
    const [p] = proposals;
    expect(p!.expect).toEqual({ taskDefinition: TD43, desiredCount: ev.service.desiredCount });
    expect(p!.change).toEqual({ desiredCount: to });
    expect(p!.title).toBe(`Scale payment-api from ${ev.service.desiredCount} to ${to} tasks`);
    expect(p!.reason).toMatch(/CPU|requests/);
  });

  it("a warning-level crash finding does not block an emergency scale", () => {
    const proposals = proposeActions({
      evidence: evidence(scaleCase()),
      findings: [finding({ symptom: "app_crash", severity: "warn" })],
      thresholds: THRESHOLDS,
    });
    expect(proposals.map((p) => p.kind)).toEqual(["scale"]);
  });

  it("says the PRIMARY deployment's counts, never more running than desired", () => {
    // The service's runningCount (7) still counts a task being drained; the PRIMARY deployment runs 6 of 6.
    const ev = evidence({ ...scaleCase({ deployment: steady }), service: { desiredCount: 6, runningCount: 7 } });
    const [p] = proposeActions({ evidence: ev, findings: [], thresholds: THRESHOLDS });
    expect(p!.reason).toContain("6/6 tasks running");
    expect(p!.reason).not.toContain("7/6");
  });

  it("without deployment evidence, more running than desired reads 'running 7 (desired 6)'", () => {
    const ev = evidence({ ...scaleCase(), service: { desiredCount: 6, runningCount: 7 } });
    const [p] = proposeActions({ evidence: ev, findings: [], thresholds: THRESHOLDS });
    expect(p!.reason).toContain("running 7 (desired 6)");
    expect(p!.reason).not.toMatch(/\b7\/6\b/);
  });

  it("says how many free IPs it keeps for a deployment's surge", () => {
    const [p] = proposeActions({ evidence: evidence(scaleCase()), findings: [], thresholds: THRESHOLDS });
    expect(p!.reason).toContain("459 free IP(s) in the subnets, 6 kept for a deployment's surge");
  });

  it("is never offered next to a rollback: the new tasks would run the revision being rolled back", () => {
    // :43 went out 40 min before its tasks' AWS calls started failing (task role denied); the tasks are saturated too.
    const denied = Array.from({ length: 3 }, () => task({ stoppedReason: "Essential container in task exited" }));
    const ev = evidence({
      ...scaleCase({ deployment: settled(49) }),
      steps: {
        ...scaleCase({ deployment: settled(49) }).steps,
        "stopped-tasks": stoppedTasksData({ stopped: denied, running: healthy(6) }),
      },
    });
    const findings = [finding({ symptom: "iam_task_role_denied", evidence: taskRefs(denied) })];
    const proposals = proposeActions({ evidence: ev, findings, primary: findings[0], thresholds: THRESHOLDS });
    expect(proposals.map((p) => p.kind)).toEqual(["rollback"]);
    expect(scaleProposal({ evidence: ev, findings, primary: findings[0], thresholds: THRESHOLDS })).toBeUndefined();
  });
});
