/**
 * A local stand-in for the Slack Web API (point SLACK_API_URL or `slackApiUrl` at `url`). It answers
 * chat.postMessage / chat.update like Slack does and records every call with its decoded arguments.
 * Also accepts response_url posts on /response, and the three calls of `files.uploadV2`: files.getUploadURLExternal
 * (answers an upload URL on this server), the upload itself (raw bytes kept in `uploads`) and
 * files.completeUploadExternal.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";

export interface SlackCall {
  readonly method: string;
  readonly args: Record<string, unknown>;
}

export interface SlackUpload {
  readonly fileId: string;
  readonly filename: string;
  readonly bytes: Buffer;
}

export interface SlackStub {
  /** Bytes received on upload URLs, by file id, in arrival order. */
  readonly uploads: SlackUpload[];
  /** Base URL with the trailing slash WebClient expects, e.g. http://127.0.0.1:5123/api/ */
  readonly url: string;
  readonly responseUrl: string;
  readonly calls: SlackCall[];
  /** Make the next call to `method` answer `{ ok: false, error }`. */
  failNext(method: string, error: string): void;
  /** Make the next call matching `when` answer `{ ok: false, error }`. */
  failIf(when: (call: SlackCall) => boolean, error: string): void;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function decode(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.includes("application/json")) return JSON.parse(raw || "{}") as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    try {
      out[k] = k === "blocks" || k === "attachments" ? JSON.parse(v) : v;
    } catch {
      out[k] = v;
    }
  }
  return out;
}

export async function startSlackStub(): Promise<SlackStub> {
  const calls: SlackCall[] = [];
  const failures = new Map<string, string>();
  const conditional: { when: (call: SlackCall) => boolean; error: string }[] = [];
  const uploads: SlackUpload[] = [];
  const pending = new Map<string, string>();
  let seq = 0;
  let fileSeq = 0;
  let base = "";
  const server: Server = createServer((req, res) => {
    void (async () => {
      const bytes = await body(req);
      const path = (req.url ?? "").split("?")[0] ?? "";
      if (path.startsWith("/upload/")) {
        const fileId = path.slice("/upload/".length);
        // WebClient posts the file as multipart/form-data (one binary field), as Slack's upload URL accepts.
        const type = req.headers["content-type"] ?? "";
        let content = bytes;
        if (type.startsWith("multipart/form-data")) {
          const form = await new Response(bytes, { headers: { "content-type": type } }).formData();
          for (const value of form.values())
            if (typeof value !== "string") content = Buffer.from(await value.arrayBuffer());
        }
        uploads.push({ fileId, filename: pending.get(fileId) ?? "?", bytes: content });
        res.statusCode = pending.has(fileId) ? 200 : 404;
        res.end("OK");
        return;
      }
      const raw = bytes.toString("utf8");
      const method = path.replace(/^\/api\//, "").replace(/^\//, "");
      const args = decode(raw, req.headers["content-type"]);
      calls.push({ method, args });
      res.setHeader("content-type", "application/json");
      const matchIndex = conditional.findIndex((c) => c.when({ method, args }));
      const failure =
        failures.get(method) ?? (matchIndex >= 0 ? conditional.splice(matchIndex, 1)[0]!.error : undefined);
      if (failure) {
        failures.delete(method);
        res.end(JSON.stringify({ ok: false, error: failure }));
        return;
      }
      if (method === "chat.postMessage") {
        seq += 1;
        res.end(
          JSON.stringify({
            ok: true,
            channel: args.channel,
            ts: `1764151200.${String(seq).padStart(6, "0")}`,
            message: {},
          }),
        );
        return;
      }
      if (method === "files.getUploadURLExternal") {
        fileSeq += 1;
        const fileId = `F${String(fileSeq).padStart(8, "0")}`;
        pending.set(fileId, String(args.filename));
        res.end(JSON.stringify({ ok: true, upload_url: `${base}upload/${fileId}`, file_id: fileId }));
        return;
      }
      if (method === "files.completeUploadExternal") {
        const files = (typeof args.files === "string" ? JSON.parse(args.files) : args.files) as { id: string }[];
        res.end(JSON.stringify({ ok: true, files: files.map((f) => ({ id: f.id, name: pending.get(f.id) })) }));
        return;
      }
      if (method === "chat.update") {
        res.end(JSON.stringify({ ok: true, channel: args.channel, ts: args.ts }));
        return;
      }
      res.end(JSON.stringify({ ok: true }));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  base = `http://127.0.0.1:${port}/`;
  return {
    uploads,
    url: `http://127.0.0.1:${port}/api/`,
    responseUrl: `http://127.0.0.1:${port}/response`,
    calls,
    failNext: (method, error) => failures.set(method, error),
    failIf: (when, error) => conditional.push({ when, error }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
