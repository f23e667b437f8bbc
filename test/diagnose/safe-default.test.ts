import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { classifyMessage, failureWords, toMessage, type ClassifyInput } from "../../src/diagnose/classify";
import { loadPlaybooks } from "../../src/diagnose/load-playbooks";

/**
 * The safe default (issue 14): a message no failure rule explains is `normal` only when a benign rule says so, and
 * a benign rule never says so when the text carries failure words. Both sides are measured: unknown failures inside
 * every benign carrier stay `other`, and the benign families stay `normal`.
 */

const playbooks = loadPlaybooks();
const classify = (input: ClassifyInput) => classifyMessage(toMessage(input), playbooks);

// The failure words the issue names, each in a short clause.
const FAILURE_CLAUSES = [
  "error while reconciling",
  "reconcile failed",
  "access denied",
  "unable to reconcile",
  "cannot reconcile",
  "ReconcileException: state mismatch",
  "timeout after 30s",
  "worker killed",
  "connection refused",
  "target not found",
  "invalid configuration",
  "unsupported platform",
] as const;

// Benign carriers: real routine wordings (service event messages and stopped reasons from the ECS developer
// guide, an ECS task state change event, Spring Boot's start-up line) that broad benign rules accept.
const stateChange = (stoppedReason: string) =>
  JSON.stringify({
    "detail-type": "ECS Task State Change",
    source: "aws.ecs",
    detail: {
      lastStatus: "STOPPED",
      desiredStatus: "STOPPED",
      stoppedReason,
      containers: [{ name: "app", exitCode: 0 }],
    },
  });
const CARRIERS: { name: string; input: (clause: string) => ClassifyInput }[] = [
  {
    name: "a task state change event",
    input: (c) => ({
      field: "eventbridge_event",
      text: stateChange(`Task finished: ${c}`),
      extra: { detailType: "ECS Task State Change" },
    }),
  },
  {
    name: "a service event beside a deployment in progress",
    input: (c) => ({
      field: "service_event_message",
      text: `(service payment-api) (deployment ecs-svc/1234567890123456789) deployment in progress; ${c}.`,
    }),
  },
  {
    name: "exit code 0 with a reason",
    input: (c) => ({ field: "container.exitCode", text: "0", extra: { exitCode: 0, reason: c } }),
  },
  {
    name: "a scale-in stop with more said",
    input: (c) => ({
      field: "stoppedReason",
      text: `Scaling activity initiated by (deployment ecs-svc/1234567890123456789): ${c}`,
    }),
  },
  {
    name: "a user stop with more said",
    input: (c) => ({ field: "stoppedReason", text: `Task stopped by user: ${c}` }),
  },
  {
    name: "an application log line",
    input: (c) => ({ field: "log_line", text: `INFO  o.s.b.w.embedded.tomcat.TomcatWebServer - ${c}` }),
  },
];

describe("safe default: an unknown failure is never normal", () => {
  describe.each(CARRIERS)("inside $name", ({ input }) => {
    it.each(FAILURE_CLAUSES)("%s", (clause) => {
      const result = classify(input(clause));
      expect(result.symptom).not.toBe("normal");
    });
  });

  it.each([
    // Real wordings no specific rule covers (issue 14's DNS family in an application, Node.js and Python docs).
    { field: "log_line", text: "Error: getaddrinfo ENOTFOUND payment-db.internal" },
    { field: "log_line", text: "getaddrinfo EAI_AGAIN secretsmanager.us-east-1.amazonaws.com" },
    { field: "log_line", text: "socket.gaierror: [Errno -3] Temporary failure in name resolution" },
    { field: "stoppedReason", text: "MISSING" },
  ])("$text is other, by default", (input) => {
    const result = classify(input);
    expect(result.symptom).toBe("other");
    expect(result.rule).toBeUndefined();
  });
});

describe("safe default: the benign families stay normal", () => {
  const lines = readFileSync(
    fileURLToPath(new URL("../fixtures/corpus/benign-families.jsonl", import.meta.url)),
    "utf8",
  )
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as ClassifyInput & { id: string; family: string });

  it("covers every benign family the issue names", () => {
    expect(new Set(lines.map((l) => l.family))).toEqual(
      new Set([
        "steady_state",
        "scaling",
        "draining",
        "registration",
        "deployment",
        "user_stop",
        "termination_notice",
        "logs",
      ]),
    );
  });

  it("raises at most one false alarm in the benign families (measured: 1 of 50, '0 errors, 0 warnings')", () => {
    const alarms = lines.filter((l) => classify(l).symptom !== "normal").map((l) => l.id);
    expect(alarms).toEqual(["b050"]);
  });

  it("has no false alarm outside ordinary application logs", () => {
    for (const l of lines.filter((x) => x.family !== "logs")) expect(classify(l).symptom, l.id).toBe("normal");
  });
});

describe("failureWords", () => {
  it.each([
    ["Error: getaddrinfo ENOTFOUND payment-db.internal", ["error", "enotfound"]],
    ["CannotPullContainerError: context canceled", ["cannotpullcontainererror"]],
    ["(service payment-api) has reached a steady state.", []],
    ["Task failed ELB health checks in (target-group x)", ["failed"]],
  ])("%s", (text, words) => {
    expect(failureWords(text)).toEqual(words);
  });
});
