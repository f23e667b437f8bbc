/**
 * Wire-level: the real CLI, as a child process, against moto_server seeded with a payment-api estate.
 * Where moto lacks an API (CloudTrail LookupEvents, service deployments) the step must show a clean error while
 * every other step completes; the saved snapshot must replay offline to the same report.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateClusterCommand, CreateServiceCommand, ECSClient } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STEP_IDS, type Evidence, type StepRecord } from "../../src/evidence/schema";
import { parseEvidence } from "../../src/evidence/snapshot";
import type { Diagnosis } from "../../src/diagnose/types";
import { runCli, type CliResult } from "../helpers/cli";
import { motoAvailable, type Moto } from "../helpers/moto";
import { workerMoto } from "../helpers/shared-moto";
import { SEED, seedPaymentApi, type Seeded } from "./seed";
import { OFFLINE_AWS_ENV } from "../helpers/offline-aws-env";

const hasMoto = motoAvailable();

const cli = runCli;

function step<K extends StepRecord["id"]>(evidence: Evidence, id: K): Extract<StepRecord, { id: K }> {
  const record = evidence.steps.find((s) => s.id === id);
  if (!record) throw new Error(`no step ${id}`);
  return record as Extract<StepRecord, { id: K }>;
}

describe.skipIf(!hasMoto)("ecs-medic diagnose against moto_server", () => {
  let moto: Moto;
  let seeded: Seeded;
  let dir: string;
  let awsEnv: Record<string, string>;
  let live: CliResult;
  let evidence: Evidence;
  let diagnosis: Diagnosis;

  beforeAll(async () => {
    moto = await workerMoto();
    seeded = await seedPaymentApi(moto.url, new Date());
    dir = await mkdtemp(join(tmpdir(), "ecs-medic-it-"));
    awsEnv = {
      AWS_ENDPOINT_URL: moto.url,
      ...OFFLINE_AWS_ENV,
      AWS_REGION: SEED.region,
    };
    live = await cli(
      [
        "diagnose",
        SEED.service,
        "--cluster",
        SEED.cluster,
        "--format",
        "json",
        "--since",
        "2h",
        "--save-evidence",
        join(dir, "evidence.json"),
      ],
      awsEnv,
    );
    evidence = parseEvidence(await readFile(join(dir, "evidence.json"), "utf8"), "saved evidence");
    diagnosis = JSON.parse(live.stdout) as Diagnosis;
  }, 120_000);

  afterAll(async () => {
    await moto?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("saves all ten steps plus saturation in check order, and diagnoses the missing image", () => {
    expect(live.stderr).toContain("evidence saved to");
    expect(evidence.steps.map((s) => s.id)).toEqual([...STEP_IDS]);
    expect(diagnosis.steps.map((s) => s.step)).toEqual([...STEP_IDS]);
    // The seeded task definition points at a tag that was never pushed: a failed step, exit 1 for a deploy gate.
    expect(diagnosis.findings.map((f) => f.symptom)).toContain("image_not_found");
    expect(diagnosis.steps.find((s) => s.step === "image")?.status).toBe("fail");
    expect(live.code).toBe(1);
    expect(evidence.target).toMatchObject({
      account: SEED.account,
      region: SEED.region,
      cluster: SEED.cluster,
      service: SEED.service,
    });
  });

  it("gives every step either data or a named error with a hint", () => {
    for (const record of evidence.steps) {
      if (record.status === "error") {
        expect(record.errors[0]?.code, record.id).toBeTruthy();
        expect(record.errors[0]?.hint, record.id).toMatch(/\w/);
      } else if (record.status !== "skipped") {
        expect(record.data, record.id).not.toBeNull();
      }
    }
  });

  it("reports APIs moto lacks as unavailable and completes the rest", () => {
    const changes = step(evidence, "changes");
    expect(changes.status).toBe("error");
    expect(changes.errors[0]).toMatchObject({ kind: "api_unavailable", operation: "cloudtrail:LookupEvents" });

    const deployment = step(evidence, "deployment");
    expect(deployment.status).toBe("partial");
    expect(deployment.data?.history.error).toMatchObject({
      kind: "api_unavailable",
      operation: "ecs:ListServiceDeployments",
    });
    // moto keeps no deploymentCircuitBreaker and no deployments[] history (TOOLCHAIN.md): only the controller is real here.
    expect(deployment.data?.deploymentController).toBe("ECS");
  });

  it("reads subnets, ports, security groups and the target group from the wire", () => {
    const subnets = step(evidence, "subnets").data!;
    expect(subnets.subnets).toEqual([
      expect.objectContaining({
        subnetId: seeded.smallSubnetId,
        cidrBlock: "10.20.1.0/28",
        availabilityZone: "us-east-1a",
      }),
    ]);
    expect(subnets.subnets[0]!.availableIpAddressCount).toBeLessThanOrEqual(11);
    expect(subnets.surgeNeed).toBe(8); // desired 4 × 200 % − 0 running

    const network = step(evidence, "network-ports").data!;
    expect(network.containerPorts).toEqual([expect.objectContaining({ containerName: "app", containerPort: 8080 })]);
    expect(network.bindings).toEqual([
      expect.objectContaining({ targetGroupArn: seeded.targetGroupArn, containerPort: 8080, targetGroupPort: 8080 }),
    ]);
    expect(network.loadBalancers[0]?.securityGroups).toEqual([seeded.albSecurityGroupId]);
    const taskSg = network.securityGroups.find((g) => g.groupId === seeded.taskSecurityGroupId);
    expect(taskSg?.ingress).toEqual([
      expect.objectContaining({
        ipProtocol: "tcp",
        fromPort: 8080,
        toPort: 8080,
        sourceGroupIds: [seeded.albSecurityGroupId],
      }),
    ]);

    const health = step(evidence, "target-health").data!;
    expect(health.targetGroups[0]).toMatchObject({
      targetGroupArn: seeded.targetGroupArn,
      port: 8080,
      healthCheck: { path: "/health" },
    });
  });

  it("checks the images in ECR: the new tag is missing, the previous one exists", () => {
    const images = step(evidence, "image").data!.images;
    const byRole = (role: string) => images.find((i) => i.role === role);
    expect(byRole("current")).toMatchObject({ tag: "v1.2", repositoryName: "payment-api", ecr: { exists: false } });
    expect(byRole("previous")).toMatchObject({ tag: "v1.1", ecr: { exists: true } });
    expect(step(evidence, "image").data!.repositories[0]).toMatchObject({
      repositoryName: "payment-api",
      imageTagMutability: "MUTABLE",
    });
  });

  it("finds error lines in the log group and never stores or prints a secret", async () => {
    const logs = step(evidence, "task-logs").data!;
    const matches = logs.patternSearches.flatMap((s) => s.matches.map((m) => m.message));
    expect(matches.some((m) => m.includes("AccessDeniedException"))).toBe(true);
    expect(step(evidence, "secrets").data!.secrets[0]).toMatchObject({ name: "DB_PASSWORD", source: "secretsmanager" });
    const saved = await readFile(join(dir, "evidence.json"), "utf8");
    for (const text of [saved, live.stdout]) {
      expect(text).not.toContain("must-never-appear-in-evidence");
      expect(text).not.toContain("hunter2secret");
    }
  });

  it("replays the saved snapshot offline to the same evidence and the same report", async () => {
    const saved = parseEvidence(await readFile(join(dir, "evidence.json"), "utf8"));
    expect(saved).toEqual(evidence);

    const offline = { AWS_ENDPOINT_URL: "http://127.0.0.1:9", AWS_REGION: "us-east-1" }; // any AWS call would fail
    const replayJson = await cli(["diagnose", "--evidence", join(dir, "evidence.json"), "--format", "json"], offline);
    expect(replayJson.code).toBe(live.code);
    expect(JSON.parse(replayJson.stdout)).toEqual(diagnosis);

    const replayText = await cli(["diagnose", SEED.service, "--evidence", join(dir, "evidence.json")], offline);
    expect(replayText.code).toBe(live.code);
    expect(replayText.stdout).toContain("payment-api (prod, us-east-1)");
    expect(replayText.stdout).toMatch(/ 9 . Subnet IPs/);
  });

  it("exits 2 naming the cluster searched for an unknown service", async () => {
    const result = await cli(["diagnose", "no-such-service"], awsEnv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('No active service "no-such-service" in cluster prod.');
  });

  it("exits 2 listing the candidates when the name is in two clusters", async () => {
    const ecs = new ECSClient({
      endpoint: moto.url,
      region: SEED.region,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    await ecs.send(new CreateClusterCommand({ clusterName: "staging" }));
    await ecs.send(
      new CreateServiceCommand({
        cluster: "staging",
        serviceName: SEED.service,
        taskDefinition: seeded.taskDefinitionArns[0],
        desiredCount: 1,
      }),
    );
    ecs.destroy();

    const result = await cli(["diagnose", SEED.service], awsEnv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"payment-api" exists in 2 clusters');
    expect(result.stderr).toContain("ecs-medic diagnose payment-api --cluster staging");
  });
});
