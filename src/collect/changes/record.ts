import type { Event as CloudTrailEvent } from "@aws-sdk/client-cloudtrail";
import { redact, redactDeep } from "../../evidence/redact";
import type { ChangeEvent } from "../../evidence/schema";
import { iso } from "../../time-window";
import { compact } from "../convert";

/** requestParameters larger than this (as JSON) are replaced by a summary. */
const MAX_PARAMETERS_BYTES = 4_096;
const READ_ONLY_NAME = /^(Describe|List|Get|Lookup|BatchGet)/;

/**
 * One LookupEvents record → a change, or undefined for a read-only call that succeeded. A read-only call that
 * failed (`errorCode`, e.g. AccessDenied on GetSecretValue) is kept: it is evidence. The details live in the
 * `CloudTrailEvent` JSON string; when it is missing or malformed the envelope's own fields are kept.
 */
export function toChangeEvent(e: CloudTrailEvent, matchedBy: string): ChangeEvent | undefined {
  const record = parseRecord(e.CloudTrailEvent);
  const eventName = e.EventName ?? str(record?.["eventName"]);
  const eventId = e.EventId ?? str(record?.["eventID"]);
  const eventTime = e.EventTime ? iso(e.EventTime) : normalizeTime(str(record?.["eventTime"]));
  if (!eventName || !eventId || !eventTime) return undefined;
  const errorCode = str(record?.["errorCode"]);
  if (isReadOnly(eventName, record, e.ReadOnly) && errorCode === undefined) return undefined;

  const identity = asRecord(record?.["userIdentity"]);
  const issuer = asRecord(asRecord(identity?.["sessionContext"])?.["sessionIssuer"]);
  const errorMessage = str(record?.["errorMessage"]);
  const userAgent = str(record?.["userAgent"]);
  const parameters = asRecord(record?.["requestParameters"]);
  return compact({
    eventId,
    eventName,
    eventSource: str(record?.["eventSource"]) ?? e.EventSource,
    eventTime,
    actor: str(identity?.["arn"]) ?? e.Username,
    username: e.Username ?? str(identity?.["userName"]) ?? str(issuer?.["userName"]),
    sourceIPAddress: str(record?.["sourceIPAddress"]),
    userAgent: userAgent === undefined ? undefined : userAgent.slice(0, 300),
    invokedBy: str(identity?.["invokedBy"]),
    errorCode,
    errorMessage: errorMessage === undefined ? undefined : redact(errorMessage).slice(0, 1_000),
    requestParameters: parameters ? safeParameters(parameters) : undefined,
    resources: (e.Resources ?? []).map((r) => compact({ type: r.ResourceType, name: r.ResourceName })),
    matchedBy,
  });
}

/** The record's `readOnly` (a JSON boolean) or the envelope's `ReadOnly` ("true"/"false"); else the name decides. */
function isReadOnly(
  eventName: string,
  record: Record<string, unknown> | undefined,
  envelope: string | undefined,
): boolean {
  const flag = record?.["readOnly"];
  if (typeof flag === "boolean") return flag;
  if (flag === "true" || flag === "false") return flag === "true";
  if (envelope === "true" || envelope === "false") return envelope === "true";
  return READ_ONLY_NAME.test(eventName);
}

/**
 * Redacted request parameters, small enough for a snapshot. Container `environment` values are dropped first
 * (RegisterTaskDefinition records them in clear, and people put secrets there); above 4 KB only the small
 * top-level values and the container names and images are kept.
 */
export function safeParameters(parameters: Record<string, unknown>): Record<string, unknown> {
  const redacted = asRecord(redactDeep(withoutEnvironmentValues(parameters))) ?? {};
  const bytes = JSON.stringify(redacted).length;
  if (bytes <= MAX_PARAMETERS_BYTES) return redacted;

  const summary: Record<string, unknown> = {};
  const dropped: string[] = [];
  for (const [key, value] of Object.entries(redacted)) {
    const size = JSON.stringify(value)?.length ?? 0;
    if (size <= 256) summary[key] = value;
    else if (key === "containerDefinitions" && Array.isArray(value)) {
      summary[key] = value.slice(0, 20).map((c) => {
        const container = asRecord(c);
        return compact({ name: str(container?.["name"]), image: str(container?.["image"]) });
      });
      dropped.push(`${key} (all but name and image)`);
    } else dropped.push(key);
  }
  summary["_truncated"] = `requestParameters was ${bytes} bytes; dropped: ${dropped.join(", ")}`;
  return summary;
}

function withoutEnvironmentValues(value: unknown, depth = 0): unknown {
  if (depth > 20) return value;
  if (Array.isArray(value)) return value.map((v) => withoutEnvironmentValues(v, depth + 1));
  const record = asRecord(value);
  if (!record) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(record)) {
    out[key] =
      key === "environment" && Array.isArray(v)
        ? v.map((item) => {
            const entry = asRecord(item);
            return entry && "value" in entry ? { ...entry, value: "[REDACTED:env-value]" } : item;
          })
        : withoutEnvironmentValues(v, depth + 1);
  }
  return out;
}

function parseRecord(json: string | undefined): Record<string, unknown> | undefined {
  if (!json) return undefined;
  try {
    return asRecord(JSON.parse(json));
  } catch {
    return undefined;
  }
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function normalizeTime(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : iso(date);
}
