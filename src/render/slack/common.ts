import type { types } from "@slack/bolt";
import type { Severity } from "../../diagnose/symptoms";
import type { StepStatus, Verdict } from "../../diagnose/types";
import type { CollectionStatus, Evidence } from "../../evidence/schema";

export type Button = types.Button;
export type SectionBlock = types.SectionBlock;
export type ContextBlock = types.ContextBlock;
export type MrkdwnElement = types.MrkdwnElement;

export interface RenderOptions {
  /** The service's region: console and CloudWatch links. */
  readonly region: string;
  /** Slack user id of whoever asked (`U0123…`); shown as a mention. */
  readonly requestedBy?: string;
  /**
   * The snapshot the diagnosis came from. Optional for the report: when given, log evidence links to its
   * CloudWatch stream and the footer links to the service's log group.
   */
  readonly evidence?: Evidence;
  /**
   * Signs a button's JSON value (HMAC, `src/actions/sign.ts`) so a crafted payload cannot name another service or
   * change. Injected by the worker, which holds the key; without it values are plain JSON (CLI `--format slack`).
   */
  readonly sign?: (json: string) => string;
}

export interface ProgressUpdate {
  readonly service: string;
  readonly cluster?: string;
  readonly done: number;
  readonly total: number;
  readonly finished: readonly { readonly title: string; readonly status: CollectionStatus }[];
  readonly requestedBy?: string;
}

export const VERDICT_EMOJI: Record<Verdict, string> = { healthy: "🟢", degraded: "🟠", failing: "🔴" };
export const STEP_EMOJI: Record<StepStatus, string> = {
  ok: ":white_check_mark:",
  warn: ":warning:",
  fail: ":x:",
  skipped: ":heavy_minus_sign:",
  error: ":grey_question:",
};
export const SEVERITY_EMOJI: Record<Severity, string> = {
  critical: ":rotating_light:",
  warn: ":warning:",
  info: ":information_source:",
};
export const COLLECTION: Record<CollectionStatus, { emoji: string; word: string }> = {
  collected: { emoji: ":white_check_mark:", word: "" },
  partial: { emoji: ":warning:", word: " (partly)" },
  skipped: { emoji: ":heavy_minus_sign:", word: " (skipped)" },
  error: { emoji: ":grey_question:", word: " (could not read)" },
};

/** Findings shown in the report besides the primary one and its causes; the rest are in the thread. */
export const NEXT_FINDINGS = 3;
/** A finding's why and fix in the report; longer ones are clipped there and given in full in the thread. */
export const REPORT_WHY = 700;
export const REPORT_FIX = 500;
export const IN_THREAD = "_(full text in the thread)_";
/** Evidence lines quoted under a finding in the report. */
export const REPORT_EVIDENCE = 3;
/** A step that is fine gets one line in the checklist; problems get the room they need (up to this). */
export const OK_SUMMARY = 72;
export const PROBLEM_SUMMARY = 120;
/** Room for one section's text in the thread, under Slack's 3000. */
export const SECTION_ROOM = 2900;
/** Blocks per thread reply, under Slack's 50. */
export const REPLY_BLOCKS = 45;
