import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { awsCall } from "../aws/aws-call";
import { KEY } from "./idempotency";
import {
  DEFAULT_POLICY,
  transition,
  type Effect,
  type IncidentRecord,
  type Policy,
  type SignalInput,
} from "./incident-state";

export {
  DEFAULT_POLICY,
  incidentJobId,
  transition,
  type Effect,
  type IncidentInfo,
  type IncidentRecord,
  type IncidentState,
  type Policy,
  type SignalInput,
} from "./incident-state";

/**
 * Incidents: one per fingerprint (account, region, cluster, service, alarm name or ECS failure class), in the shared
 * table (pk `incident#<account>#<region>#<cluster>#<service>`, sk `alarm#<name>` or `ecs#<eventName>`, so one Query
 * lists a service's incidents).
 *
 * Every change is a compare-and-swap on the item's `version`: read (consistent), decide the next state with the pure
 * `transition()`, write with `version = :read` (or `attribute_not_exists` for a new item), and on a lost race read
 * again and decide again. So however many Lambdas receive the same ALARM at once, exactly one of them sees the
 * "open" effect and hands a diagnosis to the worker; the others see "repeat".
 *
 * The life of an incident:
 * - first ALARM → `open` (generation 1): diagnose job, one post;
 * - the same ALARM state change again (same time; e.g. by SNS and by EventBridge) → ignored;
 * - ALARM while open → `repeat`: counter +1; a thread reply at most every `replyEveryMs` (5 min), so a flapping
 *   alarm does not flood the thread; the post's counter is corrected on the next reply or on resolution;
 * - OK (at or after the ALARM that opened it) → `resolve` with the duration; the post is updated;
 * - ALARM within `reopenWindowMs` (30 min) of resolving → `reopen` the same incident: same post, a thread reply,
 *   no new diagnosis — the alarm is flapping and the diagnosis in the post is minutes old;
 * - ALARM later than that → `open` a new generation: new post, new diagnosis — after half an hour a stale
 *   diagnosis would mislead, and the people who handled the first one have moved on;
 * - an OK older than the open incident, or an ALARM older than the resolution, is out of order: ignored;
 * - an OK with no incident leaves a tombstone (`lastOkAt`), so an ALARM delivered after its own OK opens an
 *   incident that is already resolved (posted, not lost — and not left open forever).
 * INSUFFICIENT_DATA changes nothing (logged by the handler).
 */

// ── storage ──────────────────────────────────────────────────────────────────────────────────────

/** The key-value operations incidents, storms and the stopped-task archive need; DynamoDB and in-memory. */
export interface IncidentStore {
  get(fingerprint: string): Promise<IncidentRecord | undefined>;
  /** Writes `record` with version `expected + 1` iff the stored version is `expected` (0: absent). */
  put(record: IncidentRecord, expected: number, ttlSeconds: number): Promise<boolean>;
  /** The incidents of one scope (`account#region#cluster#service`). */
  listScope(scope: string): Promise<IncidentRecord[]>;
  /** Claims a storm key for `fingerprint` unless another fingerprint claimed it after `since` (ISO). */
  claimStorm(key: string, fingerprint: string, now: string, since: string, ttlSeconds: number): Promise<string>;
  /** Raw items for the stopped-task archive (src/store/stopped-tasks.ts). */
  putArchive(pk: string, sk: string, item: Record<string, unknown>, version: number, expiresAt: number): Promise<void>;
  queryArchive(pk: string, fromSk: string, toSk: string, limit: number): Promise<Record<string, unknown>[]>;
  /** How `mutate` waits between lost races (a real timer unless the store was given another, e.g. by a test). */
  readonly backoff?: Sleep | undefined;
}

/** Waits `ms` milliseconds. */
export type Sleep = (ms: number) => Promise<void>;

const realSleep: Sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `account#region#cluster#service` and the class make the fingerprint: `<scope>|<class>`. */
export function fingerprintOf(
  scope: { account?: string | undefined; region?: string | undefined; cluster?: string; service?: string },
  klass: string,
): string {
  const part = (s: string | undefined) => (s && s.length > 0 ? s : "-");
  return `${part(scope.account)}#${part(scope.region)}#${part(scope.cluster)}#${part(scope.service)}|${klass}`;
}

export function splitFingerprint(fingerprint: string): { scope: string; klass: string } {
  const at = fingerprint.indexOf("|");
  return { scope: fingerprint.slice(0, at), klass: fingerprint.slice(at + 1) };
}

