/**
 * The diagnosis figures of `npm run bench`: a mocked estate of `tasks` tasks (a tenth stopped) and 3 target groups,
 * every AWS call delayed by a fixed latency and recorded (aws-sdk-client-mock over the real SDK clients, shapes from
 * test/fixtures/aws.ts and test/helpers/estate.ts); the critical path of the recorded calls; the calls by API.
 */
import { LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { DescribeServicesCommand, ListTasksCommand, type ListTasksCommandInput, type Task } from "@aws-sdk/client-ecs";
import { DescribeTargetGroupsCommand, DescribeTargetHealthCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { createDeps } from "../../src/app/deps";
import { diagnose } from "../../src/app/diagnose";
import { createClients, type AwsClients } from "../../src/aws/clients";
import { fixedClock } from "../../src/clock";
import { createRateLimiter } from "../../src/collect/rate-limiter";
import {
  LOAD_BALANCER_ARN,
  NOW,
  REGION,
  sdkService,
  sdkStoppedTask,
  sdkTargetGroup,
  sdkTask,
  TASK_ARN,
} from "../../test/fixtures/aws";
import { answerEverything, mockAllClients, type ClientMocks } from "../../test/helpers/estate";

export const CLOUDTRAIL_INTERVAL_MS = 500;
export const CLOUDTRAIL_BURST = 2;

export interface Call {
  readonly api: string;
  readonly start: number;
  end: number;
  readonly input: unknown;
}

const TG_ARNS = [0, 1, 2].map(
  (i) => `arn:aws:elasticloadbalancing:${REGION}:123456789012:targetgroup/payment-api-tg-${i}/0123456789abcde${i}`,
);

function estate(mocks: ClientMocks, taskCount: number, calls: Call[]): Call[] {
  const stopped = Math.max(1, Math.round(taskCount / 10));
  const tasks: Task[] = [];
  for (let i = 0; i < taskCount; i++) {
    const id = `t${String(i).padStart(6, "0")}`;
    tasks.push(
      i < stopped
        ? sdkStoppedTask(
            1 + (i % 50),
            { exitCode: 137, containerReason: "OutOfMemoryError: Container killed" },
            {
              taskArn: TASK_ARN(id),
            },
          )
        : sdkTask({ taskArn: TASK_ARN(id) }),
    );
  }
  answerEverything(mocks, tasks);
  mocks.ecs.on(DescribeServicesCommand).resolves({
    services: [
      sdkService({
        desiredCount: taskCount - stopped,
        runningCount: taskCount - stopped,
        loadBalancers: TG_ARNS.map((targetGroupArn) => ({ targetGroupArn, containerName: "app", containerPort: 8080 })),
      }),
    ],
    failures: [],
  });
  mocks.ecs.on(ListTasksCommand).callsFake((input: ListTasksCommandInput) => {
    const pool = tasks.filter((t) =>
      input.desiredStatus === "STOPPED" ? t.lastStatus === "STOPPED" : t.lastStatus !== "STOPPED",
    );
    const from = input.nextToken ? Number(input.nextToken) : 0;
    const page = pool.slice(from, from + 100);
    const next = from + 100 < pool.length ? String(from + 100) : undefined;
    return { taskArns: page.map((t) => t.taskArn!), ...(next ? { nextToken: next } : {}) };
  });
  mocks.elbv2.on(DescribeTargetGroupsCommand).callsFake((input: { TargetGroupArns?: string[] }) => ({
    TargetGroups: (input.TargetGroupArns ?? TG_ARNS).map((arn, i) =>
      sdkTargetGroup({
        TargetGroupArn: arn,
        TargetGroupName: `payment-api-tg-${i}`,
        LoadBalancerArns: [LOAD_BALANCER_ARN],
      }),
    ),
  }));
  mocks.elbv2.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });
  mocks.cloudtrail.on(LookupEventsCommand).resolves({ Events: [] });

  return calls;
}

/** The clients, each `send` recorded and answered after the latency (one call at a time when sequential). */
function recording(clients: AwsClients, calls: Call[], latencyMs: number, sequential: boolean): AwsClients {
  let queue: Promise<unknown> = Promise.resolve();
  const patched = new Set<object>();
  const wrap = <T extends object>(client: T): T => {
    if (patched.has(client)) return client;
    patched.add(client);
    const target = client as unknown as { send: (command: { input: unknown }) => Promise<unknown> };
    const send = target.send.bind(client);
    target.send = (command) => {
      const run = async () => {
        const call: Call = {
          api: command.constructor.name.replace(/Command$/, ""),
          start: performance.now(),
          end: 0,
          input: command.input,
        };
        calls.push(call);
        await new Promise((r) => setTimeout(r, latencyMs));
        call.end = performance.now();
        return send(command);
      };
      if (!sequential) return run();
      const next = queue.then(run, run);
      queue = next.catch(() => undefined);
      return next;
    };
    return client;
  };
  return new Proxy(clients, {
    get: (t, key) => {
      const value: unknown = Reflect.get(t, key);
      return typeof key === "string" && value && typeof value === "object" && "send" in value ? wrap(value) : value;
    },
  });
}

