import { createHash } from "node:crypto";
import type { Target } from "./schema";

/**
 * The post-incident evidence bundle as plain data: `timeline.md`, `evidence.json` and `manifest.json`. Where the
 * bytes go (a folder, Slack, S3) is the caller's job; this module only builds and checks them.
 */

/** One file of the bundle. */
export interface BundleFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export const BUNDLE_FILES = { timeline: "timeline.md", evidence: "evidence.json", manifest: "manifest.json" } as const;

/** The manifest's own format tag; bumped if its shape changes. */
export const MANIFEST_FORMAT = "ecs-medic-evidence-manifest/1";

export interface ManifestEntry {
  readonly name: string;
  readonly sha256: string;
  readonly size: number;
}

export interface Manifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly tool: { readonly name: "ecs-medic"; readonly version: string };
  readonly target: Target;
  readonly window: { readonly since: string; readonly until: string };
  /** When the evidence was collected (the snapshot's `collectedAt`). */
  readonly collectedAt: string;
  /** When the bundle was made. */
  readonly exportedAt: string;
  /** Every file of the bundle except the manifest itself, in bundle order. */
  readonly files: readonly ManifestEntry[];
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** The manifest of `files`: each file's SHA-256 and size. */
export function buildManifest(
  files: readonly BundleFile[],
  meta: Omit<Manifest, "format" | "files" | "tool"> & { readonly toolVersion: string },
): Manifest {
  const { toolVersion, ...rest } = meta;
  return {
    format: MANIFEST_FORMAT,
    tool: { name: "ecs-medic", version: toolVersion },
    ...rest,
    files: files.map((f) => ({ name: f.name, sha256: sha256Hex(f.bytes), size: f.bytes.byteLength })),
  };
}

export function manifestFile(manifest: Manifest): BundleFile {
  return { name: BUNDLE_FILES.manifest, bytes: utf8(`${JSON.stringify(manifest, null, 2)}\n`) };
}

export type VerifyProblem =
  | { readonly kind: "missing"; readonly name: string }
  | { readonly kind: "size"; readonly name: string; readonly expected: number; readonly actual: number }
  | { readonly kind: "digest"; readonly name: string; readonly expected: string; readonly actual: string }
  | { readonly kind: "manifest"; readonly detail: string };

export interface VerifyResult {
  readonly ok: boolean;
  /** Files whose digest and size match. */
  readonly intact: readonly string[];
  readonly problems: readonly VerifyProblem[];
  /** SHA-256 of manifest.json as read: the value quoted in Slack when the bundle was posted. */
  readonly manifestSha256?: string | undefined;
}

/**
 * Re-checks a bundle against its manifest. `read(name)` returns a file's bytes or undefined when it is missing; the
 * manifest is read the same way. A file listed twice, or a name that leaves the folder, is a manifest problem.
 */
export function verifyBundle(read: (name: string) => Uint8Array | undefined): VerifyResult {
  const raw = read(BUNDLE_FILES.manifest);
  if (!raw) return { ok: false, intact: [], problems: [{ kind: "missing", name: BUNDLE_FILES.manifest }] };
  const parsed = parseManifest(new TextDecoder().decode(raw));
  if (typeof parsed === "string")
    return { ok: false, intact: [], problems: [{ kind: "manifest", detail: parsed }], manifestSha256: sha256Hex(raw) };
  const problems: VerifyProblem[] = [];
  const intact: string[] = [];
  for (const entry of parsed.files) {
    const bytes = read(entry.name);
    if (!bytes) {
      problems.push({ kind: "missing", name: entry.name });
      continue;
    }
    const actual = sha256Hex(bytes);
    if (bytes.byteLength !== entry.size)
      problems.push({ kind: "size", name: entry.name, expected: entry.size, actual: bytes.byteLength });
    else if (actual !== entry.sha256)
      problems.push({ kind: "digest", name: entry.name, expected: entry.sha256, actual });
    else intact.push(entry.name);
  }
  return { ok: problems.length === 0, intact, problems, manifestSha256: sha256Hex(raw) };
}

/** The manifest, or why it cannot be trusted to check anything. */
export function parseManifest(text: string): Manifest | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `manifest.json is not JSON (${(error as Error).message})`;
  }
  const m = value as Partial<Manifest> | null;
  if (!m || typeof m !== "object" || m.format !== MANIFEST_FORMAT)
    return `manifest.json is not an ecs-medic manifest (format ${JSON.stringify(m?.format)})`;
  if (!Array.isArray(m.files) || m.files.length === 0) return "manifest.json lists no files";
  const seen = new Set<string>();
  for (const [i, f] of m.files.entries()) {
    const e = f as Partial<ManifestEntry>;
    if (typeof e.name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/.test(e.name) || e.name.includes(".."))
      return `files[${i}].name is not a plain file name`;
    if (e.name === BUNDLE_FILES.manifest) return `files[${i}] lists the manifest itself`;
    if (seen.has(e.name)) return `files[${i}].name ${e.name} appears twice`;
    seen.add(e.name);
    if (typeof e.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(e.sha256)) return `files[${i}].sha256 is not a digest`;
    if (typeof e.size !== "number" || !Number.isInteger(e.size) || e.size < 0) return `files[${i}].size is not a size`;
  }
  return m as Manifest;
}

export function describeProblem(p: VerifyProblem): string {
  switch (p.kind) {
    case "missing":
      return `${p.name}: missing`;
    case "size":
      return `${p.name}: size ${p.actual} bytes, manifest says ${p.expected}`;
    case "digest":
      return `${p.name}: SHA-256 ${p.actual.slice(0, 16)}…, manifest says ${p.expected.slice(0, 16)}…`;
    case "manifest":
      return p.detail;
  }
}
