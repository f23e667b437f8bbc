import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";
import { KEY } from "./idempotency";

/**
 * The one DynamoDB table (incidents, idempotency claims, audit): string pk/sk, on-demand, TTL on `expiresAt`.
 * serverless.yml declares the same; test/deploy checks they agree.
 */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [
      { AttributeName: KEY.partition, AttributeType: "S" },
      { AttributeName: KEY.sort, AttributeType: "S" },
    ],
    KeySchema: [
      { AttributeName: KEY.partition, KeyType: "HASH" },
      { AttributeName: KEY.sort, KeyType: "RANGE" },
    ],
  };
}
