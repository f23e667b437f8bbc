import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/diagnose";
import { main } from "../../src/cli/main";
import { fixedClock } from "../../src/clock";
import { violations, type SlackMessage } from "../../src/render/slack";

function io(stdin = ""): CliIo & { out: string; err: string } {
  const state = { out: "", err: "" };
  return Object.assign(state, {
    stdin: Readable.from([stdin]),
    stdout: { write: (t: string) => (state.out += t), isTTY: false },
    stderr: { write: (t: string) => (state.err += t), isTTY: false },
    env: {},
    clock: fixedClock("2026-11-26T10:00:00Z"),
    deps: {
      aws: () => {
        throw new Error("a replay must not create AWS clients");
      },
    },
  });
}

describe("ecs-medic diagnose --evidence (replay, no AWS)", () => {
  it.each([
    { example: "healthy", code: 0, first: /^✓ HEALTHY/ },
    // Degraded (still serving, something failing) stops a deploy gate as failing does.
    { example: "saturated-healthy", code: 1, first: /^! DEGRADED/ },
    { example: "oom-after-deploy", code: 1, first: /^! DEGRADED/ },
    { example: "port-mismatch", code: 1, first: /^! DEGRADED/ },
  ])("$example exits $code for a deploy gate", async ({ example, code, first }) => {
    const t = io();
    expect(await main(["diagnose", "--evidence", `examples/${example}.json`], t)).toBe(code);
    expect(t.out).toMatch(first);
    expect(t.out.split("\n").every((line) => line.length <= 80)).toBe(true);
  });

  it("prints the diagnosis as JSON with --format json", async () => {
    const t = io();
    await main(["diagnose", "--evidence", "examples/image-tag-missing.json", "--format", "json"], t);
    const d = JSON.parse(t.out) as { verdict: string; primary: { finding: string }; steps: unknown[] };
    expect(d.verdict).toBe("degraded");
    expect(d.primary.finding).toBe("image_pull_failure");
    expect(d.steps).toHaveLength(11);
  });

  it("prints the Block Kit message the bot would post with --format slack, within Slack's limits", async () => {
    const t = io();
    expect(await main(["diagnose", "--evidence", "examples/port-mismatch.json", "--format", "slack"], t)).toBe(1);
    const message = JSON.parse(t.out) as SlackMessage;
    expect(message.blocks[0]?.type).toBe("header");
    expect(violations(message)).toEqual([]);
  });

  it("refuses a replay for another service", async () => {
    const t = io();
    expect(await main(["diagnose", "checkout", "--evidence", "examples/healthy.json"], t)).toBe(2);
    expect(t.err).toContain("holds evidence for payment-api, not checkout");
  });

  it("exits 2 naming the file, rule and field when an extra playbook folder is broken", async () => {
    const t = io();
    expect(
      await main(["diagnose", "--evidence", "examples/healthy.json", "--playbooks", "/nonexistent/playbooks"], t),
    ).toBe(2);
    expect(t.err).toContain("playbook folder /nonexistent/playbooks does not exist");
  });
});

describe("ecs-medic demo", () => {
  it("diagnoses every bundled example offline and says how to replay one", async () => {
    const t = io();
    expect(await main(["demo"], t)).toBe(0);
    expect(t.out.match(/^example: /gm)).toHaveLength(10);
    expect(t.out).toContain("10 example incident(s) diagnosed offline");
  });
});

describe("ecs-medic classify", () => {
  it("answers every JSON line in order, bad lines included", async () => {
    const input = [
      JSON.stringify({
        id: "a",
        field: "container.reason",
        text: "OutOfMemoryError: Container killed due to memory usage",
      }),
      "{not json",
      JSON.stringify({ id: "c", field: "nonsense", text: "x" }),
      JSON.stringify({
        id: "d",
        field: "service_event_message",
        text: "(service payment-api) has reached a steady state.",
      }),
    ].join("\n");
    const t = io(input);
    expect(await main(["classify"], t)).toBe(0);
    const lines = t.out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.id, l.symptom])).toEqual([
      ["a", "oom_killed"],
      [null, "other"],
      ["c", "other"],
      ["d", "normal"],
    ]);
    expect(lines[0]).toMatchObject({ rule: "oom-killed" });
    expect(lines[2]).toMatchObject({ error: expect.stringContaining("field must be one of") });
  });
});
