import type { Match, SymptomRule } from "./playbook-schema";
import { compilePattern, PatternError, type LinearPattern, type PatternOptions } from "./pattern";
import type { MessageField } from "./symptoms";

export { PatternError } from "./pattern";

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

/** A rule ready to run: patterns compiled once at load, on a linear-time engine (see pattern.ts). */
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
 * Compiles a rule's patterns. With `lazy` (patterns already compiled once: by the build, for the built-in playbooks'
 * compiled form, or earlier in this process for the same rule) each pattern's RE2 engine is built on its first use;
 * otherwise every pattern is compiled now, so a refused one throws PatternError here.
 */
export function compileRule(
  rule: SymptomRule,
  source: string,
  order: number,
  compile: { readonly lazy?: boolean } = {},
): CompiledRule {
  const m = rule.match;
  const options: PatternOptions = { caseSensitive: m.caseSensitive === true, lazy: compile.lazy === true };
  const any = compileAll("match.any", m.any, options);
  const all = compileAll("match.all", m.all, options);
  const none = compileAll("match.none", m.none, options);
  const capture = compileAll("match.capture", m.capture, options);
  const fields = new Set(rule.fields);
  return {
    rule,
    source,
    order,
    fields,
    test(message) {
      if (!fields.has(message.field)) return undefined;
      if (!structuredMatch(m, message)) return undefined;
      const text = matchText(message);
      const groups: Record<string, string> = {};
      if (any.length > 0) {
        let hit: Record<string, string> | undefined;
        for (const p of any) if ((hit = p.groups(text)) !== undefined) break;
        if (hit === undefined) return undefined;
        Object.assign(groups, hit);
      }
      for (const p of all) {
        const hit = p.groups(text);
        if (hit === undefined) return undefined;
        Object.assign(groups, hit);
      }
      for (const p of none) if (p.test(text)) return undefined;
      for (const p of capture) {
        const hit = p.groups(text);
        // Groups from the deciding patterns win; captures only fill what they left empty.
        if (hit) for (const [k, v] of Object.entries(hit)) groups[k] ??= v;
      }
      return groups;
    },
  };
}

/**
 * The text rules see (the last message's remembered): the message text (cut to MAX_MATCH_TEXT), normalised, followed by
 * one `key: value` line for each structured fact the text does not already carry (`exitCode: 137`,
 * `stopCode: UserInitiated`, `reasonCode: Target.Timeout`, `errorCode: AccessDenied`, `eventName: GetObject`). So a
 * text rule can say "unless the exit code is 0" (`none: ['exitCode: 0\b']`) and a bare description still shows its
 * reason code.
 *
 * Normalisation, so wording families match however the text was copied: ANSI colour codes and invisible characters
 * (zero-width, bidi marks, BOM, soft hyphen) are removed; control characters and NUL become spaces; NFKC folds
 * full-width letters and odd spaces; curly quotes and apostrophes become straight ones; CRLF becomes LF.
 */
export function matchText(message: Message): string {
  if (message === lastMessage) return lastText;
  const raw = typeof message.text === "string" ? message.text : "";
  let text = normalizeText(raw.length > MAX_MATCH_TEXT ? raw.slice(0, MAX_MATCH_TEXT) : raw);
  // The text before any fact is added, lower-cased only when a fact needs it.
  const base = text;
  let lower: string | undefined;
  const facts: [string, string | number | undefined][] = [
    ["exitCode", message.exitCode],
    ["stopCode", message.stopCode],
    ["reasonCode", message.reasonCode],
    ["errorCode", message.errorCode],
    ["eventName", message.eventName],
  ];
  for (const [key, value] of facts) {
    if (value === undefined || value === "") continue;
    const shown = normalizeText(String(value)).slice(0, 200);
    if (key !== "exitCode" && (lower ??= base.toLowerCase()).includes(shown.toLowerCase())) continue;
    text += `\n${key}: ${shown}`;
  }
  lastMessage = message;
  lastText = text;
  return text;
}

// The last message's text: classify and the rules ask for it about three times per message in a row. (A WeakMap of
// every message's text cost more than computing it: its inserts were a twentieth of classify.)
let lastMessage: Message | undefined;
let lastText = "";

const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;
const INVISIBLE = /[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/g;
const NEEDS_NORMALIZING = /[^\u0020-\u007e\n\t]/;
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/** See matchText. Never throws, whatever the input (lone surrogates included). */
export function normalizeText(text: string): string {
  // Printable ASCII (tabs and newlines included) is what almost every message is, and what every step below leaves
  // as it is: skip them.
  if (!NEEDS_NORMALIZING.test(text)) return text;
  let out = text.replace(ANSI, "").replace(INVISIBLE, "").replace(/\r\n?/g, "\n").replace(CONTROL, " ");
  try {
    out = out.normalize("NFKC");
  } catch {
    // keep the text as it is
  }
  return out.replace(/[\u2018\u2019\u201a\u201b\u2032\u00b4]/g, "'").replace(/[\u201c\u201d\u201e\u201f\u2033]/g, '"');
}

function compileAll(field: string, patterns: string | string[] | undefined, options: PatternOptions): LinearPattern[] {
  if (patterns === undefined) return [];
  return (Array.isArray(patterns) ? patterns : [patterns]).map((p, i) => {
    try {
      return compilePattern(p, options);
    } catch (error) {
      if (error instanceof PatternError) {
        throw new PatternError(Array.isArray(patterns) ? `${field}[${i}]` : field, error.message);
      }
      throw error;
    }
  });
}

const list = <T>(value: T | T[] | undefined): T[] | undefined =>
  value === undefined ? undefined : Array.isArray(value) ? value : [value];

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
