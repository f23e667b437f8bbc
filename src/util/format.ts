/** Text helpers for the steps' one-line summaries. Pure. */

/** Whitespace (newlines included) collapsed to single spaces, cut to `max` characters with an ellipsis. */
export function oneLine(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * The stable part of an ECS reason, so tasks that failed the same way group together: `SomeError: first clause`
 * for error-prefixed texts (later clauses carry per-task ARNs and session names), ARNs dropped elsewhere.
 *
 * @example headline("Task failed ELB health checks in (target-group arn:aws:…)") // "Task failed ELB health checks"
 */
export function headline(text: string, max = 90): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const prefixed = /^([A-Za-z]+(?:Error|Exception)): ([^:]+)/.exec(flat);
  const core = prefixed
    ? `${prefixed[1]}: ${prefixed[2]!.trim()}`
    : flat.replace(/\s+(?:in\s+)?\((?:target-group\s+)?arn:[^)]*\)/g, "").replace(/arn:aws[\w-]*:\S+/g, "…");
  return core.length > max ? `${core.slice(0, max - 1)}…` : core;
}

/** `sha256:4f53cda18c2baa0c…` → `sha256:4f53cda18c2b` (12 hex digits, as Docker shortens ids); other text unchanged. */
export function shortDigest(digest: string): string {
  return digest.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]*$/, "$1");
}