export class MemoryIncidentStore implements IncidentStore {
  constructor(readonly backoff?: Sleep) {}
  private readonly items = new Map<string, IncidentRecord>();
  private readonly storms = new Map<string, { fingerprint: string; at: string }>();
  private readonly archive = new Map<string, Map<string, { item: Record<string, unknown>; version: number }>>();

  async get(fingerprint: string) {
    const r = this.items.get(fingerprint);
    return r ? structuredClone(r) : undefined;
  }
  async put(record: IncidentRecord, expected: number) {
    const current = this.items.get(record.fingerprint)?.version ?? 0;
    if (current !== expected) return false;
    this.items.set(record.fingerprint, structuredClone({ ...record, version: expected + 1 }));
    return true;
  }
  async listScope(scope: string) {
    return [...this.items.values()]
      .filter((r) => splitFingerprint(r.fingerprint).scope === scope)
      .map((r) => structuredClone(r));
  }
  async claimStorm(key: string, fingerprint: string, now: string, since: string) {
    const held = this.storms.get(key);
    if (held && held.fingerprint !== fingerprint && Date.parse(held.at) >= Date.parse(since)) return held.fingerprint;
    if (!held || held.fingerprint !== fingerprint) this.storms.set(key, { fingerprint, at: now });
    return fingerprint;
  }
  async putArchive(pk: string, sk: string, item: Record<string, unknown>, version: number) {
    const part = this.archive.get(pk) ?? new Map<string, { item: Record<string, unknown>; version: number }>();
    const old = part.get(sk);
    if (!old || old.version <= version) part.set(sk, { item: structuredClone(item), version });
    this.archive.set(pk, part);
  }
  async queryArchive(pk: string, fromSk: string, toSk: string, limit: number) {
    const part = this.archive.get(pk);
    if (!part) return [];
    return [...part.entries()]
      .filter(([sk]) => sk >= fromSk && sk <= toSk)
      .sort((a, b) => b[0].localeCompare(a[0]))
      .slice(0, limit)
      .map(([, v]) => structuredClone(v.item));
  }
}

function isConditionFailure(error: unknown): boolean {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return (
    cause instanceof ConditionalCheckFailedException ||
    (cause instanceof Error && cause.name === "ConditionalCheckFailedException")
  );
}

/** DocumentClient rejects `undefined` attribute values unless told otherwise; drop them. */
function defined(item: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(item)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [
        k,
        v !== null && typeof v === "object" && !Array.isArray(v) ? defined(v as Record<string, unknown>) : v,
      ]),
  );
}

