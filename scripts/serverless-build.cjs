// A local osls plugin: `sls package` and `sls deploy` ship exactly what `npm run build` (scripts/build.mjs) writes to
// dist/, the bundles the tests and `npm run bench` run, instead of bundling the handlers a second time with other
// settings. It builds before the artifacts are zipped, so a deploy never ships a stale dist/, and then adds to each
// function's `package.patterns` the chunks its entry can load (dist/chunks/ is shared by every entry of the one build;
// the metafile says which chunks each needs, scripts/bundle-closure.cjs), with their source maps only for a function
// whose NODE_OPTIONS has --enable-source-maps (the only reader of them).
// ECS_MEDIC_PREBUILT=1 skips the build when the caller has just built (the test suite builds once for the run).
"use strict";

const { execFileSync } = require("node:child_process");
const { existsSync } = require("node:fs");
const { join } = require("node:path");
const { closure, readMetafile } = require("./bundle-closure.cjs");

class BuildBundles {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      "before:package:createDeploymentArtifacts": () => {
        this.build();
        this.addChunks();
      },
    };
  }

  get root() {
    return this.serverless.serviceDir ?? process.cwd();
  }

  build() {
    if (process.env.ECS_MEDIC_PREBUILT === "1") return;
    execFileSync(process.execPath, [join(this.root, "scripts", "build.mjs")], { stdio: "inherit", cwd: this.root });
  }

  addChunks() {
    const metafile = readMetafile(this.root);
    const service = this.serverless.service;
    for (const name of service.getAllFunctions()) {
      const fn = service.getFunction(name);
      // handler "dist/handlers/worker.handler" → entry "dist/handlers/worker.mjs"
      const entry = `${fn.handler.slice(0, fn.handler.lastIndexOf("."))}.mjs`;
      const files = closure(metafile, entry);
      const maps = /--enable-source-maps\b/.test(fn.environment?.NODE_OPTIONS ?? "")
        ? files.map((file) => `${file}.map`).filter((map) => existsSync(join(this.root, map)))
        : [];
      fn.package = fn.package ?? {};
      fn.package.patterns = [...(fn.package.patterns ?? []), ...files, ...maps];
    }
  }
}

module.exports = BuildBundles;
