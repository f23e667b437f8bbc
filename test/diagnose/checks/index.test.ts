import { describe, expect, it } from "vitest";
import { CHECKS } from "../../../src/diagnose/checks";
import { shortActor } from "../../../src/diagnose/checks/evidence-access";
import { loadPlaybooks } from "../../../src/diagnose/load-playbooks";
import { STEP_IDS } from "../../../src/evidence/schema";

const texts = loadPlaybooks().checks;
/** A hit names its check's text: the check id itself, or `<check id>.<variant>`. */
const belongsTo = (textId: string, checkId: string) => textId === checkId || textId.startsWith(`${checkId}.`);

describe("CHECKS", () => {
  it("has unique ids, in check order", () => {
    const ids = CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    const order = CHECKS.map((c) => STEP_IDS.indexOf(c.step));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it.each(CHECKS.map((c) => ({ id: c.id })))("check $id has its words in playbooks/checks", ({ id }) => {
    expect([...texts.keys()].some((textId) => belongsTo(textId, id))).toBe(true);
  });

  it.each([...texts.keys()].map((id) => ({ id })))("text $id belongs to a check", ({ id }) => {
    expect(CHECKS.some((c) => belongsTo(id, c.id))).toBe(true);
  });

  it.each([...texts.values()].map((t) => ({ id: t.id, title: t.title })))(
    "text $id has a title within Slack's 150-character header",
    ({ title }) => {
      expect(title.length).toBeLessThanOrEqual(150);
    },
  );

  it("never throws on a snapshot with nothing in it", async () => {
    const { context, evidence } = await import("./fixture");
    const ctx = context(evidence({ taskDefinitions: [] }));
    for (const check of CHECKS) expect(check.run(ctx)).toEqual([]);
  });
});

describe("shortActor", () => {
  it.each([
    { actor: "arn:aws:sts::123456789012:assumed-role/deployer/github-actions", short: "deployer/github-actions" },
    {
      actor:
        "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_PlatformEngineer_5f2c0e9d6a1b3c47/jane.doe@example.com",
      short: "PlatformEngineer/jane.doe@example.com",
    },
    { actor: "arn:aws:iam::123456789012:user/alice", short: "alice" },
    { actor: "arn:aws:iam::123456789012:root", short: "root" },
    { actor: "ecs.amazonaws.com", short: "ecs.amazonaws.com" },
  ])("$actor → $short", ({ actor, short }) => {
    expect(shortActor(actor)).toBe(short);
  });
});
