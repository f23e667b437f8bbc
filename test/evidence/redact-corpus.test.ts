/**
 * The redaction corpus: every secret shape the export promises to remove (each must vanish and leave a marker naming
 * its kind), and look-alikes that are evidence and must stay byte for byte. Shared with the export tests.
 */
import { describe, expect, it } from "vitest";
import { redact, redactLines, redactTree } from "../../src/evidence/redact";

/** `secret` must not survive `redact(text)`; `kind` is the marker expected in its place. */
export const SECRET_CORPUS: readonly { name: string; text: string; secret: string; kind: string }[] = [
  {
    name: "AWS access key id",
    text: "creds AKIAIOSFODNN7EXAMPLE loaded",
    secret: "AKIAIOSFODNN7EXAMPLE",
    kind: "aws-access-key",
  },
  {
    name: "AWS temporary key id",
    text: "key=ASIAQWERTYUIOPASDFGH",
    secret: "ASIAQWERTYUIOPASDFGH",
    kind: "aws-access-key",
  },
  {
    name: "AWS secret key, bare",
    text: "export wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    kind: "aws-secret-key",
  },
  {
    name: "AWS secret key, env form",
    text: "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    secret: "wJalrXUtnFEMI/K7MDENG",
    kind: "secret",
  },
  {
    name: "AWS session token, bare",
    text: "sts said IQoJb3JpZ2luX2VjEHoaCXVzLWVhc3QtMSJHMEUCIQDexample0123456789abcdefABCDEF/+xyz== ok",
    secret: "IQoJb3JpZ2luX2VjEHoaCXVzLWVhc3QtMSJHMEUCIQD",
    kind: "aws-session-token",
  },
  {
    name: "AWS session token, legacy bare",
    text: "FwoGZXIvYXdzEBYaDHkexampleexampleexampleexampleexampleAAAA",
    secret: "FwoGZXIvYXdzEBYaDHkexample",
    kind: "aws-session-token",
  },
  {
    name: "AWS session token, env form",
    text: "AWS_SESSION_TOKEN=AQoDYXdzEJr1K2example/token+value==",
    secret: "AQoDYXdzEJr1K2example",
    kind: "secret",
  },
  {
    name: "Slack bot token",
    text: "using xoxb-123456789012-1234567890123-AbCdEfGhIjKl",
    secret: "xoxb-123456789012",
    kind: "slack-token",
  },
  {
    name: "Slack user token",
    text: "xoxp-1111111111-2222222222-abcdefabcdef",
    secret: "xoxp-1111111111",
    kind: "slack-token",
  },
  {
    name: "Slack app-level token",
    text: "SLACK_APP xapp-1-A0123456789-1234567890123-abcdef0123",
    secret: "xapp-1-A0123456789",
    kind: "slack-token",
  },
  {
    name: "Slack webhook",
    text: "post https://hooks.slack.com/services/T0001/B0002/abcdefghijklmnop",
    secret: "B0002/abcdefghijklmnop",
    kind: "slack-webhook",
  },
  {
    name: "bearer token",
    text: "Authorization: Bearer abcdef0123456789.ghijkl",
    secret: "abcdef0123456789.ghijkl",
    kind: "bearer",
  },
  {
    name: "basic auth header",
    text: "header Basic dXNlcjpwYXNzd29yZDEyMw==",
    secret: "dXNlcjpwYXNzd29yZDEyMw==",
    kind: "bearer",
  },
  {
    name: "JWT",
    text: "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U rejected",
    secret: "dozjgNryP4J3jVmNHl0w5N",
    kind: "jwt",
  },
  { name: "password=", text: "login failed password=hunter2abc user=bob", secret: "hunter2abc", kind: "secret" },
  { name: "passwd:", text: "passwd: Tr0ub4dor&3", secret: "Tr0ub4dor", kind: "secret" },
  { name: "DB_PASSWORD env", text: "DB_PASSWORD=s3cr3t-value", secret: "s3cr3t-value", kind: "secret" },
  {
    name: "client_secret",
    text: "oauth client_secret=Zx9-very-secret-0001 scope=read",
    secret: "Zx9-very-secret-0001",
    kind: "secret",
  },
  { name: "api key in JSON", text: '{"api_key":"abcd1234efgh","user":"x"}', secret: "abcd1234efgh", kind: "secret" },
  {
    name: "password in JSON with spaces",
    text: '{"password": "correct horse battery staple", "user": "app"}',
    secret: "horse battery staple",
    kind: "secret",
  },
  { name: "quoted secret with spaces", text: 'token = "open sesame please"', secret: "sesame please", kind: "secret" },
  {
    name: "private key",
    text: "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAexample\n-----END RSA PRIVATE KEY-----",
    secret: "MIIEowIBAAKCAQEAexample",
    kind: "private-key",
  },
  {
    name: "private key, JSON-escaped",
    text: '{"key":"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----"}',
    secret: "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
    kind: "private-key",
  },
  {
    name: "postgres URL",
    text: "dial postgres://app:hunter2secret@db.internal:5432/payments",
    secret: "hunter2secret",
    kind: "url-credentials",
  },
  {
    name: "mongodb+srv URL",
    text: "mongodb+srv://svc:Pa55w0rd!@cluster0.example.net/db",
    secret: "Pa55w0rd!",
    kind: "url-credentials",
  },
  { name: "redis URL", text: "redis://default:r3d1s-pass@cache:6379/0", secret: "r3d1s-pass", kind: "url-credentials" },
  {
    name: "ADO connection string",
    text: "Server=db;Database=pay;User Id=app;Password=Sup3rS3cret;Encrypt=true",
    secret: "Sup3rS3cret",
    kind: "secret",
  },
  {
    name: "JDBC query password",
    text: "jdbc:mysql://db/pay?user=app&password=j4vaS3cret",
    secret: "j4vaS3cret",
    kind: "secret",
  },
  {
    name: "GitHub token",
    text: "GH ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    secret: "ghp_abcdefghijklmnop",
    kind: "github-token",
  },
  {
    name: "Stripe key",
    text: "sk_live_abcdefghijklmnop1234",
    secret: "sk_live_abcdefghijklmnop1234",
    kind: "stripe-key",
  },
];

