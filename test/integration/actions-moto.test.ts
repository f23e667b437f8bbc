/**
 * Wire-level: `ecs-medic rollback` / `scale` / `store init` against moto_server. What the CLI prints is what
 * DescribeServices shows afterwards; what it refuses leaves the service untouched; the conditional write in the
 * DynamoDB table stops a second execution of the same proposal.
 */
import { Readable } from "node:stream";
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { CreateServiceCommand, DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { proposalId } from "../../src/actions/proposal-id";
import type { PlannedAction } from "../../src/actions/types";
import { createDeps, createStores } from "../../src/app/deps";
import { executeAction } from "../../src/app/execute-action";
import { createClients } from "../../src/aws/clients";
import type { CliIo } from "../../src/cli/diagnose";
import { main } from "../../src/cli/main";
import { systemClock } from "../../src/clock";
import { instantLimiter } from "../helpers/context";
import { motoAvailable, type Moto } from "../helpers/moto";
import { workerMoto } from "../helpers/shared-moto";
import { loadPlaybooks, type Playbooks } from "../../src/diagnose/load-playbooks";
import { SEED, seedPaymentApi, type Seeded } from "./seed";

const hasMoto = motoAvailable();
const TABLE = "ecs-medic-actions-it";

describe.skipIf(!hasMoto)("guarded actions against moto_server", () => {
  let moto: Moto;
  let seeded: Seeded;
  let ecs: ECSClient;
  let autoscaling: ApplicationAutoScalingClient;
  let env: Record<string, string>;

  let playbooks: Playbooks | undefined;
  const io = (): CliIo & { out: string; err: string } => {
    const state = { out: "", err: "" };
    return Object.assign(state, {
      stdin: Readable.from([""]),
      stdout: { write: (t: string) => (state.out += t), isTTY: false },
      stderr: { write: (t: string) => (state.err += t), isTTY: false },
      env,
      clock: systemClock,
      deps: {
        cloudTrailLimiter: instantLimiter(),
        aws: () => createClients({ region: SEED.region, maxAttempts: 1 }),
        // Loaded once for the file, not parsed again by every CLI run.
        playbooks: () => (playbooks ??= loadPlaybooks()),
      },
    });
  };
  const service = async (name: string = SEED.service) =>
    (await ecs.send(new DescribeServicesCommand({ cluster: SEED.cluster, services: [name] }))).services![0]!;

  beforeAll(async () => {
    moto = await workerMoto();
    seeded = await seedPaymentApi(moto.url, new Date());
    env = { ECS_MEDIC_TABLE: TABLE, AWS_REGION: SEED.region, USER: "alice" };
    vi.stubEnv("AWS_ENDPOINT_URL", moto.url);
    const config = {
      endpoint: moto.url,
      region: SEED.region,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    };
    ecs = new ECSClient(config);
    autoscaling = new ApplicationAutoScalingClient(config);
    // A second service on the wide subnet, with an autoscaler capped at 4: room to scale, and a max to raise.
    await ecs.send(
      new CreateServiceCommand({
        cluster: SEED.cluster,
        serviceName: "checkout",
        // v1.1: the image that exists (v1.2 was never pushed — a scale-out of that revision is refused, see below).
        taskDefinition: seeded.taskDefinitionArns[0],
        desiredCount: 3,
        launchType: "FARGATE",
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: [seeded.wideSubnetId],
            securityGroups: [seeded.taskSecurityGroupId],
            assignPublicIp: "DISABLED",
          },
        },
      }),
    );
    await autoscaling.send(
      new RegisterScalableTargetCommand({
        ServiceNamespace: "ecs",
        ResourceId: `service/${SEED.cluster}/checkout`,
        ScalableDimension: "ecs:service:DesiredCount",
        MinCapacity: 2,
        MaxCapacity: 4,
      }),
    );
  }, 60_000);

  afterAll(async () => {
    vi.unstubAllEnvs();
    ecs?.destroy();
    autoscaling?.destroy();
    await moto?.stop();
  });

  it("store init creates the table once, and says so the second time", async () => {
    const first = io();
    expect(await main(["store", "init"], first)).toBe(0);
    expect(first.out).toContain(`created table ${TABLE}`);
    const second = io();
    expect(await main(["store", "init"], second)).toBe(0);
    expect(second.out).toContain("already exists");
  });

  it("scale refuses for a service whose image cannot be pulled: more tasks would fail the same way", async () => {
    const before = await service();
    const t = io();
    const code = await main(["scale", SEED.service, "--cluster", SEED.cluster, "--factor", "2", "--yes"], t);
    expect(code).toBe(1);
    expect(t.err).toMatch(/refused: .*more tasks would fail the same way/);
    expect((await service()).desiredCount).toBe(before.desiredCount);
  });

  it("rollback --to refuses a revision of another family and changes nothing", async () => {
    const t = io();
    const code = await main(["rollback", SEED.service, "--cluster", SEED.cluster, "--to", "checkout:1", "--yes"], t);
    expect(code).toBe(1);
    expect(t.err).toContain("is not a revision of payment-api");
    expect((await service()).taskDefinition).toBe(seeded.taskDefinitionArns[1]);
  });

  it("rollback --to refuses a revision that does not exist and changes nothing", async () => {
    const t = io();
    const code = await main(
      ["rollback", SEED.service, "--cluster", SEED.cluster, "--to", "payment-api:99", "--yes"],
      t,
    );
    expect(code).toBe(1);
    expect(t.out).toContain("payment-api:99 does not exist");
    expect((await service()).taskDefinition).toBe(seeded.taskDefinitionArns[1]);
  });

  it("refuses to act without --yes when nobody can be asked (stdin is not a terminal)", async () => {
    const t = io();
    const code = await main(["rollback", SEED.service, "--cluster", SEED.cluster, "--to", "payment-api:1"], t);
    expect(code).toBe(1);
    expect(t.out).toContain("Plan: Roll back payment-api from payment-api:2 to payment-api:1");
    expect(t.err).toContain("pass --yes");
    expect((await service()).taskDefinition).toBe(seeded.taskDefinitionArns[1]);
  });

  it("rollback --to does exactly what it prints", async () => {
    const t = io();
    const code = await main(["rollback", SEED.service, "--cluster", SEED.cluster, "--to", "payment-api:1", "--yes"], t);
    expect(t.err).toBe("");
    expect(code).toBe(0);
    expect(t.out).toContain("task definition payment-api:2 → payment-api:1");
    expect(t.out).toContain("Done: Roll back payment-api from payment-api:2 to payment-api:1");
    expect((await service()).taskDefinition).toBe(seeded.taskDefinitionArns[0]);
  });

  it("scale --to refuses when the subnets cannot hold the added tasks and the next deployment's surge", async () => {
    const before = await service();
    const t = io();
    const code = await main(["scale", SEED.service, "--cluster", SEED.cluster, "--to", "40", "--yes"], t);
    expect(code).toBe(1);
    expect(t.out).toMatch(/free IP\(s\); 40 tasks need/);
    expect((await service()).desiredCount).toBe(before.desiredCount);
  });

  it("scale --to past the autoscaler's max raises MaxCapacity with the desired count", async () => {
    const t = io();
    const code = await main(["scale", "checkout", "--cluster", SEED.cluster, "--to", "6", "--yes"], t);
    expect(t.err).toBe("");
    expect(code).toBe(0);
    expect(t.out).toContain("desired count 3 → 6");
    expect(t.out).toContain("MaxCapacity raised 4 → 6");
    expect((await service("checkout")).desiredCount).toBe(6);
    const target = await autoscaling.send(
      new DescribeScalableTargetsCommand({
        ServiceNamespace: "ecs",
        ResourceIds: [`service/${SEED.cluster}/checkout`],
      }),
    );
    expect(target.ScalableTargets?.[0]?.MaxCapacity).toBe(6);
  });

  it("runs a proposal once when it is delivered twice at the same time (conditional write in DynamoDB)", async () => {
    const current = await service("checkout");
    const action: PlannedAction = {
      kind: "scale",
      title: "Scale checkout",
      reason: "test",
      region: SEED.region,
      cluster: SEED.cluster,
      service: "checkout",
      expect: { taskDefinition: current.taskDefinition, desiredCount: current.desiredCount! },
      change: { desiredCount: current.desiredCount! + 1 },
    };
    const stores = await createStores({ ECS_MEDIC_TABLE: TABLE });
    const deps = createDeps({ env: {}, ...stores, aws: () => createClients({ region: SEED.region, maxAttempts: 1 }) });
    const request = {
      action,
      actor: { id: "U04ALICE", via: "slack" as const },
      authorisation: { allowed: true as const },
    };
    const outcomes = await Promise.all([executeAction(deps, request), executeAction(deps, request)]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(["done", "duplicate"]);
    expect((await service("checkout")).desiredCount).toBe(current.desiredCount! + 1);
    const again = await executeAction(deps, request);
    expect(again.status).toBe("duplicate");
    const audit = await stores.audit.list({ region: SEED.region, cluster: SEED.cluster, service: "checkout" });
    expect(
      audit
        .filter((r) => r.proposalId === proposalId(action))
        .map((r) => r.outcome)
        .sort(),
    ).toEqual(["done", "duplicate", "duplicate"]);
  });
});
