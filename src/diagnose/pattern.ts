import { PatternError } from "../errors";
import { RE2JS } from "re2js";
import { foldedText, isAsciiText, LITERALS, requirementIds, satisfies } from "./literal-index";
import { finiteStrings, patternRequirement } from "./needles";

/**
 * Playbook patterns run on RE2 (re2js, a pure-JavaScript port of RE2): matching time is linear in the text whatever
 * the pattern, so a rule like `((a+))+$` cannot hang `classify` or `diagnose`. RE2 has no lookaround and no
 * backreferences: a pattern using them is refused at load, naming the file, the rule and the field.
 *
 * Syntax is RE2's, which for what rules use (classes, `\b`, `\d`, `\w`, `\s`, `{m,n}`, `(?:…)`, named groups
 * `(?<name>…)`) reads like JavaScript's; JavaScript-only escapes (`\u00e9`, `[^]`) are translated first.
 */
export interface LinearPattern {
  /** Whether the pattern matches anywhere in the text. */
  test(text: string): boolean;
  /** The named groups that took part in the match (empty when it has none), or undefined when it does not match. */
  groups(text: string): Record<string, string> | undefined;
}

// The one error hierarchy (src/errors.ts); re-exported for the modules that compile patterns.
export { PatternError };

export interface PatternOptions {
  /** Patterns are case-insensitive unless this is true. */
  readonly caseSensitive: boolean;
  /**
   * Build the RE2 engine on first use instead of now: only for a pattern already compiled once (the build compiles
   * every built-in pattern when it writes their compiled form), since compiling now is what refuses a bad pattern at
   * load. A pattern whose needles never occur then never compiles. @default false
   */
  readonly lazy?: boolean;
}

const UNSUPPORTED: readonly [RegExp, string][] = [
  [/\(\?<?[=!]/, "lookahead and lookbehind ((?=…), (?!…), (?<=…), (?<!…)) are not supported"],
  [/\\[1-9]|\\k</, "backreferences (\\1, \\k<name>) are not supported"],
];

/** Compiles one playbook pattern, or throws PatternError (its field is filled in by the caller). */
export function compilePattern(source: string, options: PatternOptions): LinearPattern {
  const legacy = LEGACY_PATTERNS.get(source);
  if (legacy) return legacy(options);
  return re2(source, options);
}

function re2(source: string, options: PatternOptions): LinearPattern {
  const compile = (): RE2JS => {
    try {
      return RE2JS.compile(RE2JS.translateRegExp(source), options.caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE);
    } catch (error) {
      const known = UNSUPPORTED.find(([construct]) => construct.test(source));
      const reason = known
        ? `uses syntax the linear-time matcher (RE2) refuses: ${known[1]}; rewrite it without them ` +
          `(docs/writing-rules.md)`
        : `is not a valid regular expression (RE2 syntax): ${(error as Error).message}`;
      throw new PatternError("", `pattern ${JSON.stringify(source)} ${reason}`);
    }
  };
  // A pattern of plain characters and escaped punctuation is valid by construction and, on ASCII text, answered by
  // the literal index: its engine is built on first use (about half the built-in patterns; RE2 compilation was the
  // largest part of classify's start-up). Every other pattern is compiled now, so a refused one is a load error,
  // unless it was compiled once already (`lazy`: the built-in playbooks' compiled form).
  const literals = literalAlternatives(source);
  let engine: RE2JS | undefined = literals || options.lazy ? undefined : compile();
  const compiled = (): RE2JS => (engine ??= compile());
  // Named groups need the capturing engine. Only a pattern whose text has `(?<` or `(?P<` can have one (a literal
  // pattern has none); for the others the engine says, once built.
  let named: boolean | undefined = literals || !MAY_NAME.test(source) ? false : engine ? hasNames(engine) : undefined;
  const isNamed = (): boolean => (named ??= hasNames(compiled()));
  // Most patterns cannot match most texts: literals every match must contain, looked for in the folded text (all
  // patterns' literals in one pass, see LiteralIndex), skip the engine for them (see needles.ts).
  const required = requirementIds(patternRequirement(source));
  const possible = (text: string) => satisfies(text, required);
  // A pattern that is only literals (`killed due to memory usage|OOMKilled`, almost half the built-in ones) needs no
  // engine at all on an ASCII text, where lower-casing is exactly RE2's case folding.
  // Likewise a pattern that is a small finite set of strings (`(?:get|pull|retrieve|fetch) registry auth`),
  // case-insensitive: each string is a literal of the index.
  const finite = options.caseSensitive ? undefined : finiteStrings(source);
  const lowered = (finite ?? literals?.map((l) => l.toLowerCase()))?.map((l) => LITERALS.id(l));
  const test = (text: string): boolean => {
    if (lowered && isAsciiText(text)) {
      if (options.caseSensitive && literals) return literals.some((l) => text.includes(l));
      const folded = foldedText(text);
      return lowered.some((id) => LITERALS.has(folded, id));
    }
    return possible(text) && compiled().test(text);
  };
  return {
    test,
    groups(text) {
      // (A finite pattern whose text may name a group takes the engine's path below: the same answer.)
      if (lowered && named === false) return test(text) ? {} : undefined;
      if (!possible(text)) return undefined;
      // The DFA answers yes/no fastest; only a pattern with named groups needs the capturing engine.
      if (!isNamed()) return compiled().test(text) ? {} : undefined;
      const hit = compiled().exec(text) as (RegExpExecArray & { groups?: Record<string, string | undefined> }) | null;
      if (hit === null) return undefined;
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(hit.groups ?? {})) if (v !== undefined) out[k] = v;
      return out;
    },
  };
}

