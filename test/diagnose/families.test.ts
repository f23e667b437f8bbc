/**
 * Issue 9's message families (test/fixtures/corpus/issue9-families.jsonl, real wordings with their sources): each
 * family classified right line by line, the host:port, script or variable a line names carried into its finding,
 * and stops made on purpose (scale-in, a person, Fargate maintenance) never a failure whatever the exit code.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { classifyMessage, toMessage } from "../../src/diagnose/classify";
import { diagnose } from "../../src/diagnose/diagnose";
import { loadPlaybooks } from "../../src/diagnose/load-playbooks";
import type { Evidence, Task } from "../../src/evidence/schema";
import { parseEvidence } from "../../src/evidence/snapshot";

interface Line {
  readonly id: string;
  readonly family: string;
  readonly field: string;
  readonly text: string;
  readonly extra?: Record<string, unknown>;
  readonly expect: { readonly symptom: string; readonly cause?: string };
  readonly vars?: Record<string, string>;
  readonly source: string;
}

const playbooks = loadPlaybooks();
const lines: Line[] = readFileSync(
  fileURLToPath(new URL("../fixtures/corpus/issue9-families.jsonl", import.meta.url)),
  "utf8",
)
  .split("\n")
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Line);
const families = [...new Set(lines.map((l) => l.family))];

describe("issue 9 message families", () => {
  it("covers the four families, each line with a source", () => {
    expect(families.sort()).toEqual(["dependency", "deployment_config", "routine_stop", "shell_entrypoint"]);
    for (const l of lines) expect(l.source, l.id).toMatch(/^https:\/\/|GitHub public file|public GitHub file/);
  });

  describe.each(families)("family %s", (family) => {
    it.each(lines.filter((l) => l.family === family))("$id: $text", (l) => {
      const got = classifyMessage(toMessage(l), playbooks);
      expect({ symptom: got.symptom, cause: got.cause }).toEqual({
        symptom: l.expect.symptom,
        cause: l.expect.cause,
      });
      for (const [name, value] of Object.entries(l.vars ?? {})) expect(got.vars[name], name).toBe(value);
    });
  });
});

// ── in a diagnosis ──────────────────────────────────────────────────────────────────────────────

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
const example = (name: string) =>
  structuredClone(parseEvidence(readFileSync(`examples/${name}.json`, "utf8"))) as Mutable<Evidence>;

/** The healthy example with these tasks stopped in its window (instead of its own), and these log lines. */
function withStops(stops: Partial<Task>[], logLines: string[] = []): Evidence {
  const e = example("healthy");
  const tasksStep = e.steps.find((s) => s.id === "stopped-tasks");
  if (tasksStep?.id !== "stopped-tasks" || !tasksStep.data) throw new Error("fixture");
  const base = tasksStep.data.stopped[0]!;
  tasksStep.data.stopped = stops.map((s, i) => ({
    ...base,
    taskArn: `${base.taskArn.slice(0, -4)}${String(9000 + i)}`,
    ...s,
  }));
  const logs = e.steps.find((s) => s.id === "task-logs");
  if (logs?.id !== "task-logs" || !logs.data) throw new Error("fixture");
  const stream = logs.data.streams[0]!;
  const at = stream.lines[0]!.timestamp;
  if (logLines.length > 0)
    logs.data.streams = [{ ...stream, lines: logLines.map((message) => ({ timestamp: at, message })) }];
  return e;
}

const killedAfter = (stoppedReason: string, stopCode: Task["stopCode"]): Partial<Task> => ({
  stoppedReason,
  stopCode,
  containers: [{ name: "app", image: "payment-api:v1", lastStatus: "STOPPED", exitCode: 137 }],
});

