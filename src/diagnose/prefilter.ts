import { foldedText, LITERALS } from "./literal-index";
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

type Ids = readonly (readonly number[])[];

interface RuleRequirement {
  /** Every `match.all` pattern's requirement. */
  readonly all: readonly Ids[];
  /** The `match.any` patterns' requirements (one must hold), or undefined when the rule has no `any`. */
  readonly any: readonly Ids[] | undefined;
}

export interface Prefilter {
  /** The indexes (into the rules array, in order) of the rules that read this message field. */
  rulesFor(field: string): readonly number[];
  /** Which rules (indexes into the rules array) may match a message whose match text is `text`. */
  candidates(text: string): (index: number) => boolean;
}

const list = (p: string | string[] | undefined) => (p === undefined ? [] : Array.isArray(p) ? p : [p]);
const ids = (source: string): Ids => patternRequirement(source).map((group) => group.map((n) => LITERALS.id(n)));

/** Builds the prefilter of a rule list once; `classifyMessage` keeps it per list. */
export function buildPrefilter(rules: readonly CompiledRule[]): Prefilter {
  const requirements: RuleRequirement[] = rules.map(({ rule }) => {
    const any = list(rule.match.any);
    return { all: list(rule.match.all).map(ids), any: any.length > 0 ? any.map(ids) : undefined };
  });
  const byField = new Map<string, number[]>();
  rules.forEach(({ fields }, index) => {
    for (const field of fields) byField.set(field, [...(byField.get(field) ?? []), index]);
  });
  return {
    rulesFor: (field) => byField.get(field) ?? [],
    candidates(text) {
      const folded = foldedText(text);
      return (index) => {
        const r = requirements[index]!;
        for (const req of r.all) if (!LITERALS.hasAll(folded, req)) return false;
        if (r.any === undefined) return true;
        for (const req of r.any) if (LITERALS.hasAll(folded, req)) return true;
        return false;
      };
    },
  };
}
