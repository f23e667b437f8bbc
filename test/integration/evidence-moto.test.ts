/**
 * "Done when" of the evidence export, wire-level: a snapshot saved by the real CLI against moto_server, with secrets
 * planted in the task's log lines (and, as an older version might have saved them, straight into the snapshot);
 * `ecs-medic evidence --evidence FILE --out DIR` writes the three files, no planted secret is in any of them, the
 * evidence itself stays, `evidence verify` passes, and fails after one byte changes. The live export runs too.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchLogsClient, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Evidence } from "../../src/evidence/schema";
import { sha256Hex, verifyBundle } from "../../src/evidence/bundle";
import { SECRET_CORPUS } from "../fixtures/redaction-corpus";
import { runCli } from "../helpers/cli";
import { motoAvailable, type Moto } from "../helpers/moto";
import { workerMoto } from "../helpers/shared-moto";
import { SEED, seedPaymentApi } from "./seed";
import { OFFLINE_AWS_ENV } from "../helpers/offline-aws-env";

const hasMoto = motoAvailable();

/** The built CLI, as the reviewer "reviewer" (the export's manifest names who exported it). */
const cli = (args: string[], env: Record<string, string>) => runCli(args, { USER: "reviewer", ...env });

/** The planted secrets: every shape of the corpus, as an application would log it. */
const PLANTED = SECRET_CORPUS.map((s) => ({ line: `ERROR ${s.text}`, secret: s.secret, name: s.name }));

async function bundleText(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of await readdir(dir)) out[name] = await readFile(join(dir, name), "utf8");
  return out;
}

