/**
 * The bundle round trip: the export's files verify against their manifest; one changed byte, a removed file, an
 * edited manifest are each caught. Also the CLI's `evidence --out` / `evidence verify` exit codes on a replayed example.
 */
import { mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDeps } from "../../src/app/deps";
import { exportEvidence, EXPORT_FORMAT, type ExportDocument } from "../../src/app/export-evidence";
import type { CliIo } from "../../src/cli/diagnose";
import { main } from "../../src/cli/main";
import { fixedClock } from "../../src/clock";
import { loadPlaybooks } from "../../src/diagnose/load-playbooks";
import { parseManifest, sha256Hex, verifyBundle, type BundleFile, type Manifest } from "../../src/evidence/bundle";
import { SCHEMA_VERSION } from "../../src/evidence/schema";
import { EvidenceSchema } from "../../src/evidence/schema";
import { MemoryAuditLog } from "../../src/store/audit";

const EXPORTED_AT = "2026-11-26T10:30:00Z";
const playbooks = loadPlaybooks();

const noAws = () => {
  throw new Error("a replay must not create AWS clients");
};

async function bundle(example = "oom-after-deploy"): Promise<readonly BundleFile[]> {
  const deps = createDeps({ clock: fixedClock(EXPORTED_AT), playbooks: () => playbooks, aws: noAws });
  const result = await exportEvidence(deps, { service: "", replay: { file: `examples/${example}.json` } });
  if (!result.ok) throw new Error(result.failure.title);
  return result.files;
}

const reader = (files: readonly BundleFile[]) => (name: string) => files.find((f) => f.name === name)?.bytes;

describe("bundle round trip", () => {
  let files: readonly BundleFile[];
  beforeAll(async () => {
    files = await bundle();
  });

  it("holds timeline.md, evidence.json and manifest.json, and verifies", () => {
    expect(files.map((f) => f.name)).toEqual(["timeline.md", "evidence.json", "manifest.json"]);
    const result = verifyBundle(reader(files));
    expect(result).toMatchObject({ ok: true, intact: ["timeline.md", "evidence.json"], problems: [] });
    expect(result.manifestSha256).toBe(sha256Hex(files[2]!.bytes));
  });

  it("writes a manifest with each file's SHA-256 and size, the collection time, the target and the tool version", () => {
    const manifest = parseManifest(new TextDecoder().decode(files[2]!.bytes)) as Manifest;
    expect(manifest).toMatchObject({
      format: "ecs-medic-evidence-manifest/1",
      tool: { name: "ecs-medic", version: "0.1.0" },
      target: { service: "payment-api", cluster: "prod", region: "us-east-1" },
      collectedAt: "2026-11-26T10:00:00Z",
      exportedAt: "2026-11-26T10:30:00.000Z",
    });
    for (const [i, entry] of manifest.files.entries()) {
      expect(entry.sha256).toBe(sha256Hex(files[i]!.bytes));
      expect(entry.size).toBe(files[i]!.bytes.byteLength);
    }
  });

  it("is byte-for-byte reproducible from the same snapshot and clock", async () => {
    const again = await bundle();
    expect(again.map((f) => sha256Hex(f.bytes))).toEqual(files.map((f) => sha256Hex(f.bytes)));
  });

  it("keeps a readable, schema-versioned evidence.json whose snapshot still validates", () => {
    const doc = JSON.parse(new TextDecoder().decode(files[1]!.bytes)) as ExportDocument;
    expect(doc.format).toBe(EXPORT_FORMAT);
    expect(doc.schemaVersion).toBe(SCHEMA_VERSION);
    expect(doc.snapshots).toHaveLength(1);
    expect(EvidenceSchema.safeParse(doc.snapshots[0]).success).toBe(true);
    expect(doc.diagnosis.verdict).toBe("degraded");
    expect(doc.audit).toEqual({ records: [] });
  });

  const flip = (bytes: Uint8Array, at: number) => {
    const copy = new Uint8Array(bytes);
    copy[at] = copy[at]! ^ 0x01;
    return copy;
  };
  it.each([
    {
      case: "one byte of timeline.md changed",
      name: "timeline.md",
      change: (b: Uint8Array) => flip(b, 100),
      kind: "digest",
    },
    {
      case: "one byte of evidence.json changed",
      name: "evidence.json",
      change: (b: Uint8Array) => flip(b, 5000),
      kind: "digest",
    },
    {
      case: "evidence.json truncated",
      name: "evidence.json",
      change: (b: Uint8Array) => b.subarray(0, b.length - 1),
      kind: "size",
    },
    { case: "timeline.md removed", name: "timeline.md", change: () => undefined, kind: "missing" },
    { case: "manifest.json removed", name: "manifest.json", change: () => undefined, kind: "missing" },
    { case: "manifest.json edited", name: "manifest.json", change: (b: Uint8Array) => flip(b, 2), kind: "manifest" },
  ])("catches $case", ({ name, change, kind }) => {
    const tampered = files.flatMap((f) => {
      if (f.name !== name) return [f];
      const bytes = change(f.bytes);
      return bytes ? [{ name: f.name, bytes }] : [];
    });
    const result = verifyBundle(reader(tampered));
    expect(result.ok).toBe(false);
    expect(result.problems[0]?.kind).toBe(kind);
  });

  it.each([
    { case: "a path that leaves the folder", files: [{ name: "../etc/passwd", sha256: "0".repeat(64), size: 1 }] },
    { case: "the manifest itself", files: [{ name: "manifest.json", sha256: "0".repeat(64), size: 1 }] },
    { case: "no files", files: [] },
    { case: "a bad digest", files: [{ name: "timeline.md", sha256: "xyz", size: 1 }] },
  ])("refuses a manifest listing $case", ({ files: listed }) => {
    expect(typeof parseManifest(JSON.stringify({ format: "ecs-medic-evidence-manifest/1", files: listed }))).toBe(
      "string",
    );
  });
});

