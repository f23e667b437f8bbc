import type { Diagnosis } from "../../diagnose/types";
import type { KnownBlock } from "../../slack/limits";
import { PENDING_SUMMARY } from "../../steps/10-changes";
import { suspectChange } from "../present";
import { clip, context, prose } from "./mrkdwn";

/**
 * Step 10's line in the report's top message: the suspect change ("Suspect change: ModifyTargetGroup by alice 6 min
 * before the first failure: target group payment-api-tg: health-check port traffic-port → 8081"), or — while the
 * CloudTrail lookups still run and the report went out without them — "recent changes: still reading", replaced by
 * the suspect (or nothing) when the message is updated. Undefined when there is nothing to say.
 */
export function changesContext(d: Diagnosis, shown: ReadonlySet<string>): KnownBlock | undefined {
  if (changesPending(d))
    return context(
      [`:hourglass_flowing_sand: _${PENDING_SUMMARY}_ (CloudTrail) — this message updates when they arrive`],
      "suspect",
    );
  const suspect = suspectChange(d, shown);
  return suspect ? context([`:mag_right: *Suspect change:* ${prose(clip(suspect.title, 280))}`], "suspect") : undefined;
}

/** Step 10 went out without its lookups (they are still running). */
export function changesPending(d: Diagnosis): boolean {
  return d.steps.some((s) => s.step === "changes" && s.summary === PENDING_SUMMARY);
}
