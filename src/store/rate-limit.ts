import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { awsCall } from "../aws/aws-call";
import type { RateLimiter } from "../collect/rate-limiter";
import { KEY } from "./idempotency";

/**
 * A rate limiter shared by every Lambda that diagnoses in one account and region: during an alarm storm twenty
 * workers run at once, and CloudTrail LookupEvents allows 2 requests/s per account and region in all. Each
 * `acquire()` books the next free slot (`intervalMs` apart) with a compare-and-swap on one table item and waits for
 * it; when the next free slot is further away than `maxWaitMs` it gives up with `RateBudgetExhaustedError`, so step
 * 10 reports "CloudTrail was not read in time" and the rest of the diagnosis is posted.
 *
 * Worker wiring: `cloudTrailLimiter: createSharedRateLimiter({ slots: new DynamoSlotStore(doc, table),
 * key: "cloudtrail#" + region, intervalMs: 500, maxWaitMs: 20_000 })` (WorkerDeps already takes a limiter).
 */

export interface SlotStore {
  /** The booked `nextAt` (ms since epoch) and its version; undefined when nothing is booked. */
  read(key: string): Promise<{ nextAt: number; version: number } | undefined>;
  /** Books `nextAt` iff the stored version is still `expected` (0: absent). */
  write(key: string, nextAt: number, expected: number, ttlSeconds: number): Promise<boolean>;
}

/** Raised when the shared budget has no slot within the caller's patience. Defined here, code `rate_budget_exhausted`. */
export class RateBudgetExhaustedError extends Error {
  override readonly name = "RateBudgetExhaustedError";
  readonly code = "rate_budget_exhausted";
  constructor(
    readonly key: string,
    readonly waitMs: number,
  ) {
    super(
      `${key}: the shared request budget is taken by other diagnoses for the next ${Math.round(waitMs / 1000)} s; not read`,
    );
  }
}

export function createSharedRateLimiter(options: {
  readonly slots: SlotStore;
  readonly key: string;
  readonly intervalMs: number;
  readonly maxWaitMs: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}): RateLimiter {
  const now = options.now ?? (() => Date.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return {
    async acquire() {
      for (let attempt = 1; ; attempt++) {
        const current = await options.slots.read(options.key);
        const t = now();
        const slot = Math.max(t, current?.nextAt ?? Number.NEGATIVE_INFINITY);
        if (slot - t > options.maxWaitMs) throw new RateBudgetExhaustedError(options.key, slot - t);
        const booked = await options.slots.write(
          options.key,
          slot + options.intervalMs,
          current?.version ?? 0,
          Math.ceil((slot + 3_600_000) / 1000),
        );
        if (booked) {
          if (slot > t) await sleep(slot - t);
          return;
        }
        if (attempt >= 50) throw new RateBudgetExhaustedError(options.key, 0);
        await sleep(Math.random() * Math.min(100, 5 * attempt));
      }
    },
  };
}

export class MemorySlotStore implements SlotStore {
  private readonly items = new Map<string, { nextAt: number; version: number }>();
  async read(key: string) {
    const item = this.items.get(key);
    return item ? { ...item } : undefined;
  }
  async write(key: string, nextAt: number, expected: number, _ttlSeconds?: number) {
    if ((this.items.get(key)?.version ?? 0) !== expected) return false;
    this.items.set(key, { nextAt, version: expected + 1 });
    return true;
  }
}

export class DynamoSlotStore implements SlotStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private key(key: string) {
    return { [KEY.partition]: `ratelimit#${key}`, [KEY.sort]: "slot" };
  }

  async read(key: string) {
    const out = await awsCall("dynamodb:GetItem", () =>
      this.doc.send(new GetCommand({ TableName: this.table, Key: this.key(key), ConsistentRead: true })),
    );
    const item = out.Item;
    return item && typeof item.nextAt === "number" && typeof item.version === "number"
      ? { nextAt: item.nextAt, version: item.version }
      : undefined;
  }

  async write(key: string, nextAt: number, expected: number, ttlSeconds: number) {
    try {
      await awsCall("dynamodb:PutItem", () =>
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...this.key(key), nextAt, version: expected + 1, [KEY.ttl]: ttlSeconds },
            ...(expected === 0
              ? { ConditionExpression: "attribute_not_exists(#pk)", ExpressionAttributeNames: { "#pk": KEY.partition } }
              : {
                  ConditionExpression: "#v = :v",
                  ExpressionAttributeNames: { "#v": "version" },
                  ExpressionAttributeValues: { ":v": expected },
                }),
          }),
        ),
      );
      return true;
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      if (
        cause instanceof ConditionalCheckFailedException ||
        (cause instanceof Error && cause.name === "ConditionalCheckFailedException")
      )
        return false;
      throw error;
    }
  }
}
