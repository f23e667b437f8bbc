import { readFile, writeFile } from "node:fs/promises";
import { z } from "zod";
import { EvidenceInvalidError } from "../errors";
import { EvidenceSchema, SCHEMA_VERSION, type Evidence } from "./schema";

/** Serialises a snapshot as stable, readable JSON (two-space indent, trailing newline). */
export function serializeEvidence(evidence: Evidence): string {
  return `${JSON.stringify(evidence, null, 2)}\n`;
}

/**
 * Parses and validates a snapshot. Errors name the JSON path and what was expected, so a hand-edited or
 * truncated file says exactly where it is wrong.
 */
export function parseEvidence(text: string, source = "evidence"): Evidence {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new EvidenceInvalidError(`${source} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  // An export bundle's evidence.json holds the snapshot in `snapshots[0]`: it replays like the snapshot itself.
  const bundle = json as { format?: unknown; snapshots?: unknown } | null;
  if (bundle?.format === "ecs-medic-evidence-export/1" && Array.isArray(bundle.snapshots)) json = bundle.snapshots[0];
  const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === "number" && version !== SCHEMA_VERSION) {
    throw new EvidenceInvalidError(
      `${source} has schemaVersion ${version}; this ecs-medic reads version ${SCHEMA_VERSION}`,
    );
  }
  const result = EvidenceSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.slice(0, 5).map((i) => `  at ${formatPath(i.path)}: ${i.message}`);
    const more = result.error.issues.length > 5 ? `\n  … and ${result.error.issues.length - 5} more` : "";
    throw new EvidenceInvalidError(
      `${source} is not a valid ecs-medic evidence snapshot:\n${issues.join("\n")}${more}`,
      {
        cause: result.error,
      },
    );
  }
  return result.data;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(root)";
  return path
    .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
    .join("")
    .replace(/^\./, "");
}

export async function saveEvidence(file: string, evidence: Evidence): Promise<void> {
  await writeFile(file, serializeEvidence(evidence), "utf8");
}

export async function loadEvidence(file: string): Promise<Evidence> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new EvidenceInvalidError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      { cause: error },
    );
  }
  return parseEvidence(text, file);
}

/** JSON Schema of the snapshot, generated from the zod schema (published in docs/evidence.schema.json). */
export function evidenceJsonSchema(): unknown {
  return z.toJSONSchema(EvidenceSchema, { unrepresentable: "any" });
}
