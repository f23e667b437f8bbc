/**
 * Matching secret and parameter references as AWS prints them. A task definition's `valueFrom` may be a full
 * Secrets Manager ARN (with the 6-character suffix and optionally `:json-key:version-stage:version-id` after
 * the name), a partial ARN, a name, an SSM parameter ARN or a parameter name (`/prod/api-key`); error messages and
 * CloudTrail parameters use any of these forms.
 */

/** Whether `text` (an error message, a request parameter) names the secret or parameter `valueFrom`. */
export function mentionsSecret(text: string, valueFrom: string): boolean {
  return secretKeys(valueFrom).some((key) => {
    if (key.startsWith("arn:") || key.startsWith("/")) return text.includes(key);
    return new RegExp(`(?:^|[^A-Za-z0-9_.\\-/])${escapeRegExp(key)}(?:$|[^A-Za-z0-9_\\-/])`).test(text);
  });
}

/** Whether two references (ARN or name) point at the same secret or parameter. */
export function sameSecret(a: string, b: string): boolean {
  const names = new Set(secretNames(a));
  return secretNames(b).some((n) => names.has(n));
}

/** Strings that identify the secret inside a longer text, most specific first. */
function secretKeys(valueFrom: string): string[] {
  const parts = valueFrom.split(":");
  if (parts[0] === "arn" && parts[2] === "secretsmanager" && parts.length >= 7) {
    const name = parts[6]!;
    const base = parts.slice(0, 7).join(":");
    const unsuffixed = stripSuffix(name);
    const partial = unsuffixed !== name ? [`${parts.slice(0, 6).join(":")}:${unsuffixed}`, unsuffixed] : [];
    return [base, `secret:${name}`, name, ...partial].filter(longEnough);
  }
  if (parts[0] === "arn" && parts[2] === "ssm" && parts.length >= 6) {
    const name = parts
      .slice(5)
      .join(":")
      .replace(/^parameter/, "");
    return [
      valueFrom,
      name.startsWith("/") ? name : `parameter/${name}`,
      ...(name.startsWith("/") ? [] : [name]),
    ].filter(longEnough);
  }
  return [valueFrom].filter(longEnough);
}

/** The bare names a reference may go by: `prod/db-AbCdEf` and `prod/db`; `/prod/api-key` and `prod/api-key`. */
function secretNames(ref: string): string[] {
  const parts = ref.split(":");
  let name = ref;
  if (parts[0] === "arn" && parts[2] === "secretsmanager" && parts.length >= 7) name = parts[6]!;
  else if (parts[0] === "arn" && parts[2] === "ssm" && parts.length >= 6)
    name = parts
      .slice(5)
      .join(":")
      .replace(/^parameter\/?/, "");
  const bare = name.replace(/^\//, "");
  return [...new Set([bare, stripSuffix(bare)])].filter(longEnough);
}

/** Secrets Manager appends `-` and 6 random characters to a secret's name in its ARN. */
function stripSuffix(name: string): string {
  return name.replace(/-[A-Za-z0-9]{6}$/, "");
}

function longEnough(key: string): boolean {
  return key.length >= 3;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