/** Evidence that looks like a secret to a careless pattern and must stay exactly as it is. */
export const KEEP_CORPUS: readonly { name: string; text: string }[] = [
  {
    name: "exception name",
    text: "AccessDeniedException: User is not authorized to perform: secretsmanager:GetSecretValue",
  },
  {
    name: "ECS start-up error",
    text: "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed",
  },
  {
    name: "secret ARN",
    text: "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/payment-api/db-AbCdEf",
  },
  {
    name: "secret ARN after a key",
    text: "secret: arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
  },
  { name: "SSM parameter ARN", text: "valueFrom arn:aws:ssm:us-east-1:123456789012:parameter/payment-api/DB_PASSWORD" },
  { name: "HTTP status", text: "Health checks failed with these codes: [503]" },
  { name: "target health reason", text: "Target.ResponseCodeMismatch" },
  { name: "exit code", text: "Essential container in task exited (exit code 137)" },
  { name: "image digest", text: "sha256:1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809" },
  { name: "git sha", text: "commit 4b825dc642cb6eb9a060e54bf8d69288fbee4904" },
  { name: "task id", text: "task 0f6b1e5c7d2a4b8e9c3d1a2b3c4d5e6f stopped" },
  { name: "the word password", text: 'FATAL: password authentication failed for user "app"' },
  {
    name: "token expiry message",
    text: "ExpiredTokenException: The security token included in the request is expired",
  },
  { name: "IAM action list", text: "ssm:GetParameters kms:Decrypt secretsmanager:GetSecretValue" },
  { name: "role ARN", text: "arn:aws:iam::123456789012:role/payment-api-execution" },
  { name: "URL without credentials", text: "GET https://api.example.com/v1/payments?limit=10 200" },
  { name: "marker already there", text: "password=[REDACTED:secret] user=bob" },
];

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
