import { describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock";
import { CommandError, parseSlashCommand } from "../../src/slack/command";

const clock = fixedClock("2026-11-26T10:00:00Z");

describe("parseSlashCommand", () => {
  it.each([
    {
      case: "a service",
      text: "diagnose payment-api",
      want: { kind: "diagnose", service: "payment-api", cluster: undefined, since: "1h" },
    },
    {
      case: "a service and a cluster",
      text: "diagnose payment-api prod",
      want: { kind: "diagnose", service: "payment-api", cluster: "prod", since: "1h" },
    },
    {
      case: "cluster/service and --since",
      text: "diagnose prod/payment-api --since 2h",
      want: { kind: "diagnose", service: "payment-api", cluster: "prod", since: "2h" },
    },
    {
      case: "--since=30m and --cluster",
      text: "  diagnose   payment-api --since=30m --cluster prod ",
      want: { kind: "diagnose", service: "payment-api", cluster: "prod", since: "30m" },
    },
    {
      case: "a service ARN",
      text: "diagnose arn:aws:ecs:us-east-1:123456789012:service/prod/payment-api",
      want: { kind: "diagnose", service: "payment-api", cluster: "prod", since: "1h" },
    },
    {
      case: "evidence with the 6h default",
      text: "evidence payment-api prod",
      want: { kind: "evidence", service: "payment-api", cluster: "prod", since: "6h" },
    },
    {
      case: "evidence with --since",
      text: "evidence prod/payment-api --since 12h",
      want: { kind: "evidence", service: "payment-api", cluster: "prod", since: "12h" },
    },
    { case: "help", text: "help", want: { kind: "help" } },
    { case: "nothing", text: "", want: { kind: "help" } },
  ])("reads $case", ({ text, want }) => {
    expect(parseSlashCommand(text, clock)).toEqual(want);
  });

  it.each([
    { case: "an unknown verb", text: "restart payment-api", message: 'unknown command "restart"' },
    { case: "no service", text: "diagnose", message: "diagnose needs a service name" },
    { case: "evidence with no service", text: "evidence", message: "evidence needs a service name" },
    { case: "too many words", text: "diagnose a b c", message: "diagnose takes a service and an optional cluster" },
    { case: "an invalid name", text: "diagnose payment_api!", message: "is not a valid ECS service name" },
    { case: "a bad --since", text: "diagnose payment-api --since soon", message: "--since soon: use a duration" },
    { case: "--since without a value", text: "diagnose payment-api --since", message: "--since needs a value" },
    { case: "an unknown option", text: "diagnose payment-api --force", message: 'unknown option "--force"' },
    { case: "two clusters", text: "diagnose payment-api prod --cluster staging", message: "give the cluster once" },
    { case: "an absurdly long text", text: `diagnose ${"a".repeat(700)}`, message: "the limit is 600" },
    { case: "a mention injection", text: "diagnose <!channel>", message: "is not a valid ECS service name" },
  ])("refuses $case with a message that says what to type", ({ text, message }) => {
    expect(() => parseSlashCommand(text, clock)).toThrow(CommandError);
    expect(() => parseSlashCommand(text, clock)).toThrow(message);
  });
});
