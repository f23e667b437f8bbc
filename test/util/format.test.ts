import { describe, expect, it } from "vitest";
import { headline, oneLine, shortDigest } from "../../src/util/format";

describe("summary text helpers", () => {
  it.each([
    {
      case: "a sha256 digest",
      input: "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
      out: "sha256:4f53cda18c2b",
    },
    { case: "something that is not a digest", input: "latest", out: "latest" },
  ])("shortDigest of $case", ({ input, out }) => {
    expect(shortDigest(input)).toBe(out);
  });

  it("oneLine flattens whitespace and cuts with an ellipsis", () => {
    expect(oneLine("panic: boom\n\tat main.go:12  ")).toBe("panic: boom at main.go:12");
    expect(oneLine("x".repeat(20), 10)).toBe(`${"x".repeat(9)}…`);
  });

  it.each([
    {
      case: "an error-prefixed reason keeps its first clause",
      input: "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref",
      out: "CannotPullContainerError: pull image manifest has been retried 5 time(s)",
    },
    {
      case: "a target-group ARN in parentheses is dropped",
      input:
        "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/0123)",
      out: "Task failed ELB health checks",
    },
  ])("headline: $case", ({ input, out }) => {
    expect(headline(input)).toBe(out);
  });
});
