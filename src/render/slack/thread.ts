import { shortName } from "../../diagnose/template";
import type { Diagnosis } from "../../diagnose/types";
import type { Evidence, Task } from "../../evidence/schema";
import { chunkMrkdwn, enforceLimits, textLength, type KnownBlock, type SlackMessage } from "../../slack/limits";
import { REPLY_BLOCKS, type RenderOptions, SECTION_ROOM, SEVERITY_EMOJI, STEP_EMOJI } from "./common";
import {
  type LogIndex,
  clip,
  code,
  codeBlock,
  context,
  escapeMrkdwn,
  link,
  logIndex,
  logStreamUrl,
  mrkdwn,
  prose,
  section,
  shortTask,
  slackTime,
} from "./mrkdwn";
import { buildReport, clippedInReport, evidenceLine, facts, reportFindings } from "./report";
import { groupedEvidence } from "../present";
import { stepData } from "../../evidence/read";

// ── the thread ──────────────────────────────────────────────────────────────────────────────────

/**
 * The report's thread replies, in reading order: whatever was cut from the report; the last log lines of the
 * failed tasks and the error lines found (already redacted by the collector, escaped here); the findings the report
 * left out or shortened, in full (why, all evidence, fix); the check order in full with every failed read and its
 * hint, notes, and the AWS CLI equivalent of each proposed action.
 * Each reply fits Slack's limits; long content is split over several replies rather than cut.
 */
export function diagnosisThread(d: Diagnosis, evidence: Evidence, opts: RenderOptions): SlackMessage[] {
  const withEvidence: RenderOptions = { ...opts, evidence: opts.evidence ?? evidence };
  const logs = logIndex(evidence, opts.region);
  const replies: SlackMessage[] = [];
  const { overflow } = enforceLimits(buildReport(d, withEvidence));
  if (overflow.length > 0)
    replies.push(...replies_("Cut from the report above", [`:scissors: *Cut from the report above*`, ...overflow]));
  replies.push(...logReplies(d, evidence, opts));
  replies.push(...findingReplies(d, logs, withEvidence));
  replies.push(...detailsReplies(d, evidence, opts));
  return replies.map((r) => enforceLimits(r).message);
}

/** Sections (each chunked to fit) packed into as few replies as the block limit allows. */
export function replies_(summary: string, sections: readonly (string | KnownBlock)[]): SlackMessage[] {
  const blocks: KnownBlock[] = sections.flatMap((s) =>
    typeof s === "string" ? chunkMrkdwn(s, SECTION_ROOM).map((t) => section(t)) : [s],
  );
  const out: SlackMessage[] = [];
  for (let i = 0; i < blocks.length; i += REPLY_BLOCKS) {
    const part = Math.floor(i / REPLY_BLOCKS) + 1;
    const parts = Math.ceil(blocks.length / REPLY_BLOCKS);
    out.push({
      text: escapeMrkdwn(parts > 1 ? `${summary} (${part}/${parts})` : summary),
      blocks: blocks.slice(i, i + REPLY_BLOCKS),
    });
  }
  return out;
}

/** Log lines shown per excerpt; the stream link has the rest. */
export const EXCERPT_LINES = 25;
export const EXCERPT_LINE_CHARS = 300;
export const EXCERPTS = 2;
export const ERROR_LINE_GROUPS = 12;

