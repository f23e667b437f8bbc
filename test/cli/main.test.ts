import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeServicesCommand, ECSClient, ListClustersCommand } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createClients } from "../../src/aws/clients";
import type { CliIo } from "../../src/cli/diagnose";
import { main } from "../../src/cli/main";
import { fixedClock } from "../../src/clock";
import { ACCOUNT, NOW, REGION, sdkService } from "../fixtures/aws";
import { accessDenied } from "../fixtures/errors";
import { instantLimiter } from "../helpers/context";

const ecsMock = mockClient(ECSClient);

function io(): CliIo & { out: string; err: string } {
  const state = { out: "", err: "" };
  return Object.assign(state, {
    stdout: { write: (t: string) => (state.out += t), isTTY: false },
    stderr: { write: (t: string) => (state.err += t), isTTY: false },
    env: {},
    clock: fixedClock(NOW),
    deps: { aws: () => createClients({ region: REGION, maxAttempts: 1 }), cloudTrailLimiter: instantLimiter() },
  });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ecs-medic-cli-"));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));
beforeEach(() => ecsMock.reset());

describe("ecs-medic CLI", () => {
  it.each([
    { case: "no command", argv: [], code: 0, out: /Usage:/ },
    { case: "--version", argv: ["--version"], code: 0, out: /^ecs-medic \d+\.\d+\.\d+\n$/ },
  ])("prints $case", async ({ argv, code, out }) => {
    const t = io();
    expect(await main(argv, t)).toBe(code);
    expect(t.out).toMatch(out);
  });

  it.each([
    { case: "an unknown command", argv: ["diagnoze", "x"], err: 'unknown command "diagnoze"' },
    { case: "a missing service", argv: ["diagnose"], err: "diagnose needs a service name" },
    { case: "two services", argv: ["diagnose", "a", "b"], err: "diagnose takes one service, got: a b" },
    { case: "an unknown option", argv: ["diagnose", "a", "--clustr", "prod"], err: "Unknown option '--clustr'" },
    { case: "a bad format", argv: ["diagnose", "a", "--format", "yaml"], err: "--format yaml: use one of text, json" },
    { case: "an invalid name", argv: ["diagnose", "payment api"], err: "is not a valid ECS service name" },
    { case: "a bad --since", argv: ["diagnose", "a", "--since", "soon"], err: "--since soon: use a duration" },
  ])("exits 2 with a clear message for $case", async ({ argv, err }) => {
    const t = io();
    expect(await main(argv, t)).toBe(2);
    expect(t.err).toContain(err);
    expect(ecsMock.calls()).toHaveLength(0);
  });

  it("exits 2 with the candidates when the service is ambiguous", async () => {
    const arn = (c: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${c}`;
    ecsMock.on(ListClustersCommand).resolves({ clusterArns: [arn("prod"), arn("staging")] });
    ecsMock.on(DescribeServicesCommand).callsFake((input: { cluster: string }) => ({
      services: [
        sdkService({
          clusterArn: input.cluster,
          serviceArn: `${input.cluster.replace(":cluster/", ":service/")}/payment-api`,
        }),
      ],
    }));
    const t = io();
    expect(await main(["diagnose", "payment-api"], t)).toBe(2);
    expect(t.err).toContain("  ecs-medic diagnose payment-api --cluster staging\n");
  });

  it("exits 3 with the permission to grant when DescribeServices is denied", async () => {
    ecsMock.on(DescribeServicesCommand).rejects(accessDenied("ecs:DescribeServices"));
    const t = io();
    expect(await main(["diagnose", "payment-api", "--cluster", "prod"], t)).toBe(3);
    expect(t.err).toContain("cannot collect evidence: AccessDenied on ecs:DescribeServices — grant it");
  });

  it.each([
    { case: "a missing file", content: undefined, err: "cannot read" },
    { case: "a file that is not JSON", content: "{not json", err: "is not JSON" },
    {
      case: "a snapshot missing fields",
      content: JSON.stringify({ schemaVersion: 1, tool: { name: "ecs-medic", version: "0" } }),
      err: "is not a valid ecs-medic evidence snapshot",
    },
    { case: "a future schema version", content: JSON.stringify({ schemaVersion: 99 }), err: "has schemaVersion 99" },
  ])("exits 2 when --evidence is $case", async ({ content, err }) => {
    const file = join(dir, `bad-${Math.random().toString(36).slice(2)}.json`);
    if (content !== undefined) await writeFile(file, content);
    const t = io();
    expect(await main(["diagnose", "--evidence", file], t)).toBe(2);
    expect(t.err).toContain(err);
  });
});
