/**
 * One moto_server per vitest worker for the whole run (started by test/global-setup.ts), instead of one per test
 * file: a file gets its worker's server, reset to empty. Files of one worker run one after another, so no two files
 * ever share a server at the same time; its Python start and the lazy import of each AWS backend are paid once per
 * worker, not once per file.
 */
import { inject } from "vitest";
import { motoAt, startMoto, type Moto } from "./moto";

export async function workerMoto(): Promise<Moto> {
  const urls = inject("motoUrls");
  // Outside a run with the global setup (or with more workers than servers): a private server, stopped by the file.
  const pool = Number(process.env.VITEST_POOL_ID ?? "0");
  const url = urls?.[pool - 1];
  if (!url) return startMoto();
  // The global teardown stops it: a file's `stop()` only lets go.
  const moto = motoAt(url, async () => {});
  await moto.reset();
  return moto;
}
