/**
 * A loopback stand-in for the Slack Web API and response_url, for `npm run chaos`: it answers chat.postMessage and
 * chat.update like Slack, sometimes with HTTP 429 and a Retry-After header (Slack's rate limiting, seeded), and
 * keeps what every channel ends up showing, so each run can be judged by what the requester actually sees.
 */
import { createServer, type IncomingMessage } from "node:http";
import { sleep } from "./rng";

export interface SlackMessageState {
  readonly ts: string;
  /** block_ids of the message as it stands now (progress, verdict, error …). */
  blockIds: string[];
  text: string;
}

export interface SlackStandIn {
  /** Base URL for SLACK_API_URL (with the trailing slash WebClient expects). */
  readonly apiUrl: string;
  /** response_url base: a run's replies go to `${responseBase}/<runId>`. */
  readonly responseBase: string;
  /** Top-level messages per channel, in posting order. */
  readonly channels: Map<string, SlackMessageState[]>;
  /** response_url posts per run id. */
  readonly replies: Map<string, string[]>;
  readonly stats: { calls: number; limited: number };
  close(): Promise<void>;
}

async function read(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function decode(raw: string, type: string | undefined): Record<string, unknown> {
  if (type?.includes("application/json")) return JSON.parse(raw || "{}") as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    try {
      out[k] = k === "blocks" ? JSON.parse(v) : v;
    } catch {
      out[k] = v;
    }
  }
  return out;
}

const blockIdsOf = (blocks: unknown): string[] =>
  Array.isArray(blocks) ? blocks.map((b) => String((b as { block_id?: unknown }).block_id ?? "")) : [];

export async function startSlackStandIn(options: {
  random: () => number;
  /** Share of Web API calls answered 429 with Retry-After. */
  rateLimited: number;
  /** Share of calls that answer after a delay (up to `maxLatencyMs`). */
  latency: number;
  maxLatencyMs: number;
}): Promise<SlackStandIn> {
  const channels = new Map<string, SlackMessageState[]>();
  const replies = new Map<string, string[]>();
  const stats = { calls: 0, limited: 0 };
  let seq = 0;
  const server = createServer((req, res) => {
    void (async () => {
      const raw = await read(req);
      const path = (req.url ?? "").split("?")[0] ?? "";
      res.setHeader("content-type", "application/json");
      if (path.startsWith("/response/")) {
        const run = path.slice("/response/".length);
        const body = JSON.parse(raw || "{}") as { text?: string };
        replies.set(run, [...(replies.get(run) ?? []), body.text ?? ""]);
        res.end("ok");
        return;
      }
      stats.calls += 1;
      if (options.random() < options.latency) await sleep(Math.floor(options.random() * options.maxLatencyMs));
      if (options.random() < options.rateLimited) {
        stats.limited += 1;
        res.statusCode = 429;
        res.setHeader("retry-after", "1");
        res.end(JSON.stringify({ ok: false, error: "ratelimited" }));
        return;
      }
      const method = path.replace(/^\/api\//, "");
      const args = decode(raw, req.headers["content-type"]);
      const channel = String(args.channel ?? "");
      if (method === "chat.postMessage") {
        seq += 1;
        const ts = `1764151200.${String(seq).padStart(6, "0")}`;
        if (!args.thread_ts) {
          const list = channels.get(channel) ?? [];
          list.push({ ts, blockIds: blockIdsOf(args.blocks), text: String(args.text ?? "") });
          channels.set(channel, list);
        }
        res.end(JSON.stringify({ ok: true, channel, ts, message: {} }));
        return;
      }
      if (method === "chat.update") {
        const message = channels.get(channel)?.find((m) => m.ts === args.ts);
        if (!message) {
          res.end(JSON.stringify({ ok: false, error: "message_not_found" }));
          return;
        }
        message.blockIds = blockIdsOf(args.blocks);
        message.text = String(args.text ?? "");
        res.end(JSON.stringify({ ok: true, channel, ts: args.ts }));
        return;
      }
      res.end(JSON.stringify({ ok: true, users: [] }));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    responseBase: `http://127.0.0.1:${port}/response`,
    channels,
    replies,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
