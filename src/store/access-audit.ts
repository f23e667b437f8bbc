import { PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { awsCall } from "../aws/aws-call";
import { KEY } from "./idempotency";

/** One refused request: who asked for what, from where, and why it was refused. */
export interface AccessRefusal {
  readonly at: string;
  readonly team?: string | undefined;
  readonly channel: string;
  readonly user: string;
  readonly command: string;
  readonly cluster?: string | undefined;
  readonly service: string;
  readonly reason: string;
  /** Which function decided: the Slack front door or the worker's re-check. */
  readonly by: "slack" | "worker";
}

/**
 * The audit trail of refused requests (the `access:` section said no). Same table as the claims and the actions'
 * audit, pk `access#<team>`, so the Slack function's role may write only under that prefix (dynamodb:LeadingKeys).
 */
export interface AccessAuditLog {
  append(record: AccessRefusal): Promise<void>;
}

/** Kept about 13 months, like the actions' audit. */
const TTL_SECONDS = 400 * 24 * 3600;

export const ACCESS_AUDIT_PREFIX = "access#";

export class MemoryAccessAuditLog implements AccessAuditLog {
  readonly records: AccessRefusal[] = [];
  async append(record: AccessRefusal): Promise<void> {
    this.records.push(record);
  }
}

export class DynamoAccessAuditLog implements AccessAuditLog {
  private sequence = 0;
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async append(record: AccessRefusal): Promise<void> {
    await awsCall("dynamodb:PutItem", () =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            [KEY.partition]: `${ACCESS_AUDIT_PREFIX}${record.team ?? "unknown"}`,
            [KEY.sort]: `${record.at}#${record.user}#${++this.sequence}`,
            [KEY.ttl]: Math.floor(Date.parse(record.at) / 1000) + TTL_SECONDS,
            record: JSON.stringify(record),
          },
        }),
      ),
    );
  }
}
