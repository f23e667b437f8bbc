import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { awsCall } from "../aws/aws-call";

/**
 * The DynamoDB commands, loaded when a Dynamo store first writes: the in-memory store beside it is what the CLI uses
 * (through createDeps), and it must not pull the DynamoDB client into every command's import graph.
 */
const commands = () => import("@aws-sdk/lib-dynamodb");

/**
 * "Run this job once", for work that posts to Slack. A claim is a lease: while a run holds it, every other delivery
 * of the same job (an async Lambda retry, a duplicate event) is told no. A run that crashed or timed out leaves its
 * lease to run out, and the next delivery takes over — resuming the Slack message the first run posted instead of
 * posting a second one. A finished job stays claimed until `ttlSeconds`.
 *
 * Why not Powertools Idempotency: it caches a function's *result* and raises while a call is in progress, which
 * suits request/response handlers; here the side effect is a Slack post, the answer to a duplicate is "do nothing",
 * and a takeover must know which message to resume. A conditional put is the whole mechanism, and the same interface
 * has an in-memory twin for the CLI and the Socket Mode dev server.
 */
export interface IdempotencyStore {
  claim(key: string, options: ClaimOptions): Promise<ClaimResult>;
  /** Remember the Slack message of this run, so a takeover updates it. */
  recordMessage(key: string, ts: string): Promise<void>;
  /** The run is over: no takeover, the claim now only blocks duplicates until it expires. */
  finish(key: string, now: Date): Promise<void>;
  /** The run is over and the key is free at once (a lock, not a record). */
  release(key: string, now: Date): Promise<void>;
}

export interface ClaimOptions {
  /** Who claims: unique per run (a retry is another run). */
  readonly owner: string;
  /** How long the run may take before another delivery may take over (the Lambda timeout plus a margin). */
  readonly leaseSeconds: number;
  /** How long the job id stays known at all (longer than Lambda's async retry window). */
  readonly ttlSeconds: number;
  readonly now: Date;
}

export type ClaimResult =
  | {
      readonly claimed: true;
      /** The message a crashed earlier run posted, to resume. */ readonly resumeTs?: string | undefined;
    }
  | { readonly claimed: false };

interface ClaimRecord {
  owner: string;
  state: "running" | "done";
  leaseUntil: number;
  expiresAt: number;
  ts?: string | undefined;
}

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly records = new Map<string, ClaimRecord>();

  async claim(key: string, o: ClaimOptions): Promise<ClaimResult> {
    const now = seconds(o.now);
    const old = this.records.get(key);
    const free = !old || old.expiresAt < now || (old.state === "running" && old.leaseUntil < now);
    if (!free && old?.owner !== o.owner) return { claimed: false };
    this.records.set(key, {
      owner: o.owner,
      state: "running",
      leaseUntil: now + o.leaseSeconds,
      expiresAt: now + o.ttlSeconds,
      ts: old?.ts,
    });
    return { claimed: true, resumeTs: old?.state === "running" ? old.ts : undefined };
  }

  async recordMessage(key: string, ts: string): Promise<void> {
    const record = this.records.get(key);
    if (record) record.ts = ts;
  }

  async finish(key: string, now: Date): Promise<void> {
    const record = this.records.get(key);
    if (record) Object.assign(record, { state: "done", leaseUntil: seconds(now) });
  }

  async release(key: string, now: Date): Promise<void> {
    const record = this.records.get(key);
    if (record) Object.assign(record, { state: "done", leaseUntil: seconds(now) - 1, expiresAt: seconds(now) - 1 });
  }
}

/** The table layout shared by every record ecs-medic stores (see serverless.yml and `tableDefinition`). */
export const KEY = { partition: "pk", sort: "sk", ttl: "expiresAt" } as const;

export class DynamoIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private key(key: string) {
    return { [KEY.partition]: `claim#${key}`, [KEY.sort]: "claim" };
  }

  async claim(key: string, o: ClaimOptions): Promise<ClaimResult> {
    const now = seconds(o.now);
    const { PutCommand } = await commands();
    try {
      const out = await awsCall("dynamodb:PutItem", () =>
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              ...this.key(key),
              owner: o.owner,
              state: "running",
              leaseUntil: now + o.leaseSeconds,
              [KEY.ttl]: now + o.ttlSeconds,
              claimedAt: o.now.toISOString(),
            },
            // Free when new, expired (DynamoDB's TTL deletes lazily, days later), or running with a lapsed lease.
            ConditionExpression: "attribute_not_exists(#pk) OR #ttl < :now OR (#state = :running AND #lease < :now)",
            ExpressionAttributeNames: {
              "#pk": KEY.partition,
              "#ttl": KEY.ttl,
              "#state": "state",
              "#lease": "leaseUntil",
            },
            ExpressionAttributeValues: { ":now": now, ":running": "running" },
            ReturnValues: "ALL_OLD",
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          }),
        ),
      );
      const old = out.Attributes as Partial<ClaimRecord> | undefined;
      return { claimed: true, resumeTs: old?.state === "running" && typeof old.ts === "string" ? old.ts : undefined };
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      // By name: the SDK's ConditionalCheckFailedException (whichever copy of the client threw it) carries it.
      if (!(cause instanceof Error && cause.name === "ConditionalCheckFailedException")) throw error;
      // The SDK retries a put whose response was lost; the retry then fails on our own item. That is still ours.
      const item = (cause as { Item?: Record<string, { S?: string } | undefined> }).Item;
      if (item?.owner?.S === o.owner) return { claimed: true, resumeTs: item.ts?.S };
      return { claimed: false };
    }
  }

  async recordMessage(key: string, ts: string): Promise<void> {
    const { UpdateCommand } = await commands();
    await awsCall("dynamodb:UpdateItem", () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(key),
          UpdateExpression: "SET #ts = :ts",
          ExpressionAttributeNames: { "#ts": "ts" },
          ExpressionAttributeValues: { ":ts": ts },
        }),
      ),
    );
  }

  async finish(key: string, now: Date): Promise<void> {
    const { UpdateCommand } = await commands();
    await awsCall("dynamodb:UpdateItem", () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(key),
          UpdateExpression: "SET #state = :done, #lease = :now",
          ExpressionAttributeNames: { "#state": "state", "#lease": "leaseUntil" },
          ExpressionAttributeValues: { ":done": "done", ":now": seconds(now) },
        }),
      ),
    );
  }

  async release(key: string, now: Date): Promise<void> {
    const { UpdateCommand } = await commands();
    // Expired in the past: the claim condition (`expiresAt < now`) treats it as free; TTL removes it later.
    await awsCall("dynamodb:UpdateItem", () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(key),
          UpdateExpression: "SET #state = :done, #lease = :past, #ttl = :past",
          ExpressionAttributeNames: { "#state": "state", "#lease": "leaseUntil", "#ttl": KEY.ttl },
          ExpressionAttributeValues: { ":done": "done", ":past": seconds(now) - 1 },
        }),
      ),
    );
  }
}
