import type { Match, SymptomRule } from "./playbook-schema";
import type { MessageField } from "./symptoms";

/** One message to classify: its text and the structured facts that came with it. */
export interface Message {
  readonly field: MessageField;
  readonly text: string;
  readonly exitCode?: number | undefined;
  readonly stopCode?: string | undefined;
  readonly reasonCode?: string | undefined;
  readonly state?: string | undefined;
  readonly eventName?: string | undefined;
  readonly errorCode?: string | undefined;
  readonly detailType?: string | undefined;
}

/** A rule ready to run: regexes compiled once at load. */
export interface CompiledRule {
  readonly rule: SymptomRule;
  /** Where it came from, for error messages and `--explain`. */
  readonly source: string;
  /** Order of loading; ties in priority go to the earlier rule. */
  readonly order: number;
  readonly fields: ReadonlySet<MessageField>;
  /** Returns the named groups captured (possibly empty) when the rule matches, else undefined. */
  test(message: Message): Record<string, string> | undefined;
}

/** Texts longer than this are cut before matching: bounds the work per message whatever the input. */
export const MAX_MATCH_TEXT = 8_192;

/**
 * Patterns with a quantified group that itself contains a quantifier (`(a+)+`, `(\w+\s?)*`) can backtrack
 * catastrophically. JavaScript cannot interrupt a running regex, so such patterns are refused at load.
 */
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*](?:[^()\\]|\\.)*\)(?:[+*]|\{\d+,\d*\})/;

export class PatternError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export function compileRule(rule: SymptomRule, source: string, order: number): CompiledRule {
  const m = rule.match;
  const flags = m.caseSensitive ? "" : "i";
  const any = compileAll("match.any", m.any, flags);
  const all = compileAll("match.all", m.all, flags);
  const none = compileAll("match.none", m.none, flags);
  const fields = new Set(rule.fields);
  return {
    rule,
    source,
    order,
    fields,
    test(message) {
      if (!fields.has(message.field)) return undefined;
      if (!structuredMatch(m, message)) return undefined;
      const text = message.text.length > MAX_MATCH_TEXT ? message.text.slice(0, MAX_MATCH_TEXT) : message.text;
      const groups: Record<string, string> = {};
      if (any.length > 0) {
        const hit = any.map((r) => r.exec(text)).find((x) => x !== null);
        if (!hit) return undefined;
        Object.assign(groups, definedGroups(hit));
      }
      for (const r of all) {
        const hit = r.exec(text);
        if (!hit) return undefined;
        Object.assign(groups, definedGroups(hit));
      }
      if (none.some((r) => r.test(text))) return undefined;
      return groups;
    },
  };
}

function compileAll(field: string, patterns: string | string[] | undefined, flags: string): RegExp[] {
  if (patterns === undefined) return [];
  return (Array.isArray(patterns) ? patterns : [patterns]).map((p, i) => {
    const where = Array.isArray(patterns) ? `${field}[${i}]` : field;
    if (NESTED_QUANTIFIER.test(p)) {
      throw new PatternError(where, `pattern ${JSON.stringify(p)} nests quantifiers and could hang on long input; rewrite it`);
    }
    try {
      return new RegExp(p, flags);
    } catch (error) {
      throw new PatternError(where, `pattern ${JSON.stringify(p)} is not a valid regular expression: ${(error as Error).message}`);
    }
  });
}

function definedGroups(match: RegExpExecArray): Record<string, string> {
  return Object.fromEntries(Object.entries(match.groups ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
}

const list = <T>(value: T | T[] | undefined): T[] | undefined => (value === undefined ? undefined : Array.isArray(value) ? value : [value]);

function structuredMatch(m: Match, message: Message): boolean {
  const exitCodes = list(m.exitCode);
  if (exitCodes && (message.exitCode === undefined || !exitCodes.includes(message.exitCode))) return false;
  const exitNot = list(m.exitCodeNot);
  if (exitNot && (message.exitCode === undefined || exitNot.includes(message.exitCode))) return false;
  return (
    sameText(m.stopCode, message.stopCode) &&
    sameText(m.reasonCode, message.reasonCode) &&
    sameText(m.state, message.state) &&
    sameText(m.eventName, message.eventName) &&
    sameText(m.errorCode, message.errorCode) &&
    sameText(m.detailType, message.detailType)
  );
}

function sameText(wanted: string | string[] | undefined, actual: string | undefined): boolean {
  const values = list(wanted);
  if (!values) return true;
  if (actual === undefined) return false;
  const a = actual.toLowerCase();
  return values.some((v) => v.toLowerCase() === a);
}
