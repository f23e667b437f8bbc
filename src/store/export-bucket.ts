import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { awsCall } from "../aws/aws-call";
import type { BundleFile, Manifest } from "../evidence/bundle";
import { sha256Hex } from "../evidence/bundle";

/**
 * The optional retention copy of an evidence bundle: the same three files (the same manifest) under
 * `s3://BUCKET/evidence/<region>/<cluster>/<service>/<exportedAt>/`, each with its SHA-256 as S3's own checksum, so
 * S3 refuses a corrupted upload and `ecs-medic evidence verify` works on a downloaded copy. The bucket comes from
 * `ECS_MEDIC_EXPORT_BUCKET`; ecs-medic never creates it (retention and object lock are the bucket's policy).
 */
export async function putBundle(
  s3: S3Client,
  bucket: string,
  manifest: Manifest,
  files: readonly BundleFile[],
): Promise<{ readonly prefix: string; readonly keys: readonly string[] }> {
  const t = manifest.target;
  const prefix = `evidence/${t.region}/${t.cluster}/${t.service}/${manifest.exportedAt.replace(/[:.]/g, "-")}/`;
  const keys: string[] = [];
  for (const f of files) {
    const key = `${prefix}${f.name}`;
    await awsCall("s3:PutObject", () =>
      s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: f.bytes,
          ContentType: f.name.endsWith(".md") ? "text/markdown; charset=utf-8" : "application/json",
          ChecksumSHA256: Buffer.from(sha256Hex(f.bytes), "hex").toString("base64"),
          Metadata: { "ecs-medic-sha256": sha256Hex(f.bytes) },
        }),
      ),
    );
    keys.push(key);
  }
  return { prefix, keys };
}
