import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadPlaybooksOrReport } from "../../src/cli/playbooks";
import type { CliIo } from "../../src/cli/diagnose";
import { fixedClock } from "../../src/clock";
import { classifyMessage } from "../../src/diagnose/classify";
import { loadPlaybooks } from "../../src/diagnose/load-playbooks";
import { teamRule } from "../fixtures/team-rule";

/**
 * The playbooks `classify` runs with: the built-in ones, then ECS_MEDIC_PLAYBOOKS (colon-separated), then
 * `--playbooks` folders — the folders `createDeps` gives the diagnosis — each override read as YAML and validated.
 */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ecs-medic-classify-playbooks-"));
  mkdirSync(join(dir, "symptoms"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const TEAM_RULE = teamRule();
const POOL = { field: "log_line" as const, text: "ERROR connection pool exhausted after 30000ms" };

function io(env: Record<string, string> = {}, deps: CliIo["deps"] = undefined) {
  let err = "";
  const value: CliIo = {
    stdout: { write: () => true },
    stderr: { write: (t: string) => (err += t) },
    env,
    clock: fixedClock("2026-12-06T10:00:00Z"),
    ...(deps ? { deps } : {}),
  };
  return { io: value, err: () => err };
}

describe("loadPlaybooksOrReport (classify's playbooks)", () => {
  it("without overrides: the built-in rules", async () => {
    const { io: cli } = io();
    const playbooks = await loadPlaybooksOrReport([], cli);
    expect(playbooks?.rules.map((r) => r.rule.id)).toEqual(loadPlaybooks().rules.map((r) => r.rule.id));
    expect(classifyMessage(POOL, playbooks!).rule).not.toBe("team-db-pool");
  });

  it.each([
    ["ECS_MEDIC_PLAYBOOKS", (d: string) => io({ ECS_MEDIC_PLAYBOOKS: d }).io, [] as string[]],
    ["--playbooks", () => io().io, ["DIR"]],
  ])("reads a team's rules from %s", async (_, cli, extra) => {
    writeFileSync(join(dir, "symptoms", "team.yaml"), JSON.stringify({ rules: [TEAM_RULE] }));
    const playbooks = await loadPlaybooksOrReport(
      extra.map(() => dir),
      cli(dir),
    );
    expect(classifyMessage(POOL, playbooks!).rule).toBe("team-db-pool");
  });

  it("prints a bad override's problem, naming the file, and answers nothing", async () => {
    writeFileSync(join(dir, "symptoms", "team.yaml"), JSON.stringify({ rules: [{ ...TEAM_RULE, why: undefined }] }));
    const { io: cli, err } = io({ ECS_MEDIC_PLAYBOOKS: dir });
    expect(await loadPlaybooksOrReport([], cli)).toBeUndefined();
    expect(err()).toMatch(/^ecs-medic: .*team\.yaml: rule team-db-pool, field why: a failure rule must say why/);
  });

  it("takes the playbooks a caller injects", async () => {
    const injected = loadPlaybooks({ overrides: [] });
    const { io: cli } = io({}, { playbooks: () => injected });
    expect(await loadPlaybooksOrReport([], cli)).toBe(injected);
  });
});
