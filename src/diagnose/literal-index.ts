/**
 * Every literal the compiled patterns look for, found in one pass over a text (Aho–Corasick): instead of one
 * `includes` per literal per pattern per message, one walk of the text marks all the literals it contains, and a
 * pattern's prefilter is a few array reads. Literals are registered as patterns compile; the automaton is rebuilt
 * the next time a text is scanned. Linear in the text (plus the matches), whatever the literals.
 *
 * The automaton is a dense table (state × character class → state, failure links folded in), so a scan is one
 * table read per character. Literals are ASCII (the extractors only emit ASCII needles): every other character
 * belongs to class 0, which no literal contains, and sends the walk back to the root.
 */
export class LiteralIndex {
  private readonly ids = new Map<string, number>();
  private built = false;
  /** Character class of each ASCII code (0: in no literal). */
  private classOf = new Uint8Array(128);
  private classes = 1;
  /** Next state of `state * classes + class`. */
  private delta: Uint16Array | Int32Array = new Uint16Array(0);
  /** The bit of a `delta` entry that marks a state ending a literal. */
  private ends = 0x8000;
  /** Literal ids ending at each state (its own and its failure chain's): `outputs[outStart[s] .. outStart[s + 1]]`. */
  private outStart = new Int32Array(1);
  private outputs = new Int32Array(0);
  private seenAt = new Uint32Array(0);
  /** Groups (sets of literal ids one of which must occur), registered by `group`; each group's members. */
  private readonly groupIds = new Map<string, number>();
  private readonly members: (readonly number[])[] = [];
  /** The groups each literal belongs to: `groupsOf[groupStart[id] .. groupStart[id + 1]]`. */
  private groupStart = new Int32Array(1);
  private groupsOf = new Int32Array(0);
  private groupSeenAt = new Uint32Array(0);
  private stamp = 0;
  private scanned: string | undefined;

