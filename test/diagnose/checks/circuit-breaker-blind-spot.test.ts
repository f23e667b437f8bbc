import { describe, expect, it } from "vitest";
import { circuitBreakerBlindSpotCheck } from "../../../src/diagnose/checks/circuit-breaker-blind-spot";
import type { Finding } from "../../../src/diagnose/types";
import {
  ago,
  context,
  deploymentData,
  deploymentEntry,
  evidence,
  finding,
  IMAGE,
  ids,
  stoppedTasksData,
  task,
  TASK_DEF_ARN,
  taskRefs,
  type EvidenceOptions,
} from "./fixture";

const oomKilled = (revision = 43) =>
  task({
    taskDefinitionArn: TASK_DEF_ARN(revision),
    startedAt: ago(8),
    stoppedAt: ago(7),
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
const pullFailed = () =>
  task({
    stopCode: "TaskFailedToStart",
    startedAt: undefined,
    stoppedReason:
      "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/payment-api:v1.43: not found",
    containers: [{ name: "app", lastStatus: "STOPPED" }],
  });

const rollingOut = (overrides: Partial<ReturnType<typeof deploymentEntry>> = {}) => [
  { ...deploymentEntry(), rolloutState: "IN_PROGRESS", runningCount: 0, ...overrides },
  {
    ...deploymentEntry(),
    id: "ecs-svc/0000000000000000042",
    status: "ACTIVE",
    taskDefinition: TASK_DEF_ARN(42),
    createdAt: ago(7 * 1440),
  },
];

function scenario(opts: {
  breaker: boolean | null;
  tasks: ReturnType<typeof task>[];
  failedTasks: number;
  symptom: Finding["symptom"];
  rolloutState?: string;
  controller?: string;
}): {
  options: EvidenceOptions;
  findings: Finding[];
} {
  return {
    options: {
      steps: {
        deployment: deploymentData({
          deploymentController: opts.controller ?? "ECS",
          circuitBreaker: opts.breaker === null ? null : { enable: opts.breaker, rollback: opts.breaker },
          deployments: rollingOut({ failedTasks: opts.failedTasks, rolloutState: opts.rolloutState ?? "IN_PROGRESS" }),
        }),
        "stopped-tasks": stoppedTasksData({ stopped: opts.tasks }),
      },
    },
    findings: [finding({ symptom: opts.symptom, evidence: taskRefs(opts.tasks) })],
  };
}

const cases: Array<{
  case: string;
  options: EvidenceOptions;
  findings: Finding[];
  expected: string[];
  vars?: Record<string, string>;
}> = [
  {
    case: "a failing rollout with no breaker (failedTasks counted)",
    ...scenario({ breaker: false, tasks: [pullFailed(), pullFailed()], failedTasks: 2, symptom: "image_pull_failure" }),
    expected: ["circuit-breaker-blind-spot.disabled"],
    vars: { failingTasks: "2", deploymentTaskDefinition: "payment-api:43" },
  },
  {
    case: "no deploymentCircuitBreaker at all, tasks OOM-killed",
    ...scenario({
      breaker: null,
      tasks: [oomKilled(), oomKilled(), oomKilled()],
      failedTasks: 0,
      symptom: "oom_killed",
    }),
    expected: ["circuit-breaker-blind-spot.disabled"],
    vars: { failingTasks: "3" },
  },
  {
    case: "breaker on, but started-then-OOM-killed tasks leave failedTasks at 0",
    ...scenario({ breaker: true, tasks: [oomKilled(), oomKilled()], failedTasks: 0, symptom: "oom_killed" }),
    expected: ["circuit-breaker-blind-spot.uncounted-exits"],
    vars: { exitedTasks: "2", failedTasks: "0", rolloutState: "IN_PROGRESS" },
  },
  {
    case: "breaker on, exits uncounted, but the rollout COMPLETED: the breaker no longer watches it",
    ...scenario({
      breaker: true,
      tasks: [oomKilled(), oomKilled()],
      failedTasks: 0,
      symptom: "oom_killed",
      rolloutState: "COMPLETED",
    }),
    expected: [],
  },
  {
    case: "breaker on, exits uncounted, the rollout already FAILED",
    ...scenario({
      breaker: true,
      tasks: [oomKilled(), oomKilled()],
      failedTasks: 0,
      symptom: "oom_killed",
      rolloutState: "FAILED",
    }),
    expected: [],
  },
  {
    case: "breaker on and counting (failedTasks 3)",
    ...scenario({
      breaker: true,
      tasks: [oomKilled(), oomKilled(), oomKilled()],
      failedTasks: 3,
      symptom: "oom_killed",
    }),
    expected: [],
  },
  {
    case: "breaker on, tasks never started (pull failure): the breaker sees those",
    ...scenario({ breaker: true, tasks: [pullFailed()], failedTasks: 0, symptom: "image_pull_failure" }),
    expected: [],
  },
  {
    case: "breaker on, the exits are tasks of the old revision",
    ...scenario({ breaker: true, tasks: [oomKilled(42)], failedTasks: 0, symptom: "oom_killed" }),
    expected: [],
  },
  {
    case: "no breaker, but the rollout completed",
    ...scenario({
      breaker: false,
      tasks: [oomKilled()],
      failedTasks: 1,
      symptom: "oom_killed",
      rolloutState: "COMPLETED",
    }),
    expected: [],
  },
  {
    case: "not applicable: CodeDeploy controller",
    ...scenario({
      breaker: false,
      tasks: [oomKilled()],
      failedTasks: 1,
      symptom: "oom_killed",
      controller: "CODE_DEPLOY",
    }),
    expected: [],
  },
  { case: "not applicable: no deployment step", options: {}, findings: [], expected: [] },
];

describe("circuit-breaker-blind-spot check", () => {
  it.each(cases)("$case", ({ options, findings, expected, vars }) => {
    const hits = circuitBreakerBlindSpotCheck.run(context(evidence(options), { messageFindings: findings }));
    expect(ids(hits)).toEqual(expected);
    if (vars) expect(hits[0]!.vars).toMatchObject(vars);
  });
});
