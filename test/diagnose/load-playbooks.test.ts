import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { classifyMessage } from "../../src/diagnose/classify";
import { loadPlaybooks } from "../../src/diagnose/load-playbooks";
import { PlaybookInvalidError } from "../../src/errors";
import { stepEntry } from "../../src/steps/catalogue";
import { teamRule } from "../fixtures/team-rule";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ecs-medic-playbooks-"));
  mkdirSync(join(dir, "symptoms"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const rule = teamRule;
const writeRules = (rules: unknown[], name = "team.yaml") =>
  writeFileSync(join(dir, "symptoms", name), JSON.stringify({ rules }));
const line = (text: string) => ({ field: "log_line" as const, text });

describe("loadPlaybooks", () => {
  it("loads the built-in playbooks: the ten steps in order plus saturation, and rules sorted failure-first", () => {
    const p = loadPlaybooks();
    expect(p.checkOrder.steps.map((s) => stepEntry(s.id).number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, null]);
    const firstBenign = p.rules.findIndex((r) => r.rule.symptom === "normal");
    expect(firstBenign).toBeGreaterThan(0);
    expect(p.rules.slice(firstBenign).every((r) => r.rule.symptom === "normal")).toBe(true);
  });

  it("lets a platform team add a rule in its own folder, with no TypeScript change", () => {
    const before = classifyMessage(line("ERROR connection pool exhausted after 30000ms"), loadPlaybooks());
    writeRules([rule()]);
    const after = classifyMessage(
      line("ERROR connection pool exhausted after 30000ms"),
      loadPlaybooks({ overrides: [dir] }),
    );
    expect(before.rule).not.toBe("team-db-pool");
    expect(after).toMatchObject({ symptom: "app_crash", cause: "db_pool", rule: "team-db-pool" });
  });

  it("refuses a playbook file it cannot read, naming it (a folder named like one)", () => {
    mkdirSync(join(dir, "symptoms", "team.yaml"));
    expect(() => loadPlaybooks({ overrides: [dir] })).toThrow(PlaybookInvalidError);
    expect(() => loadPlaybooks({ overrides: [dir] })).toThrow(/team\.yaml: cannot be read: EISDIR/);
  });

  it("replaces a built-in rule with the same id, and removes one marked disabled", () => {
    const builtin = loadPlaybooks();
    const oom = { field: "container.reason" as const, text: "OutOfMemoryError: Container killed due to memory usage" };
    expect(classifyMessage(oom, builtin).rule).toBe("oom-killed");
    writeRules([{ ...rule({ id: "oom-killed" }), disabled: true }]);
    expect(classifyMessage(oom, loadPlaybooks({ overrides: [dir] })).rule).not.toBe("oom-killed");
  });

  it.each([
    {
      case: "YAML that does not parse",
      content: "rules: [\n  - id: x\n    match: {",
      message: /team\.yaml: not valid YAML/,
    },
    {
      case: "an unknown symptom",
      content: JSON.stringify({ rules: [rule({ symptom: "disk_full" })] }),
      message: /rule team-db-pool, field symptom/,
    },
    {
      case: "a failure rule without a fix",
      content: JSON.stringify({ rules: [rule({ fix: "" })] }),
      message: /rule team-db-pool, field fix: a failure rule must say what to do/,
    },
    {
      case: "an unknown key (typo)",
      content: JSON.stringify({ rules: [rule({ match: { anyy: ["x"] } })] }),
      message: /rule team-db-pool, field match/,
    },
    {
      case: "a match with no condition",
      content: JSON.stringify({ rules: [rule({ match: {} })] }),
      message: /a match needs at least one condition/,
    },
    {
      case: "an invalid regex",
      content: JSON.stringify({ rules: [rule({ match: { any: ["(unclosed"] } })] }),
      message: /rule team-db-pool: match\.any\[0\]: pattern "\(unclosed" is not a valid regular expression/,
    },
    {
      case: "a regex the linear-time engine refuses (lookahead)",
      content: JSON.stringify({ rules: [rule({ match: { any: ["pool(?! resized)"] } })] }),
      message:
        /rule team-db-pool: match\.any\[0\]: pattern "pool\(\?! resized\)" uses syntax the linear-time matcher \(RE2\) refuses/,
    },
    {
      case: "an unknown field name",
      content: JSON.stringify({ rules: [rule({ fields: ["stderr"] })] }),
      message: /rule team-db-pool, field fields\.0/,
    },
  ])("refuses $case, naming the file, the rule and the field", ({ content, message }) => {
    writeFileSync(join(dir, "symptoms", "team.yaml"), content);
    expect(() => loadPlaybooks({ overrides: [dir] })).toThrow(PlaybookInvalidError);
    expect(() => loadPlaybooks({ overrides: [dir] })).toThrow(message);
  });

  it("refuses the same rule id twice in one folder", () => {
    writeRules([rule(), rule()]);
    expect(() => loadPlaybooks({ overrides: [dir] })).toThrow(/rule team-db-pool is defined twice/);
  });

  it("refuses a missing override folder by name", () => {
    expect(() => loadPlaybooks({ overrides: [join(dir, "nope")] })).toThrow(/playbook folder .*nope does not exist/);
  });

  it("orders precedence by priority, then load order, with benign rules last", () => {
    writeRules([
      rule({ id: "low", priority: 10, title: "low", match: { any: ["pool exhausted"] } }),
      rule({ id: "high", priority: 999, title: "high", match: { any: ["pool exhausted"] } }),
      {
        id: "benign-pool",
        symptom: "normal",
        fields: ["log_line"],
        match: { any: ["pool"] },
        severity: "info",
        priority: 1000,
        title: "benign",
      },
    ]);
    const p = loadPlaybooks({ overrides: [dir] });
    expect(classifyMessage(line("ERROR connection pool exhausted"), p).rule).toBe("high");
    expect(classifyMessage(line("pool resized to 10"), p)).toMatchObject({ symptom: "normal", rule: "benign-pool" });
  });
});
