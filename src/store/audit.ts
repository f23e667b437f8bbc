import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { AuditRecord } from "../actions/types";
import { awsCall } from "../aws/aws-call";
import { KEY } from "./idempotency";

/**
 * The audit trail of guarded actions: one record per attempt — done, refused, stale, duplicate or failed — with who,
 * when, the service, its state before and after, the proposal id and the outcome. Append-only; read back by the
 * evidence export. Same table as the claims (pk `audit#<region>#<cluster>#<service>`, sk `<at>#<proposal>#<n>`).
 */
export interface AuditLog {
  append(record: AuditRecord): Promise<void>;
  /** Records of one service, oldest first, at or after `sinceIso` when given. */
  list(target: { region: string; cluster: string; service: string }, sinceIso?: string): Promise<AuditRecord[]>;
}

/** Kept about 13 months: long enough for a yearly review. */
const AUDIT_TTL_SECONDS = 400 * 24 * 3600;

const partition = (t: { region: string; cluster: string; service: string }) =>
  `audit#${t.region}#${t.cluster}#${t.service}`;

export class MemoryAuditLog implements AuditLog {
  readonly records: AuditRecord[] = [];
  async append(record: AuditRecord): Promise<void> {
    this.records.push(record);
  }
  async list(target: { region: string; cluster: string; service: string }, sinceIso?: string): Promise<AuditRecord[]> {
    return this.records
      .filter((r) => partition(r) === partition(target) && (!sinceIso || r.at >= sinceIso))
      .sort((a, b) => a.at.localeCompare(b.at));
  }
}

export class DynamoAuditLog implements AuditLog {
  private sequence = 0;
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async append(record: AuditRecord): Promise<void> {
    const expiresAt = Math.floor(Date.parse(record.at) / 1000) + AUDIT_TTL_SECONDS;
    await awsCall("dynamodb:PutItem", () =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            [KEY.partition]: partition(record),
            // The sequence keeps two attempts of one proposal in the same millisecond apart.
            [KEY.sort]: `${record.at}#${record.proposalId}#${record.outcome}#${++this.sequence}`,
            [KEY.ttl]: expiresAt,
            record: JSON.stringify(record),
          },
        }),
      ),
    );
  }

  async list(target: { region: string; cluster: string; service: string }, sinceIso?: string): Promise<AuditRecord[]> {
    const out: AuditRecord[] = [];
    let start: Record<string, unknown> | undefined;
    for (let page = 0; page < 20; page++) {
      const res = await awsCall("dynamodb:Query", () =>
        this.doc.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: sinceIso ? "#pk = :pk AND #sk >= :since" : "#pk = :pk",
            ExpressionAttributeNames: { "#pk": KEY.partition, ...(sinceIso ? { "#sk": KEY.sort } : {}) },
            ExpressionAttributeValues: { ":pk": partition(target), ...(sinceIso ? { ":since": sinceIso } : {}) },
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const item of res.Items ?? [])
        if (typeof item.record === "string") out.push(JSON.parse(item.record) as AuditRecord);
      start = res.LastEvaluatedKey;
      if (!start) break;
    }
    return out;
  }
}