export function logReplies(d: Diagnosis, evidence: Evidence, opts: RenderOptions): SlackMessage[] {
  const data = stepData(evidence, "task-logs");
  if (!data) return [];
  const stopped = stepData(evidence, "stopped-tasks")?.stopped ?? [];
  const tasks = new Map(stopped.map((t) => [t.taskArn, t]));
  const primary = d.findings.find((f) => f.id === d.primary?.finding);
  const blamed = new Set(primary?.evidence.map((r) => r.id) ?? []);
  const blocks: KnownBlock[] = [];

  // Failed tasks of the primary finding first, then the newest; identical excerpts shown once.
  const streams = data.streams
    .map((s, i) => ({ s, i, task: tasks.get(s.taskArn) }))
    .sort(
      (a, b) =>
        Number(blamed.has(b.s.taskArn)) - Number(blamed.has(a.s.taskArn)) ||
        (b.task?.stoppedAt ?? "").localeCompare(a.task?.stoppedAt ?? "") ||
        a.i - b.i,
    );
  const shown = new Map<string, { blockIndex: number; also: string[] }>();
  for (const { s, task } of streams) {
    const region = s.region ?? opts.region;
    const url = logStreamUrl(region, s.logGroup, s.logStream);
    if (s.error) {
      blocks.push(
        section(
          `:warning: Could not read the log stream of task ${code(shortTask(s.taskArn))} (${code(s.logGroup)}): ${escapeMrkdwn(s.error.code)} — ${prose(s.error.hint)}`,
        ),
      );
      continue;
    }
    if (s.lines.length === 0) continue;
    const key = s.lines.map((l) => l.message).join("\n");
    const same = shown.get(key);
    if (same) {
      same.also.push(link(url, shortTask(s.taskArn)));
      continue;
    }
    if (shown.size >= EXCERPTS) continue;
    const lead = `*Last log lines* of ${task ? "stopped " : ""}task ${code(shortTask(s.taskArn))} (${taskFacts(task, s.containerName)}):`;
    const { text, omitted } = excerpt(
      s.lines.map((l) => `${l.timestamp.slice(11, 19)} ${l.message}`),
      SECTION_ROOM - textLength(lead) - 10,
    );
    blocks.push(section(`${lead}\n${text}`));
    const note = [
      `${link(url, `${s.logGroup} › ${s.logStream}`)}`,
      omitted > 0
        ? `last ${s.lines.length - omitted} of ${s.lines.length} lines read`
        : `${s.lines.length} line(s) read`,
      "redacted",
    ];
    blocks.push(context([note.filter(Boolean).join(" · ")]));
    shown.set(key, { blockIndex: blocks.length - 1, also: [] });
  }
  for (const { blockIndex, also } of shown.values()) {
    if (also.length === 0) continue;
    const ctx = blocks[blockIndex];
    if (ctx?.type === "context")
      ctx.elements.push(
        mrkdwn(
          `same lines in ${also.length} other task(s): ${also.slice(0, 8).join(", ")}${also.length > 8 ? ", …" : ""}`,
        ),
      );
  }

  for (const search of data.patternSearches) {
    if (search.error) {
      blocks.push(
        section(
          `:warning: Could not search ${code(search.logGroup)} for errors: ${escapeMrkdwn(search.error.code)} — ${prose(search.error.hint)}`,
        ),
      );
      continue;
    }
    if (search.matches.length === 0) continue;
    const counts = new Map<string, number>();
    for (const m of search.matches) counts.set(m.message, (counts.get(m.message) ?? 0) + 1);
    const groups = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    const lead = `*Error lines* in ${link(logStreamUrl(opts.region, search.logGroup), search.logGroup)} — ${search.matches.length}${search.truncated ? "+" : ""} in the window, ${groups.length} distinct:`;
    const lines = groups
      .slice(0, ERROR_LINE_GROUPS)
      .map(([message, n]) => `${String(n).padStart(3)}× ${clip(message, EXCERPT_LINE_CHARS)}`);
    const { text } = excerpt(lines, SECTION_ROOM - textLength(lead) - 10, true);
    blocks.push(section(`${lead}\n${text}`));
    const more =
      groups.length > ERROR_LINE_GROUPS ? [`${groups.length - ERROR_LINE_GROUPS} more distinct line(s) not shown`] : [];
    blocks.push(context([`filter ${code(clip(search.filterPattern, 200))}`, ...more]));
  }
  if (data.skipped.length > 0) {
    // Five tasks whose container never started share one reason: say it once.
    const reasons = new Map<string, string[]>();
    for (const sk of data.skipped) {
      const key = `${code(sk.containerName)}${sk.logDriver ? ` (${prose(sk.logDriver)})` : ""}: ${prose(clip(sk.reason, 160))}`;
      reasons.set(key, [...(reasons.get(key) ?? []), ...(sk.taskArn ? [code(shortTask(sk.taskArn))] : [])]);
    }
    const items = [...reasons.entries()]
      .slice(0, 6)
      .map(
        ([reason, taskIds]) =>
          `${reason}${taskIds.length > 0 ? ` — task${taskIds.length > 1 ? "s" : ""} ${taskIds.slice(0, 6).join(" ")}${taskIds.length > 6 ? ` +${taskIds.length - 6}` : ""}` : ""}`,
      );
    blocks.push(
      context([
        `:page_facing_up: Logs not read: ${items.join("; ")}${reasons.size > 6 ? `; and ${reasons.size - 6} more` : ""}`,
      ]),
    );
  }
  if (blocks.length === 0) return [];
  return replies_(`Logs of ${d.target.service}`, blocks);
}

/** Which container, exit code and stop time, from the stopped task when the snapshot has it. */
export function taskFacts(task: Task | undefined, container: string): string {
  const state = task?.containers.find((c) => c.name === container);
  return [
    `container ${code(container)}`,
    state?.exitCode !== undefined ? `exit ${state.exitCode}` : "",
    task?.stoppedAt ? `stopped ${slackTime(task.stoppedAt)}` : "",
  ]
    .filter(Boolean)
    .join(", ");
}