describe.skipIf(!hasMoto)("ecs-medic evidence against moto_server", () => {
  let moto: Moto;
  let dir: string;
  let awsEnv: Record<string, string>;
  let saved: Evidence;

  beforeAll(async () => {
    moto = await workerMoto();
    const now = new Date();
    await seedPaymentApi(moto.url, now);
    const logs = new CloudWatchLogsClient({
      endpoint: moto.url,
      region: SEED.region,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    const t = now.getTime() - 9 * 60_000;
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: SEED.logGroup,
        logStreamName: `ecs/app/${SEED.taskId}`,
        logEvents: PLANTED.map((p, i) => ({ timestamp: t + i * 100, message: p.line })),
      }),
    );
    logs.destroy();
    dir = await mkdtemp(join(tmpdir(), "ecs-medic-export-it-"));
    awsEnv = {
      AWS_ENDPOINT_URL: moto.url,
      ...OFFLINE_AWS_ENV,
      AWS_REGION: SEED.region,
    };
    const live = await cli(
      ["diagnose", SEED.service, "--cluster", SEED.cluster, "--since", "2h", "--save-evidence", join(dir, "snap.json")],
      awsEnv,
    );
    expect(live.stderr).toContain("evidence saved to");
    saved = JSON.parse(await readFile(join(dir, "snap.json"), "utf8")) as Evidence;
  }, 120_000);

  afterAll(async () => {
    await moto?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("collected the planted lines (redacted at collection)", () => {
    const text = JSON.stringify(saved);
    expect(text).toContain("ERROR creds [REDACTED:aws-access-key] loaded");
    for (const p of PLANTED) expect(text, p.name).not.toContain(p.secret);
  });

  it("writes the three files from the saved snapshot with no secret in any, the evidence kept, and verify passes then fails", async () => {
    const out = join(dir, "bundle");
    const run = await cli(["evidence", "--evidence", join(dir, "snap.json"), "--out", out], {});
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const files = await bundleText(out);
    expect(Object.keys(files).sort()).toEqual(["evidence.json", "manifest.json", "timeline.md"]);
    for (const [name, text] of Object.entries(files))
      for (const p of PLANTED) expect(text, `${p.name} in ${name}`).not.toContain(p.secret);

    // The evidence stays: the error, the denied call, the finding, the markers naming what was removed.
    const evidence = files["evidence.json"]!;
    expect(evidence).toContain("AccessDeniedException");
    expect(evidence).toContain("ssm:GetParameter");
    expect(evidence).toContain("image_not_found");
    expect(evidence).toContain("postgres://app:[REDACTED:url-credentials]@db.internal:5432/payments");
    for (const kind of ["aws-access-key", "slack-token", "jwt", "private-key", "secret", "bearer"])
      expect(evidence).toContain(`[REDACTED:${kind}]`);
    expect(files["timeline.md"]).toContain("# Incident evidence: payment-api (prod, us-east-1)");
    expect(JSON.parse(files["manifest.json"]!)).toMatchObject({
      target: { service: SEED.service, cluster: SEED.cluster, region: SEED.region },
      collectedAt: saved.collectedAt,
    });

    const ok = await cli(["evidence", "verify", out], {});
    expect(ok.code).toBe(0);
    const path = join(out, "timeline.md");
    const bytes = await readFile(path);
    bytes[42] = bytes[42]! ^ 0x01;
    await writeFile(path, bytes);
    const bad = await cli(["evidence", "verify", out], {});
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain("FAILED    timeline.md");
  }, 120_000);

  it("re-redacts a snapshot saved unredacted (an older version's file)", async () => {
    const old = structuredClone(saved);
    const logsStep = old.steps.find((s) => s.id === "task-logs");
    const search = logsStep?.id === "task-logs" ? logsStep.data?.patternSearches[0] : undefined;
    if (!search) throw new Error("no log search in the snapshot");
    search.matches.push(
      ...PLANTED.map((p) => ({ timestamp: old.collectedAt, message: p.line, logStream: `ecs/app/${SEED.taskId}` })),
    );
    const events = old.steps.find((s) => s.id === "service-events");
    if (events?.id === "service-events" && events.data)
      events.data.events.push(
        ...PLANTED.map((p, i) => ({ id: `planted-${i}`, createdAt: old.collectedAt, message: p.line, inWindow: true })),
      );
    await writeFile(join(dir, "old.json"), JSON.stringify(old));
    expect(JSON.stringify(old)).toContain(PLANTED[0]!.secret);
    const out = join(dir, "old-bundle");
    const run = await cli(["evidence", "--evidence", join(dir, "old.json"), "--out", out], {});
    expect(run.code).toBe(0);
    for (const [name, text] of Object.entries(await bundleText(out)))
      for (const p of PLANTED) expect(text, `${p.name} in ${name}`).not.toContain(p.secret);
  }, 120_000);

  it("exports live from moto too", async () => {
    const out = join(dir, "live");
    const run = await cli(["evidence", SEED.service, "--cluster", SEED.cluster, "--since", "2h", "--out", out], awsEnv);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/manifest sha256 [0-9a-f]{64}/);
    for (const text of Object.values(await bundleText(out)))
      for (const p of PLANTED) expect(text).not.toContain(p.secret);
    expect((await cli(["evidence", "verify", out], {})).code).toBe(0);
  }, 120_000);

  it("keeps the same bundle, same manifest, in ECS_MEDIC_EXPORT_BUCKET when it is set", async () => {
    const s3 = new S3Client({
      endpoint: moto.url,
      region: SEED.region,
      forcePathStyle: true,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    await s3.send(new CreateBucketCommand({ Bucket: "incident-evidence" }));
    const out = join(dir, "s3");
    const run = await cli(["evidence", "--evidence", join(dir, "snap.json"), "--out", out], {
      ...awsEnv,
      ECS_MEDIC_EXPORT_BUCKET: "incident-evidence",
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/copied to s3:\/\/incident-evidence\/evidence\/us-east-1\/prod\/payment-api\//);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: "incident-evidence", Prefix: "evidence/" }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!);
    expect(keys.map((k) => k.split("/").pop()).sort()).toEqual(["evidence.json", "manifest.json", "timeline.md"]);
    const stored = new Map<string, Uint8Array>();
    for (const key of keys) {
      const obj = await s3.send(new GetObjectCommand({ Bucket: "incident-evidence", Key: key }));
      stored.set(key.split("/").pop()!, await obj.Body!.transformToByteArray());
    }
    expect(verifyBundle((n) => stored.get(n)).ok).toBe(true);
    expect(sha256Hex(stored.get("manifest.json")!)).toBe(sha256Hex(await readFile(join(out, "manifest.json"))));
    s3.destroy();
  }, 120_000);
});
