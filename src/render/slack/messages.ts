import { cutPlain, enforceLimits, type KnownBlock, type SlackMessage } from "../../slack/limits";
import { COLLECTION, type ProgressUpdate } from "./common";
import { code, context, escapeMrkdwn, mention, prose, section } from "./mrkdwn";

// ── progress, questions, failures ───────────────────────────────────────────────────────────────

/** "Diagnosing payment-api — 3/11": posted at once, then updated as steps finish, then replaced by the report. */
export function progressMessage(p: ProgressUpdate): SlackMessage {
  const total = Math.max(p.total, p.done, 1);
  const done = Math.max(0, Math.min(p.done, total));
  const bar = `${"▰".repeat(done)}${"▱".repeat(total - done)}`;
  const where = p.cluster ? ` in ${code(p.cluster)}` : "";
  const blocks: KnownBlock[] = [
    section(
      `:hourglass_flowing_sand: Diagnosing *${escapeMrkdwn(p.service)}*${where} — *${done}/${total}* steps read\n${bar}`,
      "progress",
    ),
  ];
  const finished = p.finished.map(
    (f) => `${COLLECTION[f.status].emoji} ${escapeMrkdwn(f.title)}${COLLECTION[f.status].word}`,
  );
  const who = mention(p.requestedBy);
  const line = [
    finished.length > 0 ? finished.join("  ") : "reading the service, its deployments and tasks…",
    who ? `asked by ${who}` : "",
  ].filter(Boolean);
  blocks.push(context([line.join(" · ")], "finished"));
  return enforceLimits({
    text: escapeMrkdwn(`Diagnosing ${p.service}${p.cluster ? ` in ${p.cluster}` : ""} — ${done}/${total}`),
    blocks,
  }).message;
}

/** The name matched several services: say which, one line each with the exact command to run. */
export function candidatesMessage(
  service: string,
  candidates: readonly { cluster: string; service: string }[],
): SlackMessage {
  const shown = candidates.slice(0, 20);
  const lines = shown.map(
    (c) => `• ${code(c.service)} in ${code(c.cluster)} → ${code(`/ecs diagnose ${c.service} --cluster ${c.cluster}`)}`,
  );
  if (candidates.length > shown.length)
    lines.push(`_… and ${candidates.length - shown.length} more; add --cluster to narrow it down_`);
  const blocks: KnownBlock[] = [
    section(
      `:twisted_rightwards_arrows: *${escapeMrkdwn(service)}* matches ${candidates.length} services — say which one:`,
      "which",
    ),
    section(lines.join("\n") || "_no candidates_", "candidates"),
  ];
  return enforceLimits({
    text: escapeMrkdwn(cutPlain(`${service} matches ${candidates.length} services; say which cluster`, 280)),
    blocks,
  }).message;
}

/** A readable failure — never silence. `hint` is the next thing to try. */
export function errorMessage(title: string, detail: string, hint?: string): SlackMessage {
  const blocks: KnownBlock[] = [section(`:warning: *${escapeMrkdwn(title)}*\n${prose(detail)}`, "error")];
  if (hint) blocks.push(context([`:bulb: ${prose(hint)}`], "hint"));
  return enforceLimits({ text: escapeMrkdwn(cutPlain(`${title}: ${detail}`, 280)), blocks }).message;
}

/** `/ecs help`, and what to type instead after bad input (sent ephemeral). */
export function usageMessage(problem?: string): SlackMessage {
  const blocks: KnownBlock[] = [];
  if (problem) blocks.push(section(`:warning: ${prose(problem)}`, "problem"));
  blocks.push(
    section(
      [
        "*ecs-medic* checks an ECS service in the ten-step order and posts the report here.",
        "`/ecs diagnose <service> [cluster] [--since 1h]` — diagnose; `--since` takes `30m`, `2h`, `1d`, `1h30m` or an ISO time (default 1h, at most 7 days)",
        "`/ecs diagnose <cluster>/<service>` or `--cluster <name>` — when the name exists in several clusters",
        "`/ecs evidence <service> [cluster] [--since 6h]` — export the timeline, raw evidence and a SHA-256 manifest into a thread",
        "`/ecs help` — this text",
      ].join("\n"),
      "usage",
    ),
    context(["Examples: `/ecs diagnose payment-api` · `/ecs diagnose payment-api prod --since 2h`"], "examples"),
  );
  return enforceLimits({
    text: escapeMrkdwn(
      problem
        ? cutPlain(`${problem} — try /ecs help`, 280)
        : "ecs-medic: /ecs diagnose <service> [cluster] [--since 1h]",
    ),
    blocks,
  }).message;
}

/** For buttons whose handlers are not built yet: say so plainly, and that nothing changed. */
export function notAvailableMessage(action: string): SlackMessage {
  const blocks: KnownBlock[] = [
    section(
      `:construction: *${escapeMrkdwn(action)}* is not available in this version of ecs-medic yet. *Nothing was changed.*`,
      "not-available",
    ),
    context(["The report's thread has the equivalent AWS CLI command, to review and run by hand."], "instead"),
  ];
  return enforceLimits({ text: escapeMrkdwn(`${action} is not available yet; nothing was changed`), blocks }).message;
}
