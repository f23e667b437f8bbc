import type { Evidence, StepId, Task, TaskDefinition } from "../evidence/schema";
import { stepData } from "../evidence/read";
import { oneLine } from "../util/format";
import type { Message } from "./matcher";
import { shortImage, shortName, type TemplateVars } from "./template";
import type { EvidenceRef } from "./types";

/**
 * One observation to classify, with where it came from. Observations that describe the same thing (the task-level
 * reason and each container's reason and exit code of one stopped task) share a `unit`: the unit's meaning is its
 * most specific (highest-priority) classification.
 */
export interface Observation {
  readonly unit: string;
  readonly step: StepId;
  readonly message: Message;
  readonly ref: EvidenceRef;
  /** Values for rule text: container, exitCode, image, taskDefinition, targetGroup … */
  readonly vars: TemplateVars;
}

/** Every message in the snapshot that symptom rules can read, in check order. */
export function observe(evidence: Evidence): Observation[] {
  return [
    ...serviceEvents(evidence),
    ...deployments(evidence),
    ...stoppedTasks(evidence),
    ...targetHealth(evidence),
    ...logLines(evidence),
    ...cloudTrail(evidence),
  ];
}

function serviceEvents(evidence: Evidence): Observation[] {
  const data = stepData(evidence, "service-events");
  if (!data) return [];
  return data.events
    .filter((e) => (e as { inWindow?: boolean }).inWindow !== false)
    .map((e) => ({
      unit: `event:${e.id}`,
      step: "service-events" as const,
      message: { field: "service_event_message" as const, text: e.message },
      ref: {
        step: "service-events" as const,
        kind: "event" as const,
        id: e.id,
        at: e.createdAt,
        text: clip(e.message),
      },
      vars: {},
    }));
}

function deployments(evidence: Evidence): Observation[] {
  const data = stepData(evidence, "deployment");
  if (!data) return [];
  const out: Observation[] = [];
  for (const d of data.deployments) {
    if (!d.rolloutStateReason || d.rolloutState === "COMPLETED") continue;
    out.push({
      unit: `deployment:${d.id}`,
      step: "deployment",
      message: { field: "service_event_message", text: d.rolloutStateReason },
      ref: {
        step: "deployment",
        kind: "deployment",
        id: d.id,
        at: d.updatedAt ?? d.createdAt,
        text: clip(`${d.rolloutState ?? d.status}: ${d.rolloutStateReason}`),
      },
      vars: { taskDefinition: shortName(d.taskDefinition) },
    });
  }
  for (const sd of data.history.serviceDeployments) {
    const reason = [...new Set([sd.status, sd.statusReason, sd.rollback?.reason].filter(Boolean))].join(": ");
    if (!sd.statusReason && !sd.rollback) continue;
    if (sd.status === "SUCCESSFUL" || sd.status === "IN_PROGRESS" || sd.status === "PENDING") continue;
    // A rollback days ago is history, not this incident.
    const ended = sd.finishedAt ?? sd.stoppedAt ?? sd.updatedAt ?? sd.createdAt;
    if (ended && Date.parse(ended) < Date.parse(evidence.window.since)) continue;
    out.push({
      unit: `deployment:${sd.serviceDeploymentArn}`,
      step: "deployment",
      message: { field: "service_event_message", text: reason },
      ref: {
        step: "deployment",
        kind: "deployment",
        id: sd.serviceDeploymentArn,
        at: sd.finishedAt ?? sd.stoppedAt ?? sd.updatedAt ?? sd.createdAt,
        text: clip(reason),
      },
      vars: { taskDefinition: shortName(sd.targetTaskDefinition) },
    });
  }
  return out;
}

