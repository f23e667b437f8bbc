/**
 * Work that several test files need, done once per test run although the files run in separate workers: the first
 * caller takes a lock (an atomic mkdir in the run's folder, test/global-setup.ts) and produces the value; the others
 * wait for its result file. The value must be JSON. Outside a vitest run with the global setup, it is just produced.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inject } from "vitest";

const POLL_MS = 100;

export async function onceForRun<T>(key: string, produce: () => Promise<T>, timeoutMs = 180_000): Promise<T> {
  const runDir = inject("runDir");
  if (!runDir) return produce();
  const base = join(runDir, key.replace(/[^\w.-]/g, "_"));
  const done = `${base}.json`;
  const failed = `${base}.error`;
  let mine = false;
  try {
    mkdirSync(`${base}.lock`);
    mine = true;
  } catch {
    // another file is producing it (or has)
  }
  if (mine) {
    try {
      const value = await produce();
      // Written whole, then renamed: a waiting file never reads half a result.
      writeFileSync(`${done}.tmp`, JSON.stringify(value));
      renameSync(`${done}.tmp`, done);
      return value;
    } catch (error) {
      writeFileSync(failed, error instanceof Error ? (error.stack ?? error.message) : String(error));
      throw error;
    }
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(done)) return JSON.parse(readFileSync(done, "utf8")) as T;
    if (existsSync(failed)) throw new Error(`${key} failed in another test file:\n${readFileSync(failed, "utf8")}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(`${key}: no result from the test file producing it within ${timeoutMs} ms`);
}
