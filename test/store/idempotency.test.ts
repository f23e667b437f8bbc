import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { Agent } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DynamoIdempotencyStore,
  MemoryIdempotencyStore,
  type ClaimOptions,
  type IdempotencyStore,
} from "../../src/store/idempotency";
import { tableDefinition } from "../../src/store/table";
import { motoAvailable, type Moto } from "../helpers/moto";
import { workerMoto } from "../helpers/shared-moto";

const t0 = new Date("2026-11-26T10:00:00Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const opts = (owner: string, now: Date, lease = 330): ClaimOptions => ({
  owner,
  leaseSeconds: lease,
  ttlSeconds: 86_400,
  now,
});

/** The same contract for both stores: run once, resume after a crash, never run a finished job again. */
function contract(make: () => Promise<IdempotencyStore>) {
  it("lets one of several racing runs claim a job", async () => {
    const store = await make();
    const results = await Promise.all(
      ["run-a", "run-b", "run-c"].map((owner) => store.claim("job-1", opts(owner, t0))),
    );
    expect(results.filter((r) => r.claimed)).toHaveLength(1);
  });

  it("refuses a second delivery while the first run holds its lease", async () => {
    const store = await make();
    expect(await store.claim("job-2", opts("run-a", t0))).toEqual({ claimed: true, resumeTs: undefined });
    expect(await store.claim("job-2", opts("run-b", at(60)))).toEqual({ claimed: false });
  });

  it("lets a later delivery take over a run whose lease ran out (it crashed), resuming its message", async () => {
    const store = await make();
    await store.claim("job-3", opts("run-a", t0));
    await store.recordMessage("job-3", "1764151200.000100");
    expect(await store.claim("job-3", opts("run-b", at(331)))).toEqual({
      claimed: true,
      resumeTs: "1764151200.000100",
    });
  });

  it("never runs a finished job again while it is remembered, however late the retry", async () => {
    const store = await make();
    await store.claim("job-4", opts("run-a", t0));
    await store.finish("job-4", at(20));
    expect(await store.claim("job-4", opts("run-b", at(3600)))).toEqual({ claimed: false });
    expect(await store.claim("job-4", opts("run-c", at(86_401)))).toMatchObject({ claimed: true });
  });

  it("frees a released lock at once", async () => {
    const store = await make();
    await store.claim("lock-1", opts("job-a", t0));
    expect(await store.claim("lock-1", opts("job-b", at(5)))).toEqual({ claimed: false });
    await store.release("lock-1", at(10));
    expect(await store.claim("lock-1", opts("job-b", at(11)))).toMatchObject({ claimed: true });
  });

  it("treats its own earlier claim as its own (an SDK retry after a lost response)", async () => {
    const store = await make();
    await store.claim("job-5", opts("run-a", t0));
    expect(await store.claim("job-5", opts("run-a", at(1)))).toMatchObject({ claimed: true });
  });
}

describe("MemoryIdempotencyStore", () => contract(async () => new MemoryIdempotencyStore()));

const hasMoto = motoAvailable();
describe.skipIf(!hasMoto)("DynamoIdempotencyStore on moto_server (conditional writes on the wire)", () => {
  let moto: Moto;
  let doc: DynamoDBDocumentClient;
  let n = 0;
  beforeAll(async () => {
    moto = await workerMoto();
    doc = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: moto.url,
        region: "us-east-1",
        credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
        // moto_server serves requests on threads and does not make a conditional put's check-and-write atomic:
        // under load two racing claims can both succeed (seen once in a full run with three workers). DynamoDB
        // serialises writes to an item; one connection to moto does the same, while the claims still race.
        requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 1 }) },
      }),
    );
  }, 60_000);
  afterAll(async () => {
    doc?.destroy();
    await moto?.stop();
  });

  contract(async () => {
    const table = `ecs-medic-test-${++n}`;
    await doc.send(new CreateTableCommand(tableDefinition(table)));
    return new DynamoIdempotencyStore(doc, table);
  });

  it("surfaces a real failure (no such table) instead of treating it as a duplicate", async () => {
    const store = new DynamoIdempotencyStore(doc, "no-such-table");
    await expect(store.claim("job-x", opts("run-a", t0))).rejects.toThrow(/dynamodb:PutItem/);
  });
});
