import { describe, expect, it } from "vitest";
import { loadPlaybooks } from "../../src/diagnose/load-playbooks";

/**
 * Playbook patterns are moving to a linear-time RE2 engine: no lookahead or lookbehind, no backreferences, no
 * possessive quantifiers or atomic groups. (Named groups `(?<name>…)` are fine.) A rule that needs "unless X" says
 * it with `none`, or with a twin rule (see the *-sdk-v2 and oom-killed-bare rules).
 */

const NOT_RE2: { what: string; re: RegExp }[] = [
  { what: "lookahead", re: /\(\?[=!]/ },
  { what: "lookbehind", re: /\(\?<[=!]/ },
  { what: "backreference", re: /(?:^|[^\\])(?:\\\\)*\\(?:[1-9]|k<)/ },
  { what: "possessive quantifier", re: /(?:^|[^\\])(?:\\\\)*[*+?}]\+/ },
  { what: "atomic group", re: /\(\?>/ },
];

const patterns = loadPlaybooks().rules.flatMap(({ rule }) =>
  [rule.match.any, rule.match.all, rule.match.none, rule.match.capture]
    .flat()
    .filter((p): p is string => typeof p === "string")
    .map((pattern) => ({ id: rule.id, pattern })),
);

describe("playbook patterns are RE2-compatible", () => {
  it("has patterns to check", () => {
    expect(patterns.length).toBeGreaterThan(300);
  });

  it.each(NOT_RE2)("no $what", ({ what, re }) => {
    const offending = patterns.filter((p) => re.test(p.pattern)).map((p) => `${p.id}: ${p.pattern}`);
    expect(offending, `${what} in`).toEqual([]);
  });

  it.each([
    ["(?<![.\\w])OutOfMemory", "lookbehind"],
    ["kill(?! score)", "lookahead"],
    ["(a)\\1", "backreference"],
    ["a++", "possessive quantifier"],
  ])("recognises %s as a %s", (pattern, what) => {
    expect(NOT_RE2.find((n) => n.what === what)!.re.test(pattern)).toBe(true);
  });

  it.each(["(?<secretArn>arn:aws[^ ]+)", "a+b", "\\(Service: ", "x{1,3}", "\\\\1"])("accepts %s", (pattern) => {
    expect(NOT_RE2.some((n) => n.re.test(pattern))).toBe(false);
  });
});