  /** The id of a literal (lower-case ASCII: the scan folds the text's A–Z onto it), registering it if new. */
  id(literal: string): number {
    let id = this.ids.get(literal);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(literal, id);
      this.built = false;
    }
    return id;
  }

  /** Whether the literal with this id occurs in `text` (scanned once per distinct text, the last one remembered). */
  has(text: string, id: number): boolean {
    if (!this.built) this.build();
    if (text !== this.scanned) this.scan(text);
    return this.seenAt[id] === this.stamp;
  }

  /**
   * The id of a group of literals (ids) one of which a match must contain, registering it if new. A scan marks each
   * group as it first meets one of its literals, so checking a requirement costs one read per group, however many
   * alternatives the group has.
   */
  group(ids: readonly number[]): number {
    const sorted = [...new Set(ids)].sort((a, b) => a - b);
    const key = sorted.join(",");
    let id = this.groupIds.get(key);
    if (id === undefined) {
      id = this.members.length;
      this.groupIds.set(key, id);
      this.members.push(sorted);
      this.built = false;
    }
    return id;
  }

  /**
   * Scans `text` (unless it was the last one) and returns the marks of its groups: group `g` has a literal in the
   * text when `marks.seen[g] === marks.stamp`. Valid until the next text is scanned or a literal or group registered.
   */
  marks(text: string): { readonly seen: Uint32Array; readonly stamp: number } {
    if (!this.built) this.build();
    if (text !== this.scanned) this.scan(text);
    return { seen: this.groupSeenAt, stamp: this.stamp };
  }

  /** Whether every group (ids from `group`) has one of its literals occurring in `text`; true for none. */
  holds(text: string, groups: readonly number[]): boolean {
    if (!this.built) this.build();
    if (text !== this.scanned) this.scan(text);
    const { groupSeenAt, stamp } = this;
    for (let g = 0; g < groups.length; g++) if (groupSeenAt[groups[g]!] !== stamp) return false;
    return true;
  }

  private build(): void {
    // Character classes: one per distinct ASCII character used by a literal.
    this.classOf = new Uint8Array(128);
    let classes = 1;
    for (const literal of this.ids.keys())
      for (let i = 0; i < literal.length; i++) {
        const c = literal.charCodeAt(i);
        if (c < 128 && this.classOf[c] === 0) this.classOf[c] = classes++;
      }
    // The scan folds case itself: an upper-case ASCII letter walks as its lower-case one (literals are lower-case),
    // so ASCII text is scanned as it is, never lower-cased first.
    for (let c = 0x61; c <= 0x7a; c++) if (this.classOf[c] !== 0) this.classOf[c - 0x20] = this.classOf[c]!;
    this.classes = classes;
    // The trie, straight into the dense table (0: no edge yet; no edge leads back to the root), then breadth first
    // each state's failure link and missing entries from its failure state's row (complete, being shallower). Typed
    // arrays only: this runs at every start-up, and a Map or list per state made it the largest part of it.
    let bound = 1;
    for (const literal of this.ids.keys()) bound += literal.length;
    const delta = new Int32Array(bound * classes);
    /** Literal ids ending at each state, as linked lists: `ownFirst[state]`, then `ownNext[id]` (-1 ends). */
    const ownFirst = new Int32Array(bound).fill(-1);
    const ownNext = new Int32Array(this.ids.size).fill(-1);
    const ownCount = new Int32Array(bound);
    let states = 1;
    for (const [literal, id] of this.ids) {
      let state = 0;
      let ascii = true;
      for (let i = 0; i < literal.length && ascii; i++) {
        const c = literal.charCodeAt(i);
        if (c >= 128) ascii = false;
        else {
          const at = state * classes + this.classOf[c]!;
          if (delta[at] === 0) delta[at] = states++;
          state = delta[at]!;
        }
      }
      // A non-ASCII literal can never be found by the scan (its characters are class 0): it is simply never marked.
      if (ascii) {
        ownNext[id] = ownFirst[state]!;
        ownFirst[state] = id;
        ownCount[state]! += 1;
      }
    }
    const fail = new Int32Array(states);
    const queue = new Int32Array(states);
    let tail = 1;
    for (let head = 0; head < tail; head++) {
      const state = queue[head]!;
      const row = state * classes;
      const failRow = fail[state]! * classes;
      for (let k = 1; k < classes; k++) {
        const child = delta[row + k]!;
        if (state === 0) {
          if (child !== 0) queue[tail++] = child;
        } else if (child !== 0) {
          fail[child] = delta[failRow + k]!;
          queue[tail++] = child;
        } else delta[row + k] = delta[failRow + k]!;
      }
    }
    // The literals ending at a state: its own, then its failure state's (each literal ends at one state only).
    const outCount = new Int32Array(states);
    for (let i = 0; i < states; i++) {
      const state = queue[i]!;
      outCount[state] = ownCount[state]! + (state === 0 ? 0 : outCount[fail[state]!]!);
    }
    this.outStart = new Int32Array(states + 1);
    for (let state = 0; state < states; state++) this.outStart[state + 1] = this.outStart[state]! + outCount[state]!;
    const outputs = new Int32Array(this.outStart[states]!);
    for (let i = 0; i < states; i++) {
      const state = queue[i]!;
      let at = this.outStart[state]!;
      for (let id = ownFirst[state]!; id !== -1; id = ownNext[id]!) outputs[at++] = id;
      if (state !== 0) outputs.copyWithin(at, this.outStart[fail[state]!]!, this.outStart[fail[state]! + 1]!);
    }
    // Each entry holds the next state with a bit set when that state ends a literal: the scan reads the output
    // lists only then. Sixteen bits per entry while the states fit (a table half the size stays in cache).
    const ends = states < 0x8000 ? 0x8000 : 0x40000000;
    const size = states * classes;
    const table = ends === 0x8000 ? new Uint16Array(size) : new Int32Array(size);
    for (let k = 0; k < size; k++) {
      const to = delta[k]!;
      table[k] = outCount[to]! > 0 ? to | ends : to;
    }
    this.delta = table;
    this.ends = ends;
    this.outputs = outputs;
    this.seenAt = new Uint32Array(this.ids.size);
    // Each literal's groups, flat.
    const count = new Int32Array(this.ids.size + 1);
    for (const group of this.members) for (const id of group) count[id + 1]! += 1;
    for (let id = 0; id < this.ids.size; id++) count[id + 1]! += count[id]!;
    this.groupStart = count.slice();
    this.groupsOf = new Int32Array(count[this.ids.size]!);
    this.members.forEach((group, g) => {
      for (const id of group) this.groupsOf[count[id]!++] = g;
    });
    this.groupSeenAt = new Uint32Array(this.members.length);
    this.stamp = 0;
    this.scanned = undefined;
    this.built = true;
  }

  private scan(text: string): void {
    this.scanned = text;
    this.stamp += 1;
    if (this.stamp === 0xffffffff) {
      this.seenAt.fill(0);
      this.groupSeenAt.fill(0);
      this.stamp = 1;
    }
    const { delta, classes, classOf, outStart, outputs, seenAt, stamp, ends, groupStart, groupsOf, groupSeenAt } = this;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 128) {
        state = 0;
        continue;
      }
      const next = delta[state * classes + classOf[c]!]!;
      if (next & ends) {
        state = next ^ ends;
        for (let k = outStart[state]!, end = outStart[state + 1]!; k < end; k++) {
          const id = outputs[k]!;
          if (seenAt[id] === stamp) continue;
          seenAt[id] = stamp;
          for (let j = groupStart[id]!, last = groupStart[id + 1]!; j < last; j++) groupSeenAt[groupsOf[j]!] = stamp;
        }
      } else state = next;
    }
  }
}

/** The one index every compiled pattern and the rule prefilter register their needles in: one scan per text. */
export const LITERALS = new LiteralIndex();

/**
 * The text the literal prefilter scans, remembered for the last text seen (classify looks at one text with every rule
 * and pattern in turn): ASCII text as it is (the scan folds A–Z onto a–z), any other text lower-cased, with the two
 * non-ASCII characters that RE2 folds onto ASCII letters (Kelvin sign, long s) folded too, so a case-insensitive
 * match is never filtered out.
 */
export function foldedText(text: string): string {
  remember(text);
  return lastFolded;
}

/** Whether the text is plain ASCII (remembered like `foldedText`). */
export function isAsciiText(text: string): boolean {
  remember(text);
  return lastAscii;
}

/** Whether every group of a requirement (group ids in LITERALS) has a literal present in `text`. */
export function satisfies(text: string, requirement: readonly number[]): boolean {
  return requirement.length === 0 || LITERALS.holds(foldedText(text), requirement);
}

/** A requirement (groups of lower-case literals) as group ids of LITERALS, registering what is new. */
export const requirementIds = (requirement: readonly (readonly string[])[]): number[] =>
  requirement.map((group) => LITERALS.group(group.map((literal) => LITERALS.id(literal))));

function remember(text: string): void {
  if (text === lastText) return;
  lastText = text;
  lastAscii = !NON_ASCII.test(text);
  lastFolded = lastAscii
    ? text
    : text
        .toLowerCase()
        .replace(/\u212a/g, "k")
        .replace(/\u017f/g, "s");
}
const NON_ASCII = /[^\u0000-\u007f]/;
let lastAscii = true;
let lastText = "";
let lastFolded = "";
