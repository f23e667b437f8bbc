import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { classifyMessage, toMessage, type ClassifyInput } from "../../src/diagnose/classify";
import { loadPlaybooks } from "../../src/diagnose/load-playbooks";
import { matchText } from "../../src/diagnose/matcher";
import { LiteralIndex } from "../../src/diagnose/literal-index";
import { compilePattern, LEGACY_PATTERNS, literalAlternatives, notStartingWith } from "../../src/diagnose/pattern";
import { finiteStrings, patternRequirement } from "../../src/diagnose/needles";
import { PlaybookInvalidError } from "../../src/errors";

/**
 * Playbook patterns run on a linear-time engine (RE2 via re2js). These tests pin: the patterns that hung the
 * RegExp engine finish; what RE2 refuses is a load error naming file, rule and field; and the engine agrees with
 * JavaScript's RegExp on every built-in pattern over every corpus text, so the switch changed no classification.
 */

const CORPORA = ["task-messages.jsonl", "service-messages.jsonl", "holdout.jsonl"];
const corpus: ClassifyInput[] = CORPORA.flatMap((file) =>
  readFileSync(fileURLToPath(new URL(`../fixtures/corpus/${file}`, import.meta.url)), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as ClassifyInput),
);
const builtin = loadPlaybooks();

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ecs-medic-pattern-"));
  mkdirSync(join(dir, "symptoms"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const writeRule = (match: Record<string, unknown>) =>
  writeFileSync(
    join(dir, "symptoms", "team.yaml"),
    JSON.stringify({
      rules: [
        {
          id: "team-rule",
          symptom: "app_crash",
          fields: ["log_line"],
          match,
          severity: "critical",
          priority: 999,
          title: "Team rule {what}",
          why: "Why.",
          fix: "Fix.",
        },
      ],
    }),
  );

describe("catastrophic patterns no longer hang", () => {
  // On JavaScript's backtracking RegExp each of these takes exponential time in the run of a's: at 40 a's followed
  // by a character that makes the `$` fail, longer than any test timeout (it is the line from issue 13). On RE2 it is
  // one pass over 41 characters; if it still backtracked, this test would hang, not fail.
  const line = `${"a".repeat(40)}!`;
  it.each([
    // `(?:a|a?)+` and `(\w+\s?)*` can match the empty string, so they match at the very end: RE2 gives the answer
    // the backtracking engine would have given, had it finished.
    { pattern: "((a+))+$", matchesLine: false, matchesShort: true },
    { pattern: "(?:a|a?)+$", matchesLine: true, matchesShort: true },
    { pattern: "(a+)+$", matchesLine: false, matchesShort: true },
    { pattern: "(\\w+\\s?)*$", matchesLine: true, matchesShort: true },
    { pattern: "(a|aa)+(b+)+", matchesLine: false, matchesShort: false },
  ])("$pattern loads and classifies a 41-character line", ({ pattern, matchesLine, matchesShort }) => {
    writeRule({ any: [pattern] });
    const playbooks = loadPlaybooks({ overrides: [dir] });
    expect(classifyMessage({ field: "log_line", text: line }, playbooks).rule === "team-rule").toBe(matchesLine);
    expect(classifyMessage({ field: "log_line", text: "aaaa" }, playbooks).rule === "team-rule").toBe(matchesShort);
  });

  it("stays linear on an 8 KB adversarial text (the cut-off), for every built-in rule and the catastrophic ones", () => {
    writeRule({ any: ["((a+))+$", "(?:a|a?)+$"] });
    const playbooks = loadPlaybooks({ overrides: [dir] });
    for (const text of [`${"a".repeat(8_191)}!`, `${"a ".repeat(4_000)}!`, "OOM ".repeat(2_000)]) {
      expect(classifyMessage({ field: "log_line", text }, playbooks).symptom).toBeDefined();
    }
  });
});

describe("what RE2 refuses is a load error naming the file, the rule and the field", () => {
  it.each([
    { case: "a lookahead", match: { any: ["ok", "OOM(?! score)"] }, field: "match.any[1]", why: /lookahead/ },
    { case: "a lookbehind", match: { all: "(?<![.\\w])OutOfMemory" }, field: "match.all", why: /lookbehind/ },
    { case: "a backreference", match: { any: ["x"], none: ["(a)\\1"] }, field: "match.none[0]", why: /backreference/ },
    {
      case: "an invalid pattern",
      match: { any: ["x"], capture: ["(?<v>unclosed"] },
      field: "match.capture[0]",
      why: /not a valid regular expression/,
    },
  ])("$case", ({ match, field, why }) => {
    writeRule(match);
    let error: unknown;
    try {
      loadPlaybooks({ overrides: [dir] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PlaybookInvalidError);
    const message = (error as Error).message;
    expect(message).toMatch(/team\.yaml/);
    expect(message).toContain("rule team-rule");
    expect(message).toContain(`${field}:`);
    expect(message).toMatch(why);
  });
});

describe("case and named groups", () => {
  it.each([
    { case: "case-insensitive by default", match: { any: ["pool EXHAUSTED"] }, text: "Pool exhausted", hit: true },
    {
      case: "case-sensitive when asked",
      match: { any: ["pool EXHAUSTED"], caseSensitive: true },
      text: "Pool exhausted",
      hit: false,
    },
    {
      case: "a named group fills the title",
      match: { any: ["pool (?<what>[a-z]+) exhausted"] },
      text: "Pool DB exhausted",
      hit: true,
      what: "DB",
    },
    {
      case: "a capture fills what the deciding pattern left empty",
      match: { any: ["exhausted"], capture: ["pool (?<what>\\w+)"] },
      text: "pool main exhausted",
      hit: true,
      what: "main",
    },
    {
      case: "an optional group that did not take part is absent",
      match: { any: ["exhausted(?: in (?<what>\\w+))?"] },
      text: "pool exhausted",
      hit: true,
    },
  ])("$case", ({ match, text, hit, what }) => {
    writeRule(match);
    const got = classifyMessage({ field: "log_line", text }, loadPlaybooks({ overrides: [dir] }));
    expect(got.rule === "team-rule").toBe(hit);
    if (hit) expect(got.vars).toEqual(what === undefined ? {} : { what });
  });
});

describe("the engine agrees with JavaScript's RegExp on the built-in rules", () => {
  const texts = corpus.map((line) => matchText(toMessage(line)));
  const patterns = builtin.rules.flatMap(({ rule }) =>
    (["any", "all", "none", "capture"] as const).flatMap((key) => {
      const value = rule.match[key];
      const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
      return list.map((source) => ({ rule: rule.id, source, caseSensitive: rule.match.caseSensitive === true }));
    }),
  );

  it("on every pattern × every corpus text: same match, same named groups", () => {
    let compared = 0;
    const disagreements: string[] = [];
    for (const { rule, source, caseSensitive } of patterns) {
      const native = new RegExp(source, caseSensitive ? "" : "i");
      const linear = compilePattern(source, { caseSensitive });
      for (const text of texts) {
        const hit = native.exec(text);
        const expected = hit
          ? Object.fromEntries(Object.entries(hit.groups ?? {}).filter((e) => e[1] !== undefined))
          : undefined;
        const got = linear.groups(text);
        compared += 1;
        if (JSON.stringify(got) !== JSON.stringify(expected) || linear.test(text) !== (hit !== null)) {
          disagreements.push(`${rule} ${JSON.stringify(source)} on ${JSON.stringify(text.slice(0, 120))}`);
        }
      }
    }
    expect(disagreements).toEqual([]);
    expect(compared).toBeGreaterThan(150_000);
  });

  it("and so classifies the corpora as before: the matcher around the patterns did not change", () => {
    // corpus.test.ts pins each line's labelled symptom and cause; this pins that every line still gets one.
    for (const line of corpus) expect(classifyMessage(toMessage(line), builtin).symptom).toBeTruthy();
  });
});

describe("RE2 equivalents of the built-in patterns written with lookaround", () => {
  // Texts built from the pieces around each lookaround: every sequence of up to three pieces, so each boundary
  // (end of text, word character, punctuation, the excluded words and their near-misses) meets each other.
  const pieces = [
    "OutOfMemory",
    "OutOfMemoryError",
    "outofmemoryerror",
    ":",
    ": ",
    ":  \t",
    "Java heap space",
    "java",
    "Jav",
    "GC overhead",
    "GC",
    "Metaspace",
    "unable to create",
    "Direct buffer",
    "Requested array",
    "Compressed class",
    "PermGen",
    "Perm",
    ".",
    "x",
    "_",
    " ",
    "-",
    "OOM",
    "OOMKilled",
    "oom-kill",
    "OOM kill",
    "oomkilled",
    "oom_kill",
    " score",
    " scor",
    "score",
    "er",
    "ed",
    "invoked oom-killer",
    "operation error ",
    "operation error",
    "ResourceInitializationError",
    "unable to pull secrets",
    "download env files",
    "when calling the GetSecretValue operation",
    "botocore",
    "\n",
  ].map((p) => p.replace("\\t", "\t").replace("\\n", "\n"));
  const texts = [""];
  for (let length = 1; length <= 3; length++) {
    for (const prefix of texts.filter((t) => t.split("\u0000").length === length)) {
      for (const piece of pieces) texts.push(`${prefix}\u0000${piece}`);
    }
  }
  const generated = texts.map((t) => t.replaceAll("\u0000", ""));

  it.each([...LEGACY_PATTERNS.keys()])("%s", (source) => {
    for (const caseSensitive of [false, true]) {
      const native = new RegExp(source, caseSensitive ? "" : "i");
      const linear = compilePattern(source, { caseSensitive });
      const wrong = generated.filter((text) => linear.test(text) !== native.test(text));
      expect(wrong.slice(0, 5)).toEqual([]);
    }
    expect(generated.length).toBeGreaterThan(50_000);
  });

  it("builds a negative lookahead from the literals' trie", () => {
    expect(notStartingWith(["score"])).toBe("$|[^s]|s(?:$|[^c]|c(?:$|[^o]|o(?:$|[^r]|r(?:$|[^e]))))");
    expect(notStartingWith(["GC ", "gc", "Java"], "\\s")).toBe(
      "$|[^\\sgj]|g(?:$|[^c])|j(?:$|[^a]|a(?:$|[^v]|v(?:$|[^a])))",
    );
    expect(notStartingWith(["Java"], "", { caseSensitive: true })).toBe("$|[^J]|J(?:$|[^a]|a(?:$|[^v]|v(?:$|[^a])))");
  });
});

describe("what a pattern requires (needles.ts): groups that must all hold", () => {
  it.each([
    { source: "CannotPullContainerError", groups: [["cannotpullcontainererror"]] },
    {
      source: "manifest (?:for )?\\S+ not found|no such image",
      groups: [
        ["manifest ", "no such image"],
        [" not found", "no such image"],
      ],
    },
    { source: "exit(?:ed)? with code 1\\b", groups: [["exit"], [" with code 1"]] },
    {
      source: "exceeds? (?:your |the )?(?:account|service) (?:quota|limit)",
      groups: [["exceed"], ["account", "service"], ["quota", "limit"]],
    },
    // (a ∧ b) ∨ c distributes to (a ∨ c) ∧ (b ∨ c).
    {
      source: "mount\\.nfs|\\bnfs4?\\b.{0,60}(?:mount|timed out)",
      groups: [
        ["mount.nfs", "nfs"],
        ["mount.nfs", "mount", "timed out"],
      ],
    },
    { source: "(?P<arn>secretsmanager|ssm-parameter):", groups: [["secretsmanager", "ssm-parameter"]] },
    { source: "[[:alpha:]]+ failed", groups: [[" failed"]] },
    { source: "\\S+", groups: [] },
    { source: "(?i)oom", groups: [] },
  ])("$source → $groups", ({ source, groups }) => {
    expect(patternRequirement(source)).toEqual(groups);
  });
});

describe("finite patterns become literal sets", () => {
  it.each([
    { source: "(?:get|pull) registry auth", strings: ["get registry auth", "pull registry auth"] },
    { source: "env(?:ironment)? ?files?", strings: 8 },
    { source: "OOM[- ]?kill", strings: ["oom-kill", "oom kill", "oomkill"] },
    { source: "a\\.b|c", strings: ["a.b", "c"] },
  ])("$source → $strings", ({ source, strings }) => {
    const got = finiteStrings(source);
    if (typeof strings === "number") expect(got).toHaveLength(strings);
    else expect([...(got ?? [])].sort()).toEqual([...strings].sort());
  });

  it.each([
    "a+b",
    "a\\b",
    "[a-z]c",
    "[^ab]c",
    "^ab",
    "a.b",
    "(?:a|b|c|d){2}",
    "x?",
    "(?:a|b)(?:c|d)(?:e|f)(?:g|h)(?:i|j)(?:k|l)(?:m|n)",
  ])("%s is not (repetition, ranges and negated classes, anchors, an empty string, more than 16 strings)", (source) =>
    expect(finiteStrings(source)).toBeUndefined(),
  );
});

describe("literal-only patterns and the literal index", () => {
  it.each([
    { source: "killed due to memory usage|OOMKilled", literals: ["killed due to memory usage", "OOMKilled"] },
    { source: "at com\\.amazonaws|\\(Service: ", literals: ["at com.amazonaws", "(Service: "] },
    { source: "exit code: 1\\b", literals: undefined },
    { source: "a.b", literals: undefined },
    { source: "a|", literals: undefined },
  ])("$source → $literals", ({ source, literals }) => {
    expect(literalAlternatives(source)).toEqual(literals);
  });

  it("finds every literal in one pass, overlapping ones and ones inside others included", () => {
    const index = new LiteralIndex();
    const ids = Object.fromEntries(
      ["he", "she", "his", "hers", "oom", "oomkilled", "killed"].map((l) => [l, index.id(l)]),
    );
    const present = (text: string) => Object.keys(ids).filter((l) => index.has(text, ids[l]!));
    expect(present("ushers")).toEqual(["he", "she", "hers"]);
    expect(present("container oomkilled")).toEqual(["oom", "oomkilled", "killed"]);
    // ASCII text is scanned as it is: upper-case letters walk as their lower-case ones.
    expect(present("Container OOMKilled; USHERS")).toEqual(["he", "she", "hers", "oom", "oomkilled", "killed"]);
    expect(present("nothing here")).toEqual(["he"]);
    // A literal registered later is found too (the automaton is rebuilt).
    const late = index.id("noth");
    expect(index.has("nothing here", late)).toBe(true);
    expect(present("")).toEqual([]);
    // A character no literal contains (non-ASCII included) sends the walk back to the start.
    expect(present("s\u00e9hers h\u00e9")).toEqual(["he", "hers"]);
  });
});
