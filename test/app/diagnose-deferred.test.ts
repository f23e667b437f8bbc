import { LookupEventsCommand, type LookupEventsCommandInput } from "@aws-sdk/client-cloudtrail";
import { DescribeServicesCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { beforeEach, describe, expect, it } from "vitest";
import { createDeps, type Deps } from "../../src/app/deps";
import { diagnose, type DiagnoseOk, type DiagnoseProgress } from "../../src/app/diagnose";
import { createClients } from "../../src/aws/clients";
import { fixedClock } from "../../src/clock";
import { diagnose as diagnoseEvidence } from "../../src/diagnose/diagnose";
import { loadPlaybooks } from "../../src/diagnose/load-playbooks";
import { EvidenceSchema } from "../../src/evidence/schema";
import { stepData } from "../../src/evidence/read";
import { diagnosisMessage } from "../../src/render/slack";
import { renderChangesUpdate } from "../../src/render/terminal/changes";
import { renderDiagnosisText } from "../../src/render/terminal/report";
import { NOW, REGION, SERVICE, sdkService, sdkStoppedTask } from "../fixtures/aws";
import { PATH_CHANGES } from "../fixtures/cloudtrail-changes";
import { instantLimiter } from "../helpers/context";
import { answerEverything, mockAllClients } from "../helpers/estate";

const mocks = mockAllClients();
const playbooks = loadPlaybooks();

function deps(): Deps {
  return createDeps({
    env: {},
    clock: fixedClock(NOW),
    playbooks: () => playbooks,
    aws: () => createClients({ region: REGION, maxAttempts: 1 }),
    cloudTrailLimiter: instantLimiter(),
  });
}

/** CloudTrail answers only when released: the lookups are "slow" without any real time passing. */
function heldCloudTrail() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  mocks.cloudtrail.on(LookupEventsCommand).callsFake(async (input: LookupEventsCommandInput) => {
    await released;
    const sweep = input.LookupAttributes?.[0]?.AttributeKey === "ReadOnly";
    return { Events: sweep ? [] : [PATH_CHANGES.service] };
  });
  return release;
}

/** The injected wait: records the grace asked for and whether every other step had finished by then. */
function fakeSleep(progress: DiagnoseProgress[], resolves = true) {
  const calls: { ms: number; stepsDone: string[] }[] = [];
  const sleep = (ms: number) => {
    calls.push({ ms, stepsDone: progress.flatMap((e) => (e.type === "step" ? [e.record.id] : [])) });
    return resolves ? Promise.resolve() : new Promise<void>(() => undefined);
  };
  return { sleep, calls };
}

beforeEach(() => {
  for (const m of Object.values(mocks)) m.reset();
  const stopped = sdkStoppedTask(5, {
    exitCode: 137,
    containerReason: "OutOfMemoryError: Container killed due to memory usage",
  });
  answerEverything(mocks, [stopped]);
  mocks.ecs.on(DescribeServicesCommand).resolves({ services: [sdkService()], failures: [] });
  mocks.ecs.on(ListTasksCommand).callsFake((input: { desiredStatus?: string }) => ({
    taskArns: input.desiredStatus === "STOPPED" ? [stopped.taskArn] : [],
  }));
});

