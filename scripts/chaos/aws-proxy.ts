/**
 * The AWS stand-in for `npm run chaos`: a loopback proxy in front of moto_server (which speaks the AWS JSON and query
 * protocols for the calls the collectors make) that injects, from a seeded RNG, throttles in each protocol's own
 * shape (ThrottlingException; EC2's RequestLimitExceeded; the query APIs' Throttling — as in
 * test/fixtures/errors.ts), 5xx answers and latency. Every client of the worker reaches it through AWS_ENDPOINT_URL.
 */
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import { sleep } from "./rng";

export interface FaultRates {
  readonly throttle: number;
  readonly serverError: number;
  /** Share of calls delayed by up to `maxLatencyMs`. */
  readonly latency: number;
  readonly maxLatencyMs: number;
}

export interface AwsProxy {
  readonly url: string;
  readonly stats: { calls: number; throttled: number; serverErrors: number; delayed: number };
  close(): Promise<void>;
}

async function read(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

type Protocol = "json" | "ec2" | "query" | "other";

function protocolOf(headers: IncomingHttpHeaders, body: string): Protocol {
  if (headers["x-amz-target"]) return "json";
  if (String(headers["content-type"] ?? "").includes("x-www-form-urlencoded") && body.includes("Action=")) {
    return body.includes("Version=2016-11-15") ? "ec2" : "query";
  }
  return "other";
}

const REQUEST_ID = "5e0b6d94-chaos-4c3b-9c1e-0a1b2c3d4e5f";

function throttleAnswer(protocol: Protocol): { status: number; type: string; body: string } | undefined {
  switch (protocol) {
    case "json":
      return {
        status: 400,
        type: "application/x-amz-json-1.1",
        body: JSON.stringify({ __type: "ThrottlingException", message: "Rate exceeded" }),
      };
    case "ec2":
      return {
        status: 503,
        type: "text/xml",
        body: `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>${REQUEST_ID}</RequestID></Response>`,
      };
    case "query":
      return {
        status: 400,
        type: "text/xml",
        body: `<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>${REQUEST_ID}</RequestId></ErrorResponse>`,
      };
    default:
      return undefined;
  }
}

export async function startAwsProxy(target: string, random: () => number, rates: FaultRates): Promise<AwsProxy> {
  const upstream = new URL(target);
  const stats = { calls: 0, throttled: 0, serverErrors: 0, delayed: 0 };
  const server = createServer((req, res) => {
    void (async () => {
      const body = await read(req);
      stats.calls += 1;
      if (random() < rates.latency) {
        stats.delayed += 1;
        await sleep(Math.floor(random() * rates.maxLatencyMs));
      }
      const protocol = protocolOf(req.headers, body.toString("utf8"));
      const roll = random();
      const throttle = roll < rates.throttle ? throttleAnswer(protocol) : undefined;
      if (throttle) {
        stats.throttled += 1;
        res.writeHead(throttle.status, { "content-type": throttle.type, "x-amzn-requestid": REQUEST_ID });
        res.end(throttle.body);
        return;
      }
      if (roll < rates.throttle + rates.serverError) {
        stats.serverErrors += 1;
        res.writeHead(503, { "content-type": "text/plain" });
        res.end("Service Unavailable");
        return;
      }
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on("error", () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      forward.end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
