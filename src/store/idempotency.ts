import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { awsCall } from "../aws/aws-call";

/**
 * "Run this once": the first caller to claim a key wins for `ttlSeconds`; every later claim (an async Lambda retry,
 * a Slack retry that slipped through, a double click) is told no.
 *
 * Why not Powertools Idempotency: it caches a function's *result* and raises while a call is in progress, which
 * suits request/response handlers; here the side effect is a Slack post and the answer to a duplicate is simply
 * "do nothing". A conditional put is the whole mechanism, and the same interface has an in-memory twin for the CLI
 * and the Socket Mode dev server.
 */
export interface IdempotencyStore {
  /** True when this caller claimed `key`; false when someone already did (and the claim has not expired). */
  claim(key: string, ttlSeconds: number, now: Date): Promise<boolean>;
}

export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly claims = new Map<string, number>();

  async claim(key: string, ttlSeconds: number, now: Date): Promise<boolean> {
    const nowMs = now.getTime();
    const expires = this.claims.get(key);
    if (expires !== undefined && expires > nowMs) return false;
    this.claims.set(key, nowMs + ttlSeconds * 1000);
    return true;
  }
}

/** The table layout shared by every record ecs-medic stores (see serverless.yml and `tableDefinition`). */
export const KEY = { partition: "pk", sort: "sk", ttl: "expiresAt" } as const;

export class DynamoIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async claim(key: string, ttlSeconds: number, now: Date): Promise<boolean> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    try {
      await awsCall("dynamodb:PutItem", () =>
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: { [KEY.partition]: `claim#${key}`, [KEY.sort]: "claim", [KEY.ttl]: nowSeconds + ttlSeconds, claimedAt: now.toISOString() },
            // DynamoDB deletes expired items lazily (up to days later), so an expired claim must be treated as free.
            ConditionExpression: "attribute_not_exists(#pk) OR #ttl < :now",
            ExpressionAttributeNames: { "#pk": KEY.partition, "#ttl": KEY.ttl },
            ExpressionAttributeValues: { ":now": nowSeconds },
          }),
        ),
      );
      return true;
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      if (cause instanceof ConditionalCheckFailedException || (cause instanceof Error && cause.name === "ConditionalCheckFailedException")) return false;
      throw error;
    }
  }
}
