/**
 * timeline.md: one order across every source, whatever time zone an input was written in; the review questions
 * answered from the evidence; Markdown that AWS text cannot break.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { AuditRecord } from "../../../src/actions/types";
import { diagnose } from "../../../src/diagnose/diagnose";
import { loadPlaybooks } from "../../../src/diagnose/load-playbooks";
import { parseEvidence } from "../../../src/evidence/snapshot";
import {
  offset,
  renderTimeline,
  sortEntries,
  timelineEntries,
  utc,
  type TimelineEntry,
} from "../../../src/render/markdown/timeline";

const playbooks = loadPlaybooks();
const load = (name: string) => parseEvidence(readFileSync(`examples/${name}.json`, "utf8"), name);

const audit = (at: string, outcome: AuditRecord["outcome"] = "done"): AuditRecord => ({
  at,
  proposalId: "p-7f3a",
  kind: "rollback",
  region: "us-east-1",
  cluster: "prod",
  service: "payment-api",
  actor: { id: "U04ALICE", via: "slack" },
  outcome,
  expect: { taskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/payment-api:43", desiredCount: 3 },
  change: { taskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/payment-api:42" },
  before: { taskDefinition: "payment-api:43", desiredCount: 3 },
  after: { taskDefinition: "payment-api:42", desiredCount: 3 },
});

describe("timeline order", () => {
  it.each([
    { at: "2026-11-26T09:49:00Z", zone: "UTC" },
    { at: "2026-11-26T10:49:00+01:00", zone: "CET" },
    { at: "2026-11-26T04:49:00-05:00", zone: "EST" },
    { at: "2026-11-26T15:19:00+05:30", zone: "IST" },
    { at: "2026-11-26T09:49:00.000Z", zone: "UTC with millis" },
  ])("puts an entry written in $zone at the same instant (09:49Z), between the sources around it", ({ at }) => {
    const entries = timelineEntries({
      evidence: load("oom-after-deploy"),
      audit: [],
      extras: [{ name: "incidents", entries: [{ at, source: "alarm", text: "payment-api-5xx ALARM" }] }],
    });
    const i = entries.findIndex((e) => e.source === "alarm");
    expect(i).toBeGreaterThan(0);
    expect(Date.parse(entries[i - 1]!.at)).toBeLessThanOrEqual(Date.parse("2026-11-26T09:49:00Z"));
    expect(Date.parse(entries[i + 1]!.at)).toBeGreaterThanOrEqual(Date.parse("2026-11-26T09:49:00Z"));
    expect(utc(at)).toBe("2026-11-26 09:49:00Z");
  });

  it("orders every source by instant, then by source (cause before effect), then by input order", () => {
    const e = (at: string, source: TimelineEntry["source"], text: string): TimelineEntry => ({ at, source, text });
    const sorted = sortEntries([
      e("2026-11-26T10:00:00Z", "action", "rollback"),
      e("2026-11-26T11:00:00+01:00", "task-stop", "stop"),
      e("2026-11-26T05:00:00-05:00", "change", "UpdateService"),
      e("2026-11-26T09:59:59Z", "service-event", "unable to start"),
      e("not a time", "service-event", "dropped"),
      e("2026-11-26T10:00:00Z", "deployment", "created"),
    ]);
    expect(sorted.map((x) => x.text)).toEqual(["unable to start", "UpdateService", "created", "stop", "rollback"]);
  });

  it("holds every kind of fact of an incident, each once, in time order", () => {
    const evidence = load("circuit-breaker-rollback");
    const entries = timelineEntries({ evidence, audit: [audit("2026-11-26T09:58:00-00:00")] });
    const kinds = new Set(entries.map((x) => x.source));
    for (const k of ["service-event", "deployment", "task-stop", "target-health", "change", "action"] as const)
      expect(kinds, k).toContain(k);
    const times = entries.map((x) => Date.parse(x.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});

describe("offsets", () => {
  it.each([
    { at: "2026-11-26T09:50:06Z", origin: "2026-11-26T09:50:06Z", want: "T+0" },
    { at: "2026-11-26T09:50:48Z", origin: "2026-11-26T09:50:06Z", want: "T+42s" },
    { at: "2026-11-26T09:48:00Z", origin: "2026-11-26T09:50:06Z", want: "T−2m 06s" },
    { at: "2026-11-26T12:05:06+01:00", origin: "2026-11-26T09:50:06Z", want: "T+1h 15m" },
    { at: "2026-11-19T14:10:05Z", origin: "2026-11-26T09:50:06Z", want: "T−6d 19h" },
  ])("$at against $origin is $want", ({ at, origin, want }) => {
    expect(offset(at, origin)).toBe(want);
  });
});

describe("renderTimeline", () => {
  const evidence = load("oom-after-deploy");
  const diagnosis = diagnose(evidence, playbooks);
  const text = renderTimeline({
    evidence,
    diagnosis,
    audit: [audit("2026-11-26T10:05:00Z")],
    detection: { via: "slack-button", who: "U04ALICE", at: "2026-11-26T10:06:00Z" },
    exportedAt: "2026-11-26T10:06:00Z",
  });

  it("answers the review's questions first: impact, detection, trigger, what was done", () => {
    expect(text).toContain("- **Impact window:** 2026-11-26 09:50:06Z → not recovered at collection");
    expect(text).toContain("- **Detection:** Export evidence button in Slack by U04ALICE at 2026-11-26 10:06:00Z");
    expect(text).toMatch(
      /- \*\*Suspected trigger:\*\* CloudTrail UpdateService — taskDefinition payment-api:42 → payment-api:43 by assumed-role\/deployer\/github-actions at 2026-11-26 09:48:00Z \(T−2m 06s\)/,
    );
    expect(text).toContain("- **What was done:** rollback done by U04ALICE (slack) at 2026-11-26 10:05:00Z");
  });

  it("lists the diagnosis with evidence refs and the digests that ran", () => {
    expect(text).toMatch(/### 1\. Container app was killed/);
    expect(text).toMatch(/- 2026-11-26 \d\d:\d\d:\d\dZ `stopped-tasks\/task\/[0-9a-f]{32}`/);
    expect(text).toMatch(/## Image digests that ran\n\n\| Task definition \| Container \| Image \| Digest \| Tasks \|/);
    expect(text).toMatch(/\| payment-api:43 \| app \| .* \| `sha256:[0-9a-f]{64}` \| \d+ \|/);
  });

  it("has one table row per entry, none broken by a pipe or newline in AWS text", () => {
    const rows = text.split("\n").filter((l) => /^\| \d\d:\d\d:\d\dZ \|/.test(l));
    expect(rows.length).toBe(
      timelineEntries({
        evidence,
        audit: [audit("2026-11-26T10:05:00Z")],
        detection: { via: "slack-button", at: "2026-11-26T10:06:00Z" },
      }).length,
    );
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length).toBe(7);
  });

  it("says when nothing failed", () => {
    const healthy = load("healthy");
    const out = renderTimeline({
      evidence: healthy,
      diagnosis: diagnose(healthy, playbooks),
      audit: [],
      exportedAt: "2026-11-26T10:06:00Z",
    });
    expect(out).toContain("- **Impact window:** no failure seen in the window");
    expect(out).toContain("- **What was done:** no ecs-medic action recorded");
  });
});
