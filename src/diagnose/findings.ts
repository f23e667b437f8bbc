import type { StepId } from "../evidence/schema";
import { deniedWhat, denialFix, denialReason, parseAccessDenied } from "./access-denied";
import { classifyMessage, type Classification } from "./classify";
import type { Playbooks } from "./load-playbooks";
import type { Observation } from "./messages";
import type { SymptomRule } from "./playbook-schema";
import { SEVERITIES, type Severity } from "./symptoms";
import { fill, type TemplateVars } from "./template";
import type { EvidenceRef, Finding } from "./types";

/** Evidence references kept per finding (the newest); `count` still says how many there were. */
const MAX_REFS = 5;

/** One unit (a task, an event, a target, a log line) and what it means. */
export interface ClassifiedUnit {
  readonly unit: string;
  readonly observation: Observation;
  readonly classification: Classification;
  readonly rule?: SymptomRule | undefined;
}

/**
 * Classifies every observation and keeps, per unit, its most specific meaning: the failure with the highest rule
 * priority (a container's OutOfMemoryError beats the task's "Essential container in task exited").
 */
export function classifyUnits(observations: readonly Observation[], playbooks: Playbooks): ClassifiedUnit[] {
  const rules = new Map(playbooks.rules.map((r) => [r.rule.id, r.rule]));
  const best = new Map<string, ClassifiedUnit>();
  for (const observation of observations) {
    const classification = classifyMessage(observation.message, playbooks);
    const current = best.get(observation.unit);
    if (!current || outranks(classification, current.classification)) {
      best.set(observation.unit, {
        unit: observation.unit,
        observation,
        classification,
        rule: classification.rule ? rules.get(classification.rule) : undefined,
      });
    }
  }
  return [...best.values()];
}

function outranks(a: Classification, b: Classification): boolean {
  const failure = (c: Classification) => (c.symptom === "normal" ? 0 : c.rule ? 2 : 1);
  return failure(a) - failure(b) > 0 || (failure(a) === failure(b) && a.priority > b.priority);
}

/**
 * Groups failing units by symptom into findings. The representative unit (a root-cause rule before an effect,
 * then the highest priority, then the newest) gives the finding its words; the others add evidence and count.
 * Unrecognised failures from logs are kept as one low-severity finding so they are visible but never primary.
 */
export function findingsFromUnits(units: readonly ClassifiedUnit[], baseVars: TemplateVars): Finding[] {
  // Linear in the number of units: a group grows in place (a copy per member made a 51 MB snapshot replay for
  // minutes), and each finding is built in one pass over its members plus one sort.
  const groups = new Map<string, ClassifiedUnit[]>();
  for (const u of units) {
    if (u.classification.symptom === "normal") continue;
    const key = groupKey(u);
    const members = groups.get(key);
    if (members) members.push(u);
    else groups.set(key, [u]);
  }
  return [...groups.entries()].map(([key, members]) => toFinding(key, members, baseVars));
}

/**
 * One finding per symptom (ELB reasons from events, tasks and targets are one problem), except `other`, whose
 * causes are unrelated problems, and messages no rule explains, which never mix with explained ones.
 */
function groupKey(u: ClassifiedUnit): string {
  const { symptom, cause, rule } = u.classification;
  if (!rule) return `${symptom}:unrecognised`;
  return symptom === "other" ? `other:${cause ?? rule}` : symptom;
}

/** The representative first: a root cause before an effect, then the highest priority, then the newest. */
const leadOrder = (a: ClassifiedUnit, b: ClassifiedUnit) =>
  roleRank(a) - roleRank(b) || b.classification.priority - a.classification.priority || newestFirst(a, b);
const newestFirst = (a: ClassifiedUnit, b: ClassifiedUnit) =>
  (b.observation.ref.at ?? "").localeCompare(a.observation.ref.at ?? "");

function toFinding(id: string, members: ClassifiedUnit[], baseVars: TemplateVars): Finding {
  // The first of the best, as a stable sort would have put it.
  let lead = members[0]!;
  for (const m of members) if (leadOrder(m, lead) < 0) lead = m;
  const rule = lead.rule;
  const vars = findingVars(baseVars, lead, members);
  // An AccessDenied that names its action: the rule's `denied` words say who, what, on what and why.
  const words = rule?.denied && vars.denialFix ? { ...rule, ...rule.denied } : rule;
  let firstSeen: string | undefined;
  let lastSeen: string | undefined;
  for (const m of members) {
    const at = m.observation.ref.at;
    if (!at) continue;
    if (firstSeen === undefined || at < firstSeen) firstSeen = at;
    if (lastSeen === undefined || at > lastSeen) lastSeen = at;
  }
  const refs = [...members].sort(newestFirst).map((m) => m.observation.ref);
  const unrecognised = !rule;
  const fromLogsOnly = members.every((m) => m.observation.step === "task-logs");
  // A log line alone never makes a service "failing": apps log errors they recover from. Stopped tasks, events or
  // targets must agree before a finding is critical.
  const severity: Severity = unrecognised
    ? fromLogsOnly
      ? "info"
      : "warn"
    : fromLogsOnly
      ? capAt("warn", maxSeverity(members))
      : maxSeverity(members);
  return {
    id,
    symptom: lead.classification.symptom,
    cause: lead.classification.cause,
    severity,
    title: words ? fill(words.title, vars) : unrecognisedTitle(members),
    detail: rule
      ? fill(rule.why, vars)
      : "These messages look like failures but match no playbook rule. Read them below; a platform team can add a rule for them.",
    fix: words
      ? fill(words.fix, vars)
      : "Read the messages; if they explain the incident, add a rule in playbooks/symptoms so the next diagnosis names it.",
    next: rule?.next ?? [],
    rule: rule?.id ?? "unrecognised",
    steps: stepsByCount(members),
    role: members.some((m) => roleOf(m) === "cause") ? "cause" : "effect",
    evidence: dedupeRefs(refs, MAX_REFS),
    count: members.length,
    firstSeen,
    lastSeen,
  };
}

