/**
 * Removes secrets, tokens and key-like strings from text before it reaches a snapshot, Slack or an export.
 * Each pattern is linear-time (bounded quantifiers, no nested repetition) because it runs on untrusted log lines.
 * Replacements keep a label (`[REDACTED:aws-access-key]`) so a reader knows something was there.
 */
interface Pattern {
  readonly label: string;
  readonly regex: RegExp;
  /** Which capture groups to keep around the redacted part, e.g. the `password=` prefix. */
  readonly keepPrefix?: boolean;
}

const PATTERNS: readonly Pattern[] = [
  {
    label: "private-key",
    regex: /-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----[\s\S]{0,8000}?(?:-----END [A-Z ]{0,40}PRIVATE KEY-----|$)/g,
  },
  { label: "jwt", regex: /\beyJ[A-Za-z0-9_-]{5,2000}\.eyJ[A-Za-z0-9_-]{5,4000}\.[A-Za-z0-9_-]{0,2000}/g },
  { label: "slack-token", regex: /\b(?:xox[abposre]-[A-Za-z0-9-]{10,200}|xapp-\d-[A-Za-z0-9-]{10,200})/g },
  { label: "slack-webhook", regex: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]{10,200}/g },
  { label: "github-token", regex: /\b(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{30,255})/g },
  { label: "stripe-key", regex: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,200}/g },
  {
    // STS session tokens start with the base64 of a fixed header; seen bare in dumped credentials and env prints.
    label: "aws-session-token",
    regex: /\b(?:FwoGZXIvYXdz|FQoGZXIvYXdz|IQoJb3JpZ2lu|IQoJ[A-Za-z0-9]{4}X2Vj)[A-Za-z0-9/+=]{40,4000}/g,
  },
  { label: "aws-access-key", regex: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g },
  {
    label: "url-credentials",
    regex: /\b([a-z][a-z0-9+.-]{1,20}:\/\/[^\s:/@]{1,200}:)[^\s@/]{1,200}(?=@)/gi,
    keepPrefix: true,
  },
  { label: "bearer", regex: /\b((?:Bearer|Basic|Token)\s+)[A-Za-z0-9._~+/=-]{12,4000}/g, keepPrefix: true },
  {
    label: "secret",
    // "password": "two words" and password='two words': a quoted value is redacted up to its closing quote.
    regex:
      /((?<![\w:/.-])["']?[A-Za-z0-9_.-]{0,40}(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credential|session[_-]?key|signing[_-]?key)[A-Za-z0-9_.-]{0,40}["']?\s{0,3}[:=]\s{0,3}")(?!arn:|\[REDACTED)[^"\n]{1,4000}(?=")/gi,
    keepPrefix: true,
  },
  {
    label: "secret",
    // key=value, key: value, "key":"value" for names that usually hold secrets.
    regex:
      /((?<![\w:/.-])["']?[A-Za-z0-9_.-]{0,40}(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credential|authorization|session[_-]?key|signing[_-]?key)[A-Za-z0-9_.-]{0,40}(?:\s{0,3}=\s{0,3}["']?|["']\s{0,3}:\s{0,3}["']?|:\s{1,3}["']?))(?!(?:Bearer|Basic|Token)\s|\[REDACTED|arn:)[^\s"',;&}]{4,4000}/gi,
    keepPrefix: true,
  },
  { label: "aws-secret-key", regex: /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])(?=[^A-Za-z0-9/+=]|$)/g },
];

/** Longest text ever scanned; beyond it the rest is cut (a log line of 100 KB helps nobody at 3 a.m.). */
const MAX_INPUT = 20_000;

export function redact(text: string): string {
  let out =
    text.length > MAX_INPUT ? `${text.slice(0, MAX_INPUT)}… [truncated ${text.length - MAX_INPUT} chars]` : text;
  for (const { label, regex, keepPrefix } of PATTERNS) {
    out = out.replace(regex, (match: string, prefix: unknown) =>
      keepPrefix && typeof prefix === "string"
        ? `${prefix}[REDACTED:${label}]`
        : looksLikeSecret(label, match)
          ? `[REDACTED:${label}]`
          : match,
    );
  }
  return out;
}

/** The bare 40-char pattern also matches hashes and paths; only redact mixed-case strings with digits. */
function looksLikeSecret(label: string, match: string): boolean {
  if (label !== "aws-secret-key") return true;
  return /[a-z]/.test(match) && /[A-Z]/.test(match) && /[0-9]/.test(match);
}

/** Redacts every string inside a JSON-like value (CloudTrail requestParameters), keeping its shape. */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (depth > 20) return "[truncated: too deep]";
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.slice(0, 200).map((v) => redactDeep(v, depth + 1));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] =
        SENSITIVE_KEY.test(key) && typeof v === "string" && !SAFE_VALUE.test(v) && !NOT_SECRET_KEY.test(key)
          ? "[REDACTED:secret]"
          : redactDeep(v, depth + 1);
    }
    return out;
  }
  return value;
}

/**
 * Redacts every string in a JSON-like value, keeping its shape whole (no array or depth cut, unlike `redactDeep`): the
 * export's defence in depth over a snapshot and diagnosis that were redacted at collection, perhaps by an older
 * version. A value under a credential-like key is replaced unless it is an ARN (a secret's ARN is evidence).
 */
export function redactTree<T>(value: T): T {
  return walk(value, 0) as T;
}

function walk(value: unknown, depth: number): unknown {
  if (typeof value === "string") return redactLines(value);
  if (depth > 64 || !value || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] =
      typeof v === "string" && SENSITIVE_KEY.test(key) && !SAFE_VALUE.test(v) && !NOT_SECRET_KEY.test(key)
        ? "[REDACTED:secret]"
        : walk(v, depth + 1);
  }
  return out;
}

/** Redacts a long text line by line, so the 20 000-character cut of `redact` applies to one line, never a document. */
export function redactLines(text: string): string {
  if (text.length <= MAX_INPUT) return redact(text);
  return text
    .split("\n")
    .map((line) => redact(line))
    .join("\n");
}

/** Values kept under a credential-like key: ARNs, markers, empty and boolean-ish values. */
const SAFE_VALUE = /^(?:arn:aws[a-z-]*:|\[REDACTED:|$|true$|false$|null$)/;
/** Keys that name where a secret lives or what it is called, not the secret itself. */
const NOT_SECRET_KEY = /^(?:name|valueFrom|credentialsParameter|secretId|secretArn|symptom|id|kind|rule|step)$/i;

const SENSITIVE_KEY = /password|passwd|secret|token|api[_-]?key|private[_-]?key|credential|authorization/i;
