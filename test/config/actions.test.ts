import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ActionsPolicySchema, authorise, loadActionsPolicy } from "../../src/config/actions";

const dir = mkdtempSync(join(tmpdir(), "ecs-medic-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const policy = ActionsPolicySchema.parse({
  allow: [
    { cluster: "prod", service: "payment-api", users: ["U04ALICE"] },
    { cluster: "prod", usergroups: ["S0ONCALL"] },
    { cluster: "staging", users: ["U07DEV"] },
  ],
});
const members = async (g: string) => (g === "S0ONCALL" ? ["U05BOB"] : []);
const target = { cluster: "prod", service: "payment-api" };

describe("who may act", () => {
  it.each([
    { case: "a listed user", user: "U04ALICE", allowed: true },
    { case: "a member of a listed user group", user: "U05BOB", allowed: true },
    { case: "a user listed only for another cluster", user: "U07DEV", allowed: false },
    { case: "anyone else", user: "U06MALLORY", allowed: false },
  ])("$case", async ({ user, allowed }) => {
    expect((await authorise(policy, target, user, members)).allowed).toBe(allowed);
  });

  it("names who can, as mentions, when it refuses", async () => {
    const result = await authorise(policy, target, "U06MALLORY", members);
    expect(!result.allowed && result.reason).toContain("<@U04ALICE>, <!subteam^S0ONCALL>");
  });

  it("a group that cannot be read grants nobody, and does not throw", async () => {
    const result = await authorise(policy, target, "U05BOB", async () => {
      throw new Error("missing_scope");
    });
    expect(result.allowed).toBe(false);
  });

  it("by default (no config) nobody may act from Slack, and the refusal says where to configure it", async () => {
    const result = await authorise(loadActionsPolicy({}), target, "U04ALICE", members);
    expect(!result.allowed && result.reason).toContain("actions.allow");
  });

  it("reads the actions section of ECS_MEDIC_CONFIG, ignoring the others", () => {
    const path = file(
      "ok.yaml",
      "routes: []\nactions:\n  allow:\n    - { cluster: prod, users: [U04ALICE] }\n  scale: { maxDesired: 20 }\n",
    );
    expect(loadActionsPolicy({ ECS_MEDIC_CONFIG: path })).toMatchObject({ scale: { maxDesired: 20, factor: 2 } });
  });

  it("names the file and the field of a mistake", () => {
    const path = file("bad.yaml", "actions:\n  allow:\n    - { cluster: prod, users: [alice] }\n");
    expect(() => loadActionsPolicy({ ECS_MEDIC_CONFIG: path })).toThrow(
      /bad\.yaml: actions\.allow\.0\.users\.0: expected a Slack user id/,
    );
  });
});
