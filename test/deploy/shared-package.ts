import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { inject } from "vitest";
import { onceForRun } from "../helpers/run-once";
import { packageStack, type Template } from "./package-stack";

/**
 * The stack as CI packages it, packaged once per test run for every file that reads it (serverless.test.ts and
 * iam-proof.test.ts in separate workers would otherwise run `sls package` twice, at the same time, in the same
 * service folder). It lives in the run's folder, which the global teardown removes: callers must not delete it.
 */
export function sharedPackage(): Promise<{ dir: string; template: Template; seconds: number }> {
  const runDir = inject("runDir");
  return onceForRun("sls-package", async () => {
    const into = runDir ? join(runDir, "sls-package") : undefined;
    if (into) mkdirSync(into, { recursive: true });
    // The global setup built dist/ for this run; the packaging plugin would otherwise rebuild it under other tests.
    return packageStack({ ECS_MEDIC_PREBUILT: "1" }, into);
  });
}
