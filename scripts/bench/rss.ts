/**
 * `rss_mb`: the peak RSS of one diagnosis by the BUILT CLI (dist/cli/ecs-medic.mjs, what users and the worker run),
 * in a child process of its own, against AWS mocked on the wire: a private moto_server seeded with the payment-api
 * estate the integration tests use (test/integration/seed.ts), reached through AWS_ENDPOINT_URL. Where moto lacks an
 * API (CloudTrail LookupEvents, service deployments) the step reports it, as in test/integration/cli-moto.test.ts.
 * Peak RSS from /usr/bin/time (%M, KiB); null without moto_server or /usr/bin/time.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { SEED, seedPaymentApi } from "../../test/integration/seed";
import { motoAvailable, startMoto } from "../../test/helpers/moto";
import { median, ROOT, round } from "./processes";
import { OFFLINE_AWS_ENV } from "../../test/helpers/offline-aws-env";

export async function rssOfBuiltDiagnosis(runs = 3): Promise<{ rss_mb: number | null; rss_estate: string }> {
  if (!motoAvailable() || !existsSync("/usr/bin/time")) return { rss_mb: null, rss_estate: "moto_server missing" };
  const moto = await startMoto();
  try {
    await seedPaymentApi(moto.url, new Date());
    const peaks: number[] = [];
    // One run more than measured: moto answers its first calls slowly (it loads each service's backend on first use).
    for (let i = 0; i <= runs; i++) {
      const r = spawnSync(
        "/usr/bin/time",
        [
          "-f",
          "%M",
          process.execPath,
          join(ROOT, "dist/cli/ecs-medic.mjs"),
          "diagnose",
          SEED.service,
          "--cluster",
          SEED.cluster,
          "--format",
          "json",
          "--since",
          "2h",
        ],
        {
          cwd: ROOT,
          encoding: "utf8",
          maxBuffer: 64 * 1024 * 1024,
          env: {
            PATH: process.env.PATH ?? "",
            HOME: process.env.HOME ?? "/tmp",
            AWS_ENDPOINT_URL: moto.url,
            ...OFFLINE_AWS_ENV,
            AWS_REGION: SEED.region,
          },
        },
      );
      // A run that did not finish (moto too slow on a loaded machine) measured nothing whole: it does not count.
      if (i === 0 || !r.stdout.trim().startsWith("{")) continue;
      peaks.push(Number(r.stderr.trim().split("\n").pop()) / 1024);
    }
    if (peaks.length === 0) return { rss_mb: null, rss_estate: "no diagnosis against moto_server finished" };
    return {
      rss_mb: round(median(peaks), 1),
      rss_estate: `built CLI, payment-api estate on moto_server, median of ${peaks.length}`,
    };
  } finally {
    await moto.stop();
  }
}
