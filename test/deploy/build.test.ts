import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { isBuiltin } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";

/**
 * `npm run build` (scripts/build.mjs) writes one ESM bundle per Lambda handler under dist/handlers/, each exporting
 * `handler` and loadable by plain Node's import() — checked in a child `node` process, not through vitest's loader.
 */

const HANDLERS = ["slack", "worker"];
const missing = HANDLERS.map((name) => `src/handlers/${name}.ts`).filter((file) => !existsSync(file));
const run = promisify(execFile);

describe.skipIf(missing.length > 0)(
  `npm run build: Lambda handler bundles${missing.length ? ` — skipped: ${missing.join(", ")} not written yet` : ""}`,
  () => {
    let bundles: string[] = [];

    beforeAll(async () => {
      const started = performance.now();
      await run(process.execPath, ["scripts/build.mjs"], { timeout: 110_000 });
      console.log(`scripts/build.mjs took ${((performance.now() - started) / 1000).toFixed(1)} s`);
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

    it("bundles every dependency (the AWS SDK included); only Node built-ins stay imports", async () => {
      // The SDK's optional SigV4a signer (not used by these services), required inside a try/catch.
      const optional = new Set(["@aws-sdk/signature-v4-crt"]);
      for (const bundle of bundles) {
        // Let esbuild parse the bundle and list what it still imports (strings in the code can't fool a parser).
        const { metafile } = await build({
          entryPoints: [join("dist/handlers", bundle)],
          bundle: true,
          write: false,
          platform: "node",
          format: "esm",
          packages: "external",
          metafile: true,
          logLevel: "silent",
        });
        const imports = Object.values(metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
        expect(imports, bundle).toContain("node:module");
        expect(imports.filter((path) => !isBuiltin(path) && !optional.has(path)), bundle).toEqual([]);
      }
    });

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
