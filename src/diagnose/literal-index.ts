/**
 * Every literal the compiled patterns look for, found in one pass over a text (Aho–Corasick): instead of one
 * `includes` per literal per pattern per message, one walk of the text marks all the literals it contains, and a
 * pattern's prefilter is a few array reads. Literals are registered as patterns compile; the automaton is rebuilt
 * the next time a text is scanned. Linear in the text (plus the matches), whatever the literals.
 */
export class LiteralIndex {
  private readonly ids = new Map<string, number>();
  private built = false;
  private next: Map<number, number>[] = [];
  private fail: number[] = [];
  private out: number[][] = [];
  private seenAt = new Uint32Array(0);
  private stamp = 0;
  private scanned: string | undefined;

  /** The id of a (lower-cased) literal, registering it if new. */
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

  private build(): void {
    this.next = [new Map()];
    this.out = [[]];
    for (const [literal, id] of this.ids) {
      let state = 0;
      for (let i = 0; i < literal.length; i++) {
        const c = literal.charCodeAt(i);
        let to = this.next[state]!.get(c);
        if (to === undefined) {
          to = this.next.length;
          this.next.push(new Map());
          this.out.push([]);
          this.next[state]!.set(c, to);
        }
        state = to;
      }
      this.out[state]!.push(id);
    }
    // Breadth first: each state's failure link is the longest proper suffix that is also a prefix of some literal;
    // its outputs include those of that suffix.
    this.fail = new Array<number>(this.next.length).fill(0);
    const queue: number[] = [...this.next[0]!.values()];
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      for (const [c, to] of this.next[state]!) {
        queue.push(to);
        let f = this.fail[state]!;
        while (f !== 0 && !this.next[f]!.has(c)) f = this.fail[f]!;
        const target = this.next[f]!.get(c);
        this.fail[to] = target !== undefined && target !== to ? target : 0;
        this.out[to] = [...this.out[to]!, ...this.out[this.fail[to]!]!];
      }
    }
    this.seenAt = new Uint32Array(this.ids.size);
    this.stamp = 0;
    this.scanned = undefined;
    this.built = true;
  }

  private scan(text: string): void {
    this.scanned = text;
    this.stamp += 1;
    if (this.stamp === 0xffffffff) {
      this.seenAt.fill(0);
      this.stamp = 1;
    }
    const { next, fail, out, seenAt, stamp } = this;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      let to = next[state]!.get(c);
      while (to === undefined && state !== 0) {
        state = fail[state]!;
        to = next[state]!.get(c);
      }
      state = to ?? 0;
      const found = out[state]!;
      for (let k = 0; k < found.length; k++) seenAt[found[k]!] = stamp;
    }
  }
}
