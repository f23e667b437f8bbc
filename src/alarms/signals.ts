import { z } from "zod";

/** What the parsers (`parse.ts`, `parse-sns.ts`) produce — one normalised `Signal` per notification — and their shared helpers. */

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

export const Time = z.string().refine((s) => normaliseTime(s) !== undefined, { message: "not a date-time" });
export const State = z.enum(ALARM_STATES);

export function issuePath(error: z.ZodError): Rejected {
  const first = error.issues[0];
  const where = first && first.path.length > 0 ? first.path.join(".") : "(payload)";
  return { where, problem: first?.message ?? "invalid" };
}

/** `arn:aws:cloudwatch:us-east-1:123456789012:alarm:Name` → region and account, when it is one. */
export function arnParts(arn: string | undefined): { region?: string; account?: string } {
  const m = /^arn:[^:]+:[^:]+:([a-z0-9-]*):(\d{12}|[^:]*):/.exec(arn ?? "");
  if (!m) return {};
  return {
    ...(m[1] && /^[a-z]{2}(-[a-z]+)+-\d+$/.test(m[1]) ? { region: m[1] } : {}),
    ...(m[2] && /^\d{12}$/.test(m[2]) ? { account: m[2] } : {}),
  };
}

/** The value CloudWatch quotes in its reason: `… datapoints [99.5 (02/10/19 16:59:00)] …` → 99.5. */
export function valueFromReason(reason: string | undefined): number | undefined {
  const m = /\[(-?\d+(?:\.\d+)?(?:E[-+]?\d+)?) \(/i.exec(reason ?? "");
  return m ? Number(m[1]) : undefined;
}

/** `reasonData` (a JSON string) carries `recentDatapoints` and `threshold` for metric alarms. */
export function fromReasonData(reasonData: string | undefined): { value?: number; threshold?: number } {
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