function capAt(cap: Severity, severity: Severity): Severity {
  return SEVERITIES.indexOf(severity) > SEVERITIES.indexOf(cap) ? cap : severity;
}

function roleOf(u: ClassifiedUnit): "cause" | "effect" {
  return u.rule?.role ?? "cause";
}

function roleRank(u: ClassifiedUnit): number {
  return roleOf(u) === "cause" ? 0 : 1;
}

function maxSeverity(members: ClassifiedUnit[]): Severity {
  return members.reduce<Severity>(
    (acc, m) =>
      SEVERITIES.indexOf(m.classification.severity) > SEVERITIES.indexOf(acc) ? m.classification.severity : acc,
    "info",
  );
}

function findingVars(base: TemplateVars, lead: ClassifiedUnit, members: readonly ClassifiedUnit[]): TemplateVars {
  const vars: Record<string, string | undefined> = { ...base };
  for (const [k, v] of Object.entries(lead.observation.vars)) if (v !== undefined) vars[k] = v;
  for (const [k, v] of Object.entries(lead.classification.vars)) if (v) vars[k] = v;
  // Failing tasks of a revision that is no longer the service's (the breaker rolled back): the way back is the
  // revision the service runs now, not the one before it.
  const failingRevision = failingRevisionOf(lead, members);
  if (failingRevision && base.taskDefinition && failingRevision !== base.taskDefinition) {
    vars.taskDefinition = failingRevision;
    vars.previousTaskDefinition = base.taskDefinition;
  }
  vars.actionSuffix = vars.action ? ` (${vars.action})` : "";
  // A dependency the app cannot reach, by the host and port its driver named.
  if (vars.host) vars.dependency = vars.port ? `${vars.host.replace(/^\[|\]$/g, "")}:${vars.port}` : vars.host;
  Object.assign(vars, denialVars(lead.observation.message.text, vars));
  // Titles name a secret by its readable name; the full ARN stays in why/fix and in the evidence.
  const secretName = vars.secretArn?.match(/:(?:secret:|parameter\/?)(.+)$/)?.[1];
  if (vars.secretArn) vars.secret = `secret ${secretName ?? vars.secretArn}`;
  return vars;
}

/**
 * The revision a finding's failures ran: the lead's own, or, for a lead that names none (a service event: "is unable
 * to consistently start tasks"), the one revision every member that names one agrees on (a single such member is
 * enough; two revisions among them, and the finding keeps the service's own).
 */
function failingRevisionOf(lead: ClassifiedUnit, members: readonly ClassifiedUnit[]): string | undefined {
  const own = lead.observation.vars.taskDefinition;
  if (own) return own;
  const named = new Set<string>();
  for (const m of members) if (m.observation.vars.taskDefinition) named.add(m.observation.vars.taskDefinition);
  return named.size === 1 ? [...named][0] : undefined;
}

/** {denied}, {deniedAction}, {deniedResource}, {deniedPrincipal}, {denialReason}, {denialFix} of an AccessDenied. */
function denialVars(text: string, vars: TemplateVars): Record<string, string | undefined> {
  const d = parseAccessDenied(text);
  if (!d?.action) return {};
  const reason = denialReason(d);
  const fix = denialFix(d);
  return {
    denied: deniedWhat(d),
    deniedAction: d.action,
    deniedResource: d.resourceName ?? vars.secret ?? "the resource",
    deniedPrincipal: d.principalName,
    denialReason: reason ?? "the message does not say which policy",
    denialReasonSuffix: reason ? ` (${reason})` : "",
    denialFix: fix.charAt(0).toUpperCase() + fix.slice(1),
  };
}

function stepsByCount(members: ClassifiedUnit[]): StepId[] {
  const counts = new Map<StepId, number>();
  for (const m of members) counts.set(m.observation.step, (counts.get(m.observation.step) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([step]) => step);
}

/** The first `max` distinct references, in order. */
function dedupeRefs(refs: EvidenceRef[], max: number): EvidenceRef[] {
  const seen = new Set<string>();
  const out: EvidenceRef[] = [];
  for (const r of refs) {
    if (out.length >= max) break;
    const key = `${r.step}:${r.kind}:${r.id}:${r.text ?? ""}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(r);
  }
  return out;
}

function unrecognisedTitle(members: ClassifiedUnit[]): string {
  const where = stepsByCount(members)[0];
  const noun =
    where === "task-logs" ? "error line(s) in the logs" : where === "stopped-tasks" ? "task stop(s)" : "message(s)";
  return `${members.length} ${noun} that no playbook rule explains`;
}
