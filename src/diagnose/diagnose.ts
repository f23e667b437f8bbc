import { formatDistanceStrict } from "date-fns";
import type { Evidence, StepId, StepRecord } from "../evidence/schema";
import { CHECKS } from "./checks";
import type { CheckContext, CheckHit } from "./checks/check";
import { classifyUnits, findingsFromUnits } from "./findings";
import type { Playbooks } from "./load-playbooks";
import { observe } from "./messages";
import { proposeActions } from "./proposals";
import { serving, type Serving } from "./serving";
import { confidence, rankFindings } from "./rank";
import { noData, unreadEvidence } from "./unread";
import { SEVERITIES, type Severity } from "./symptoms";
import { fill, shortImage, shortName, type TemplateVars } from "./template";
import type { Diagnosis, Finding, StepResult, StepStatus, Verdict } from "./types";
import { stepData } from "../evidence/read";
import { lastKnownGood } from "../actions/rollback-target";
import { stepEntry, summarizeStep } from "../steps/catalogue";
import { healthCheckPortText, memoryText } from "./messages";

/**
 * The diagnosis: a pure function of the snapshot and the playbooks. Messages are classified by the symptom rules,
 * configuration checks add what the messages cannot say, every step gets a status, findings are ranked, and
 * guarded actions are proposed. Nothing here reads the clock or calls AWS; `evidence.collectedAt` is "now".
 */
export function diagnose(evidence: Evidence, playbooks: Playbooks): Diagnosis {
  const vars = baseVars(evidence);
  const units = classifyUnits(observe(evidence), playbooks);
  const messageFindings = findingsFromUnits(units, vars);
  const onset = findOnset(messageFindings, evidence);

  const ctx: CheckContext = { evidence, thresholds: playbooks.checkOrder.thresholds, messageFindings, onset, vars };
  const notes: string[] = [];
  // A check that throws is a bug on this evidence: its step says so (status `error`), the rest of the diagnosis stands.
  const brokenChecks = new Map<StepId, string[]>();
  const hits = CHECKS.flatMap((check) => {
    try {
      return [...check.run(ctx)];
    } catch {
      brokenChecks.set(check.step, [...(brokenChecks.get(check.step) ?? []), check.id]);
      return [];
    }
  });
  const checkFindings = findingsFromHits(hits, playbooks, vars, notes);

  const findings = rankFindings([...messageFindings, ...checkFindings], onset);
  const steps = judgeSteps(evidence, findings, playbooks, brokenChecks);
  const serves = serving(evidence);
  const verdict = decideVerdict(evidence, findings, serves);
  const primaryFinding = findings.find((f) => f.severity !== "info");
  const explainers = primaryFinding
    ? findings.filter((f) => f.explains?.includes(primaryFinding.symptom) && f.severity !== "info")
    : [];
  const primary = primaryFinding
    ? {
        finding: primaryFinding.id,
        confidence: confidence(primaryFinding, findings, explainers.length, {
          failed: evidence.steps.filter((s) => s.status === "error").length,
          partial: evidence.steps.filter((s) => s.status === "partial").length + evidence.contextErrors.length,
        }),
        explainedBy: explainers.map((f) => f.id),
      }
    : undefined;
  const unread = unreadEvidence(evidence);
  const proposals = proposeActions({
    evidence,
    findings,
    primary: primaryFinding,
    thresholds: playbooks.checkOrder.thresholds,
  });

  for (const error of evidence.contextErrors) notes.push(`task definition: ${error.hint}`);
  // ECS's own rollback under way: say so, since no rollback is offered on top of it.
  const good = lastKnownGood(evidence);
  if (!good.ok && good.ecsRollingBackTo) notes.push(good.reason);

  return {
    schemaVersion: 1,
    target: evidence.target,
    window: evidence.window,
    at: evidence.collectedAt,
    verdict,
    headline: headline(verdict, evidence, primaryFinding),
    service: glance(evidence),
    serving: serves.line,
    onset,
    primary,
    findings,
    steps,
    proposals,
    ...(unread.length > 0 ? { unread } : {}),
    notes,
  };
}

