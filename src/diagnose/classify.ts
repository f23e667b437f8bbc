import type { Playbooks } from "./load-playbooks";
import { MAX_MATCH_TEXT, matchText, normalizeText, type CompiledRule, type Message } from "./matcher";
import { foldedText, LITERALS } from "./literal-index";
import { buildPrefilter, type Prefilter } from "./prefilter";
import { MESSAGE_FIELDS, type MessageField, type MessageSymptom, type Severity } from "./symptoms";

/** What one message means, and which rule said so. */
export interface Classification {
  readonly symptom: MessageSymptom;
  readonly cause?: string | undefined;
  /** The rule that matched; absent for `other` reached by no rule. */
  readonly rule?: string | undefined;
  readonly severity: Severity;
  readonly priority: number;
  /** Named regex groups the rule captured, for its text templates. */
  readonly vars: Readonly<Record<string, string>>;
}

const OTHER: Classification = { symptom: "other", severity: "warn", priority: 0, vars: {} };

/** What `classify` reports as the rule of a message no rule matched (DESIGN.md §5; issue 14). */
export const DEFAULT_RULE = "default";

/**
 * Failure words, for SHOWING why a message no rule matched is a failure (`classify` prints them beside the text).
 * They never decide a symptom: the benign rules refuse the same words in YAML (`&failure_words` in
 * playbooks/symptoms/90-benign.yaml), which is what keeps an unknown failure from becoming `normal`.
 */
const FAILURE_WORDS =
  /\b(?:errors?|exceptions?|fatal|panic|traceback|critical|fail(?:s|ed|ure|ures|ing)?|refused|denied|unauthori[sz]ed|forbidden|timed? ?out|timeout|unreachable|unhealthy|killed|abort(?:ed)?|crash(?:ed)?|segfault|oom|out of memory|couldn't|could not|cannot|can't|unable to|not found|no such|invalid|unsupported|not supported|not allowed|not permitted|insufficient|not enough|exhausted|throttl\w*|rate exceeded|limit exceeded|interrupted|died)\b|\b\w+(?:Error|Exception|Failure)\b|\bE(?:NOTFOUND|AI_AGAIN|CONNREFUSED|CONNRESET|TIMEDOUT|HOSTUNREACH|NETUNREACH|PIPE)\b/gi;

/** The distinct failure words in a text, lower-cased, in order of first appearance (at most 10). */
export function failureWords(text: string): string[] {
  const found = new Set<string>();
  for (const m of normalizeText(text.slice(0, MAX_MATCH_TEXT)).matchAll(FAILURE_WORDS)) {
    found.add(m[0].toLowerCase());
    if (found.size >= 10) break;
  }
  return [...found];
}

/**
 * Classifies one message: the highest-priority failure rule that matches wins; if none does, a matching benign
 * rule makes it `normal`; otherwise it is `other` (recognised as a failure, or at least not known to be benign).
 */
export function classifyMessage(message: Message, playbooks: Pick<Playbooks, "rules">): Classification {
  const rules = playbooks.rules;
  const prefilter = prefilterOf(rules);
  // Rules in order, only those reading this field and whose literal keywords occur in the text (one pass finds
  // them all).
  const order = prefilter.rulesFor(message.field);
  if (order.length === 0) return OTHER;
  const folded = foldedText(matchText(message));
  let marks = LITERALS.marks(folded);
  for (const index of order) {
    if (!prefilter.admits(index, marks)) continue;
    const compiled = rules[index]!;
    const vars = compiled.test(message);
    if (vars === undefined) {
      // The marks of this text again: a rule's patterns read the same index (and scan nothing new), but the marks
      // must never be another text's.
      marks = LITERALS.marks(folded);
      continue;
    }
    const { rule } = compiled;
    return {
      symptom: rule.symptom,
      cause: rule.cause,
      rule: rule.id,
      severity: rule.severity,
      priority: rule.priority,
      vars,
    };
  }
  return OTHER;
}

/** One prefilter per loaded rule list, built on first use. */
const prefilters = new WeakMap<readonly CompiledRule[], Prefilter>();

function prefilterOf(rules: readonly CompiledRule[]): Prefilter {
  if (rules === lastRules) return lastPrefilter!;
  let prefilter = prefilters.get(rules);
  if (!prefilter) prefilters.set(rules, (prefilter = buildPrefilter(rules)));
  lastRules = rules;
  lastPrefilter = prefilter;
  return prefilter;
}
/** The last list asked about (one per run, almost always), before the WeakMap. */
let lastRules: readonly CompiledRule[] | undefined;
let lastPrefilter: Prefilter | undefined;

/** A `classify` input line (DESIGN.md §5). */
export interface ClassifyInput {
  readonly id?: unknown;
  readonly field?: unknown;
  readonly text?: unknown;
  readonly extra?: unknown;
}

/**
 * Turns a loosely typed input line into a Message, filling structured facts the text itself carries: the number of
 * a `container.exitCode`, the code of a `stopCode`, a bare target-health reason code, and the detail-type, event
 * name, stop code and exit code inside EventBridge or CloudTrail JSON.
 */
