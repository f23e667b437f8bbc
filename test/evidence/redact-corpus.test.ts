/**
 * The redaction corpus: every secret shape the export promises to remove (each must vanish and leave a marker naming
 * its kind), and look-alikes that are evidence and must stay byte for byte. Shared with the export tests.
 */
import { describe, expect, it } from "vitest";
import { redact, redactLines, redactTree } from "../../src/evidence/redact";
import { KEEP_CORPUS, SECRET_CORPUS } from "../fixtures/redaction-corpus";

describe("redaction corpus", () => {
  it.each(SECRET_CORPUS)("removes $name, leaving [REDACTED:$kind]", ({ text, secret, kind }) => {
    const out = redact(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(`[REDACTED:${kind}]`);
    // Redaction is idempotent: the export re-applies it to snapshots that were redacted at collection.
    expect(redact(out)).toBe(out);
  });

  it.each(KEEP_CORPUS)("keeps $name", ({ text }) => {
    expect(redact(text)).toBe(text);
  });

  it("has enough shapes to mean something", () => {
    expect(SECRET_CORPUS.length).toBeGreaterThanOrEqual(30);
    expect(KEEP_CORPUS.length).toBeGreaterThanOrEqual(15);
  });

  it("redactTree keeps the shape whole and ARNs under credential-like keys", () => {
    const many = Array.from({ length: 500 }, (_, i) => `line ${i}`);
    const out = redactTree({
      lines: many,
      secrets: [{ name: "DB_PASSWORD", valueFrom: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf" }],
      repositoryCredentials: [{ credentialsParameter: "arn:aws:secretsmanager:us-east-1:123456789012:secret:hub" }],
      requestParameters: {
        secretId: "prod/db",
        password: "hunter2abc",
        clientToken: "tok-123",
        nested: { apiKey: "k" },
      },
      message: "connect postgres://app:hunter2secret@db:5432/x",
    });
    expect(out.lines).toHaveLength(500);
    expect(out.secrets[0]!.valueFrom).toContain("arn:aws:secretsmanager");
    expect(out.repositoryCredentials[0]!.credentialsParameter).toContain(":secret:hub");
    expect(out.requestParameters).toEqual({
      secretId: "prod/db",
      password: "[REDACTED:secret]",
      clientToken: "[REDACTED:secret]",
      nested: { apiKey: "[REDACTED:secret]" },
    });
    expect(out.message).not.toContain("hunter2secret");
  });

  it("redactLines applies the per-text cut to a line, never to a long document", () => {
    const doc = `${"ok line\n".repeat(5000)}password=hunter2abc\n`;
    const out = redactLines(doc);
    expect(out).not.toContain("hunter2abc");
    expect(out).not.toContain("[truncated");
    expect(out.split("\n")).toHaveLength(5002);
  });

  it("stays linear on hostile input", () => {
    const hostile = [
      "a".repeat(20_000),
      `${"password".repeat(2500)}`,
      `${"x=".repeat(10_000)}`,
      `"${'password": "'.repeat(1500)}`,
      `-----BEGIN PRIVATE KEY-----${" ".repeat(19_000)}`,
    ];
    for (const text of hostile) {
      const started = performance.now();
      redact(text);
      expect(performance.now() - started).toBeLessThan(500);
    }
  });
});
