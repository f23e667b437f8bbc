import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createStores } from "../app/deps";
import { exportEvidence } from "../app/export-evidence";
import { describeProblem, verifyBundle } from "../evidence/bundle";
import type { EvidenceArgs } from "./args";
import { cliDeps, reportFailure, type CliIo } from "./diagnose";
import { ExitCode } from "./exit-codes";

/**
 * `ecs-medic evidence <service> … --out DIR`: the export use case, its files written to DIR. The audit trail is read
 * from the table ECS_MEDIC_TABLE names (in-memory, so empty, without one). With ECS_MEDIC_EXPORT_BUCKET set, the same
 * files go to that bucket too (exit 1 if that copy fails). Prints each file with its size and the manifest's SHA-256.
 */
export async function runEvidence(args: EvidenceArgs, io: CliIo): Promise<number> {
  const base = cliDeps(io, args.playbooks);
  const audit = io.deps?.audit ?? (io.env.ECS_MEDIC_TABLE ? (await createStores(io.env)).audit : base.audit);
  const result = await exportEvidence(
    { ...base, audit },
    {
      service: args.service ?? "",
      cluster: args.cluster,
      scope: { region: args.region, profile: args.profile },
      since: args.since,
      replay: args.evidence ? { file: args.evidence } : undefined,
      detection: { via: "cli", who: io.env.USER ?? io.env.USERNAME },
    },
  );
  if (!result.ok) return reportFailure(result.failure, io);
  try {
    await mkdir(args.out, { recursive: true });
    for (const f of result.files) await writeFile(join(args.out, f.name), f.bytes);
  } catch (error) {
    io.stderr.write(`ecs-medic: could not write the bundle to ${args.out}: ${(error as Error).message}\n`);
    return ExitCode.Usage;
  }
  const t = result.evidence.target;
  io.stdout.write(`evidence bundle for ${t.service} (${t.cluster}, ${t.region}) written to ${args.out}\n`);
  for (const f of result.files)
    io.stdout.write(`  ${f.name.padEnd(14)} ${String(f.bytes.byteLength).padStart(9)} bytes\n`);
  const bucket = io.env.ECS_MEDIC_EXPORT_BUCKET;
  if (bucket) {
    try {
      const [{ S3Client }, { putBundle }] = await Promise.all([
        import("@aws-sdk/client-s3"),
        import("../store/export-bucket"),
      ]);
      const s3 = new S3Client({
        region: args.region ?? result.evidence.target.region,
        maxAttempts: 3,
        followRegionRedirects: true,
      });
      try {
        const { prefix } = await putBundle(s3, bucket, result.manifest, result.files);
        io.stdout.write(`copied to s3://${bucket}/${prefix}\n`);
      } finally {
        s3.destroy();
      }
    } catch (error) {
      io.stderr.write(
        `ecs-medic: the bundle is in ${args.out}, but the copy to s3://${bucket} failed: ${(error as Error).message}\n`,
      );
      return ExitCode.Failed;
    }
  }
  io.stdout.write(
    `verdict ${result.diagnosis.verdict} · ${result.auditRecords} audit record${result.auditRecords === 1 ? "" : "s"} · manifest sha256 ${result.manifestSha256}\n`,
  );
  return ExitCode.Ok;
}

/** `ecs-medic evidence verify DIR`: 0 intact, 1 a file changed or missing (or the manifest unreadable), 2 no folder. */
export async function runEvidenceVerify(dir: string, io: CliIo): Promise<number> {
  const files = new Map<string, Uint8Array>();
  try {
    const { readdir } = await import("node:fs/promises");
    for (const name of await readdir(dir)) {
      try {
        files.set(name, await readFile(join(dir, name)));
      } catch {
        // A sub-folder or an unreadable file: treated as absent if the manifest lists it.
      }
    }
  } catch (error) {
    io.stderr.write(`ecs-medic: cannot read ${dir}: ${(error as Error).message}\n`);
    return ExitCode.Usage;
  }
  const result = verifyBundle((name) => files.get(name));
  for (const name of result.intact) io.stdout.write(`ok        ${name}\n`);
  for (const p of result.problems) io.stdout.write(`FAILED    ${describeProblem(p)}\n`);
  if (result.ok) {
    io.stdout.write(`bundle intact · manifest sha256 ${result.manifestSha256}\n`);
    return ExitCode.Ok;
  }
  io.stderr.write(`ecs-medic: the bundle in ${dir} does not match its manifest\n`);
  return ExitCode.Failed;
}
