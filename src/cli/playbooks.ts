import type { Playbooks } from "../diagnose/load-playbooks";
import { PlaybookInvalidError } from "../errors";
import { cliDeps, type CliIo } from "./diagnose";

/** Built-in playbooks plus ECS_MEDIC_PLAYBOOKS (colon-separated) and --playbooks folders, in that order. */
export function loadPlaybooksOrReport(extra: readonly string[], io: CliIo): Playbooks | undefined {
  try {
    return cliDeps(io, extra).playbooks();
  } catch (error) {
    if (error instanceof PlaybookInvalidError) {
      io.stderr.write(`ecs-medic: ${error.message}\n`);
      return undefined;
    }
    throw error;
  }
}