describe("stops made on purpose", () => {
  it.each([
    [
      "a scale-in",
      "Scaling activity initiated by (deployment ecs-svc/6524458012816012998)",
      "ServiceSchedulerInitiated",
    ],
    ["a person (StopTask)", "Task stopped by user", "UserInitiated"],
    [
      "Fargate maintenance",
      "ECS is performing maintenance on the underlying infrastructure hosting the task",
      "ServiceSchedulerInitiated",
    ],
  ] as const)("exit 137 after %s is not a failure: the service stays healthy", (_, reason, code) => {
    const d = diagnose(withStops([killedAfter(reason, code), killedAfter(reason, code)]), playbooks);
    expect(d.verdict).toBe("healthy");
    expect(d.findings.filter((f) => f.severity !== "info")).toEqual([]);
  });

  it("a Spot interruption is not routine, exit 137 or not", () => {
    const d = diagnose(withStops([killedAfter("Your Spot Task was interrupted.", "SpotInterruption")]), playbooks);
    expect(d.verdict).toBe("degraded");
    expect(d.findings[0]?.symptom).toBe("spot_interruption");
  });

  it("the same exit 137 with no routine reason is still a crash", () => {
    const d = diagnose(
      withStops([killedAfter("Essential container in task exited", "EssentialContainerExited")]),
      playbooks,
    );
    expect(d.findings[0]).toMatchObject({ symptom: "app_crash", cause: "sigkill", severity: "critical" });
  });
});

describe("findings name what the line names", () => {
  it("a dependency by host and port", () => {
    const d = diagnose(withStops([], ["Error: connect ECONNREFUSED 10.0.3.17:5432"]), playbooks);
    const f = d.findings.find((x) => x.cause === "dependency");
    expect(f?.title).toBe("The application cannot reach 10.0.3.17:5432");
    expect(f?.fix).toContain("10.0.3.17:5432 is up");
  });

  it.each([
    [
      "/usr/local/bin/docker-entrypoint.sh: line 118: LIMESURVEY_USE_DB_SESSIONS: unbound variable",
      "Container app stops at start-up: LIMESURVEY_USE_DB_SESSIONS is not set",
    ],
    [
      "exec /app/start.sh: exec format error",
      "The entry-point script /app/start.sh cannot be executed (exec format error)",
    ],
  ])("a start-up script's problem: %s", (line, title) => {
    const d = diagnose(withStops([], [line]), playbooks);
    expect(d.findings.map((f) => f.title)).toContain(title);
  });
});

describe("who was denied decides what a denial means", () => {
  // The app's own call, denied to the task role, says "ssm" and "not authorized" as a start-up secret read would.
  const line = (role: string) =>
    "ERROR failed to load config: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/" +
    `${role}/abc is not authorized to perform: ssm:GetParameter`;

  it("the task role named in a log line is the application's call, not ECS reading a secret at start-up", () => {
    const e = withStops([], [line("payment-api-task")]);
    const d = diagnose(e, playbooks);
    const f = d.findings.find((x) => x.cause === "access_denied" || x.symptom === "iam_task_role_denied");
    expect(f).toMatchObject({ symptom: "iam_task_role_denied", title: "The application is denied ssm:GetParameter" });
    expect(d.findings.some((x) => x.symptom === "secret_access_denied")).toBe(false);
  });

  it("another role in the same wording keeps the start-up reading", () => {
    const d = diagnose(withStops([], [line("someone-else")]), playbooks);
    expect(d.findings.some((x) => x.symptom === "secret_access_denied")).toBe(true);
  });
});

describe("missing data", () => {
  it("a step read with nothing in it is 'no data', never the ✅ of a passed check", () => {
    const evidence = parseEvidence(readFileSync("examples/secret-access-denied.json", "utf8"));
    const d = diagnose(evidence, playbooks);
    const logs = d.steps.find((s) => s.step === "task-logs");
    expect(logs).toMatchObject({ status: "skipped", summary: "no data: no log stream was found for the tasks" });
    // A step whose empty answer is a fact stays a pass: no stopped task is good news.
    const healthy = diagnose(parseEvidence(readFileSync("examples/healthy.json", "utf8")), playbooks);
    expect(healthy.steps.find((s) => s.step === "task-logs")?.status).toBe("ok");
  });
});