export class DynamoIncidentStore implements IncidentStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    readonly backoff?: Sleep,
  ) {}

  private key(fingerprint: string) {
    const { scope, klass } = splitFingerprint(fingerprint);
    return { [KEY.partition]: `incident#${scope}`, [KEY.sort]: klass };
  }

  async get(fingerprint: string): Promise<IncidentRecord | undefined> {
    const out = await awsCall("dynamodb:GetItem", () =>
      this.doc.send(new GetCommand({ TableName: this.table, Key: this.key(fingerprint), ConsistentRead: true })),
    );
    return out.Item ? fromItem(out.Item) : undefined;
  }

  async put(record: IncidentRecord, expected: number, ttlSeconds: number): Promise<boolean> {
    const item = defined({
      ...this.key(record.fingerprint),
      ...record,
      version: expected + 1,
      [KEY.ttl]: ttlSeconds,
    });
    try {
      await awsCall("dynamodb:PutItem", () =>
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: item,
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
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async listScope(scope: string): Promise<IncidentRecord[]> {
    const out = await awsCall("dynamodb:Query", () =>
      this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: "#pk = :pk",
          ExpressionAttributeNames: { "#pk": KEY.partition },
          ExpressionAttributeValues: { ":pk": `incident#${scope}` },
          ConsistentRead: true,
          Limit: 100,
        }),
      ),
    );
    return (out.Items ?? []).map(fromItem);
  }

  async claimStorm(key: string, fingerprint: string, now: string, since: string, ttlSeconds: number): Promise<string> {
    const Key = { [KEY.partition]: `storm#${key}`, [KEY.sort]: "storm" };
    try {
      await awsCall("dynamodb:PutItem", () =>
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...Key, fingerprint, at: now, [KEY.ttl]: ttlSeconds },
            // Free when new, when ours, or when its holder claimed it before the storm window.
            ConditionExpression: "attribute_not_exists(#pk) OR #fp = :fp OR #at < :since",
            ExpressionAttributeNames: { "#pk": KEY.partition, "#fp": "fingerprint", "#at": "at" },
            ExpressionAttributeValues: { ":fp": fingerprint, ":since": since },
          }),
        ),
      );
      return fingerprint;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const out = await awsCall("dynamodb:GetItem", () =>
        this.doc.send(new GetCommand({ TableName: this.table, Key, ConsistentRead: true })),
      );
      return typeof out.Item?.fingerprint === "string" ? out.Item.fingerprint : fingerprint;
    }
  }

  async putArchive(pk: string, sk: string, item: Record<string, unknown>, version: number, expiresAt: number) {
    try {
      await awsCall("dynamodb:PutItem", () =>
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: defined({
              [KEY.partition]: pk,
              [KEY.sort]: sk,
              ...item,
              eventVersion: version,
              [KEY.ttl]: expiresAt,
            }),
            // ECS sends several STOPPED events per task (detail.version grows); an older one never overwrites.
            ConditionExpression: "attribute_not_exists(#pk) OR #ev <= :v",
            ExpressionAttributeNames: { "#pk": KEY.partition, "#ev": "eventVersion" },
            ExpressionAttributeValues: { ":v": version },
          }),
        ),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async queryArchive(pk: string, fromSk: string, toSk: string, limit: number) {
    const out = await awsCall("dynamodb:Query", () =>
      this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: "#pk = :pk AND #sk BETWEEN :from AND :to",
          ExpressionAttributeNames: { "#pk": KEY.partition, "#sk": KEY.sort },
          ExpressionAttributeValues: { ":pk": pk, ":from": fromSk, ":to": toSk },
          ScanIndexForward: false,
          Limit: limit,
        }),
      ),
    );
    return (out.Items ?? []) as Record<string, unknown>[];
  }
}

function fromItem(item: Record<string, unknown>): IncidentRecord {
  const { [KEY.partition]: _pk, [KEY.sort]: _sk, [KEY.ttl]: _ttl, ...rest } = item;
  return rest as unknown as IncidentRecord;
}

// ── compare-and-swap ─────────────────────────────────────────────────────────────────────────────

/** Incident items live 90 days after their last change (history for the review; TTL removes them). */
export const INCIDENT_TTL_SECONDS = 90 * 24 * 3600;
const MAX_ATTEMPTS = 100;

/**
 * Read → decide → conditional write, repeated until the write wins. `decide` returns the record to write (or
 * undefined: nothing to change) and any result; it may run several times, so it must be pure.
 */
export async function mutate<R>(
  store: IncidentStore,
  fingerprint: string,
  now: Date,
  decide: (prev: IncidentRecord | undefined) => { next: IncidentRecord | undefined; result: R },
  sleep: Sleep = store.backoff ?? realSleep,
): Promise<R & { record: IncidentRecord | undefined }> {
  for (let attempt = 1; ; attempt++) {
    const prev = await store.get(fingerprint);
    const { next, result } = decide(prev);
    if (!next) return { ...result, record: prev };
    const expected = prev?.version ?? 0;
    if (await store.put(next, expected, Math.floor(now.getTime() / 1000) + INCIDENT_TTL_SECONDS)) {
      return { ...result, record: { ...next, version: expected + 1 } };
    }
    if (attempt >= MAX_ATTEMPTS) throw new Error(`incident ${fingerprint}: ${MAX_ATTEMPTS} write conflicts in a row`);
    // Lost a race: exponential backoff with full jitter (10 ms doubling, capped at 1 s) spreads a crowd of writers
    // out, so a storm on one incident converges instead of starving the unlucky ones; then decide again.
    await sleep(Math.random() * Math.min(1000, 10 * 2 ** Math.min(attempt, 7)));
  }
}

/** Applies one ALARM/OK signal. */
export function applySignal(
  store: IncidentStore,
  fingerprint: string,
  input: SignalInput,
  policy: Policy = DEFAULT_POLICY,
): Promise<{ effect: Effect; record: IncidentRecord | undefined }> {
  return mutate(store, fingerprint, new Date(input.now), (prev) => {
    const out = transition(fingerprint, prev, input, policy);
    return { next: out.next, result: { effect: out.effect } };
  });
}
