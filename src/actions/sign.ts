import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Button values are signed so that a crafted `block_actions` payload cannot name another service, revision or count:
 * the value is `<json>.<hmac>` with HMAC-SHA256 over the JSON under a key only the functions hold. Slack's request
 * signature proves a payload came through Slack, not that the button's value was written by ecs-medic.
 */
const SEPARATOR = ".";

export function signValue(json: string, key: string): string {
  return `${json}${SEPARATOR}${mac(json, key)}`;
}

/** The JSON a signed value carries, or undefined when the signature is missing or wrong. */
export function verifyValue(value: string, key: string): string | undefined {
  const at = value.lastIndexOf(SEPARATOR);
  if (at < 0) return undefined;
  const json = value.slice(0, at);
  const given = Buffer.from(value.slice(at + 1), "hex");
  const expected = Buffer.from(mac(json, key), "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return json;
}

function mac(json: string, key: string): string {
  // 128 bits keep a signed value well inside Slack's 2000-character button value.
  return createHmac("sha256", key).update(json).digest("hex").slice(0, 32);
}