describe("exportEvidence sources", () => {
  it("records an audit trail it could not read and a failing optional source, and still exports", async () => {
    const audit = new MemoryAuditLog();
    audit.list = async () => {
      throw Object.assign(new Error("Requested resource not found"), { name: "ResourceNotFoundException" });
    };
    const deps = createDeps({ clock: fixedClock(EXPORTED_AT), playbooks: () => playbooks, aws: noAws, audit });
    const result = await exportEvidence(deps, {
      service: "payment-api",
      replay: { file: "examples/oom-after-deploy.json" },
      sources: [
        {
          name: "incidents",
          load: async () => ({
            entries: [
              { at: "2026-11-26T09:51:00Z", source: "alarm", text: "payment-api-5xx ALARM (token=abcd1234secret)" },
            ],
            data: { alarms: ["payment-api-5xx"] },
          }),
        },
        {
          name: "stopped-task-archive",
          load: async () => {
            throw new Error("table not deployed");
          },
        },
      ],
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const text = new TextDecoder().decode(result.files[0]!.bytes);
    expect(text).toContain("audit trail: not read (ResourceNotFoundException: Requested resource not found)");
    expect(text).toMatch(/Detection:\*\* alarm at 2026-11-26 09:51:00Z/);
    expect(text).not.toContain("abcd1234secret");
    const doc = JSON.parse(new TextDecoder().decode(result.files[1]!.bytes)) as ExportDocument;
    expect(doc.sources).toEqual({
      incidents: { data: { alarms: ["payment-api-5xx"] } },
      "stopped-task-archive": { error: "Error: table not deployed" },
    });
    expect(doc.audit.error).toMatch(/ResourceNotFoundException/);
  });

  it("returns the diagnosis' failure for a snapshot of another service, and never throws", async () => {
    const deps = createDeps({ clock: fixedClock(EXPORTED_AT), playbooks: () => playbooks, aws: noAws });
    const result = await exportEvidence(deps, { service: "orders-api", replay: { file: "examples/healthy.json" } });
    expect(result.ok).toBe(false);
  });
});

function io(): CliIo & { out: string; err: string } {
  const state = { out: "", err: "" };
  return Object.assign(state, {
    stdin: Readable.from([""]),
    stdout: { write: (t: string) => (state.out += t), isTTY: false },
    stderr: { write: (t: string) => (state.err += t), isTTY: false },
    env: { USER: "reviewer" },
    clock: fixedClock(EXPORTED_AT),
    // The playbooks loaded once for the file, not parsed again by every CLI run.
    deps: { aws: noAws, playbooks: () => playbooks },
  });
}

describe("ecs-medic evidence (CLI)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ecs-medic-bundle-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes the three files, verify passes (0), then fails (1) after one byte changes and after a removal", async () => {
    const out = join(dir, "b1");
    const t = io();
    expect(await main(["evidence", "--evidence", "examples/secret-access-denied.json", "--out", out], t)).toBe(0);
    expect(t.out).toMatch(/timeline\.md +\d+ bytes/);
    expect(t.out).toMatch(/manifest sha256 [0-9a-f]{64}/);

    const v = io();
    expect(await main(["evidence", "verify", out], v)).toBe(0);
    expect(v.out).toContain("bundle intact");

    const path = join(out, "evidence.json");
    const bytes = await readFile(path);
    bytes[10] = bytes[10]! ^ 0x20;
    await writeFile(path, bytes);
    const bad = io();
    expect(await main(["evidence", "verify", out], bad)).toBe(1);
    expect(bad.out).toMatch(/FAILED +evidence\.json: SHA-256/);

    await unlink(join(out, "timeline.md"));
    const gone = io();
    expect(await main(["evidence", "verify", out], gone)).toBe(1);
    expect(gone.out).toContain("timeline.md: missing");
  });

  it("replays a bundle's evidence.json with diagnose --evidence, to the same report as the snapshot", async () => {
    const out = join(dir, "b2");
    expect(await main(["evidence", "--evidence", "examples/port-mismatch.json", "--out", out], io())).toBe(0);
    const fromBundle = io();
    const fromSnapshot = io();
    expect(await main(["diagnose", "--evidence", join(out, "evidence.json")], fromBundle)).toBe(1);
    expect(await main(["diagnose", "--evidence", "examples/port-mismatch.json"], fromSnapshot)).toBe(1);
    expect(fromBundle.out).toBe(fromSnapshot.out);
  });

  it.each([
    { argv: ["evidence", "payment-api"], error: /--out DIR/ },
    { argv: ["evidence", "--out", "x"], error: /needs a service name/ },
    { argv: ["evidence", "verify"], error: /one folder/ },
    { argv: ["evidence", "verify", "a", "b"], error: /one folder/ },
  ])("usage error (2) for $argv", async ({ argv, error }) => {
    const t = io();
    expect(await main(argv, t)).toBe(2);
    expect(t.err).toMatch(error);
  });

  it("exits 2 when the folder to verify does not exist", async () => {
    const t = io();
    expect(await main(["evidence", "verify", join(dir, "nope")], t)).toBe(2);
  });
});