/**
 * One diagnosis; `sequential` queues every call behind the previous one (a hand-run runbook). With `defer` the report
 * goes out without waiting for CloudTrail (app.diagnose's deferChanges, grace 0): `ms` is when the report is ready,
 * `completeMs` when the recent changes are in too (without `defer` both are the same).
 */
export async function runDiagnosis(taskCount: number, latencyMs: number, sequential = false, defer = false) {
  const mocks = mockAllClients();
  for (const m of Object.values(mocks)) m.reset();
  // answerEverything's fakes are replaced by the recording wrapper; the real send is never reached.
  const calls = estate(mocks, taskCount, []);
  const deps = createDeps({
    clock: fixedClock(NOW),
    aws: () => recording(createClients({ region: REGION, maxAttempts: 1 }), calls, latencyMs, sequential),
    cloudTrailLimiter: createRateLimiter({ intervalMs: CLOUDTRAIL_INTERVAL_MS, burst: CLOUDTRAIL_BURST }),
  });
  deps.playbooks(); // parsed once, as in a warm process; the first run below warms the JIT too
  const t0 = performance.now();
  const result = await diagnose(deps, {
    service: "payment-api",
    cluster: "prod",
    since: "1h",
    ...(defer ? { deferChanges: { graceMs: 0 } } : {}),
  });
  const ms = performance.now() - t0;
  if (!result.ok) throw new Error(`bench diagnosis failed: ${result.failure.title}`);
  if (result.later) await result.later;
  const completeMs = performance.now() - t0;
  for (const m of Object.values(mocks)) m.restore();
  return { ms, completeMs, calls: calls.map((c) => ({ ...c, start: c.start - t0, end: c.end - t0 })) };
}

/**
 * The critical path of the recorded calls: a call can start only when the calls it depends on have answered
 * (each call of an API listed as a prerequisite that ended before it started; paged calls on their previous page),
 * each call takes the latency, and LookupEvents calls also wait for CloudTrail's quota (burst 2, then 2/s).
 */
export function lowerBound(calls: readonly Call[], latencyMs: number): number {
  const needs: Record<string, readonly string[]> = {
    DescribeServices: [],
    ListTasks: ["DescribeServices", "ListTasks"],
    DescribeTasks: ["ListTasks"],
    DescribeTaskDefinition: ["DescribeServices"],
    GetLogEvents: ["DescribeTasks", "DescribeTaskDefinition"],
    FilterLogEvents: ["DescribeTasks", "DescribeTaskDefinition"],
    DescribeTargetHealth: ["DescribeTargetGroups"],
    DescribeLoadBalancers: ["DescribeTargetGroups"],
    DescribeSecurityGroups: ["DescribeLoadBalancers", "DescribeServices"],
    DescribeImages: ["DescribeTaskDefinition", "DescribeTasks"],
    DescribeRepositories: ["DescribeTaskDefinition"],
    DescribeServiceDeployments: ["ListServiceDeployments"],
    LookupEvents: ["DescribeServices"],
    // Step 10's network path: the subnets' route tables (then the VPC's main table) and the VPC's endpoints.
    DescribeRouteTables: ["DescribeServices", "DescribeRouteTables"],
    DescribeVpcEndpoints: ["DescribeRouteTables"],
  };
  const sorted = [...calls].sort((a, b) => a.start - b.start);
  const finish = new Map<Call, number>();
  let cloudTrail = 0;
  for (const call of sorted) {
    let start = 0;
    for (const api of ["DescribeServices", ...(needs[call.api] ?? [])]) {
      if (api === call.api && api === "DescribeServices") continue;
      for (const before of sorted) {
        if (before === call || before.api !== api || before.end > call.start + 0.5) continue;
        start = Math.max(start, finish.get(before) ?? 0);
      }
    }
    if (call.api === "LookupEvents") {
      start = Math.max(start, Math.max(0, cloudTrail - (CLOUDTRAIL_BURST - 1)) * CLOUDTRAIL_INTERVAL_MS);
      cloudTrail += 1;
    }
    finish.set(call, start + latencyMs);
  }
  return Math.max(0, ...finish.values());
}

export function breakdown(calls: readonly Call[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls) out[c.api] = (out[c.api] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