function stoppedTasks(evidence: Evidence): Observation[] {
  const data = stepData(evidence, "stopped-tasks");
  if (!data) return [];
  const out: Observation[] = [];
  for (const task of data.stopped) {
    const unit = `task:${task.taskArn}`;
    const failed = failingContainer(task);
    const vars = taskVars(task, failed, evidence.taskDefinitions);
    const ref = (text: string): EvidenceRef => ({
      step: "stopped-tasks",
      kind: "task",
      id: task.taskArn,
      at: task.stoppedAt ?? task.stoppingAt ?? task.createdAt,
      text: clip(text),
    });
    const base = { unit, step: "stopped-tasks" as const, vars };
    const summary = [
      task.stopCode,
      task.stoppedReason,
      failed?.reason,
      failed?.exitCode !== undefined ? `exit ${failed.exitCode}` : undefined,
    ]
      .filter(Boolean)
      .join(" · ");
    if (task.stoppedReason) {
      out.push({
        ...base,
        message: {
          field: "stoppedReason",
          text: task.stoppedReason,
          stopCode: task.stopCode,
          exitCode: failed?.exitCode,
        },
        ref: ref(summary),
      });
    }
    if (task.stopCode) {
      out.push({
        ...base,
        message: { field: "stopCode", text: task.stopCode, stopCode: task.stopCode, exitCode: failed?.exitCode },
        ref: ref(summary),
      });
    }
    for (const c of task.containers) {
      const cvars = {
        ...vars,
        container: c.name,
        exitCode: c.exitCode !== undefined ? String(c.exitCode) : vars.exitCode,
      };
      if (c.reason) {
        out.push({
          ...base,
          vars: cvars,
          message: { field: "container.reason", text: c.reason, exitCode: c.exitCode, stopCode: task.stopCode },
          ref: ref(summary),
        });
      }
      if (c.exitCode !== undefined) {
        const text = [String(c.exitCode), c.reason, task.stoppedReason].filter(Boolean).join("\n");
        out.push({
          ...base,
          vars: cvars,
          message: { field: "container.exitCode", text, exitCode: c.exitCode, stopCode: task.stopCode },
          ref: ref(summary),
        });
      }
    }
  }
  return out;
}

/** The container that explains the stop: one with a reason, else a non-zero exit, else the first essential one. */
function failingContainer(task: Task): Task["containers"][number] | undefined {
  return (
    task.containers.find((c) => c.reason) ??
    task.containers.find((c) => c.exitCode !== undefined && c.exitCode !== 0) ??
    task.containers[0]
  );
}

function taskVars(
  task: Task,
  container: Task["containers"][number] | undefined,
  defs: readonly TaskDefinition[],
): TemplateVars {
  const td = defs.find((d) => d.taskDefinitionArn === task.taskDefinitionArn);
  const cdef = td?.containers.find((c) => c.name === container?.name);
  return {
    container: container?.name,
    exitCode: container?.exitCode !== undefined ? String(container.exitCode) : undefined,
    image: shortImage(container?.image ?? cdef?.image),
    taskDefinition: shortName(task.taskDefinitionArn),
    memory: memoryText(cdef, td),
  };
}

function targetHealth(evidence: Evidence): Observation[] {
  const data = stepData(evidence, "target-health");
  if (!data) return [];
  const out: Observation[] = [];
  for (const group of data.targetGroups) {
    const hc = group.healthCheck;
    const vars: TemplateVars = {
      targetGroup: group.targetGroupName ?? shortName(group.targetGroupArn),
      healthCheckPath: hc?.path,
      healthCheckPort: healthCheckPortText(hc?.port, group.containerPort ?? group.port),
      matcher: hc?.matcher?.httpCode ?? hc?.matcher?.grpcCode,
      containerPort: group.containerPort !== undefined ? String(group.containerPort) : undefined,
    };
    for (const t of group.targets) {
      if (t.state === "healthy") continue;
      const text = [t.reason, t.description].filter(Boolean).join(": ") || t.state;
      out.push({
        unit: `target:${group.targetGroupArn}:${t.id}:${t.port ?? ""}`,
        step: "target-health",
        message: { field: "target_health", text, reasonCode: t.reason, state: t.state },
        ref: {
          step: "target-health",
          kind: "target",
          id: `${t.id}${t.port ? `:${t.port}` : ""}`,
          text: clip(`${vars.targetGroup}: ${t.state} ${text}`),
        },
        vars,
      });
    }
  }
  return out;
}

