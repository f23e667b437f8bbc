import { LITERALS, requirementIds } from "./literal-index";
import type { CompiledRule } from "./matcher";
import { patternRequirement } from "./needles";

export { patternNeedles } from "./needles";

/**
 * A literal-keyword prefilter over compiled rules, so classifying a message tries only the rules that can match it.
 *
 * From each rule's `match.all` / `match.any` patterns it takes what every match must contain (needles.ts: groups of
 * lower-case literals, `exceeds? (?:your |the )?(?:account|service) (?:quota|limit)` → "exceed" and one of
 * "account"/"service" and one of "quota"/"limit"). The literals of every rule and every pattern live in one index
 * (literal-index.ts): one Aho–Corasick pass over the folded text marks all those present, and a rule is a candidate
 * when each of its `all` patterns and at least one of its `any` patterns can still match. The same marks then spare
 * the engine the patterns of a candidate rule that cannot match (pattern.ts). Anything the extractor does not
 * understand gives no needle (the pattern is always tried), so the filter only ever skips rules that cannot match:
 * results are those of trying every rule, whatever regex engine the matcher uses.
 */

/** Group ids (LITERALS) that must all hold. */
type Ids = readonly number[];

export interface Prefilter {
  /** The indexes (into the rules array, in order) of the rules that read this message field. */
  rulesFor(field: string): readonly number[];
  /** Whether the rule at `index` may match a message whose match text, folded (`foldedText`), is `folded`. */
  candidate(index: number, folded: string): boolean;
  /** `candidate` on the marks of the text already scanned (`LITERALS.marks`): what classify asks for each rule. */
  admits(index: number, marks: { readonly seen: Uint32Array; readonly stamp: number }): boolean;
}

const list = (p: string | string[] | undefined) => (p === undefined ? [] : Array.isArray(p) ? p : [p]);
const ids = (source: string): Ids => requirementIds(patternRequirement(source));

/**
 * Builds the prefilter of a rule list once; `classifyMessage` keeps it per list. The requirements are flat typed
 * arrays (classify asks about ~40 rules per message): rule `i`'s `all` groups are `all[allStart[i] .. allStart[i + 1]]`;
 * its `any` patterns are `anyStart[i] .. anyStart[i + 1]` (none: the rule has no `any`), pattern `p`'s groups
 * `any[pattern[p] .. pattern[p + 1]]`.
 */
export function buildPrefilter(rules: readonly CompiledRule[]): Prefilter {
  const allStart = new Int32Array(rules.length + 1);
  const anyStart = new Int32Array(rules.length + 1);
  const allGroups: number[] = [];
  const anyGroups: number[] = [];
  const patternStart: number[] = [0];
  rules.forEach(({ rule }, i) => {
    allGroups.push(...list(rule.match.all).flatMap(ids));
    allStart[i + 1] = allGroups.length;
    for (const source of list(rule.match.any)) {
      anyGroups.push(...ids(source));
      patternStart.push(anyGroups.length);
    }
    anyStart[i + 1] = patternStart.length - 1;
  });
  const all = Int32Array.from(allGroups);
  const any = Int32Array.from(anyGroups);
  const pattern = Int32Array.from(patternStart);
  const byField = new Map<string, number[]>();
  rules.forEach(({ fields }, index) => {
    for (const field of fields) byField.set(field, [...(byField.get(field) ?? []), index]);
  });
  const admits: Prefilter["admits"] = (index, { seen, stamp }) => {
    for (let j = allStart[index]!, end = allStart[index + 1]!; j < end; j++) if (seen[all[j]!] !== stamp) return false;
    const first = anyStart[index]!;
    const last = anyStart[index + 1]!;
    if (first === last) return true;
    for (let p = first; p < last; p++) {
      let holds = true;
      for (let j = pattern[p]!, end = pattern[p + 1]!; j < end && holds; j++) holds = seen[any[j]!] === stamp;
      if (holds) return true;
    }
    return false;
  };
  return {
    rulesFor: (field) => byField.get(field) ?? [],
    candidate: (index, folded) => admits(index, LITERALS.marks(folded)),
    admits,
  };
}
