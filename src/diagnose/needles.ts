/**
 * Literal needles of a pattern: lower-case ASCII strings a match must contain, read from the pattern's text (not from
 * a compiled regex, so they hold whatever engine runs the pattern). Two shapes:
 *
 * - `patternRequirement`: a conjunction of groups, each group a set of needles one of which every match contains
 *   (`exceeds? (?:your |the )?(?:account|service) (?:quota|limit)` → [["exceed"], ["account", "service"],
 *   ["quota", "limit"]]). Each element of a sequence that must occur gives its groups; an alternation gives one
 *   group, the union of each alternative's best group.
 * - `patternNeedles`: the best single group (the one whose shortest needle is longest).
 *
 * Anything the parser does not understand gives no needle (the pattern is always tried), so a pattern is only ever
 * skipped when it cannot match. Only ASCII characters become needle text, so lower-casing agrees with any engine's
 * case-insensitive matching (the text is folded to match: see foldedText in literal-index.ts).
 */

/** Needles of one pattern: every match contains one of them; `null` when nothing can be said. */
export type Needles = ReadonlySet<string> | null;

/** Groups that must all hold, each satisfied by any one of its needles; empty when nothing can be said. */
export type Requirement = readonly (readonly string[])[];

interface Item {
  readonly kind: "char" | "group" | "other";
  readonly ch?: string;
  readonly alts?: Item[][];
  /** Minimum repetitions (0: optional). */
  min: number;
  /** Whether it may repeat (a run of literal chars ends after it). */
  repeats: boolean;
}

class Unsupported extends Error {}

