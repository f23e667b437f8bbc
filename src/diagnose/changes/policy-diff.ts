import { isRecord, items } from "./params";

/** One statement of an IAM, key or resource policy, reduced to what a person compares. */
export interface Statement {
  readonly sid?: string | undefined;
  readonly effect: string;
  readonly actions: readonly string[];
}

/**
 * A policy document as CloudTrail records it: a JSON string (IAM's `policyDocument`, KMS's `policy`), sometimes
 * URL-encoded, or already an object. Undefined when it cannot be read (redacted, cut, not JSON).
 */
export function parsePolicy(raw: unknown): Statement[] | undefined {
  let doc: unknown = raw;
  if (typeof raw === "string") {
    const text = raw.trim().startsWith("%7B") ? safeDecode(raw) : raw;
    try {
      doc = JSON.parse(text);
    } catch {
      return undefined;
    }
  }
  if (!isRecord(doc)) return undefined;
  return items(doc["Statement"]).flatMap((s) => {
    if (!isRecord(s)) return [];
    const actions = items(s["Action"] ?? s["NotAction"]).filter((a): a is string => typeof a === "string");
    return [{ sid: typeof s["Sid"] === "string" ? s["Sid"] : undefined, effect: String(s["Effect"] ?? "?"), actions }];
  });
}

/**
 * Old → new in words: "statement Sid AllowRead removed", "statement Sid DenyAll added (Deny kms:Decrypt)".
 * Statements are matched by Sid, then by effect and actions when they have none.
 */
export function diffPolicies(before: readonly Statement[], after: readonly Statement[]): string[] {
  const key = (s: Statement) => s.sid ?? `${s.effect} ${[...s.actions].sort().join(",")}`;
  const old = new Map(before.map((s) => [key(s), s]));
  const now = new Map(after.map((s) => [key(s), s]));
  const out: string[] = [];
  for (const [k, s] of old) if (!now.has(k)) out.push(`${label(s)} removed`);
  for (const [k, s] of now) {
    const was = old.get(k);
    if (!was) out.push(`${label(s)} added (${s.effect} ${actionList(s.actions)})`);
    else if (was.effect !== s.effect || actionList(was.actions) !== actionList(s.actions))
      out.push(`${label(s)} changed: ${was.effect} ${actionList(was.actions)} → ${s.effect} ${actionList(s.actions)}`);
  }
  return out;
}

/** "2 statements: Sid AllowRead (Allow secretsmanager:GetSecretValue), Deny kms:Decrypt". */
export function summarizePolicy(statements: readonly Statement[]): string {
  const shown = statements
    .slice(0, 3)
    .map((s) =>
      s.sid ? `Sid ${s.sid} (${s.effect} ${actionList(s.actions)})` : `${s.effect} ${actionList(s.actions)}`,
    );
  const more = statements.length > 3 ? `, +${statements.length - 3} more` : "";
  return `${statements.length} statement${statements.length === 1 ? "" : "s"}: ${shown.join(", ")}${more}`;
}

function label(s: Statement): string {
  return s.sid ? `statement Sid ${s.sid}` : `statement ${s.effect} ${actionList(s.actions)}`;
}

function actionList(actions: readonly string[]): string {
  if (actions.length === 0) return "(no actions)";
  const sorted = [...actions].sort();
  return sorted.length > 3 ? `${sorted.slice(0, 3).join(", ")} +${sorted.length - 3}` : sorted.join(", ");
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
