import type { CompiledRule } from "./matcher";

/**
 * A literal-keyword prefilter over compiled rules, so classifying a message tries only the rules that can match it.
 *
 * From each rule's `match.any` / `match.all` patterns it derives needles: lower-case literal strings of which every
 * match of the pattern must contain at least one (`OutOfMemoryError` → {"outofmemoryerror"};
 * `(?:failed|unable) to pull` → {" to pull"}). One pass of an Aho–Corasick automaton over the lower-cased text finds
 * every needle present; a rule whose needles are absent cannot match and is skipped. Anything the extractor does
 * not understand gives no needle (the rule is always tried), so the filter only ever skips rules that cannot match:
 * results are those of trying every rule, whatever regex engine the matcher uses (it reads the pattern text, not the
 * compiled regexes). Only ASCII characters become needle text, so lower-casing agrees with any engine's
 * case-insensitive matching.
 */

/** Needles of one pattern: every match contains one of them; `null` when nothing can be said. */
type Needles = ReadonlySet<string> | null;

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
    if (c === "(") {
      i++;
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
        } else if (rest.startsWith("?<")) {
          const end = source.indexOf(">", i);
          if (end < 0) throw new Unsupported("group name");
          i = end + 1;
        } else throw new Unsupported("group flags");
      }
      const alts = alternation(true);
      i++; // ")"
      return lookaround ? { kind: "other", min: 0, repeats: false } : { kind: "group", alts, min: 1, repeats: false };
    }
    if (c === "[") {
      i++;
      if (source[i] === "^") i++;
      if (source[i] === "]") i++;
      while (i < source.length && source[i] !== "]") i += source[i] === "\\" ? 2 : 1;
      if (i >= source.length) throw new Unsupported("unclosed class");
      i++;
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

function alternativesNeedles(alts: readonly Item[][]): Needles {
  const out = new Set<string>();
  for (const seq of alts) {
    const needles = sequenceNeedles(seq);
    if (!needles) return null;
    for (const n of needles) out.add(n);
  }
  return out;
}

/** The best required element of a sequence: the candidate whose shortest needle is longest. */
function sequenceNeedles(seq: readonly Item[]): Needles {
  const candidates: Array<ReadonlySet<string>> = [];
  let run = "";
  const flush = () => {
    if (run) candidates.push(new Set([run]));
    run = "";
  };
  for (const item of seq) {
    if (item.kind === "char" && item.min >= 1) {
      run += item.ch!;
      if (item.repeats) flush();
      continue;
    }
    flush();
    if (item.kind === "group" && item.min >= 1) {
      const inner = alternativesNeedles(item.alts!);
      if (inner) candidates.push(inner);
    }
  }
  flush();
  let best: ReadonlySet<string> | null = null;
  let score = 0;
  for (const c of candidates) {
    const shortest = Math.min(...[...c].map((n) => n.length));
    if (shortest > score) [best, score] = [c, shortest];
  }
  return best;
}

/** Needles of one pattern source, or null when the extractor cannot vouch for any. */
export function patternNeedles(source: string): Needles {
  try {
    return alternativesNeedles(parse(source));
  } catch (error) {
    if (error instanceof Unsupported) return null;
    throw error;
  }
}

/** Aho–Corasick over lower-case needles: one pass over a text reports which needles occur. */
class Automaton {
  private readonly next: Array<Map<number, number>> = [new Map()];
  private readonly fail: number[] = [0];
  private readonly out: number[][] = [[]];

  constructor(needles: readonly string[]) {
    needles.forEach((needle, id) => {
      let state = 0;
      for (let k = 0; k < needle.length; k++) {
        const code = needle.charCodeAt(k);
        let to = this.next[state]!.get(code);
        if (to === undefined) {
          to = this.next.length;
          this.next.push(new Map());
          this.fail.push(0);
          this.out.push([]);
          this.next[state]!.set(code, to);
        }
        state = to;
      }
      this.out[state]!.push(id);
    });
    const queue: number[] = [];
    for (const to of this.next[0]!.values()) queue.push(to);
    for (let q = 0; q < queue.length; q++) {
      const state = queue[q]!;
      for (const [code, to] of this.next[state]!) {
        queue.push(to);
        let f = this.fail[state]!;
        while (f !== 0 && !this.next[f]!.has(code)) f = this.fail[f]!;
        const target = this.next[f]!.get(code);
        this.fail[to] = target !== undefined && target !== to ? target : 0;
        this.out[to] = [...this.out[to]!, ...this.out[this.fail[to]!]!];
      }
    }
  }

  /** Marks in `seen` (indexed by needle id) every needle occurring in `text` (already lower-case). */
  scan(text: string, seen: Uint8Array): void {
    let state = 0;
    for (let k = 0; k < text.length; k++) {
      const code = text.charCodeAt(k);
      let to = this.next[state]!.get(code);
      while (to === undefined && state !== 0) {
        state = this.fail[state]!;
        to = this.next[state]!.get(code);
      }
      state = to ?? 0;
      for (const id of this.out[state]!) seen[id] = 1;
    }
  }
}

/** Per rule: groups of needle ids, each group needing one present needle. */
type Requirement = readonly (readonly number[])[];

export interface Prefilter {
  /** Which rules (indexes into the rules array) may match a message whose match text, lower-cased, is `lower`. */
  candidates(lower: string): (index: number) => boolean;
}

/** Builds the prefilter of a rule list once; `classifyMessage` keeps it per list. */
export function buildPrefilter(rules: readonly CompiledRule[]): Prefilter {
  const ids = new Map<string, number>();
  const idOf = (needle: string) => {
    let id = ids.get(needle);
    if (id === undefined) ids.set(needle, (id = ids.size));
    return id;
  };
  const requirements: Requirement[] = rules.map(({ rule }) => {
    const list = (p: string | string[] | undefined) => (p === undefined ? [] : Array.isArray(p) ? p : [p]);
    const groups: number[][] = [];
    for (const pattern of list(rule.match.all)) {
      const needles = patternNeedles(pattern);
      if (needles) groups.push([...needles].map(idOf));
    }
    const any = list(rule.match.any).map(patternNeedles);
    if (any.length > 0 && any.every((n) => n !== null)) {
      groups.push([...new Set(any.flatMap((n) => [...n!]))].map(idOf));
    }
    return groups;
  });
  const automaton = new Automaton([...ids.keys()]);
  const size = ids.size;
  return {
    candidates(lower) {
      const seen = new Uint8Array(size);
      automaton.scan(lower, seen);
      return (index) => requirements[index]!.every((group) => group.some((id) => seen[id] === 1));
    },
  };
}
