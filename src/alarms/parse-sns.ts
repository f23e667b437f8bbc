import { z } from "zod";

import {
  arnParts,
  issuePath,
  normaliseTime,
  State,
  Time,
  valueFromReason,
  type AlarmMetric,
  type Rejected,
  type Signal,
} from "./signals";

/** SNS: the CloudWatch alarm notification, JSON inside the record's `Sns.Message`. */

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

export function parseSnsRecord(record: unknown, index: number): Signal | Rejected {
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
