import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeServicesCommand, ListClustersCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createDeps, type Deps, type Logger } from "../../src/app/deps";
import { diagnose, type DiagnoseProgress } from "../../src/app/diagnose";
import { createClients } from "../../src/aws/clients";
import { fixedClock } from "../../src/clock";
import { loadPlaybooks } from "../../src/diagnose/load-playbooks";
import { ErrorCode } from "../../src/errors";
import { CATALOGUE } from "../../src/steps/catalogue";
import { ACCOUNT, NOW, REGION, sdkService, sdkStoppedTask } from "../fixtures/aws";
import { accessDenied } from "../fixtures/errors";
import { instantLimiter } from "../helpers/context";
import { answerEverything, mockAllClients } from "../helpers/estate";

const mocks = mockAllClients();
const playbooks = loadPlaybooks();

function recordingLogger(): Logger & { lines: { level: string; message: string; detail?: unknown }[] } {
  const lines: { level: string; message: string; detail?: unknown }[] = [];
  const at = (level: string) => (message: string, detail?: Record<string, unknown>) =>
    void lines.push({ level, message, detail });
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

function deps(overrides: Partial<Deps> = {}): Deps {
  return {
    ...createDeps({
      env: {},
      clock: fixedClock(NOW),
      playbooks: () => playbooks,
      aws: () => createClients({ region: REGION, maxAttempts: 1 }),
      cloudTrailLimiter: instantLimiter(),
    }),
    ...overrides,
  };
}

beforeEach(() => {
  for (const m of Object.values(mocks)) m.reset();
  answerEverything(mocks, [
    sdkStoppedTask(5, { exitCode: 137, containerReason: "OutOfMemoryError: Container killed due to memory usage" }),
  ]);
  mocks.ecs.on(DescribeServicesCommand).resolves({ services: [sdkService()], failures: [] });
  mocks.ecs.on(ListTasksCommand).resolves({ taskArns: [] });
});

describe("app.diagnose", () => {
  it("resolves, collects every catalogue step with progress through one hook, and diagnoses", async () => {
    const events: DiagnoseProgress[] = [];
    const result = await diagnose(deps(), {
      service: "payment-api",
      cluster: "prod",
      onProgress: (e) => events.push(e),
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.evidence.target.service).toBe("payment-api");
    expect(result.diagnosis.steps.map((s) => s.step)).toEqual(CATALOGUE.map((e) => e.id));
    expect(events[0]).toEqual({ type: "resolving", service: "payment-api", cluster: "prod" });
    expect(events[1]?.type).toBe("start");
    expect(events.filter((e) => e.type === "step")).toHaveLength(CATALOGUE.length);
  });

  it("survives a progress hook that throws", async () => {
    const result = await diagnose(deps(), {
      service: "payment-api",
      cluster: "prod",
      onProgress: () => {
        throw new Error("terminal went away");
      },
    });
    expect(result.ok).toBe(true);
  });

  it("replays a snapshot without opening any AWS client", async () => {
    const aws = vi.fn(() => {
      throw new Error("a replay must not create AWS clients");
    });
    const result = await diagnose(deps({ aws }), { service: "", replay: { file: "examples/oom-after-deploy.json" } });
    expect(result.ok && result.diagnosis.primary?.finding).toBe("oom_killed");
    expect(aws).not.toHaveBeenCalled();
  });

  it("refuses to replay one service's snapshot as another's", async () => {
    const result = await diagnose(deps(), { service: "checkout", replay: { file: "examples/healthy.json" } });
    expect(result).toMatchObject({ ok: false, failure: { code: ErrorCode.Usage } });
    expect(!result.ok && result.failure.detail).toContain("holds evidence for payment-api, not checkout");
  });

  describe("with playbooks that do not load", () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), "ecs-medic-app-"));
      mkdirSync(join(dir, "symptoms"));
      writeFileSync(join(dir, "symptoms", "broken.yaml"), "rules: [ {id: x");
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("reports the playbook error without waiting on the network (reads only; nothing is changed)", async () => {
      // The first read never answers: the playbooks are parsed while it is in flight, and their error returns at once.
      mocks.ecs.on(DescribeServicesCommand).callsFake(() => new Promise(() => undefined));
      const d = deps({ playbooks: () => loadPlaybooks({ overrides: [dir] }) });
      const result = await diagnose(d, { service: "payment-api", cluster: "prod" });
      expect(result).toMatchObject({ ok: false, failure: { code: ErrorCode.PlaybookInvalid } });
      expect(!result.ok && result.failure.detail).toContain("broken.yaml");
    });
  });

  it.each([
    {
      case: "AccessDenied on the first read",
      arrange: () => mocks.ecs.on(DescribeServicesCommand).rejects(accessDenied("ecs:DescribeServices")),
      code: ErrorCode.AwsCallFailed,
      says: "ecs:DescribeServices",
    },
    {
      case: "an unknown service",
      arrange: () =>
        mocks.ecs.on(DescribeServicesCommand).resolves({
          services: [],
          failures: [{ arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/nope`, reason: "MISSING" }],
        }),
      code: ErrorCode.TargetNotFound,
      says: "nope",
    },
  ])("returns $case as a failure in words, never a throw", async ({ arrange, code, says }) => {
    arrange();
    const result = await diagnose(deps(), { service: "nope", cluster: "prod" });
    expect(result).toMatchObject({ ok: false, failure: { code } });
    expect(!result.ok && JSON.stringify(result.failure)).toContain(says);
  });

  it("lists the candidates of an ambiguous name", async () => {
    const arn = (c: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${c}`;
    mocks.ecs.on(ListClustersCommand).resolves({ clusterArns: [arn("prod"), arn("staging")] });
    mocks.ecs.on(DescribeServicesCommand).callsFake((input: { cluster: string }) => ({
      services: [
        sdkService({
          clusterArn: input.cluster,
          serviceArn: `${input.cluster.replace(":cluster/", ":service/")}/payment-api`,
        }),
      ],
    }));
    const result = await diagnose(deps(), { service: "payment-api" });
    expect(result).toMatchObject({ ok: false, failure: { code: ErrorCode.TargetAmbiguous, subject: "payment-api" } });
    expect(!result.ok && result.failure.candidates?.map((c) => c.cluster)).toEqual(["prod", "staging"]);
  });

  it("gives up at the time budget, naming the steps still running", async () => {
    mocks.ecs.on(ListTasksCommand).callsFake(() => new Promise(() => undefined));
    const result = await diagnose(deps(), { service: "payment-api", cluster: "prod", budgetMs: 200 });
    expect(result).toMatchObject({ ok: false, failure: { code: ErrorCode.DeadlineExceeded } });
    expect(!result.ok && result.failure.detail).toMatch(/Still waiting on: .*Stopped tasks/);
  });

  it("words a bug generically, with a correlation id that is also in the log, and never its raw message", async () => {
    const logger = recordingLogger();
    const aws = () => {
      throw new TypeError("Cannot read properties of undefined (reading 'secretThing')");
    };
    const result = await diagnose(deps({ aws, logger }), { service: "payment-api", cluster: "prod" });
    expect(result).toMatchObject({ ok: false, failure: { code: ErrorCode.Internal } });
    if (result.ok) return;
    expect(JSON.stringify(result.failure)).not.toContain("secretThing");
    expect(result.failure.correlationId).toMatch(/^[0-9a-f]{8}$/);
    expect(result.failure.detail).toContain(result.failure.correlationId);
    const logged = logger.lines.find((l) => l.level === "error");
    expect(logged?.detail).toMatchObject({ correlationId: result.failure.correlationId });
  });
});
