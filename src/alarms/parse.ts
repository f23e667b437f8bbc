import { z } from "zod";

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

export const ALARM_STATES = ["ALARM", "OK", "INSUFFICIENT_DATA"] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

/** One metric an alarm watches (a metric-math alarm has several; an expression has no dimensions). */
export interface AlarmMetric {
  readonly id?: string | undefined;
  readonly namespace?: string | undefined;
  readonly name?: string | undefined;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly stat?: string | undefined;
  readonly period?: number | undefined;
  readonly expression?: string | undefined;
  readonly label?: string | undefined;
  readonly returnData?: boolean | undefined;
}

export interface AlarmSignal {
  readonly kind: "alarm";
  readonly via: "sns" | "eventbridge";
  /** SNS MessageId or EventBridge event id: the same delivery repeated has the same id. */
  readonly deliveryId: string;
  readonly account?: string | undefined;
  /** Region code (us-east-1); from the alarm ARN for SNS, whose `Region` is a display name. */
  readonly region?: string | undefined;
  readonly alarmName: string;
  readonly alarmArn?: string | undefined;
  readonly description?: string | undefined;
  readonly state: AlarmState;
  readonly previousState?: AlarmState | undefined;
  readonly reason?: string | undefined;
  /** ISO time of the state change (normalised to `…Z`). */
  readonly changedAt: string;
  readonly composite: boolean;
  readonly alarmRule?: string | undefined;
  readonly metrics: readonly AlarmMetric[];
  readonly threshold?: number | undefined;
  readonly comparison?: string | undefined;
  /** The newest datapoint that decided the state, when the notification says. */
  readonly value?: number | undefined;
}

export interface EcsServiceSignal {
  readonly kind: "ecs-service";
  readonly detailType: "ECS Deployment State Change" | "ECS Service Action";
  readonly deliveryId: string;
  readonly account: string;
  readonly region: string;
  readonly eventType: string;
  readonly eventName: string;
  readonly clusterArn?: string | undefined;
  readonly serviceArn: string;
  readonly cluster: string;
  readonly service: string;
  readonly reason?: string | undefined;
  readonly deploymentId?: string | undefined;
  readonly capacityProviderArns: readonly string[];
  /** ISO time of the event. */
  readonly at: string;
}

export interface StoppedContainer {
  readonly name: string;
  readonly image?: string | undefined;
  readonly imageDigest?: string | undefined;
  readonly exitCode?: number | undefined;
  readonly reason?: string | undefined;
  readonly lastStatus?: string | undefined;
  readonly runtimeId?: string | undefined;
}

export interface TaskStoppedSignal {
  readonly kind: "task-stopped";
  readonly deliveryId: string;
  readonly account: string;
  readonly region: string;
  readonly clusterArn: string;
  readonly taskArn: string;
  /** `service:<name>` for service tasks; tasks of other groups are not archived. */
  readonly group?: string | undefined;
  readonly service?: string | undefined;
  readonly taskDefinitionArn?: string | undefined;
  readonly version?: number | undefined;
  readonly lastStatus: string;
  readonly desiredStatus?: string | undefined;
  readonly launchType?: string | undefined;
  readonly capacityProviderName?: string | undefined;
  readonly platformVersion?: string | undefined;
  readonly availabilityZone?: string | undefined;
  readonly subnetId?: string | undefined;
  readonly privateIPv4Address?: string | undefined;
  readonly startedBy?: string | undefined;
  readonly createdAt?: string | undefined;
  readonly startedAt?: string | undefined;
  readonly pullStartedAt?: string | undefined;
  readonly pullStoppedAt?: string | undefined;
  readonly stoppingAt?: string | undefined;
  readonly stoppedAt?: string | undefined;
  readonly stopCode?: string | undefined;
  readonly stoppedReason?: string | undefined;
  readonly containers: readonly StoppedContainer[];
}

export type Signal = AlarmSignal | EcsServiceSignal | TaskStoppedSignal;

