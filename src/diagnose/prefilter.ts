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

interface RuleRequirement {
  /** The groups of every `match.all` pattern's requirement, together. */
  readonly all: Ids;
  /** The `match.any` patterns' requirements (one must hold), or undefined when the rule has no `any`. */
  readonly any: readonly Ids[] | undefined;
}

export interface Prefilter {
  /** The indexes (into the rules array, in order) of the rules that read this message field. */
  rulesFor(field: string): readonly number[];
  /** Whether the rule at `index` may match a message whose match text, folded (`foldedText`), is `folded`. */
  candidate(index: number, folded: string): boolean;
}

const list = (p: string | string[] | undefined) => (p === undefined ? [] : Array.isArray(p) ? p : [p]);
const ids = (source: string): Ids => requirementIds(patternRequirement(source));

/** Builds the prefilter of a rule list once; `classifyMessage` keeps it per list. */
export function buildPrefilter(rules: readonly CompiledRule[]): Prefilter {
  const requirements: RuleRequirement[] = rules.map(({ rule }) => {
    const any = list(rule.match.any);
    return { all: list(rule.match.all).flatMap(ids), any: any.length > 0 ? any.map(ids) : undefined };
  });
  const byField = new Map<string, number[]>();
  rules.forEach(({ fields }, index) => {
    for (const field of fields) byField.set(field, [...(byField.get(field) ?? []), index]);
  });
  return {
    rulesFor: (field) => byField.get(field) ?? [],
    candidate(index, folded) {
      const r = requirements[index]!;
      if (r.all.length > 0 && !LITERALS.holds(folded, r.all)) return false;
      if (r.any === undefined) return true;
      for (const req of r.any) if (LITERALS.holds(folded, req)) return true;
      return false;
    },
  };
}
