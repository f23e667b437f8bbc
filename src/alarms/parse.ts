import { z } from "zod";
import { lastSegment } from "../aws/arn";
import { parseSnsRecord, SnsAlarmMessageSchema } from "./parse-sns";
import {
  fromReasonData,
  issuePath,
  normaliseTime,
  State,
  Time,
  valueFromReason,
  type AlarmMetric,
  type EcsServiceSignal,
  type ParseResult,
  type Rejected,
  type Signal,
} from "./signals";

export * from "./signals";
export { SnsAlarmMessageSchema };

/**
 * What the `alarm` function is given, parsed with zod into one normalised `Signal` per notification:
 *
 * - an SNS event whose `Records[].Sns.Message` is the CloudWatch alarm notification — JSON inside JSON, with
 *   `Trigger.Dimensions` as a list of `{name, value}` (metric-math alarms carry `Trigger.Metrics[]` instead);
 * - EventBridge "CloudWatch Alarm State Change" (`detail.state`, `detail.previousState`,
 *   `detail.configuration.metrics[]` whose `metricStat.metric.dimensions` is a map; composite alarms carry
 *   `configuration.alarmRule` and no metrics);
 * - EventBridge "ECS Deployment State Change", "ECS Service Action" and "ECS Task State Change".
 *
 * Shapes follow the AWS-documented examples (Amazon CloudWatch User Guide "Alarm events and EventBridge", Amazon ECS
 * Developer Guide "Amazon ECS events", and the SNS alarm payloads in aws/aws-lambda-go events/testdata). AWS may add
 * fields at any time, so objects are parsed loosely (unknown keys ignored) and only what ecs-medic uses is required.
 * A payload that does not parse is returned as a `Rejected` with the path of what is wrong: the handler logs it and
 * posts nothing.
 */

// ── EventBridge ──────────────────────────────────────────────────────────────────────────────────

const EnvelopeSchema = z.object({
  id: z.string().min(1),
  "detail-type": z.string().min(1),
  source: z.string().min(1),
  account: z.string().min(1),
  region: z.string().min(1),
  time: Time,
  resources: z.array(z.string()).default([]),
  detail: z.unknown(),
});
type Envelope = z.infer<typeof EnvelopeSchema>;

const AlarmStateSchema = z.object({
  value: State,
  reason: z.string().optional(),
  reasonData: z.string().optional(),
  timestamp: Time,
});

/** `detail` of "CloudWatch Alarm State Change". */
export const AlarmStateChangeDetailSchema = z.object({
  alarmName: z.string().min(1),
  state: AlarmStateSchema,
  previousState: AlarmStateSchema.partial({ timestamp: true }).optional(),
  configuration: z
    .object({
      description: z.string().optional(),
      alarmRule: z.string().optional(),
      metrics: z
        .array(
          z.object({
            id: z.string().optional(),
            expression: z.string().optional(),
            label: z.string().optional(),
            returnData: z.boolean().optional(),
            metricStat: z
              .object({
                metric: z.object({
                  dimensions: z.record(z.string(), z.string()).default({}),
                  name: z.string().optional(),
                  namespace: z.string().optional(),
                }),
                period: z.number().optional(),
                stat: z.string().optional(),
              })
              .optional(),
          }),
        )
        .optional(),
    })
    .default({}),
});

/** `detail` of "ECS Deployment State Change" and "ECS Service Action". */
export const EcsServiceDetailSchema = z.object({
  eventType: z.string().min(1),
  eventName: z.string().min(1),
  clusterArn: z.string().optional(),
  deploymentId: z.string().optional(),
  reason: z.string().optional(),
  capacityProviderArns: z.array(z.string()).optional(),
  createdAt: Time.optional(),
  updatedAt: Time.optional(),
});

