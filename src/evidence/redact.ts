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
  { label: "slack-token", regex: /\bxox[abposre]-[A-Za-z0-9-]{10,200}/g },
  { label: "slack-webhook", regex: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]{10,200}/g },
  { label: "github-token", regex: /\b(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{30,255})/g },
  { label: "stripe-key", regex: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,200}/g },
  { label: "aws-access-key", regex: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g },
  {
    label: "url-credentials",
    regex: /\b([a-z][a-z0-9+.-]{1,20}:\/\/[^\s:/@]{1,200}:)[^\s@/]{1,200}(?=@)/gi,
    keepPrefix: true,
  },
  { label: "bearer", regex: /\b((?:Bearer|Basic|Token)\s+)[A-Za-z0-9._~+/=-]{12,4000}/g, keepPrefix: true },
  {
    label: "secret",
    // key=value, key: value, "key":"value" for names that usually hold secrets.
    regex:
      /((?<![\w:/.-])["']?[A-Za-z0-9_.-]{0,40}(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credential|authorization|session[_-]?key|signing[_-]?key)[A-Za-z0-9_.-]{0,40}(?:\s{0,3}=\s{0,3}["']?|["']\s{0,3}:\s{0,3}["']?|:\s{1,3}["']?))(?!(?:Bearer|Basic|Token)\s|\[REDACTED)[^\s"',;&}]{4,4000}/gi,
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
      out[key] = SENSITIVE_KEY.test(key) && typeof v === "string" ? "[REDACTED:secret]" : redactDeep(v, depth + 1);
    }
    return out;
  }
  return value;
}

const SENSITIVE_KEY = /password|passwd|secret|token|api[_-]?key|private[_-]?key|credential|authorization/i;
