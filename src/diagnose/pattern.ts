import { PatternError } from "../errors";
import { RE2JS } from "re2js";
import { LiteralIndex } from "./literal-index";

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
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(RE2JS.translateRegExp(source), options.caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE);
  } catch (error) {
    const known = UNSUPPORTED.find(([construct]) => construct.test(source));
    const reason = known
      ? `uses syntax the linear-time matcher (RE2) refuses: ${known[1]}; rewrite it without them ` +
        `(docs/writing-rules.md)`
      : `is not a valid regular expression (RE2 syntax): ${(error as Error).message}`;
    throw new PatternError("", `pattern ${JSON.stringify(source)} ${reason}`);
  }
  const named = Object.keys(compiled.namedGroups()).length > 0;
  // Most patterns cannot match most texts: a literal every match must contain, looked for in the folded text (all
  // patterns' literals in one pass, see LiteralIndex), skips the engine for them (see requiredLiterals).
  const required = requiredLiterals(source)?.map((l) => LITERALS.id(l));
  const possible = (text: string) => required === undefined || required.some((id) => LITERALS.has(folded(text), id));
  // A pattern that is only literals (`killed due to memory usage|OOMKilled`, almost half the built-in ones) needs no
  // engine at all on an ASCII text, where lower-casing is exactly RE2's case folding.
  const literals = literalAlternatives(source);
  const lowered = literals?.map((l) => LITERALS.id(l.toLowerCase()));
  const test = (text: string): boolean => {
    if (literals && isAscii(text)) {
      return options.caseSensitive
        ? literals.some((l) => text.includes(l))
        : lowered!.some((id) => LITERALS.has(folded(text), id));
    }
    return possible(text) && compiled.test(text);
  };
  return {
    test,
    groups(text) {
      if (literals) return test(text) ? {} : undefined;
      if (!possible(text)) return undefined;
      // The DFA answers yes/no fastest; only a pattern with named groups needs the capturing engine.
      if (!named) return compiled.test(text) ? {} : undefined;
      const hit = compiled.exec(text) as (RegExpExecArray & { groups?: Record<string, string | undefined> }) | null;
      if (hit === null) return undefined;
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(hit.groups ?? {})) if (v !== undefined) out[k] = v;
      return out;
    },
  };
}

/**
 * For each top-level alternative of the pattern, the longest run of plain characters it must contain (lower-cased),
 * or undefined when some alternative has none of at least three characters. Sound by construction: a match contains
 * one of them, whatever the case flags (the text is folded the same way). Conservative: anything but a plain
 * character (a class, a group, an escape like `\w`, an anchor) ends a run, and a character made optional by `?`,
 * `*` or `{…}` is dropped from it.
 *
 * @example requiredLiterals("CannotPullContainerError|manifest (?:for )?\\S+ not found") → ["cannotpullcontainererror", "manifest "]
 */
export function requiredLiterals(source: string): string[] | undefined {
  const literals: string[] = [];
  // Per top-level alternative, the best requirement so far: one run, or a group of plain alternatives (any of them),
  // scored by its shortest literal.
  let best: { list: string[]; score: number } = { list: [], score: 0 };
  let weakest = Infinity;
  let run = "";
  const endRun = () => {
    if (run.length > best.score) best = { list: [run], score: run.length };
    run = "";
  };
  const endAlternative = () => {
    endRun();
    literals.push(...best.list.map((l) => l.toLowerCase()));
    weakest = Math.min(weakest, best.score);
    best = { list: [], score: 0 };
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === "\\") {
      const next = source[i + 1];
      i += 1;
      if (next === undefined) break;
      if (/[A-Za-z0-9]/.test(next)) {
        // Classes and assertions end a run; an escape with an argument (`\x41`, `\p{Greek}`, `\Q…\E`) is rare
        // enough in rules that the pattern simply goes without a prefilter.
        if (!/[wWdDsSbBAzntrfv]/.test(next)) return undefined;
        endRun();
      } else if (next.charCodeAt(0) < 128) run += next;
      else endRun();
      continue;
    }
    if (c === "[") {
      i = classEnd(source, i);
      endRun();
      continue;
    }
    if (c === "(") {
      // A whole group: `(?:subnet|ip address)` that must occur requires one of its plain alternatives.
      endRun();
      const close = groupEnd(source, i);
      if (close < 0) return undefined;
      const content = source.slice(i + 1, close);
      const inner = content.startsWith("?:")
        ? content.slice(2)
        : /^\?P?<[A-Za-z_][A-Za-z0-9_]*>/.test(content)
          ? content.replace(/^\?P?<[A-Za-z_][A-Za-z0-9_]*>/, "")
          : content.startsWith("?")
            ? undefined
            : content;
      const alternatives = inner === undefined ? undefined : literalAlternatives(inner);
      const after = source.slice(close + 1);
      const optional = /^(?:[?*]|\{0*[,}]|\{0+,)/.test(after);
      if (alternatives && !optional) {
        const score = Math.min(...alternatives.map((a) => a.length));
        if (score > best.score) best = { list: alternatives, score };
      }
      i = close;
      continue;
    }
    if (c === ")") {
      endRun();
      continue;
    }
    if (c === "|") {
      endAlternative();
      continue;
    }
    if (c === "?" || c === "*" || c === "{") {
      run = run.slice(0, -1); // the character before may be absent
      endRun();
      if (c === "{") {
        const repeat = /^\{\d*(?:,\d*)?\}/.exec(source.slice(i));
        if (repeat) i += repeat[0].length - 1;
      }
      continue;
    }
    if (c === "+") {
      endRun();
      continue;
    }
    if (c === "." || c === "^" || c === "$" || c.charCodeAt(0) >= 128) {
      endRun();
      continue;
    }
    run += c;
  }
  endAlternative();
  return weakest >= 3 ? literals : undefined;
}

/** Index of the `]` closing the class opened at `start` (`[]…]` and `[^]…]` start with a literal `]`). */
function classEnd(source: string, start: number): number {
  let j = start + 1;
  if (source[j] === "^") j += 1;
  if (source[j] === "]") j += 1;
  while (j < source.length && source[j] !== "]") j += source[j] === "\\" ? 2 : 1;
  return j;
}

/** Index of the `)` closing the group opened at `start`, or -1. */
function groupEnd(source: string, start: number): number {
  let depth = 0;
  for (let j = start; j < source.length; j++) {
    const c = source[j];
    if (c === "\\") j += 1;
    else if (c === "[") j = classEnd(source, j);
    else if (c === "(") depth += 1;
    else if (c === ")" && --depth === 0) return j;
  }
  return -1;
}

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

/**
 * The text lower-cased for the literal prefilter, remembered for the last text seen (classify runs every pattern on
 * one text in turn). The two non-ASCII characters that RE2 folds onto ASCII letters (Kelvin sign, long s) are
 * folded too, so a case-insensitive match is never filtered out.
 */
function folded(text: string): string {
  remember(text);
  return lastFolded;
}

/** Whether the text is plain ASCII (remembered like `folded`). */
function isAscii(text: string): boolean {
  remember(text);
  return lastAscii;
}

function remember(text: string): void {
  if (text === lastText) return;
  lastText = text;
  lastAscii = !NON_ASCII.test(text);
  lastFolded = text
    .toLowerCase()
    .replace(/\u212a/g, "k")
    .replace(/\u017f/g, "s");
}
const NON_ASCII = /[^\u0000-\u007f]/;
const LITERALS = new LiteralIndex();
let lastAscii = true;
let lastText = "";
let lastFolded = "";

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
