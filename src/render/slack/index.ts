/**
 * The Slack translator of the render model (src/diagnose/types.ts): the same content as the terminal report
 * (src/render/diagnosis-text.ts), as Block Kit. Pure: no clock, no I/O. Every builder returns a message that already
 * fits Slack's limits (src/slack/limits.ts); what a report cannot hold goes to its thread (`diagnosisThread`).
 *
 * Everything that comes from AWS or from the logs is escaped (`&`, `<`, `>`), so a log line can never ping
 * `<!channel>` or become a disguised link; times are Slack date tokens, shown in each reader's own time zone.
 *
 * Layout: blocks/common.ts (options, emoji, budgets), mrkdwn.ts (escaping, links, times), report.ts (the channel
 * message and its buttons), thread.ts (log excerpts and detail), messages.ts (progress, candidates, errors, usage).
 */
export { enforceLimits, violations, SLACK_LIMITS, CUT_MARKER } from "../../slack/limits";
export type { KnownBlock, SlackMessage } from "../../slack/limits";
export type { ProgressUpdate, RenderOptions } from "./common";
export { ecsConsoleUrl, escapeMrkdwn, logStreamUrl } from "./mrkdwn";
export { diagnosisMessage, type ProposalPayload, type TargetPayload } from "./report";
export { diagnosisThread } from "./thread";
export { candidatesMessage, errorMessage, notAvailableMessage, progressMessage, usageMessage } from "./messages";
