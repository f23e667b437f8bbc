import "aws-sdk-client-mock-vitest/extend";
import { createRequire } from "node:module";
import { afterAll, vi } from "vitest";

/**
 * The sinon that aws-sdk-client-mock stubs with (its CommonJS copy, resolved from the package itself): `mockClient()`
 * stubs a client class's prototype `send`, or an instance's, on sinon's default sandbox, so restoring that sandbox
 * undoes every client stub, of any client class, without a list to keep.
 */
const sinon = createRequire(createRequire(import.meta.url).resolve("aws-sdk-client-mock"))("sinon") as {
  restore(): void;
};

/**
 * Test files share their worker's modules (vitest.config.ts: isolate false), so what a file changes process-wide must
 * not outlive it: its environment and global stubs, fake timers, and SDK client stubs (a `mockClient(EC2Client)` left
 * in place would answer the next file's clients, moto-backed ones included, instead of the service).
 */
function resetProcessWideState(): void {
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
  vi.useRealTimers();
  sinon.restore();
}

// When a file ends, and again before the next one starts (this module runs before every file): a file whose own
// afterAll threw or timed out skips the hooks registered before it, this one included.
afterAll(resetProcessWideState);
resetProcessWideState();