/** Text every named group is written with (`(?<name>…)`, `(?P<name>…)`). */
const MAY_NAME = /\(\?P?</;
const hasNames = (engine: RE2JS): boolean => Object.keys(engine.namedGroups()).length > 0;

/** The alternatives of a pattern made only of plain characters and escaped punctuation, unescaped; else undefined. */
export function literalAlternatives(source: string): string[] | undefined {
  if (!LITERAL_ALTERNATION.test(source)) return undefined;
  const out: string[] = [];
  let current = "";
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === "\\") current += source[++i]!;
    else if (c === "|") {
      out.push(current);
      current = "";
    } else current += c;
  }
  out.push(current);
  return out;
}
const LITERAL_CHAR = String.raw`(?:[A-Za-z0-9 _,;:'"=<>@#%&!~\x60-]|\\[.()[\]{}/\\|?*+^$:-])`;
const LITERAL_ALTERNATION = new RegExp(`^${LITERAL_CHAR}+(?:\\|${LITERAL_CHAR}+)*$`);

/** Matches when every part matches (no groups). */
const allOf = (...parts: LinearPattern[]): LinearPattern => {
  const test = (text: string) => parts.every((p) => p.test(text));
  return { test, groups: (text) => (test(text) ? {} : undefined) };
};
const anyOf = (...parts: LinearPattern[]): LinearPattern => {
  const test = (text: string) => parts.some((p) => p.test(text));
  return { test, groups: (text) => (test(text) ? {} : undefined) };
};
const not = (part: LinearPattern): LinearPattern => ({
  test: (text) => !part.test(text),
  groups: (text) => (part.test(text) ? undefined : {}),
});

/**
 * An RE2 fragment for "here the text ends, or does not start with any of these literals" — what a negative
 * lookahead `(?!lit1|lit2)` says, as a consuming alternative built from the literals' trie. `notFirst` lists
 * characters (in class syntax) that may not start the consumed text either.
 *
 * @example notStartingWith(["score"]) === "$|[^s]|s(?:$|[^c]|c(?:$|[^o]|o(?:$|[^r]|r(?:$|[^e]))))"
 */
export function notStartingWith(
  literals: readonly string[],
  notFirst = "",
  options: PatternOptions = { caseSensitive: false },
): string {
  // Case-insensitively, RE2 folds `[^j]` to exclude `J` too: one branch per lower-cased letter is enough.
  const keys = [...new Set(literals.map((l) => (options.caseSensitive ? l : l.toLowerCase())))];
  const firsts = [...new Set(keys.map((l) => l[0]!))];
  const alternatives = ["$", `[^${notFirst}${firsts.map(escapeClass).join("")}]`];
  for (const c of firsts) {
    const rest = keys.filter((l) => l[0] === c).map((l) => l.slice(1));
    if (rest.includes("")) continue; // a literal ends here: the text starts with it
    alternatives.push(`${RE2JS.quote(c)}(?:${notStartingWith(rest, "", options)})`);
  }
  return alternatives.join("|");
}

const escapeClass = (c: string) => (/[\\\]\[^-]/.test(c) ? `\\${c}` : c);

/**
 * The built-in patterns written with lookaround before the matcher moved to RE2, each with an RE2 equivalent
 * (checked against the original on generated texts and the corpora in test/diagnose/pattern.test.ts). The rule
 * files are another change's to edit; once they carry the equivalents below, this table is dead and goes.
 */
const SDK_ERROR_WORDING = String.raw`when calling the \w+ operation|\(Service: |Status Code: \d{3}; Error Code|botocore|ClientError|at com\.amazonaws|software\.amazon\.awssdk|aws-sdk|@aws-sdk`;
const AGENT_SECRET_WORDING =
  "ResourceInitializationError|unable to pull secrets|execution resource retrieval|download env files";
const JAVA_OOM_KINDS = [
  "Java",
  "GC ",
  "Metaspace",
  "unable to",
  "Direct buffer",
  "Requested array",
  "Compressed class",
  "PermGen",
];

export const LEGACY_PATTERNS: ReadonlyMap<string, (options: PatternOptions) => LinearPattern> = new Map([
  [
    String.raw`(?<![.\w])OutOfMemory(?:Error)?\b(?!:\s*(?:Java|GC |Metaspace|unable to|Direct buffer|Requested array|Compressed class|PermGen))`,
    (o: PatternOptions) =>
      re2(
        String.raw`(?:^|[^.\w])OutOfMemory(?:Error)?(?:$|[^\w:]|:\s*(?:${notStartingWith(JAVA_OOM_KINDS, "\\s", o)}))`,
        o,
      ),
  ],
  [
    String.raw`OOMKilled|OOM[- ]?kill(?:ed)?\b(?! score)|oom_kill(?!_)|invoked oom-killer`,
    (o: PatternOptions) =>
      re2(
        String.raw`OOMKilled|OOM[- ]?kill(?:ed)?(?:$|[^\w ]| (?:${notStartingWith(["score"], "", o)}))|oom_kill(?:$|[^_])|invoked oom-killer`,
        o,
      ),
  ],
  [
    String.raw`when calling the \w+ operation|(?:^(?![\s\S]*(?:ResourceInitializationError|unable to pull secrets|execution resource retrieval|download env files))[\s\S]*operation error )|\(Service: |Status Code: \d{3}; Error Code|botocore|ClientError|at com\.amazonaws|software\.amazon\.awssdk|aws-sdk|@aws-sdk`,
    (o: PatternOptions) =>
      anyOf(re2(SDK_ERROR_WORDING, o), allOf(re2("operation error ", o), not(re2(AGENT_SECRET_WORDING, o)))),
  ],
]);
