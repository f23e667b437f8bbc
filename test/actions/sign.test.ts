import { describe, expect, it } from "vitest";
import { signValue, verifyValue } from "../../src/actions/sign";

const KEY = "0123456789abcdef0123456789abcdef";
const json = JSON.stringify({ kind: "rollback", service: "payment-api", change: { taskDefinition: "payment-api:41" } });

describe("signed button values", () => {
  it("round-trips a value signed with the key, well within Slack's 2000 characters", () => {
    const value = signValue(json, KEY);
    expect(verifyValue(value, KEY)).toBe(json);
    expect(value.length).toBeLessThan(json.length + 40);
  });

  it.each([
    { case: "no signature", value: () => json },
    { case: "another key", value: () => signValue(json, "another-key") },
    { case: "an edited payload", value: () => signValue(json, KEY).replace("payment-api:41", "payment-api:1") },
    { case: "a truncated signature", value: () => signValue(json, KEY).slice(0, -2) },
    { case: "an empty value", value: () => "" },
  ])("refuses $case", ({ value }) => {
    expect(verifyValue(value(), KEY)).toBeUndefined();
  });
});
