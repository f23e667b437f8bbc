import type { Evidence, SecretsData } from "../../evidence/schema";
import { shortName } from "../template";
import type { EvidenceRef, Finding } from "../types";
import type { Check, CheckHit } from "./check";
import { currentTaskDefinition, currentTaskDefinitionArn, listOf, stepData, tasksByArn } from "./evidence-access";
import { mentionsSecret } from "./secret-ref";

type SecretEntry = SecretsData["secrets"][number];

/**
 * Step 8 — turns a start-up secret failure (a `secret_access_denied` message finding) into the configuration
 * that explains it: the `secrets` entry whose ARN or name the failure text mentions, the container that
 * declares it and the execution role that must read it. When the failure names no secret the task definition
 * declares, it lists every secret (and registry credential) the execution role must be able to read.
 */
export const secretNotReadableCheck: Check = {
  id: "secret-not-readable",
  step: "secrets",
  run(ctx) {
    const findings = ctx.messageFindings.filter((f) => f.symptom === "secret_access_denied");
    if (findings.length === 0) return [];
    const evidence = ctx.evidence;
    const data = stepData(evidence, "secrets");
    const td = currentTaskDefinition(evidence);
    const executionRoleArn = data?.executionRoleArn ?? td?.executionRoleArn;
    const executionRole = shortName(executionRoleArn);

    const failingRevisions = failingTaskDefinitions(evidence, findings);
    const all = declaredSecrets(evidence, data);
    const wanted = failingRevisions.size > 0 ? all.filter((s) => failingRevisions.has(s.taskDefinitionArn)) : [];
    const secrets = dedupe(
      wanted.length > 0 ? wanted : all.filter((s) => s.taskDefinitionArn === currentTaskDefinitionArn(evidence)),
    );
    const credentials = data?.repositoryCredentials ?? [];

    const texts = failureTexts(evidence, findings);
    const messageRef = findings[0]!.evidence[0];
    const hits: CheckHit[] = [];
    for (const secret of secrets) {
      if (!texts.some((t) => mentionsSecret(t, secret.valueFrom))) continue;
      const containers = all
        .filter((s) => s.valueFrom === secret.valueFrom && s.name === secret.name)
        .map((s) => s.containerName);
      hits.push({
        check: "secret-not-readable",
        step: "secrets",
        vars: {
          container: listOf([...new Set(containers)]),
          secretName: secret.name,
          secretArn: secret.valueFrom,
          source: sourceLabel(secret.source),
          permission: permissionFor(secret.source),
          executionRole,
          taskDefinition: shortName(secret.taskDefinitionArn),
        },
        evidence: [
          {
            step: "secrets",
            kind: "config",
            id: `${secret.taskDefinitionArn}#${secret.containerName}`,
            text: `${secret.containerName} secret ${secret.name} ← ${secret.valueFrom}, read by ${executionRole ?? "no execution role"}`,
          },
          ...(messageRef ? [messageRef] : []),
        ],
      });
    }
    for (const cred of credentials) {
      if (!texts.some((t) => mentionsSecret(t, cred.credentialsParameter))) continue;
      hits.push({
        check: "secret-not-readable",
        step: "secrets",
        vars: {
          container: cred.containerName,
          secretName: "repositoryCredentials",
          secretArn: cred.credentialsParameter,
          source: "Secrets Manager (private registry credentials)",
          permission: "secretsmanager:GetSecretValue",
          executionRole,
        },
        evidence: [
          {
            step: "secrets",
            kind: "config",
            id: `${currentTaskDefinitionArn(evidence) ?? "task-definition"}#${cred.containerName}`,
            text: `${cred.containerName} registry credentials ← ${cred.credentialsParameter}`,
          },
          ...(messageRef ? [messageRef] : []),
        ],
      });
    }
    if (hits.length > 0) return hits;

    // The failure does not say which one: everything the execution role reads at start-up is a suspect.
    const suspects = [
      ...secrets.map((s) => `${s.name} (${s.valueFrom})`),
      ...credentials.map((c) => `registry credentials of ${c.containerName} (${c.credentialsParameter})`),
    ];
    if (suspects.length === 0) return [];
    return [
      {
        check: "secret-not-readable.unnamed",
        step: "secrets",
        vars: {
          secretList: listOf(suspects, 5),
          secretCount: String(suspects.length),
          executionRole,
          permission: [
            ...new Set(
              secrets
                .map((s) => permissionFor(s.source))
                .concat(credentials.length > 0 ? ["secretsmanager:GetSecretValue"] : []),
            ),
          ].join(", "),
        },
        evidence: [
          ...secrets.slice(0, 4).map((s): EvidenceRef => ({
            step: "secrets",
            kind: "config",
            id: `${s.taskDefinitionArn}#${s.containerName}`,
            text: `${s.containerName} secret ${s.name} ← ${s.valueFrom}`,
          })),
          ...(messageRef ? [messageRef] : []),
        ],
      },
    ];
  },
};