/** Values every rule text can use, from the snapshot. */
export function baseVars(evidence: Evidence): TemplateVars {
  const current = evidence.taskDefinitions.find((t) => t.role === "current");
  const good = lastKnownGood(evidence);
  const essential = current?.containers.find((c) => c.essential) ?? current?.containers[0];
  const lb = evidence.service.loadBalancers[0];
  const group = stepData(evidence, "target-health")?.targetGroups[0];
  return {
    service: evidence.target.service,
    cluster: evidence.target.cluster,
    region: evidence.target.region,
    taskDefinition: shortName(current?.taskDefinitionArn ?? evidence.service.taskDefinition),
    // The way back is the last known-good revision (or the one ECS is already returning to), never "revision − 1".
    previousTaskDefinition: shortName(good.ok ? good.taskDefinition : good.ecsRollingBackTo),
    executionRole: shortName(current?.executionRoleArn),
    taskRole: shortName(current?.taskRoleArn),
    subnets: evidence.service.network?.subnets.join(", "),
    container: essential?.name,
    image: shortImage(essential?.image),
    memory: memoryText(essential, current),
    containerPort: lb?.containerPort !== undefined ? String(lb.containerPort) : undefined,
    targetGroup: group?.targetGroupName ?? shortName(lb?.targetGroupArn),
    healthCheckPath: group?.healthCheck?.path,
    healthCheckPort: healthCheckPortText(group?.healthCheck?.port, lb?.containerPort ?? group?.port),
    matcher: group?.healthCheck?.matcher?.httpCode ?? group?.healthCheck?.matcher?.grpcCode,
  };
}

/** The first failure: the earliest sighting of a warn or critical message finding. */
function findOnset(findings: readonly Finding[], evidence: Evidence): string | undefined {
  const times = findings
    .filter((f) => f.severity !== "info" && f.rule !== "unrecognised")
    .map((f) => f.firstSeen)
    .filter((t): t is string => Boolean(t) && Date.parse(t!) <= Date.parse(evidence.window.until))
    .sort((a, b) => Date.parse(a) - Date.parse(b));
  return times[0];
}

function findingsFromHits(
  hits: readonly CheckHit[],
  playbooks: Playbooks,
  base: TemplateVars,
  notes: string[],
): Finding[] {
  const byCheck = new Map<string, CheckHit[]>();
  for (const hit of hits) byCheck.set(hit.check, [...(byCheck.get(hit.check) ?? []), hit]);
  const out: Finding[] = [];
  for (const [checkId, group] of byCheck) {
    const text = playbooks.checks.get(checkId);
    if (!text) {
      notes.push(`check ${checkId} has no text in playbooks/checks; its ${group.length} hit(s) are not shown`);
      continue;
    }
    const lead = group[0]!;
    const vars = { ...base, ...Object.fromEntries(Object.entries(lead.vars).filter(([, v]) => v !== undefined)) };
    const severity = group
      .map((h) => h.severity ?? text.severity)
      .reduce<Severity>((a, b) => (SEVERITIES.indexOf(b) > SEVERITIES.indexOf(a) ? b : a), "info");
    const times = group
      .map((h) => h.at)
      .filter((t): t is string => Boolean(t))
      .sort();
    out.push({
      id: `${text.symptom}:${checkId}`,
      symptom: text.symptom,
      cause: text.cause,
      severity,
      title: fill(text.title, vars),
      detail: fill(text.why, vars),
      fix: fill(text.fix, vars),
      next: text.next,
      rule: checkId,
      steps: [...new Set(group.map((h) => h.step))],
      role: text.symptom === "recent_change" || text.symptom === "deployment_failed" ? "effect" : "cause",
      evidence: group.flatMap((h) => h.evidence).slice(0, 5),
      count: group.length,
      firstSeen: times[0],
      lastSeen: times[times.length - 1],
      explains: text.explains.length > 0 ? text.explains : undefined,
    });
  }
  return out;
}