const Kv = z.object({ name: z.string(), value: z.string().optional() });
/** `detail` of "ECS Task State Change" (the Task object of DescribeTasks, timestamps as ISO strings). */
export const EcsTaskDetailSchema = z.object({
  taskArn: z.string().min(1),
  clusterArn: z.string().min(1),
  lastStatus: z.string().min(1),
  desiredStatus: z.string().optional(),
  group: z.string().optional(),
  taskDefinitionArn: z.string().optional(),
  version: z.number().optional(),
  launchType: z.string().optional(),
  capacityProviderName: z.string().optional(),
  platformVersion: z.string().optional(),
  availabilityZone: z.string().optional(),
  startedBy: z.string().optional(),
  createdAt: Time.optional(),
  startedAt: Time.optional(),
  pullStartedAt: Time.optional(),
  pullStoppedAt: Time.optional(),
  stoppingAt: Time.optional(),
  stoppedAt: Time.optional(),
  stopCode: z.string().optional(),
  stoppedReason: z.string().optional(),
  attachments: z.array(z.object({ type: z.string().optional(), details: z.array(Kv).default([]) })).optional(),
  containers: z
    .array(
      z.object({
        name: z.string(),
        image: z.string().optional(),
        imageDigest: z.string().optional(),
        runtimeId: z.string().optional(),
        lastStatus: z.string().optional(),
        exitCode: z.number().int().optional(),
        reason: z.string().optional(),
      }),
    )
    .default([]),
});

function detailRejected(error: z.ZodError, deliveryId: string): Rejected {
  const r = issuePath(error);
  return { ...r, where: r.where === "(payload)" ? "detail" : `detail.${r.where}`, deliveryId };
}

function parseAlarmStateChange(envelope: Envelope): Signal | Rejected {
  const parsed = AlarmStateChangeDetailSchema.safeParse(envelope.detail);
  if (!parsed.success) return detailRejected(parsed.error, envelope.id);
  const d = parsed.data;
  const alarmArn = envelope.resources.find((r) => r.includes(":alarm:"));
  const metrics: AlarmMetric[] = (d.configuration.metrics ?? []).map((m) => ({
    id: m.id,
    expression: m.expression,
    label: m.label,
    returnData: m.returnData,
    namespace: m.metricStat?.metric.namespace,
    name: m.metricStat?.metric.name,
    dimensions: m.metricStat?.metric.dimensions ?? {},
    stat: m.metricStat?.stat,
    period: m.metricStat?.period,
  }));
  const reasonData = fromReasonData(d.state.reasonData);
  return {
    kind: "alarm",
    via: "eventbridge",
    deliveryId: envelope.id,
    account: envelope.account,
    region: envelope.region,
    alarmName: d.alarmName,
    alarmArn,
    description: d.configuration.description,
    state: d.state.value,
    previousState: d.previousState?.value,
    reason: d.state.reason,
    changedAt: normaliseTime(d.state.timestamp)!,
    composite: d.configuration.alarmRule !== undefined,
    alarmRule: d.configuration.alarmRule,
    metrics,
    threshold: reasonData.threshold,
    value: reasonData.value ?? valueFromReason(d.state.reason),
  };
}