export function toMessage(input: ClassifyInput): Message {
  if (typeof input.field !== "string" || !(MESSAGE_FIELDS as readonly string[]).includes(input.field)) {
    throw new TypeError(`field must be one of ${MESSAGE_FIELDS.join(", ")}`);
  }
  const field = input.field as MessageField;
  const text =
    typeof input.text === "string"
      ? input.text
      : input.text === undefined || input.text === null
        ? ""
        : JSON.stringify(input.text);
  const extra = (input.extra && typeof input.extra === "object" ? input.extra : NO_EXTRA) as Record<string, unknown>;

  // Reason texts carried beside a code (a container.exitCode line's reason, a stopCode's stoppedReason) are part
  // of what the message says: append them so the text rules see them too.
  const context: string[] = [];
  for (const key of CONTEXT_KEYS) {
    const v = extra === NO_EXTRA ? undefined : str(extra[key]);
    if (v !== undefined && v !== text.trim()) context.push(v);
  }
  // Callers spell the extra keys in camelCase, snake_case or as EventBridge does (`detail-type`).
  const message: { -readonly [K in keyof Message]: Message[K] } = {
    field,
    text: context.length > 0 ? `${text}\n${context.join("\n")}` : text,
    exitCode: num(pick(extra, "exitCode", "exit_code")),
    stopCode: str(pick(extra, "stopCode", "stop_code")),
    reasonCode: str(pick(extra, "reasonCode", "reason_code")),
    state: str(pick(extra, "state", "targetHealthState")),
    eventName: str(pick(extra, "eventName", "event_name")),
    errorCode: str(pick(extra, "errorCode", "error_code")),
    detailType: str(pick(extra, "detailType", "detail_type", "detail-type")),
  };
  switch (field) {
    case "container.exitCode": {
      // "137", "Exit code: 137", "exitCode=137 (SIGKILL)": the first number is the code.
      const code = /^\s*(?:exit\s*code\s*[:=]?\s*)?(-?\d{1,10})\b/i.exec(text);
      message.exitCode ??= code ? Number(code[1]) : undefined;
      break;
    }
    case "stopCode": {
      const code = /^\s*([A-Za-z]{3,40})\b/.exec(text);
      message.stopCode ??= code ? code[1] : undefined;
      break;
    }
    case "target_health": {
      // A bare reason code, or the "Target.Timeout: Request timed out" form the diagnosis builds.
      const code = /^\s*((?:Elb|Target)\.[A-Za-z]+)\b/.exec(text);
      if (!message.reasonCode && code) message.reasonCode = code[1];
      break;
    }
    case "eventbridge_event":
    case "cloudtrail_event":
      fillFromJson(message, text);
      break;
    default:
      break;
  }
  // "Essential container in task exited. Exit code: 137": a reason text that states the exit code carries it.
  if (
    message.exitCode === undefined &&
    field !== "log_line" &&
    field !== "eventbridge_event" &&
    field !== "cloudtrail_event"
  ) {
    const stated = /\bexit\s*code\W{0,4}(-?\d{1,3})\b/i.exec(message.text);
    if (stated) message.exitCode = Number(stated[1]);
  }
  return message;
}

const CONTEXT_KEYS = ["reason", "stoppedReason", "statusReason", "description", "message"] as const;

const str = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : undefined);
const num = (v: unknown) =>
  typeof v === "number" && Number.isFinite(v)
    ? v
    : typeof v === "string" && /^-?\d+$/.test(v.trim())
      ? Number(v)
      : undefined;

/** The first of these keys the extra fields carry (not null). */
function pick(extra: Record<string, unknown>, ...keys: string[]): unknown {
  for (const k of keys) if (extra[k] !== undefined && extra[k] !== null) return extra[k];
  return undefined;
}
const NO_EXTRA: Record<string, unknown> = Object.freeze({});

function fillFromJson(message: { -readonly [K in keyof Message]: Message[K] }, text: string): void {
  const trimmed = text.trim();
  if (!trimmed.startsWith("{") || trimmed.length > 200_000) return;
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(trimmed) as Record<string, unknown>;
  } catch {
    return;
  }
  const detail = (json.detail && typeof json.detail === "object" ? json.detail : json) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" && v ? v : undefined);
  message.detailType ??= str(json["detail-type"]) ?? str(json.detailType);
  message.eventName ??= str(detail.eventName) ?? str(json.eventName);
  message.errorCode ??= str(detail.errorCode) ?? str(json.errorCode);
  message.stopCode ??= str(detail.stopCode);
  // The container that explains the stop: one with a reason, else a non-zero exit, else the first with a code.
  const containers = (Array.isArray(detail.containers) ? detail.containers : []).filter(
    (c): c is Record<string, unknown> =>
      !!c && typeof c === "object" && typeof (c as Record<string, unknown>).exitCode === "number",
  );
  const explaining = containers.find((c) => c.reason) ?? containers.find((c) => c.exitCode !== 0) ?? containers[0];
  if (explaining) message.exitCode ??= explaining.exitCode as number;
}