function judgeSteps(
  evidence: Evidence,
  findings: readonly Finding[],
  playbooks: Playbooks,
  brokenChecks: ReadonlyMap<StepId, readonly string[]>,
): StepResult[] {
  const records = new Map(evidence.steps.map((s) => [s.id, s]));
  return playbooks.checkOrder.steps.map((def) => {
    const record = records.get(def.id);
    // A warning or failure shows on every step whose evidence shows it; an info finding only on its own step.
    const mine = findings.filter((f) => (f.severity === "info" ? f.steps[0] === def.id : f.steps.includes(def.id)));
    const broken = brokenChecks.get(def.id);
    const judged = stepStatus(record, mine);
    // Read, but nothing came back to judge by: "no data", not the ✅ of a passed check.
    const empty = judged === "ok" && record ? noData(record) : undefined;
    const status = broken && judged !== "fail" ? "error" : empty ? "skipped" : judged;
    const collectorSummary = record?.data ? summarizeStep(def.id, record.data) : undefined;
    const entry = stepEntry(def.id);
    const top = mine[0];
    const reason = broken
      ? `the ${broken.join(", ")} check could not run on this evidence — a bug in ecs-medic: report it with the snapshot (--save-evidence)`
      : record?.status === "error"
        ? (record.errors[0]?.hint ?? "could not be collected")
        : record?.status === "skipped"
          ? record.skipReason
          : record === undefined
            ? "not in this snapshot"
            : undefined;
    const summary =
      top && top.severity !== "info" ? top.title : (empty ?? collectorSummary ?? reason ?? "nothing to report");
    return {
      step: def.id,
      number: entry.number,
      title: entry.title,
      status,
      summary,
      findings: mine.map((f) => f.id),
      reason,
    };
  });
}

function stepStatus(record: StepRecord | undefined, findings: readonly Finding[]): StepStatus {
  if (!record) return "skipped";
  if (findings.some((f) => f.severity === "critical")) return "fail";
  if (record.status === "error") return "error";
  if (record.status === "skipped") return "skipped";
  if (findings.some((f) => f.severity === "warn") || record.status === "partial") return "warn";
  return "ok";
}

/**
 * The verdict states user impact (docs/symptoms.md): `failing` — it cannot serve (no healthy target behind a load
 * balancer, or no running task); `degraded` — it still serves but something fails (a deployment, some tasks, a
 * dependency) or it runs fewer tasks than desired; `healthy` — nothing failing in the window, routine noise only.
 */
function decideVerdict(evidence: Evidence, findings: readonly Finding[], serves: Serving): Verdict {
  // With no data from the steps that show failures, "healthy" would be a guess: say degraded and let notes explain.
  if (!hasCoreEvidence(evidence)) return "degraded";
  const svc = evidence.service;
  const wanted = svc.desiredCount > 0;
  if (wanted && serves.known && !serves.canServe) return "failing";
  if (wanted && !serves.known && svc.runningCount === 0) return "failing";
  const failing = findings.some((f) => f.severity === "critical" || f.severity === "warn");
  if (failing || svc.runningCount < svc.desiredCount) return "degraded";
  return "healthy";
}

function glance(evidence: Evidence): Diagnosis["service"] {
  const svc = evidence.service;
  const primary = stepData(evidence, "deployment")?.deployments.find((d) => d.status === "PRIMARY");
  return {
    taskDefinition: shortName(svc.taskDefinition),
    running: svc.runningCount,
    desired: svc.desiredCount,
    pending: svc.pendingCount,
    rollout: primary?.rolloutState,
  };
}

function hasCoreEvidence(evidence: Evidence): boolean {
  const core = new Set(["service-events", "deployment", "stopped-tasks", "target-health"]);
  return evidence.steps.some((s) => core.has(s.id) && s.data);
}

function headline(verdict: Verdict, evidence: Evidence, primary: Finding | undefined): string {
  const svc = evidence.service;
  const span = formatDistanceStrict(new Date(evidence.window.since), new Date(evidence.window.until));
  switch (verdict) {
    case "healthy":
      return `${evidence.target.service} is healthy: ${svc.runningCount}/${svc.desiredCount} tasks running, no failures in the last ${span}`;
    case "degraded":
    case "failing": {
      if (!primary && !hasCoreEvidence(evidence))
        return `Not enough evidence to judge ${evidence.target.service}: the service, deployment, task and target steps returned nothing`;
      if (!primary)
        return verdict === "failing"
          ? `${evidence.target.service} is failing`
          : `${evidence.target.service} is running ${svc.runningCount} of ${svc.desiredCount} tasks`;
      return primary.title;
    }
  }
}