function parseEcsService(envelope: Envelope): Signal | Rejected | { ignored: string } {
  const parsed = EcsServiceDetailSchema.safeParse(envelope.detail);
  if (!parsed.success) return detailRejected(parsed.error, envelope.id);
  const d = parsed.data;
  const serviceArn = envelope.resources.find((r) => /:service\//.test(r));
  if (!serviceArn) return { where: "resources", problem: "no ECS service ARN", deliveryId: envelope.id };
  // arn:aws:ecs:region:account:service/cluster/name (new format) or service/name (old format, cluster from clusterArn)
  const path = serviceArn.slice(serviceArn.indexOf(":service/") + ":service/".length).split("/");
  const service = path[path.length - 1] ?? "";
  const cluster = path.length >= 2 ? path[0]! : d.clusterArn ? lastSegment(d.clusterArn) : "default";
  return {
    kind: "ecs-service",
    detailType: envelope["detail-type"] as EcsServiceSignal["detailType"],
    deliveryId: envelope.id,
    account: envelope.account,
    region: envelope.region,
    eventType: d.eventType,
    eventName: d.eventName,
    clusterArn: d.clusterArn,
    serviceArn,
    cluster,
    service,
    reason: d.reason,
    deploymentId: d.deploymentId,
    capacityProviderArns: d.capacityProviderArns ?? [],
    at: normaliseTime(d.updatedAt ?? d.createdAt ?? envelope.time)!,
  };
}

function parseTaskStateChange(envelope: Envelope): Signal | Rejected | { ignored: string } {
  const parsed = EcsTaskDetailSchema.safeParse(envelope.detail);
  if (!parsed.success) return detailRejected(parsed.error, envelope.id);
  const d = parsed.data;
  if (d.lastStatus !== "STOPPED") return { ignored: `task ${d.lastStatus}, not STOPPED` };
  const eni = (d.attachments ?? []).find((a) => a.type === "eni" || a.type === "ElasticNetworkInterface");
  const detail = (name: string) => eni?.details.find((x) => x.name === name)?.value;
  const t = (s: string | undefined) => (s ? normaliseTime(s) : undefined);
  return {
    kind: "task-stopped",
    deliveryId: envelope.id,
    account: envelope.account,
    region: envelope.region,
    clusterArn: d.clusterArn,
    taskArn: d.taskArn,
    group: d.group,
    service: d.group?.startsWith("service:") ? d.group.slice("service:".length) : undefined,
    taskDefinitionArn: d.taskDefinitionArn,
    version: d.version,
    lastStatus: d.lastStatus,
    desiredStatus: d.desiredStatus,
    launchType: d.launchType,
    capacityProviderName: d.capacityProviderName,
    platformVersion: d.platformVersion,
    availabilityZone: d.availabilityZone,
    subnetId: detail("subnetId"),
    privateIPv4Address: detail("privateIPv4Address"),
    startedBy: d.startedBy,
    createdAt: t(d.createdAt),
    startedAt: t(d.startedAt),
    pullStartedAt: t(d.pullStartedAt),
    pullStoppedAt: t(d.pullStoppedAt),
    stoppingAt: t(d.stoppingAt),
    stoppedAt: t(d.stoppedAt),
    stopCode: d.stopCode,
    stoppedReason: d.stoppedReason,
    containers: d.containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageDigest: c.imageDigest,
      exitCode: c.exitCode,
      reason: c.reason,
      lastStatus: c.lastStatus,
      runtimeId: c.runtimeId,
    })),
  };
}

const isRejected = (x: object): x is Rejected => "problem" in x;
const isIgnored = (x: object): x is { ignored: string } => "ignored" in x;

/** Parses whatever invoked the `alarm` function. Never throws. */
export function parseTrigger(event: unknown): ParseResult {
  const signals: Signal[] = [];
  const rejected: Rejected[] = [];
  const ignored: { deliveryId?: string; why: string }[] = [];
  if (typeof event !== "object" || event === null) {
    return { signals, rejected: [{ where: "(payload)", problem: "not an object" }], ignored };
  }
  if ("Records" in event) {
    const records = (event as { Records: unknown }).Records;
    if (!Array.isArray(records)) return { signals, rejected: [{ where: "Records", problem: "not a list" }], ignored };
    records.forEach((record, i) => {
      const out = parseSnsRecord(record, i);
      if (isRejected(out)) rejected.push(out);
      else signals.push(out);
    });
    return { signals, rejected, ignored };
  }
  const envelope = EnvelopeSchema.safeParse(event);
  if (!envelope.success) return { signals, rejected: [issuePath(envelope.error)], ignored };
  const e = envelope.data;
  let out: Signal | Rejected | { ignored: string };
  if (e.source === "aws.cloudwatch" && e["detail-type"] === "CloudWatch Alarm State Change") {
    out = parseAlarmStateChange(e);
  } else if (
    e.source === "aws.ecs" &&
    (e["detail-type"] === "ECS Deployment State Change" || e["detail-type"] === "ECS Service Action")
  ) {
    out = parseEcsService(e);
  } else if (e.source === "aws.ecs" && e["detail-type"] === "ECS Task State Change") {
    out = parseTaskStateChange(e);
  } else {
    out = { ignored: `${e.source} "${e["detail-type"]}" is not handled` };
  }
  if (isIgnored(out)) ignored.push({ deliveryId: e.id, why: out.ignored });
  else if (isRejected(out)) rejected.push(out);
  else signals.push(out);
  return { signals, rejected, ignored };
}
