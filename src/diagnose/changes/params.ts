import type { ChangeEvent, Evidence } from "../../evidence/schema";
import type { TemplateVars } from "../template";

/** What a change did, in words: "health-check port traffic-port → 8081", and the way back. */
export interface ChangeDescription {
  /** What changed, old → new where the request says (or an earlier event does). */
  readonly what: string;
  /** The state before the change, when known: "health-check port traffic-port". */
  readonly before?: string | undefined;
  /** The revert advice, naming the state before the change when it is known. */
  readonly revert: string;
}

/** What a describer may read besides the event: earlier events (older first) and the snapshot. */
export interface DescribeContext {
  readonly event: ChangeEvent;
  /** Successful events before this one in the snapshot, nearest first: where an old value may show. */
  readonly earlier: readonly ChangeEvent[];
  readonly evidence: Evidence;
  readonly vars: TemplateVars;
}

export type Describer = (p: Params, ctx: DescribeContext) => ChangeDescription;

/**
 * Case-insensitive access to CloudTrail request parameters. Most services record them in camelCase
 * (`targetGroupArn`); EC2's newer APIs wrap them in the request's name with the API's own casing
 * (`{"DeleteNatGatewayRequest": {"NatGatewayId": "nat-…"}}`), and EC2 lists come as `{"items": […]}` — or, in the
 * wrapped form, `{"tag": 1, "content": "vpce-…"}`. `Params` sees through all three.
 */
export class Params {
  private readonly map: ReadonlyMap<string, unknown>;

  constructor(raw: Record<string, unknown> | undefined) {
    const entries = Object.entries(raw ?? {});
    const only = entries.length === 1 ? entries[0] : undefined;
    const inner = only && only[0].endsWith("Request") && isRecord(only[1]) ? only[1] : (raw ?? {});
    this.map = new Map(Object.entries(inner).map(([k, v]) => [k.toLowerCase(), v]));
  }

  get(key: string): unknown {
    return this.map.get(key.toLowerCase());
  }

  str(key: string): string | undefined {
    const v = this.get(key);
    if (typeof v === "string" && v.length > 0) return v;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    const content = isRecord(v) ? v["content"] : undefined;
    return typeof content === "string" ? content : undefined;
  }

  num(key: string): number | undefined {
    const v = this.get(key);
    return typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : undefined;
  }

  bool(key: string): boolean | undefined {
    const v = this.get(key);
    return typeof v === "boolean" ? v : v === "true" ? true : v === "false" ? false : undefined;
  }

  /** A list in any of CloudTrail's shapes: an array, `{items: […]}`, a single `{content}` or a single value. */
  list(key: string): unknown[] {
    return items(this.get(key));
  }

  /** The strings of a list (or single value), e.g. the VPC endpoint ids of DeleteVpcEndpoints. */
  strings(key: string): string[] {
    return this.list(key).flatMap((v) => {
      if (typeof v === "string") return [v];
      const content = isRecord(v) ? v["content"] : undefined;
      return typeof content === "string" ? [content] : [];
    });
  }

  has(key: string): boolean {
    return this.map.has(key.toLowerCase());
  }

  keys(): string[] {
    return [...this.map.keys()];
  }
}

export function items(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  if (isRecord(value)) {
    const inner = value["items"] ?? value["item"];
    if (inner !== undefined) return Array.isArray(inner) ? inner : [inner];
    if (Object.keys(value).length === 0) return [];
  }
  return [value];
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The last ARN segment: `…:targetgroup/payment-api-tg/73e2d6bc24d8a067` → `payment-api-tg/73e2d6bc24d8a067`'s name. */
export function resourceName(arnOrId: string | undefined): string | undefined {
  if (!arnOrId) return undefined;
  if (!arnOrId.startsWith("arn:")) return arnOrId;
  const resource = arnOrId.split(":").slice(5).join(":");
  // targetgroup/<name>/<id>, loadbalancer/app/<name>/<id>, listener/app/<lb>/<id>/<id>: the name, not the hash.
  const m =
    /^(?:targetgroup|loadbalancer\/(?:app|net|gwy)|listener\/(?:app|net|gwy)|listener-rule\/(?:app|net|gwy))\/([^/]+)/.exec(
      resource,
    );
  if (m) return m[1];
  return resource.split("/").pop() || resource;
}

/** The newest earlier event with this name whose parameters satisfy `same`. */
export function previous(
  ctx: DescribeContext,
  names: readonly string[],
  same: (p: Params) => boolean,
): { event: ChangeEvent; params: Params } | undefined {
  for (const e of ctx.earlier) {
    if (!names.includes(e.eventName)) continue;
    const params = new Params(e.requestParameters);
    if (same(params)) return { event: e, params };
  }
  return undefined;
}

/** "09:41Z" from an ISO time. */
export function clock(iso: string): string {
  return `${iso.slice(11, 16)}Z`;
}
