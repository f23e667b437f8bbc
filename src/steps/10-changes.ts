import type { StepEntry } from "./entry";

/** What step 10 says while its lookups still run and the report went out without them. */
export const PENDING_SUMMARY = "recent changes: still reading";

export const changesEntry: StepEntry<"changes"> = {
  id: "changes",
  number: 10,
  title: "Recent changes",
  summarize(data) {
    if (data.pending) return PENDING_SUMMARY;
    const failed = data.lookups.filter((l) => l.error).length;
    const failedNote = failed > 0 ? ` (${failed} of ${data.lookups.length} lookups failed)` : "";
    if (data.events.length === 0)
      return `no changes in CloudTrail since ${data.lookupSince.slice(0, 16)}Z${failedNote || ` (${data.lookups.length} lookups)`}`;

    const counts = new Map<string, number>();
    for (const e of data.events) counts.set(e.eventName, (counts.get(e.eventName) ?? 0) + 1);
    const names = [...counts]
      .slice(0, 3)
      .map(([name, n]) => `${name} ×${n}`)
      .join(", ");
    const more = counts.size > 3 ? ", …" : "";
    const latest = data.events[0]!;
    const who = latest.actor ?? latest.username;
    const failedCall = latest.errorCode ? ` (failed: ${latest.errorCode})` : "";
    return `${data.events.length} change(s): ${names}${more}; latest ${latest.eventTime.slice(11, 16)}Z ${latest.eventName}${who ? ` by ${shortActor(who)}` : ""}${failedCall}${failedNote}`;
  },
};

/** `arn:aws:sts::123456789012:assumed-role/deployer/github-actions` → `deployer/github-actions`. */
function shortActor(actor: string): string {
  const resource = actor.startsWith("arn:") ? actor.split(":").slice(5).join(":") : actor;
  return resource.replace(/^(assumed-role|user|role|federated-user)\//, "") || actor;
}
