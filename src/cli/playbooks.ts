import { loadCompiledPlaybooks } from "../diagnose/compiled-playbooks";
import type { Playbooks } from "../diagnose/playbook-set";
import { PlaybookInvalidError } from "../errors";
import type { CliIo } from "./diagnose";

/**
 * Built-in playbooks plus ECS_MEDIC_PLAYBOOKS (colon-separated) and --playbooks folders, in that order (the folders
 * `createDeps` gives `loadPlaybooks`). With no override folder and a compiled form of the built-in ones that matches
 * their YAML (the bundle's dist/playbooks.compiled.json), that form alone: neither the YAML parser nor zod is loaded.
 * Otherwise the YAML loader is loaded and every folder validated as always. A playbook error is printed, undefined
 * returned.
 */
export async function loadPlaybooksOrReport(extra: readonly string[], io: CliIo): Promise<Playbooks | undefined> {
  try {
    if (io.deps?.playbooks) return io.deps.playbooks();
    const own = io.deps?.playbookFolders ?? extra;
    const folders = [...(io.env.ECS_MEDIC_PLAYBOOKS ?? "").split(":").filter(Boolean), ...own];
    const compiled = folders.length === 0 ? loadCompiledPlaybooks() : undefined;
    if (compiled) return compiled;
    const { loadPlaybooks } = await import("../diagnose/load-playbooks");
    return loadPlaybooks({ overrides: folders });
  } catch (error) {
    if (error instanceof PlaybookInvalidError) {
      io.stderr.write(`ecs-medic: ${error.message}\n`);
      return undefined;
    }
    throw error;
  }
}
