import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { RE2JS } from "re2js";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { classifyMessage, toMessage, type ClassifyInput } from "../../src/diagnose/classify";
import { compilePlaybookFolder, writeCompiledPlaybooks } from "../../src/diagnose/compile-playbooks";
import {
  compiledFileOf,
  loadCompiledPlaybooks,
  readCompiledFolder,
  type CompiledFolder,
} from "../../src/diagnose/compiled-playbooks";
import { loadPlaybooks, type Playbooks } from "../../src/diagnose/load-playbooks";
import { PlaybookInvalidError } from "../../src/errors";

/**
 * The built-in playbooks compiled at build time (issue 12): dist/playbooks.compiled.json must load to exactly what
 * reading the YAML gives, be used only while the YAML is the one it came from, and never stand in for a folder the
 * loader would refuse.
 */

const BUILTIN = "playbooks";
const CORPUS = "test/fixtures/corpus";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ecs-medic-compiled-"));
  cpSync(BUILTIN, dir, { recursive: true });
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(compiledFileOf(dir), { force: true });
  vi.restoreAllMocks();
});

/** Everything a load gives, with the folder's path taken out of the file names. */
function shape(p: Playbooks, root: string) {
  return {
    checkOrder: p.checkOrder,
    checks: [...p.checks],
    sources: p.sources.map((s) => relative(root, s)),
    rules: p.rules.map((r) => ({
      rule: r.rule,
      source: relative(root, r.source),
      order: r.order,
      fields: [...r.fields],
    })),
  };
}

const corpus = (): ClassifyInput[] =>
  readdirSync(CORPUS)
    .filter((f) => f.endsWith(".jsonl"))
    .sort()
    .flatMap((f) => readFileSync(join(CORPUS, f), "utf8").split("\n"))
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as ClassifyInput);