function logLines(evidence: Evidence): Observation[] {
  const data = stepData(evidence, "task-logs");
  if (!data) return [];
  const out: Observation[] = [];
  const seen = new Set<string>();
  const taskRoles = roleNames(evidence.taskDefinitions.map((t) => t.taskRoleArn));
  const push = (container: string | undefined, stream: string, line: { timestamp: string; message: string }) => {
    const key = `${stream}\u0000${line.timestamp}\u0000${line.message}`;
    if (seen.has(key)) return; // the same line can come from the stream tail and the pattern search
    seen.add(key);
    // An AccessDenied the application logged names the task role ("assumed-role/payment-api-task/…"): say so, as
    // for CloudTrail records, so a start-up secret rule does not read the app's own denied call as ECS's.
    const role = /assumed-role\/([^/\s]+)\//.exec(line.message)?.[1];
    const text = role && taskRoles.has(role) ? `${line.message}\ncaller: task role` : line.message;
    out.push({
      unit: `log:${key}`,
      step: "task-logs",
      message: { field: "log_line", text },
      ref: { step: "task-logs", kind: "log", id: stream, at: line.timestamp, text: clip(line.message) },
      vars: { container },
    });
  };
  for (const s of data.streams) for (const line of s.lines) push(s.containerName, s.logStream, line);
  for (const search of data.patternSearches)
    for (const m of search.matches) push(containerFromStream(m.logStream), m.logStream, m);
  return out;
}

/** awslogs streams are `prefix/container/task-id`. */
function containerFromStream(stream: string): string | undefined {
  const parts = stream.split("/");
  return parts.length >= 3 ? parts[parts.length - 2] : undefined;
}

function cloudTrail(evidence: Evidence): Observation[] {
  const data = stepData(evidence, "changes");
  if (!data) return [];
  const taskRoles = roleNames(evidence.taskDefinitions.map((t) => t.taskRoleArn));
  const executionRoles = roleNames(evidence.taskDefinitions.map((t) => t.executionRoleArn));
  return data.events
    .filter((e) => e.errorCode)
    .map((e) => {
      const service = e.eventSource?.split(".")[0];
      const action = service ? `${service}:${e.eventName}` : e.eventName;
      // Who was denied decides what it means: the task role (the application), the execution role (start-up), or
      // someone else. Rules read it from this line.
      const role = roleOfPrincipal(e.actor);
      const caller =
        role && taskRoles.has(role)
          ? "task role"
          : role && executionRoles.has(role)
            ? "execution role"
            : "another principal";
      const text = [[e.errorCode, e.errorMessage].filter(Boolean).join(": "), `caller: ${caller}`].join("\n");
      return {
        unit: `change:${e.eventId}`,
        step: "changes" as const,
        message: { field: "cloudtrail_event" as const, text, eventName: e.eventName, errorCode: e.errorCode },
        ref: {
          step: "changes" as const,
          kind: "change" as const,
          id: e.eventId,
          at: e.eventTime,
          text: clip(`${e.eventName} by ${shortName(e.actor) ?? "?"}: ${text}`),
        },
        vars: { action, principal: e.actor },
      };
    });
}

/** The memory limit a container runs under: its own hard limit or reservation, else the task's size. */
export function memoryText(
  container: { memory?: number | undefined; memoryReservation?: number | undefined } | undefined,
  td: TaskDefinition | undefined,
): string | undefined {
  const memory = container?.memory ?? container?.memoryReservation ?? td?.memory;
  return memory !== undefined ? `${memory} MiB` : undefined;
}

/** A target group's health-check port as people read it: "traffic-port" becomes "8080 (the traffic port)". */
export function healthCheckPortText(port: string | undefined, trafficPort: number | undefined): string | undefined {
  return port === "traffic-port" ? `${trafficPort ?? "?"} (the traffic port)` : port;
}

function roleNames(arns: readonly (string | undefined)[]): Set<string> {
  return new Set(arns.map((a) => a?.split("/").pop()).filter((n): n is string => Boolean(n)));
}

/** `arn:aws:sts::1:assumed-role/payment-api-task/abc` or `arn:aws:iam::1:role/path/payment-api-task` → role name. */
function roleOfPrincipal(actor: string | undefined): string | undefined {
  if (!actor) return undefined;
  const assumed = /:assumed-role\/([^/]+)\//.exec(actor);
  if (assumed) return assumed[1];
  return /:role\/(?:.*\/)?([^/]+)$/.exec(actor)?.[1];
}

/** Evidence text kept on a reference: one line, bounded. */
export function clip(text: string, max = 300): string {
  return oneLine(text, max);
}