describe("CloudTrail off the critical path", () => {
  it("reports without step 10 when it lags past the grace, then completes it in `later`", async () => {
    const release = heldCloudTrail();
    const progress: DiagnoseProgress[] = [];
    const { sleep, calls } = fakeSleep(progress);

    const result = await diagnose(deps(), {
      service: SERVICE,
      cluster: "prod",
      onProgress: (e) => progress.push(e),
      deferChanges: { sleep },
    });

    if (!result.ok) throw new Error(result.failure.title);
    // The grace (default 1.5 s) is waited only once every other step is done.
    expect(calls).toHaveLength(1);
    expect(calls[0]!.ms).toBe(1_500);
    expect(calls[0]!.stepsDone).toHaveLength(10);
    expect(calls[0]!.stepsDone).not.toContain("changes");
    // The first report: step 10 still reading, in a valid snapshot that diagnoses the same way again.
    const first = result.diagnosis.steps.find((s) => s.step === "changes")!;
    expect(first.summary).toBe("recent changes: still reading");
    expect(stepData(result.evidence, "changes")?.pending).toEqual({ startedAt: NOW });
    const reparsed = EvidenceSchema.parse(JSON.parse(JSON.stringify(result.evidence)));
    expect(diagnoseEvidence(reparsed, playbooks)).toEqual(result.diagnosis);
    expect(result.diagnosis.findings.some((f) => f.symptom === "recent_change")).toBe(false);
    // Still reading is not "could not read": no "confidence lowered" line for it.
    expect((result.diagnosis.unread ?? []).some((line) => line.includes("recent changes"))).toBe(false);
    expect(result.later).toBeDefined();

    release();
    const final: DiagnoseOk = await result.later!;

    expect(final.later).toBeUndefined();
    expect(stepData(final.evidence, "changes")?.pending).toBeUndefined();
    const suspect = final.diagnosis.findings.find((f) => f.symptom === "recent_change");
    expect(suspect?.severity).toBe("warn");
    expect(suspect?.title).toMatch(/^UpdateService by deployer\/github-actions 15 min before the first failure: /);
    expect(suspect?.fix).toMatch(/revert it: roll back to /);
    // The verdict does not depend on step 10.
    expect(final.diagnosis.verdict).toBe(result.diagnosis.verdict);
    expect(final.undecided).toBe(result.undecided);
  });

  it("waits for step 10 when it ends within the grace: one result, no `later`", async () => {
    mocks.cloudtrail.on(LookupEventsCommand).resolves({ Events: [PATH_CHANGES.service] });
    const progress: DiagnoseProgress[] = [];
    // The grace never ends on its own here: the lookups must win the race.
    const { sleep } = fakeSleep(progress, false);

    const result = await diagnose(deps(), { service: SERVICE, cluster: "prod", deferChanges: { graceMs: 10, sleep } });

    if (!result.ok) throw new Error(result.failure.title);
    expect(result.later).toBeUndefined();
    expect(result.diagnosis.findings.some((f) => f.symptom === "recent_change")).toBe(true);
  });

  it("without deferChanges everything is awaited, however slow CloudTrail is", async () => {
    const release = heldCloudTrail();
    const pending = diagnose(deps(), { service: SERVICE, cluster: "prod" });
    release();
    const result = await pending;
    if (!result.ok) throw new Error(result.failure.title);
    expect(result.later).toBeUndefined();
    expect(stepData(result.evidence, "changes")?.pending).toBeUndefined();
  });

  it("says 'still reading' in the Slack report and the terminal, and shows the suspect when it arrives", async () => {
    const release = heldCloudTrail();
    const { sleep } = fakeSleep([]);
    const result = await diagnose(deps(), { service: SERVICE, cluster: "prod", deferChanges: { sleep } });
    if (!result.ok) throw new Error(result.failure.title);
    release();
    const final = await result.later!;

    const options = { region: REGION, evidence: result.evidence };
    const slackFirst = JSON.stringify(diagnosisMessage(result.diagnosis, options).blocks);
    const slackFinal = JSON.stringify(
      diagnosisMessage(final.diagnosis, { ...options, evidence: final.evidence }).blocks,
    );
    expect(slackFirst).toContain("recent changes: still reading");
    expect(slackFinal).not.toContain("still reading");
    expect(slackFinal).toContain("Suspect change:");

    expect(renderDiagnosisText(result.diagnosis, { color: false })).toContain("recent changes: still reading");
    const update = renderChangesUpdate(result.diagnosis, final.diagnosis, { color: false });
    expect(update).toContain("Recent changes (CloudTrail, arrived after the report)");
    expect(update).toMatch(/Suspect change: UpdateService by deployer\/github-actions/);
    expect(update).not.toContain("Verdict now");
  });
});
