import type { Verdict } from "../../diagnose/types";
import { enforceLimits, type KnownBlock, type SlackMessage } from "../../slack/limits";
import { VERDICT_EMOJI } from "./common";
import { code, context, escapeMrkdwn, mention, section, slackTime } from "./mrkdwn";

/** What the export thread reply says: what was exported, by whom, and the manifest hash. */
export interface ExportSummary {
  readonly service: string;
  readonly cluster: string;
  readonly region: string;
  readonly window: { readonly since: string; readonly until: string };
  readonly verdict: Verdict;
  readonly requestedBy: string;
  /** The bundle's files (before zipping) with their sizes. */
  readonly files: readonly { readonly name: string; readonly size: number }[];
  /** What was uploaded: the files themselves, or a zip (possibly in parts). */
  readonly uploaded: readonly { readonly name: string; readonly size: number }[];
  readonly manifestSha256: string;
  readonly auditRecords: number;
  /** Where the retention copy went (or why it failed), when one is configured. */
  readonly copy?: string | undefined;
}

/** "Exporting evidence of payment-api …": the message the summary later replaces. */
export function exportProgressMessage(service: string, requestedBy: string): SlackMessage {
  const who = mention(requestedBy);
  return enforceLimits({
    text: escapeMrkdwn(`Exporting evidence of ${service}…`),
    blocks: [
      section(
        `:hourglass_flowing_sand: Exporting evidence of *${escapeMrkdwn(service)}*${who ? ` for ${who}` : ""}…`,
        "export",
      ),
    ],
  }).message;
}

export function exportSummaryMessage(s: ExportSummary): SlackMessage {
  const who = mention(s.requestedBy) ?? escapeMrkdwn(s.requestedBy);
  const zipped = s.uploaded.length !== s.files.length || s.uploaded.some((u) => u.name.includes(".zip"));
  const fileLines = s.files.map((f) => `• ${code(f.name)} ${size(f.size)}`);
  const blocks: KnownBlock[] = [
    section(
      `:package: *Evidence export* of *${escapeMrkdwn(s.service)}* (${escapeMrkdwn(s.cluster)}, ${escapeMrkdwn(s.region)}) requested by ${who}`,
      "export",
    ),
    section(
      [
        `${VERDICT_EMOJI[s.verdict]} ${s.verdict} · window ${slackTime(s.window.since, true)} → ${slackTime(s.window.until, true)}`,
        ...fileLines,
        zipped
          ? `Uploaded as ${s.uploaded.map((u) => `${code(u.name)} (${size(u.size)})`).join(", ")}${s.uploaded.length > 1 ? " — join the parts in order, then unzip" : ""}`
          : "Uploaded below in this thread.",
        `${s.auditRecords} ecs-medic action${s.auditRecords === 1 ? "" : "s"} in the audit trail · secrets redacted`,
        ...(s.copy ? [escapeMrkdwn(s.copy)] : []),
      ].join("\n"),
      "files",
    ),
    section(`*Manifest SHA-256*\n\`${s.manifestSha256}\``, "manifest"),
    context(
      ["Check the files later with `ecs-medic evidence verify DIR` (the manifest hash above must match)."],
      "verify",
    ),
  ];
  return enforceLimits({
    text: escapeMrkdwn(`Evidence export of ${s.service}: ${s.files.length} files, manifest sha256 ${s.manifestSha256}`),
    blocks,
  }).message;
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
