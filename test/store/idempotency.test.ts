import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoIdempotencyStore, MemoryIdempotencyStore, type IdempotencyStore } from "../../src/store/idempotency";
import { tableDefinition } from "../../src/store/table";
import { motoAvailable, startMoto, type Moto } from "../helpers/moto";

const t0 = new Date("2026-11-26T10:00:00Z");
const later = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

function contract(name: string, make: () => IdempotencyStore) {
  describe(name, () => {
    it("lets the first claim win and refuses the second, even when both race", async () => {
      const store = make();
      const results = await Promise.all([store.claim("job-1", 60, t0), store.claim("job-1", 60, t0), store.claim("job-1", 60, t0)]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.claim("job-1", 60, later(30))).toBe(false);
    });

    it("keeps keys apart", async () => {
      const store = make();
      expect(await store.claim("job-a", 60, t0)).toBe(true);
      expect(await store.claim("job-b", 60, t0)).toBe(true);
    });

    it("frees a claim once its time is up (DynamoDB's TTL deletes lazily)", async () => {
      const store = make();
      expect(await store.claim("job-2", 60, t0)).toBe(true);
      expect(await store.claim("job-2", 60, later(61))).toBe(true);
    });
  });
}

contract("MemoryIdempotencyStore", () => new MemoryIdempotencyStore());

const hasMoto = motoAvailable();
describe.skipIf(!hasMoto)("DynamoIdempotencyStore on moto_server (conditional writes on the wire)", () => {
  let moto: Moto;
  let doc: DynamoDBDocumentClient;
  let n = 0;
  beforeAll(async () => {
    moto = await startMoto();
    doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: moto.url, region: "us-east-1", credentials: { accessKeyId: "testing", secretAccessKey: "testing" } }));
  }, 60_000);
  afterAll(async () => {
    doc?.destroy();
    await moto?.stop();
  });

  const fresh = async () => {
    const table = `ecs-medic-test-${++n}`;
    await doc.send(new CreateTableCommand(tableDefinition(table)));
    return new DynamoIdempotencyStore(doc, table);
  };

  it("lets the first claim win and refuses the second", async () => {
    const store = await fresh();
    expect(await store.claim("job-1", 60, t0)).toBe(true);
    expect(await store.claim("job-1", 60, later(5))).toBe(false);
    expect(await store.claim("job-other", 60, t0)).toBe(true);
  });

  it("frees an expired claim", async () => {
    const store = await fresh();
    expect(await store.claim("job-2", 60, t0)).toBe(true);
    expect(await store.claim("job-2", 60, later(61))).toBe(true);
  });

  it("surfaces a real failure (no such table) instead of treating it as a duplicate", async () => {
    const store = new DynamoIdempotencyStore(doc, "no-such-table");
    await expect(store.claim("job-3", 60, t0)).rejects.toThrow(/dynamodb:PutItem/);
  });
});
