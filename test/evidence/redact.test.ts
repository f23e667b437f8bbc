import { describe, expect, it } from "vitest";
import { redact, redactDeep } from "../../src/evidence/redact";

describe("redact", () => {
  it.each([
    { case: "an AWS access key id", input: "using AKIAIOSFODNN7EXAMPLE now", secret: "AKIAIOSFODNN7EXAMPLE" },
    {
      case: "an AWS secret key",
      input: "aws_secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY end",
      secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    },
    { case: "password=", input: "login failed password=hunter2abc user=bob", secret: "hunter2abc" },
    { case: "an env-style secret", input: "DB_PASSWORD=s3cr3t-value", secret: "s3cr3t-value" },
    { case: "a JSON api key", input: '{"api_key":"abcd1234efgh","user":"x"}', secret: "abcd1234efgh" },
    { case: "URL credentials", input: "dial postgres://app:hunter2@db:5432/x failed", secret: "hunter2" },
    { case: "a bearer token", input: "Authorization: Bearer abcdefghijklmnop.qrstu", secret: "abcdefghijklmnop.qrstu" },
    { case: "a Slack bot token", input: "token xoxb-1234567890-abcdefghij", secret: "xoxb-1234567890-abcdefghij" },
    {
      case: "a JWT",
      input: "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
      secret: "eyJzdWIiOiIxMjM0NTY3ODkwIn0",
    },
    {
      case: "a private key",
      input: "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----",
      secret: "MIIEow",
    },
  ])("removes $case", ({ input, secret }) => {
    const out = redact(input);
    expect(out).not.toContain(secret);
    expect(out).toContain("[REDACTED:");
  });

  it.each([
    {
      case: "a Secrets Manager ARN (evidence, not a secret)",
      input: "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
    },
    { case: "an image digest", input: "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945" },
    { case: "an ordinary log line", input: "GET /health 200 12ms" },
    {
      case: "an AWS error naming the action",
      input: "is not authorized to perform: secretsmanager:GetSecretValue on resource: x",
    },
  ])("keeps $case", ({ input }) => {
    expect(redact(input)).toBe(input);
  });

  it("handles a 100 KB adversarial line: secrets redacted, the rest cut, no secret value left", () => {
    // How long it takes is the benchmark's business (npm run bench), not an assertion here.
    const input = `${"password=".repeat(5000)}${"a".repeat(50_000)}${" x".repeat(25_000)}`;
    const out = redact(input);
    expect(out).toContain("[REDACTED:secret]");
    expect(out).toMatch(/\[truncated \d+ chars\]$/);
    expect(out).not.toContain("aaaa");
    expect(out.length).toBeLessThan(input.length);
  });

  it("redacts nested values and sensitive keys, keeping shape", () => {
    expect(
      redactDeep({ service: "payment-api", environment: [{ name: "X", value: "token=abcdefgh" }], password: "pw" }),
    ).toEqual({
      service: "payment-api",
      environment: [{ name: "X", value: "token=[REDACTED:secret]" }],
      password: "[REDACTED:secret]",
    });
  });
});