/** The secrets step's entries, else the current task definition's own `secrets`. */
function declaredSecrets(evidence: Evidence, data: SecretsData | undefined): SecretEntry[] {
  if (data) return [...data.secrets];
  const td = currentTaskDefinition(evidence);
  if (!td) return [];
  return td.containers.flatMap((c) =>
    c.secrets.map((s) => ({
      taskDefinitionArn: td.taskDefinitionArn,
      containerName: c.name,
      name: s.name,
      valueFrom: s.valueFrom,
      source: sourceOf(s.valueFrom),
    })),
  );
}

function dedupe(secrets: readonly SecretEntry[]): SecretEntry[] {
  const seen = new Set<string>();
  return secrets.filter((s) => {
    const key = `${s.name}\u0000${s.valueFrom}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Task definitions of the tasks the failures point at. */
function failingTaskDefinitions(evidence: Evidence, findings: readonly Finding[]): Set<string> {
  const tasks = tasksByArn(evidence);
  const arns = findings.flatMap((f) =>
    f.evidence.filter((r) => r.kind === "task").map((r) => tasks.get(r.id)?.taskDefinitionArn),
  );
  return new Set(arns.filter((a): a is string => a !== undefined));
}

/**
 * The full failure texts: evidence references are clipped, so the task's stoppedReason and container reasons,
 * the event message or the CloudTrail error are read back from the snapshot.
 */
function failureTexts(evidence: Evidence, findings: readonly Finding[]): string[] {
  const tasks = tasksByArn(evidence);
  const events = new Map((stepData(evidence, "service-events")?.events ?? []).map((e) => [e.id, e.message]));
  const changes = new Map(
    (stepData(evidence, "changes")?.events ?? []).map((e) => [
      e.eventId,
      [e.errorMessage, JSON.stringify(e.requestParameters ?? {})].join(" "),
    ]),
  );
  const texts: string[] = [];
  for (const ref of findings.flatMap((f) => f.evidence)) {
    if (ref.text) texts.push(ref.text);
    if (ref.kind === "task") {
      const task = tasks.get(ref.id);
      if (task?.stoppedReason) texts.push(task.stoppedReason);
      for (const c of task?.containers ?? []) if (c.reason) texts.push(c.reason);
    } else if (ref.kind === "event") {
      const message = events.get(ref.id);
      if (message) texts.push(message);
    } else if (ref.kind === "change") {
      const text = changes.get(ref.id);
      if (text) texts.push(text);
    }
  }
  return texts;
}

function sourceOf(valueFrom: string): SecretEntry["source"] {
  if (valueFrom.includes(":secretsmanager:")) return "secretsmanager";
  if (valueFrom.includes(":ssm:") || !valueFrom.startsWith("arn:")) return "ssm";
  return "other";
}

function sourceLabel(source: SecretEntry["source"]): string {
  return source === "secretsmanager" ? "Secrets Manager" : source === "ssm" ? "SSM Parameter Store" : "another store";
}

function permissionFor(source: SecretEntry["source"]): string {
  return source === "secretsmanager"
    ? "secretsmanager:GetSecretValue"
    : source === "ssm"
      ? "ssm:GetParameters"
      : "read access";
}
