import { loadPlaybooks, type Playbooks } from "../diagnose/load-playbooks";
import { PlaybookInvalidError } from "../errors";
import type { CliIo } from "./diagnose";

/** Built-in playbooks plus ECS_MEDIC_PLAYBOOKS (colon-separated) and --playbooks folders, in that order. */
export function loadPlaybooksOrReport(extra: readonly string[], io: CliIo): Playbooks | undefined {
  const fromEnv = (io.env.ECS_MEDIC_PLAYBOOKS ?? "").split(":").filter(Boolean);
  try {
    return loadPlaybooks({ overrides: [...fromEnv, ...extra] });
  } catch (error) {
    if (error instanceof PlaybookInvalidError) {
      io.stderr.write(`ecs-medic: ${error.message}\n`);
      return undefined;
    }
    throw error;
  }
}