const PLAIN_CLASS = /^[A-Za-z0-9 _,;:'"=<>@#%&!~\x60-]{1,8}$/;

/** Parses the subset of regex syntax the extractor reasons about; anything else throws `Unsupported`. */
function parse(source: string): Item[][] {
  let i = 0;
  const alternation = (closing: boolean): Item[][] => {
    const alts: Item[][] = [[]];
    while (i < source.length) {
      const c = source[i]!;
      if (c === ")") {
        if (!closing) throw new Unsupported("unbalanced )");
        return alts;
      }
      if (c === "|") {
        i++;
        alts.push([]);
        continue;
      }
      const item = atom();
      quantifier(item);
      alts[alts.length - 1]!.push(item);
    }
    if (closing) throw new Unsupported("unclosed group");
    return alts;
  };
  const atom = (): Item => {
    const c = source[i]!;
    if (c === "(") return group();
    if (c === "[") {
      const start = i;
      skipClass();
      // A class of a few plain characters (`[sz]`, `[- ]`) is an alternation of them; anything else is opaque.
      const body = source.slice(start + 1, i - 1);
      if (PLAIN_CLASS.test(body) && !/.-./.test(body))
        return { kind: "group", alts: [...new Set(body)].map((ch) => [literal(ch)]), min: 1, repeats: false };
      return { kind: "other", min: 1, repeats: false };
    }
    if (c === "\\") {
      const e = source[i + 1];
      if (e === undefined) throw new Unsupported("trailing backslash");
      i += 2;
      if (/[dDwWsSbBnrtfv0-9]/.test(e)) return { kind: "other", min: 1, repeats: false };
      if (/[A-Za-z]/.test(e)) throw new Unsupported(`escape \\${e}`);
      return literal(e);
    }
    if (c === "." || c === "^" || c === "$") {
      i++;
      return { kind: "other", min: 1, repeats: false };
    }
    if (c === "*" || c === "+" || c === "?") throw new Unsupported("dangling quantifier");
    i++;
    return literal(c);
  };
  const group = (): Item => {
    i++; // "("
    let lookaround = false;
    if (source[i] === "?") {
      const rest = source.slice(i, i + 4);
      if (rest.startsWith("?:")) i += 2;
      else if (rest.startsWith("?=") || rest.startsWith("?!")) {
        i += 2;
        lookaround = true;
      } else if (rest.startsWith("?<=") || rest.startsWith("?<!")) {
        i += 3;
        lookaround = true;
      } else if (rest.startsWith("?<") || rest.startsWith("?P<")) {
        const end = source.indexOf(">", i);
        if (end < 0) throw new Unsupported("group name");
        i = end + 1;
      } else throw new Unsupported("group flags");
    }
    const alts = alternation(true);
    i++; // ")"
    return lookaround ? { kind: "other", min: 0, repeats: false } : { kind: "group", alts, min: 1, repeats: false };
  };
  const skipClass = () => {
    i++; // "["
    if (source[i] === "^") i++;
    if (source[i] === "]") i++;
    while (i < source.length && source[i] !== "]") {
      if (source[i] === "\\") i += 2;
      else if (source.startsWith("[:", i)) {
        // A POSIX class inside a bracket expression (`[[:alpha:]_]`) ends at its own `:]`.
        const end = source.indexOf(":]", i + 2);
        if (end < 0) throw new Unsupported("unclosed POSIX class");
        i = end + 2;
      } else i++;
    }
    if (i >= source.length) throw new Unsupported("unclosed class");
    i++;
  };
  const literal = (ch: string): Item =>
    ch.charCodeAt(0) < 128
      ? { kind: "char", ch: ch.toLowerCase(), min: 1, repeats: false }
      : { kind: "other", min: 1, repeats: false };
  const quantifier = (item: Item) => {
    const c = source[i];
    let min: number | undefined;
    let repeats = false;
    if (c === "?") min = 0;
    else if (c === "*") [min, repeats] = [0, true];
    else if (c === "+") [min, repeats] = [1, true];
    else if (c === "{") {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
      if (!m) return; // a literal "{" (already consumed as an atom next time round)
      min = Number(m[1]);
      repeats = m[2] !== undefined ? m[3] === "" || Number(m[3]) > 1 : Number(m[1]) > 1;
      i += m[0].length - 1;
    } else return;
    i++;
    if (source[i] === "?") i++;
    item.min = Math.min(item.min, min);
    item.repeats = repeats;
  };
  return alternation(false);
}

/** Every group a sequence requires: each run of literal characters, and what each required group requires. */
function sequenceRequirement(seq: readonly Item[]): string[][] {
  const groups: string[][] = [];
  let run = "";
  const flush = () => {
    if (run) groups.push([run]);
    run = "";
  };
  for (const item of seq) {
    if (item.kind === "char" && item.min >= 1) {
      run += item.ch!;
      if (item.repeats) flush();
      continue;
    }
    flush();
    if (item.kind === "group" && item.min >= 1) groups.push(...alternativesRequirement(item.alts!));
  }
  flush();
  return groups;
}

/**
 * One alternative: all it requires. Several: what any of them requires, distributed (`(a ∧ b) ∨ c` is `(a ∨ c) ∧
 * (b ∨ c)`) while that stays small, else one group, the union of each alternative's best group (or nothing).
 */
function alternativesRequirement(alts: readonly Item[][]): string[][] {
  if (alts.length === 1) return sequenceRequirement(alts[0]!);
  const each = alts.map((seq) => usefulGroups(sequenceRequirement(seq)));
  if (each.some((groups) => groups.length === 0)) return [];
  if (each.reduce((n, groups) => n * groups.length, 1) <= MAX_DISTRIBUTED) {
    let product: string[][] = [[]];
    for (const groups of each) product = product.flatMap((acc) => groups.map((g) => [...acc, ...g]));
    return product.map((g) => [...new Set(g)]);
  }
  return [[...new Set(each.flatMap((groups) => bestGroup(groups)!))]];
}

/** Most groups an alternation's distribution may give. */
const MAX_DISTRIBUTED = 8;

const shortest = (group: readonly string[]) => Math.min(...group.map((n) => n.length));

/** The group whose shortest needle is longest (the first of equals), or undefined for none. */
function bestGroup(groups: readonly (readonly string[])[]): readonly string[] | undefined {
  let best: readonly string[] | undefined;
  let score = 0;
  for (const g of groups) if (shortest(g) > score) [best, score] = [g, shortest(g)];
  return best;
}

function requirementOf(source: string): string[][] {
  try {
    return alternativesRequirement(parse(source));
  } catch (error) {
    if (error instanceof Unsupported) return [];
    throw error;
  }
}

/** Needles shorter than this are common in any text; a group made of them filters little and costs a mark each. */
const USEFUL_NEEDLE = 3;

/**
 * What every match of a pattern contains: groups that must all hold (duplicates dropped, and groups with a needle
 * shorter than three characters unless nothing better is known). Empty when nothing can be said.
 */
export function patternRequirement(source: string): Requirement {
  let known = requirements.get(source);
  if (known === undefined) requirements.set(source, (known = usefulGroups(requirementOf(source))));
  return known;
}

/** Groups without duplicates or needles too short to be worth it (unless nothing better is known). */
function usefulGroups(groups: readonly (readonly string[])[]): string[][] {
  const seen = new Set<string>();
  const useful = groups.filter((g) => {
    const key = [...g].sort().join("\u0000");
    if (seen.has(key) || shortest(g) < USEFUL_NEEDLE) return false;
    seen.add(key);
    return true;
  });
  if (useful.length > 0) return useful.map((g) => [...g]);
  const best = bestGroup(groups);
  return best ? [[...best]] : [];
}

/** Needles of one pattern source (its best group), or null when the extractor cannot vouch for any. */
export function patternNeedles(source: string): Needles {
  const best = bestGroup(requirementOf(source));
  return best ? new Set(best) : null;
}

/** Most strings a finite pattern may expand to before it is left to the engine. */
const MAX_EXPANSION = 16;

/**
 * The strings a pattern matches, lower-cased, when it is a finite set of plain ASCII strings (literal characters,
 * groups of alternatives, `?` on either): `env(?:ironment)? ?files?` → "env files", "envfile", "environment files",
 * …. On ASCII text a case-insensitive search for the pattern is exactly a search for one of these strings in the
 * lower-cased text. Undefined for anything else (classes, `\b`, repetition, anchors), or beyond 16 strings.
 */
export function finiteStrings(source: string): readonly string[] | undefined {
  let known = finites.get(source);
  if (known === undefined) finites.set(source, (known = finiteStringsOf(source) ?? null));
  return known ?? undefined;
}

function finiteStringsOf(source: string): string[] | undefined {
  try {
    const out = expandAlternatives(parse(source));
    return out && out.length > 0 && !out.includes("") ? [...new Set(out)] : undefined;
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

/**
 * What was read from each pattern's text, remembered per text: the rule prefilter and the pattern ask for the same
 * ones, and the built-in playbooks' compiled form carries them (`needleTable` at build, `rememberNeedles` at load),
 * since reading them was a tenth of classify's start-up. Both are functions of the text alone.
 */
const requirements = new Map<string, Requirement>();
const finites = new Map<string, readonly string[] | null>();

/** Per pattern text: its requirement and its finite strings (null: not a small finite set). */
export type NeedleTable = Readonly<Record<string, readonly [Requirement, readonly string[] | null]>>;

/** The needles of these pattern texts, as `rememberNeedles` takes them back. */
export function needleTable(sources: Iterable<string>): NeedleTable {
  const table: Record<string, readonly [Requirement, readonly string[] | null]> = {};
  for (const source of sources) table[source] = [patternRequirement(source), finiteStrings(source) ?? null];
  return table;
}

/** Takes needles read earlier from the same texts by this same code (the build). */
export function rememberNeedles(table: NeedleTable): void {
  for (const [source, [requirement, finite]] of Object.entries(table)) {
    requirements.set(source, requirement);
    finites.set(source, finite);
  }
}

function expandAlternatives(alts: readonly Item[][]): string[] | undefined {
  const out: string[] = [];
  for (const seq of alts) {
    const strings = expandSequence(seq);
    if (!strings || out.length + strings.length > MAX_EXPANSION) return undefined;
    out.push(...strings);
  }
  return out;
}

function expandSequence(seq: readonly Item[]): string[] | undefined {
  let out = [""];
  for (const item of seq) {
    if (item.repeats || item.min > 1) return undefined;
    let options: string[] | undefined;
    if (item.kind === "char") options = [item.ch!];
    else if (item.kind === "group") options = expandAlternatives(item.alts!);
    if (!options) return undefined;
    if (item.min === 0) options = ["", ...options];
    if (out.length * options.length > MAX_EXPANSION) return undefined;
    out = out.flatMap((prefix) => options.map((o) => prefix + o));
  }
  return out;
}