/** The last lines that fit in `room` characters, as a code block; says how many earlier lines were left out. */
export function excerpt(lines: readonly string[], room: number, head = false): { text: string; omitted: number } {
  const kept: string[] = [];
  let size = 8;
  const ordered = head ? lines : [...lines].reverse();
  for (const line of ordered.slice(0, EXCERPT_LINES)) {
    const clipped = clip(line, EXCERPT_LINE_CHARS);
    // Escaping can grow a line (`<` → `&lt;`): count what Slack will count.
    const cost = textLength(escapeMrkdwn(clipped)) + 1;
    if (size + cost > room) break;
    kept.push(clipped);
    size += cost;
  }
  if (!head) kept.reverse();
  return { text: codeBlock(kept.join("\n")), omitted: lines.length - kept.length };
}

export function findingReplies(d: Diagnosis, logs: LogIndex, opts: RenderOptions): SlackMessage[] {
  const shown = new Set(reportFindings(d).map((f) => f.id));
  // The primary finding leads the thread in full (the report gives it in one screen: what, one quote, the fix).
  const lead = new Set([d.primary?.finding, ...(d.primary?.explainedBy ?? [])]);
  const rest = d.findings.filter((f) => !shown.has(f.id) || clippedInReport(f) || lead.has(f.id));
  if (rest.length === 0) return [];
  const sections = rest.map((f, i) => {
    const lines = [
      `*${i + 1}.* ${SEVERITY_EMOJI[f.severity]} *${prose(f.title)}*`,
      `${facts(f, d)} · rule ${code(f.rule)}`,
    ];
    if (f.detail) lines.push(prose(f.detail));
    for (const { ref, times } of groupedEvidence(f)) lines.push(`>${evidenceLine(ref, times, logs, opts, 400)}`);
    if (f.count > f.evidence.length)
      lines.push(`_${f.count - f.evidence.length} older piece(s) of evidence in the export_`);
    if (f.fix) lines.push(`*Fix:* ${prose(f.fix)}`);
    if (f.next.length > 0) lines.push(`_Look next at:_ ${f.next.map((s) => code(s)).join(", ")}`);
    return lines.join("\n");
  });
  return replies_(`${rest.length} more finding(s) for ${d.target.service}`, [
    `:mag: *${rest.length === 1 ? "One finding" : `${rest.length} findings`}* not in the report or shortened there${rest.length > 1 ? ", most important first" : ""}`,
    ...sections,
  ]);
}

/**
 * The check order in full (the report gives a fine step one line), with each read that failed and what to grant or
 * fix; then notes, and the AWS CLI equivalent of each proposed action. Always posted: it is the thread's index.
 */
export function detailsReplies(d: Diagnosis, evidence: Evidence, opts: RenderOptions): SlackMessage[] {
  const records = new Map(evidence.steps.map((r) => [r.id, r]));
  const steps = d.steps.map((s) => {
    const record = records.get(s.step);
    const head = `${STEP_EMOJI[s.status]} *${s.number ?? "+"} ${escapeMrkdwn(s.title)}* — ${prose(clip(s.summary, 600))}`;
    const reason = s.reason && !s.summary.includes(s.reason) ? ` _(${prose(clip(s.reason, 300))})_` : "";
    // Replayed snapshots have no timings (0 ms): say nothing rather than "0.0 s".
    const facts = [
      record && record.durationMs > 0 ? `${(record.durationMs / 1000).toFixed(1)} s` : "",
      record && record.status !== "collected" ? `read: ${record.status}` : "",
    ];
    const timing = facts.some(Boolean) ? ` · ${facts.filter(Boolean).join(", ")}` : "";
    const errors = (record?.errors ?? [])
      .slice(0, 3)
      .map(
        (e) =>
          `\n      :grey_question: ${code(e.operation ?? e.code)} ${escapeMrkdwn(e.code)} — ${prose(clip(e.hint, 300))}`,
      );
    const more =
      (record?.errors.length ?? 0) > 3
        ? `\n      _… ${(record?.errors.length ?? 0) - 3} more failed read(s) in the export_`
        : "";
    return `${head}${reason}${timing}${errors.join("")}${more}`;
  });
  const sections: string[] = [[`:clipboard: *Check order in full*`, ...steps].join("\n")];
  const notes = [
    ...d.notes.map((n) => `• ${prose(n)}`),
    ...evidence.contextErrors.map(
      (e) =>
        `• :grey_question: ${code(e.operation ?? e.code)} failed: ${prose(clip(e.message, 300))} — ${prose(e.hint)}`,
    ),
  ];
  if (notes.length > 0) sections.push([`:memo: *Notes*`, ...notes].join("\n"));
  if (d.proposals.length > 0) {
    const commands = d.proposals.map((p) => {
      const change =
        p.kind === "rollback"
          ? `--task-definition ${shortName(p.change.taskDefinition)}`
          : `--desired-count ${p.change.desiredCount}`;
      return `aws ecs update-service --region ${opts.region} --cluster ${p.cluster} --service ${p.service} ${change}`;
    });
    sections.push(
      `*The same change without the button* (to review, or to run by hand):\n${codeBlock(commands.join("\n"))}`,
    );
  }
  return replies_(`Check order in full for ${d.target.service}`, sections);
}
