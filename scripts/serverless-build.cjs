// A local osls plugin: `sls package` and `sls deploy` ship exactly what `npm run build` (scripts/build.mjs) writes to
// dist/handlers, the bundles the tests and `npm run bench` run, instead of bundling the handlers a second time with
// other settings. It builds before the artifacts are zipped, so a deploy never ships a stale dist/.
// ECS_MEDIC_PREBUILT=1 skips the build when the caller has just built (the test suite builds once for the run).
"use strict";

const { execFileSync } = require("node:child_process");
const { join } = require("node:path");

class BuildBundles {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { "before:package:createDeploymentArtifacts": () => this.build() };
  }

  build() {
    if (process.env.ECS_MEDIC_PREBUILT === "1") return;
    const script = join(this.serverless.serviceDir ?? process.cwd(), "scripts", "build.mjs");
    execFileSync(process.execPath, [script], { stdio: "inherit", cwd: this.serverless.serviceDir ?? process.cwd() });
  }
}

module.exports = BuildBundles;
