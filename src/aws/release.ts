import type { AwsClients } from "./clients";

// No SDK import here: the use cases release clients without loading the client packages themselves.

const RELEASE = Symbol.for("ecs-medic.aws-clients.release");

type Releasable = AwsClients & { readonly [RELEASE]?: () => void };

/** Marks `clients` with the function that destroys what was constructed (lazy clients build on first use). */
export function withRelease(clients: AwsClients, release: () => void): AwsClients {
  Object.defineProperty(clients, RELEASE, { value: release, enumerable: false });
  return clients;
}

/** Releases sockets so a CLI run exits promptly; lazy clients never built are not built just to be destroyed. */
export function destroyClients(clients: AwsClients): void {
  const release = (clients as Releasable)[RELEASE];
  if (release) return release();
  for (const client of Object.values(clients) as Array<{ destroy?: () => void }>) client.destroy?.();
}
