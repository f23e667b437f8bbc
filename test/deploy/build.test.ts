import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { isBuiltin } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import type { Metafile } from "esbuild";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { accessConfigFile, OPEN_ACCESS } from "../helpers/access-config";
import { OFFLINE_AWS_ENV } from "../helpers/offline-aws-env";

/**
 * `npm run build` (scripts/build.mjs) writes one ESM bundle per Lambda handler under dist/handlers/, each exporting
 * `handler` and loadable by plain Node's import() — checked in a child `node` process, not through vitest's loader.
 */

const HANDLERS = ["slack", "worker", "alarm"];
const missing = HANDLERS.map((name) => `src/handlers/${name}.ts`).filter((file) => !existsSync(file));
const run = promisify(execFile);

describe.skipIf(missing.length > 0)(
  `npm run build: Lambda handler bundles${missing.length ? ` — skipped: ${missing.join(", ")} not written yet` : ""}`,
  () => {
    let bundles: string[] = [];

    beforeAll(async () => {
      // test/global-setup.ts already ran scripts/build.mjs for the whole run; a lone run of this file builds itself.
      if (!inject("bundlesBuilt")) await run(process.execPath, ["scripts/build.mjs"], { timeout: 110_000 });
      bundles = readdirSync("dist/handlers").filter((file) => file.endsWith(".mjs"));
    }, 120_000);

    it("writes one .mjs per handler", () => {
      expect(bundles.sort()).toEqual(expect.arrayContaining(HANDLERS.map((name) => `${name}.mjs`)));
    });

    it("each bundle loads with Node's import() and exports a function `handler`", async () => {
      for (const bundle of bundles) {
        const url = pathToFileURL(resolve("dist/handlers", bundle)).href;
        const probe = `const m = await import(${JSON.stringify(url)}); console.log(JSON.stringify({ handler: typeof m.handler }));`;
        // Nothing may leave the machine while loading: the Slack API base points at a closed loopback port.
        const { stdout } = await run(process.execPath, ["--input-type=module", "-e", probe], {
          timeout: 30_000,
          env: {
            ...process.env,
            AWS_REGION: "us-east-1",
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
            SLACK_SIGNING_SECRET: "test-signing-secret",
            SLACK_BOT_TOKEN: "xoxb-test",
            SLACK_API_URL: "http://127.0.0.1:9/api/",
            WORKER_FUNCTION_NAME: "ecs-medic-test-worker",
            ECS_MEDIC_TABLE: "ecs-medic-test",
          },
        });
        expect(JSON.parse(stdout.trim().split("\n").pop()!), bundle).toEqual({ handler: "function" });
      }
    }, 60_000);

    it("cold start for real: a fresh Node imports the slack bundle and handles one signed /ecs (timed by npm run bench)", async () => {
      // A local stand-in for the Lambda Invoke API (loopback only): answers 202, as an InvocationType Event invoke does.
      const invokes: Array<{ url: string; type: string | undefined }> = [];
      const lambdaStub = createServer((req, res) => {
        req.resume();
        req.on("end", () => {
          invokes.push({ url: req.url ?? "", type: req.headers["x-amz-invocation-type"] as string | undefined });
          res.writeHead(202, { "content-type": "application/json", "x-amzn-requestid": "stub-1" });
          res.end();
        });
      });
      await new Promise<void>((resolve) => lambdaStub.listen(0, "127.0.0.1", resolve));
      const address = lambdaStub.address();
      const port = typeof address === "object" && address ? address.port : 0;
      const url = pathToFileURL(resolve("dist/handlers/slack.mjs")).href;
      // The child times only what a Lambda cold start costs this code: import() of the bundle, then one signed slash
      // command through the handler (signature check, parse, the real LambdaClient invoke, ack). Node's own start-up
      // is outside the figure (the Lambda runtime pays it, not us).
      const probe = `
        import { createHmac } from "node:crypto";
        const t0 = performance.now();
        const { handler } = await import(${JSON.stringify(url)});
        const t1 = performance.now();
        const body = new URLSearchParams({ command: "/ecs", text: "diagnose payment-api prod", team_id: "T0001", channel_id: "C0INCIDENT",
          user_id: "U0ONCALL", response_url: "http://127.0.0.1:9/response", trigger_id: "1.2.3", api_app_id: "A0ECSMEDIC" }).toString();
        const ts = Math.floor(Date.now() / 1000);
        const signature = "v0=" + createHmac("sha256", process.env.SLACK_SIGNING_SECRET).update("v0:" + ts + ":" + body).digest("hex");
        const event = { version: "2.0", rawPath: "/", headers: { "content-type": "application/x-www-form-urlencoded",
          "x-slack-request-timestamp": String(ts), "x-slack-signature": signature }, requestContext: { http: { method: "POST" } },
          body, isBase64Encoded: false };
        const res = await handler(event, { functionName: "ecs-medic-test-slack", awsRequestId: "req-1" });
        const t2 = performance.now();
        console.log(JSON.stringify({ importMs: t1 - t0, handleMs: t2 - t1, totalMs: t2 - t0, statusCode: res.statusCode, body: res.body }));
      `;
      try {
        const { stdout } = await run(process.execPath, ["--input-type=module", "-e", probe], {
          timeout: 30_000,
          env: {
            PATH: process.env.PATH,
            ...OFFLINE_AWS_ENV,
            AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${port}`,
            SLACK_SIGNING_SECRET: "test-signing-secret",
            SLACK_API_URL: "http://127.0.0.1:9/api/",
            WORKER_FUNCTION_NAME: "ecs-medic-test-worker",
            // The access: section the deployed function reads (none would refuse every command).
            ECS_MEDIC_CONFIG: accessConfigFile(OPEN_ACCESS),
          },
        });
        const out = JSON.parse(stdout.trim().split("\n").pop()!) as {
          importMs: number;
          handleMs: number;
          totalMs: number;
          statusCode: number;
          body: string;
        };
        const size = statSync("dist/handlers/slack.mjs").size;
        console.log(
          `slack.mjs (${(size / 1024).toFixed(0)} KiB) in a fresh node: import ${out.importMs.toFixed(0)} ms + first signed request ${out.handleMs.toFixed(0)} ms = ${out.totalMs.toFixed(0)} ms`,
        );
        expect(out.statusCode).toBe(200);
        expect(JSON.parse(out.body)).toMatchObject({
          response_type: "ephemeral",
          text: expect.stringContaining("Diagnosing *payment-api* in prod"),
        });
        expect(invokes).toEqual([{ url: "/2015-03-31/functions/ecs-medic-test-worker/invocations", type: "Event" }]);
        // The time itself is reported by `npm run bench` (ack_ms, cold_init_ms), not asserted in the test suite.
      } finally {
        await new Promise<void>((resolve) => lambdaStub.close(() => resolve()));
      }
    }, 60_000);

    it("bundles every dependency (the AWS SDK included); only Node built-ins stay imports", () => {
      // The SDK's optional SigV4a signer (not used by these services), required inside a try/catch.
      const optional = new Set(["@aws-sdk/signature-v4-crt"]);
      for (const bundle of bundles) {
        // What esbuild's parser found each output still importing, from the build's own metafile (dist/meta/): the
        // entry and every chunk it can load (strings in the code can't fool a parser).
        const name = bundle.replace(/\.mjs$/, "");
        const { outputs } = JSON.parse(readFileSync(`dist/meta/${name}.json`, "utf8")) as Metafile;
        const imports = Object.values(outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
        expect(imports.length, bundle).toBeGreaterThan(0);
        expect(
          imports.filter((path) => !isBuiltin(path) && !optional.has(path)),
          bundle,
        ).toEqual([]);
        // The ESM bundle's require() for bundled CommonJS: the banner's createRequire, first thing in the file.
        expect(readFileSync(join("dist/handlers", bundle), "utf8")).toMatch(/^import ?\{ ?createRequire/);
      }
    });

    it("runs what the handlers load on their first job: the worker's runtime and the actions' Slack clients", async () => {
      // Code behind import() only runs on a job, so importing the handlers proves nothing about it. Here the chunks
      // run as built: esbuild's split bundles hand a dynamic import() of a CommonJS package (@slack/web-api) only its
      // `default`, which once left the built worker unable to build a Slack client.
      const chunk = (fn: string, prefix: string) => {
        const file = readdirSync(`dist/handlers/chunks/${fn}`).find((f) => f.startsWith(prefix) && f.endsWith(".mjs"));
        return pathToFileURL(resolve(`dist/handlers/chunks/${fn}/${file}`)).href;
      };
      const probe = `
        const runtime = await import(${JSON.stringify(chunk("worker", "worker-runtime-"))});
        const worker = await runtime.init();
        const deps = await import(${JSON.stringify(chunk("actions", "deps-"))});
        const actions = await deps.createSlackClients("xoxb-test", {});
        console.log(JSON.stringify({
          rules: worker.playbooks.rules.length,
          sources: worker.playbooks.sources.slice(0, 1),
          workerPosts: typeof worker.slack.web.chat.postMessage,
          actionsPosts: typeof actions.web.chat.postMessage,
        }));
      `;
      const { stdout } = await run(process.execPath, ["--input-type=module", "-e", probe], {
        env: { PATH: process.env.PATH, SLACK_BOT_TOKEN: "xoxb-test", AWS_REGION: "us-east-1" },
        timeout: 60_000,
      });
      const out = JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;
      expect(out).toMatchObject({ workerPosts: "function", actionsPosts: "function" });
      expect(out.rules).toBeGreaterThan(100);
      // The playbooks the worker's zip carries (dist/playbooks), found from the chunk, not from the working folder.
      expect(String((out.sources as string[])[0])).toContain(join("dist", "playbooks"));
    }, 60_000);

    it("copies the playbooks to dist/playbooks, where a bundle outside the checkout finds them", () => {
      const list = (dir: string) =>
        readdirSync(dir, { recursive: true, withFileTypes: true })
          .filter((e) => e.isFile())
          .map((e) => join(e.parentPath, e.name).slice(dir.length))
          .sort();
      expect(list("dist/playbooks")).toEqual(list("playbooks"));
      expect(list("dist/playbooks")).toContain("/service-not-healthy.yaml");
    });
  },
);
