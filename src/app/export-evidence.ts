import type { AuditRecord } from "../actions/types";
import type { Diagnosis } from "../diagnose/types";
import {
  BUNDLE_FILES,
  buildManifest,
  manifestFile,
  sha256Hex,
  utf8,
  type BundleFile,
  type Manifest,
} from "../evidence/bundle";
import { redactLines, redactTree } from "../evidence/redact";
import { SCHEMA_VERSION, type Evidence, type Target } from "../evidence/schema";
import { renderTimeline, type Detection, type TimelineEntry } from "../render/markdown/timeline";
import { TOOL_VERSION } from "../version";
import type { Deps } from "./deps";
import { diagnose, type DiagnoseRequest } from "./diagnose";
import type { Failure } from "./failure";

/** The format tag of evidence.json; its `snapshots[]` follow `schemaVersion` (src/evidence/schema.ts). */
export const EXPORT_FORMAT = "ecs-medic-evidence-export/1";

/**
 * An optional input beside the snapshot and the audit trail — the alarm/incident history, the stopped-task archive —
 * that contributes timeline entries and raw data. The export works without any; a source that fails is named in
 * the bundle and the rest stands.
 */
export interface ExportSource {
  /** Stable key in evidence.json `sources` and a label in timeline.md, e.g. `incidents`, `stopped-task-archive`. */
  readonly name: string;
  load(query: {
    readonly target: Target;
    readonly window: { readonly since: string; readonly until: string };
  }): Promise<{ readonly entries: readonly TimelineEntry[]; readonly data: unknown }>;
}

export interface ExportRequest extends Pick<DiagnoseRequest, "service" | "cluster" | "scope" | "since" | "replay"> {
  /** Who asked and how: the timeline's "detection" line. */
  readonly detection?: Omit<Detection, "at"> | undefined;
  readonly sources?: readonly ExportSource[] | undefined;
  readonly budgetMs?: number | undefined;
}

/** evidence.json: what a reviewer (or a later ecs-medic) reads back. */
export interface ExportDocument {
  readonly format: typeof EXPORT_FORMAT;
  /** Of every snapshot in `snapshots`. */
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly tool: { readonly name: "ecs-medic"; readonly version: string };
  readonly exportedAt: string;
  readonly detection?: Detection | undefined;
  readonly snapshots: readonly Evidence[];
  readonly diagnosis: Diagnosis;
  readonly audit: { readonly records: readonly AuditRecord[]; readonly error?: string | undefined };
  /** Optional sources by name: their data, or why they are missing. */
  readonly sources: Readonly<Record<string, { readonly data?: unknown; readonly error?: string | undefined }>>;
}

export type ExportResult =
  | {
      readonly ok: true;
      /** timeline.md, evidence.json, manifest.json — in that order. */
      readonly files: readonly BundleFile[];
      readonly manifest: Manifest;
      /** SHA-256 of manifest.json: the one value to quote for the whole bundle. */
      readonly manifestSha256: string;
      readonly evidence: Evidence;
      readonly diagnosis: Diagnosis;
      readonly auditRecords: number;
    }
  | { readonly ok: false; readonly failure: Failure };

/** Audit records this long before the window are still part of the incident (an action taken just before it). */
const AUDIT_LOOKBACK_MS = 6 * 3600_000;

/**
 * The evidence-export use case: `app.diagnose` (live or replayed), the audit trail of guarded actions, and any
 * optional source → timeline.md, evidence.json and manifest.json as bytes. Every string is redacted again before it
 * is written (a snapshot saved by an older version may predate a pattern). Never throws: a failure of the diagnosis
 * comes back as its `Failure`; a failing audit read or source is recorded in the bundle.
 */
export async function exportEvidence(deps: Deps, request: ExportRequest): Promise<ExportResult> {
  const result = await diagnose(deps, {
    service: request.service,
    cluster: request.cluster,
    scope: request.scope,
    since: request.since,
    replay: request.replay,
    budgetMs: request.budgetMs,
  });
  if (!result.ok) return result;
  const exportedAt = deps.clock().toISOString();
  const evidence = redactTree(result.evidence);
  const diagnosis = redactTree(result.diagnosis);
  const target = evidence.target;

  const auditSince = new Date(Date.parse(evidence.window.since) - AUDIT_LOOKBACK_MS).toISOString();
  let records: AuditRecord[] = [];
  let auditError: string | undefined;
  try {
    records = redactTree(
      await deps.audit.list({ region: target.region, cluster: target.cluster, service: target.service }, auditSince),
    );
  } catch (error) {
    auditError = reason(error);
    deps.logger.warn("audit trail not read for the export", { reason: auditError });
  }

  const sources: Record<string, { data?: unknown; error?: string }> = {};
  const extras: { name: string; entries: readonly TimelineEntry[] }[] = [];
  for (const source of request.sources ?? []) {
    try {
      const loaded = await source.load({ target, window: evidence.window });
      sources[source.name] = { data: redactTree(loaded.data) };
      extras.push({ name: source.name, entries: redactTree(loaded.entries) });
    } catch (error) {
      sources[source.name] = { error: reason(error) };
      deps.logger.warn("export source not read", { source: source.name, reason: reason(error) });
    }
  }

  const detection: Detection | undefined = request.detection
    ? redactTree({ ...request.detection, at: exportedAt })
    : undefined;
  const document: ExportDocument = {
    format: EXPORT_FORMAT,
    schemaVersion: SCHEMA_VERSION,
    tool: { name: "ecs-medic", version: TOOL_VERSION },
    exportedAt,
    ...(detection ? { detection } : {}),
    snapshots: [evidence],
    diagnosis,
    audit: { records, ...(auditError ? { error: auditError } : {}) },
    sources,
  };
  const timeline = renderTimeline({ evidence, diagnosis, audit: records, auditError, extras, detection, exportedAt });
  const files: BundleFile[] = [
    { name: BUNDLE_FILES.timeline, bytes: utf8(redactLines(timeline)) },
    { name: BUNDLE_FILES.evidence, bytes: utf8(`${JSON.stringify(redactTree(document), null, 2)}\n`) },
  ];
  const manifest = buildManifest(files, {
    toolVersion: TOOL_VERSION,
    target,
    window: evidence.window,
    collectedAt: evidence.collectedAt,
    exportedAt,
  });
  const manifestBytes = manifestFile(manifest);
  return {
    ok: true,
    files: [...files, manifestBytes],
    manifest,
    manifestSha256: sha256Hex(manifestBytes.bytes),
    evidence,
    diagnosis,
    auditRecords: records.length,
  };
}

/** A short reason for the bundle: the error's code and message, redacted, never a stack. */
function reason(error: unknown): string {
  const e = error as { code?: unknown; name?: unknown; message?: unknown };
  const code = typeof e.code === "string" ? e.code : typeof e.name === "string" ? e.name : "Error";
  return redactLines(`${code}: ${typeof e.message === "string" ? e.message : String(error)}`).slice(0, 300);
}
