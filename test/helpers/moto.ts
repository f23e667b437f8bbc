/**
 * Starts a private moto_server for one test file on a free loopback port, and stops it after.
 * moto_server is Python moto 5.2.1 from this machine image; where it is absent, tests that need it are skipped
 * with a loud message (and .ci/run refuses to run without it).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { createServer } from "node:net";
import { delimiter, join } from "node:path";

export interface Moto {
  readonly url: string;
  reset(): Promise<void>;
  /** Freezes ECS tasks in their current state (moto otherwise moves them towards STOPPED on every DescribeTasks). */
  freezeTasks(): Promise<void>;
  stop(): Promise<void>;
}

export const MOTO_BINARY = process.env.MOTO_SERVER ?? "moto_server";

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Whether moto_server can be started: found on PATH (or MOTO_SERVER names an executable). A lookup, not a run: every
 * file that needs moto asks, and starting Python to print --help costs about a CPU-second each time. A moto that is
 * found but broken fails loudly when it is started.
 */
export function motoAvailable(): boolean {
  const ok = MOTO_BINARY.includes("/")
    ? executable(MOTO_BINARY)
    : (process.env.PATH ?? "").split(delimiter).some((dir) => dir !== "" && executable(join(dir, MOTO_BINARY)));
  if (!ok && process.env.ECS_MEDIC_REQUIRE_MOTO === "1") {
    throw new Error(`moto_server is required (ECS_MEDIC_REQUIRE_MOTO=1) but ${MOTO_BINARY} could not be run`);
  }
  if (!ok) {
    const line = "!".repeat(78);
    process.stderr.write(
      `\n${line}\n! moto_server not found (${MOTO_BINARY}): wire-level AWS integration tests are SKIPPED.\n! .ci/run requires it. Install Python moto[server] 5.2.1 or set MOTO_SERVER.\n${line}\n\n`,
    );
  }
  return ok;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(MOTO_BINARY, ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited early (${child.exitCode}): ${stderr}`);
    try {
      const res = await fetch(`${url}/moto-api/`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`moto_server did not start on ${url}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return motoAt(
    url,
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 3_000).unref();
      }),
  );
}

/** The controls of a moto_server already listening on `url`; `stop` is what stopping it means to this caller. */
export function motoAt(url: string, stop: () => Promise<void>): Moto {
  const post = async (path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method: "POST",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`moto ${path}: HTTP ${res.status}`);
  };
  return {
    url,
    reset: () => post("/moto-api/reset"),
    freezeTasks: () =>
      post("/moto-api/state-manager/set-transition", {
        model_name: "ecs::task",
        transition: { progression: "manual", times: 1_000_000 },
      }),
    stop,
  };
}