/** A payload (or one SNS record of it) that could not be understood; `where` names the field. */
export interface Rejected {
  readonly where: string;
  readonly problem: string;
  readonly deliveryId?: string | undefined;
}

export interface ParseResult {
  readonly signals: readonly Signal[];
  readonly rejected: readonly Rejected[];
  /** Well-formed events ecs-medic does not act on (a container-instance change, an INFO event it ignores). */
  readonly ignored: readonly { readonly deliveryId?: string | undefined; readonly why: string }[];
}

// ── helpers ──────────────────────────────────────────────────────────────────────────────────────

/**
 * CloudWatch writes `2019-10-02T17:04:40.989+0000` (offset without a colon), which `Date.parse` does not read on
 * every engine; normalise to `…Z` ISO.
 */
export function normaliseTime(text: string): string | undefined {
  const fixed = text.replace(/([+-]\d{2})(\d{2})$/, "$1:$2");
  const ms = Date.parse(fixed);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

const Time = z.string().refine((s) => normaliseTime(s) !== undefined, { message: "not a date-time" });
const State = z.enum(ALARM_STATES);

function issuePath(error: z.ZodError): Rejected {
  const first = error.issues[0];
  const where = first && first.path.length > 0 ? first.path.join(".") : "(payload)";
  return { where, problem: first?.message ?? "invalid" };
}

/** `arn:aws:cloudwatch:us-east-1:123456789012:alarm:Name` → region and account, when it is one. */
function arnParts(arn: string | undefined): { region?: string; account?: string } {
  const m = /^arn:[^:]+:[^:]+:([a-z0-9-]*):(\d{12}|[^:]*):/.exec(arn ?? "");
  if (!m) return {};
  return {
    ...(m[1] && /^[a-z]{2}(-[a-z]+)+-\d+$/.test(m[1]) ? { region: m[1] } : {}),
    ...(m[2] && /^\d{12}$/.test(m[2]) ? { account: m[2] } : {}),
  };
}

/** The value CloudWatch quotes in its reason: `… datapoints [99.5 (02/10/19 16:59:00)] …` → 99.5. */
function valueFromReason(reason: string | undefined): number | undefined {
  const m = /\[(-?\d+(?:\.\d+)?(?:E[-+]?\d+)?) \(/i.exec(reason ?? "");
  return m ? Number(m[1]) : undefined;
}

/** `reasonData` (a JSON string) carries `recentDatapoints` and `threshold` for metric alarms. */
function fromReasonData(reasonData: string | undefined): { value?: number; threshold?: number } {
  if (!reasonData) return {};
  try {
    const data = JSON.parse(reasonData) as { recentDatapoints?: unknown; threshold?: unknown };
    const points = Array.isArray(data.recentDatapoints)
      ? data.recentDatapoints.filter((n) => typeof n === "number")
      : [];
    return {
      ...(points.length > 0 ? { value: points[points.length - 1] as number } : {}),
      ...(typeof data.threshold === "number" ? { threshold: data.threshold } : {}),
    };
  } catch {
    return {};
  }
}

function lastSegment(arn: string): string {
  return arn.slice(arn.lastIndexOf("/") + 1);
}

// ── SNS: CloudWatch alarm notification ─────────────────────────────────────────────────────────────

const SnsDimension = z.object({ name: z.string(), value: z.string() });
const SnsMetric = z.object({
  Id: z.string().optional(),
  Expression: z.string().optional(),
  Label: z.string().optional(),
  ReturnData: z.boolean().optional(),
  MetricStat: z
    .object({
      Metric: z.object({
        Dimensions: z.array(SnsDimension).default([]),
        MetricName: z.string().optional(),
        Namespace: z.string().optional(),
      }),
      Period: z.number().optional(),
      Stat: z.string().optional(),
    })
    .optional(),
});

/** The alarm notification CloudWatch publishes to SNS (the parsed `Message`). */
export const SnsAlarmMessageSchema = z.object({
  AlarmName: z.string().min(1),
  AlarmDescription: z.string().nullish(),
  AWSAccountId: z.string().optional(),
  NewStateValue: State,
  NewStateReason: z.string().optional(),
  StateChangeTime: Time,
  Region: z.string().optional(),
  AlarmArn: z.string().optional(),
  OldStateValue: State.optional(),
  Trigger: z
    .object({
      MetricName: z.string().nullish(),
      Namespace: z.string().nullish(),
      Statistic: z.string().nullish(),
      ExtendedStatistic: z.string().nullish(),
      Dimensions: z.array(SnsDimension).nullish(),
      Period: z.number().nullish(),
      ComparisonOperator: z.string().nullish(),
      Threshold: z.number().nullish(),
      Metrics: z.array(SnsMetric).nullish(),
    })
    .nullish(),
});

const SnsRecordSchema = z.object({
  EventSource: z.literal("aws:sns"),
  Sns: z.object({ MessageId: z.string().min(1), TopicArn: z.string().optional(), Message: z.string() }),
});

function parseSnsRecord(record: unknown, index: number): Signal | Rejected {
  const outer = SnsRecordSchema.safeParse(record);
  if (!outer.success) {
    const r = issuePath(outer.error);
    return { ...r, where: `Records.${index}.${r.where}` };
  }
  const deliveryId = outer.data.Sns.MessageId;
  let inner: unknown;
  try {
    inner = JSON.parse(outer.data.Sns.Message);
  } catch (error) {
    return {
      where: `Records.${index}.Sns.Message`,
      problem: `not JSON (${error instanceof Error ? error.message : String(error)}); truncated?`,
      deliveryId,
    };
  }
  const parsed = SnsAlarmMessageSchema.safeParse(inner);
  if (!parsed.success) {
    const r = issuePath(parsed.error);
    return { ...r, where: `Records.${index}.Sns.Message.${r.where}`, deliveryId };
  }
  const m = parsed.data;
  const trigger = m.Trigger ?? {};
  const metrics: AlarmMetric[] = [];
  if (trigger.MetricName || (trigger.Dimensions && trigger.Dimensions.length > 0)) {
    metrics.push({
      namespace: trigger.Namespace ?? undefined,
      name: trigger.MetricName ?? undefined,
      dimensions: Object.fromEntries((trigger.Dimensions ?? []).map((d) => [d.name, d.value])),
      stat: trigger.Statistic ?? trigger.ExtendedStatistic ?? undefined,
      period: trigger.Period ?? undefined,
    });
  }
  for (const metric of trigger.Metrics ?? []) {
    metrics.push({
      id: metric.Id,
      expression: metric.Expression,
      label: metric.Label,
      returnData: metric.ReturnData,
      namespace: metric.MetricStat?.Metric.Namespace,
      name: metric.MetricStat?.Metric.MetricName,
      dimensions: Object.fromEntries((metric.MetricStat?.Metric.Dimensions ?? []).map((d) => [d.name, d.value])),
      stat: metric.MetricStat?.Stat,
      period: metric.MetricStat?.Period,
    });
  }
  const arn = arnParts(m.AlarmArn);
  return {
    kind: "alarm",
    via: "sns",
    deliveryId,
    account: m.AWSAccountId ?? arn.account,
    region: arn.region ?? arnParts(outer.data.Sns.TopicArn).region,
    alarmName: m.AlarmName,
    alarmArn: m.AlarmArn,
    description: m.AlarmDescription ?? undefined,
    state: m.NewStateValue,
    previousState: m.OldStateValue,
    reason: m.NewStateReason,
    changedAt: normaliseTime(m.StateChangeTime)!,
    // SNS notifications of composite alarms carry no Trigger at all.
    composite: m.Trigger === undefined || m.Trigger === null,
    metrics,
    threshold: trigger.Threshold ?? undefined,
    comparison: trigger.ComparisonOperator ?? undefined,
    value: valueFromReason(m.NewStateReason),
  };
}

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