describe("the compiled playbooks", () => {
  it("load to exactly what reading the YAML gives, and classify every corpus line the same", () => {
    writeCompiledPlaybooks(dir);
    const compiled = loadCompiledPlaybooks(dir);
    expect(compiled).toBeDefined();
    const yaml = loadPlaybooks({ builtin: BUILTIN });
    expect(shape(compiled!, dir)).toEqual(shape(yaml, BUILTIN));
    // loadPlaybooks takes the compiled form too when the folder has one.
    expect(shape(loadPlaybooks({ builtin: dir }), dir)).toEqual(shape(yaml, BUILTIN));
    for (const input of corpus()) {
      const message = toMessage(input);
      expect(classifyMessage(message, compiled!), JSON.stringify(input.text)).toEqual(classifyMessage(message, yaml));
    }
  });

  it("are what the build wrote into dist/playbooks (the test run builds the bundles first)", () => {
    const built = JSON.parse(readFileSync(compiledFileOf(join("dist", BUILTIN)), "utf8")) as CompiledFolder;
    expect(built).toEqual(JSON.parse(JSON.stringify(compilePlaybookFolder(BUILTIN))));
    expect(readCompiledFolder(join("dist", BUILTIN))).toBeDefined();
  });

  it("compile no pattern at load: each RE2 engine is built on first use (YAML patterns compile at load)", () => {
    writeCompiledPlaybooks(dir);
    const compile = vi.spyOn(RE2JS, "compile");
    const compiled = loadCompiledPlaybooks(dir)!;
    expect(compile).not.toHaveBeenCalled();
    const oom = toMessage({
      field: "container.reason",
      text: "OutOfMemoryError: Container killed due to memory usage",
    });
    expect(classifyMessage(oom, compiled).rule).toBe("oom-killed");
    const firstUse = compile.mock.calls.length;
    expect(firstUse).toBeLessThan(10);
    // The same YAML without a compiled form, in a folder of its own (files are kept parsed by path and content, and
    // a rule already compiled once in the process, as writeCompiledPlaybooks did here, compiles on first use).
    const yamlOnly = mkdtempSync(join(tmpdir(), "ecs-medic-yaml-"));
    try {
      cpSync(BUILTIN, yamlOnly, { recursive: true });
      loadPlaybooks({ builtin: yamlOnly });
      expect(compile.mock.calls.length - firstUse).toBeGreaterThan(100);
    } finally {
      rmSync(yamlOnly, { recursive: true, force: true });
    }
  });

  it("are loaded once per content: a second load of the same folders is the same object, an edited file loads again", () => {
    const first = loadPlaybooks({ builtin: dir });
    expect(loadPlaybooks({ builtin: dir })).toBe(first);
    appendFileSync(join(dir, "symptoms/40-exits.yaml"), "\n");
    const edited = loadPlaybooks({ builtin: dir });
    expect(edited).not.toBe(first);
    expect(edited.rules.map((r) => r.rule.id)).toEqual(first.rules.map((r) => r.rule.id));
    writeFileSync(join(dir, "checks/99-team.yaml"), "checks: []\n");
    expect(loadPlaybooks({ builtin: dir })).not.toBe(edited);
  });

  it("share parsed files between folder sets: a team folder loads with the built-in rules as parsed before", () => {
    const team = mkdtempSync(join(tmpdir(), "ecs-medic-team-"));
    try {
      const alone = loadPlaybooks({ builtin: dir });
      cpSync(join(dir, "checks"), join(team, "checks"), { recursive: true });
      const withTeam = loadPlaybooks({ builtin: dir, overrides: [team] });
      expect(withTeam).not.toBe(alone);
      const ruleOf = (p: typeof alone, id: string) => p.rules.find((r) => r.rule.id === id)!.rule;
      const placement = alone.rules.find((r) => r.source.endsWith("10-placement.yaml"))!.rule.id;
      // The same rule object: read once, validated once, whatever the folders loaded with it.
      expect(ruleOf(withTeam, "oom-killed")).toBe(ruleOf(alone, "oom-killed"));
      // Changed bytes are parsed again; the other files are not.
      appendFileSync(join(dir, "symptoms/40-exits.yaml"), "\n");
      const edited = loadPlaybooks({ builtin: dir, overrides: [team] });
      expect(ruleOf(edited, "oom-killed")).not.toBe(ruleOf(alone, "oom-killed"));
      expect(ruleOf(edited, "oom-killed")).toEqual(ruleOf(alone, "oom-killed"));
      expect(ruleOf(edited, placement)).toBe(ruleOf(alone, placement));
    } finally {
      rmSync(team, { recursive: true, force: true });
    }
  });

  it.each([
    ["a YAML file edited after the build", (d: string) => appendFileSync(join(d, "symptoms/40-exits.yaml"), "\n")],
    ["a YAML file added", (d: string) => writeFileSync(join(d, "checks/99-team.yaml"), "checks: []\n")],
    ["a YAML file removed", (d: string) => rmSync(join(d, "symptoms/40-exits.yaml"))],
    ["a compiled form of another format", (d: string) => rewrite(d, (c) => ({ ...c, format: c.format + 1 }))],
    ["an unreadable compiled form", (d: string) => writeFileSync(compiledFileOf(d), "{not json")],
  ])("are not used after %s: the folder is read as YAML", (_, change) => {
    writeCompiledPlaybooks(dir);
    change(dir);
    expect(readCompiledFolder(dir)).toBeUndefined();
    expect(loadCompiledPlaybooks(dir)).toBeUndefined();
  });

  it("give way to the YAML's meaning when it changed", () => {
    writeCompiledPlaybooks(dir);
    const file = join(dir, "symptoms/40-exits.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace(/title: "?[^\n]*/, 'title: "Edited after the build"'));
    const titles = loadPlaybooks({ builtin: dir }).rules.map((r) => r.rule.title);
    expect(titles).toContain("Edited after the build");
  });

  it("are never written for a folder the loader refuses (the build fails naming file, rule and field)", () => {
    const file = join(dir, "symptoms/40-exits.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace(/any: \[?"?[^\n]*/, 'any: ["(?<=x)y"]'));
    expect(() => writeCompiledPlaybooks(dir)).toThrow(PlaybookInvalidError);
    expect(() => writeCompiledPlaybooks(dir)).toThrow(/40-exits\.yaml: rule [a-z0-9-]+: match\.any\[0\]: .*lookbehind/);
    expect(readCompiledFolder(dir)).toBeUndefined();
  });

  it("leave override folders to the YAML loader, validated as always", () => {
    writeCompiledPlaybooks(dir);
    const team = mkdtempSync(join(tmpdir(), "ecs-medic-team-"));
    try {
      cpSync(join(dir, "symptoms"), join(team, "symptoms"), { recursive: true });
      writeCompiledPlaybooks(dir);
      // A compiled form inside an override folder is not read: its broken YAML is refused.
      writeFileSync(compiledFileOf(team), readFileSync(compiledFileOf(dir)));
      writeFileSync(join(team, "symptoms/00-broken.yaml"), "rules: [{ id: x }]\n");
      expect(() => loadPlaybooks({ builtin: dir, overrides: [team] })).toThrow(/00-broken\.yaml/);
    } finally {
      rmSync(team, { recursive: true, force: true });
      rmSync(compiledFileOf(team), { force: true });
    }
  });
});

function rewrite(d: string, change: (c: CompiledFolder) => CompiledFolder): void {
  const file = compiledFileOf(d);
  writeFileSync(file, JSON.stringify(change(JSON.parse(readFileSync(file, "utf8")) as CompiledFolder)));
}
