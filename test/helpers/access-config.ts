import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Writes an ECS_MEDIC_CONFIG file with the given `access:` section (YAML text) in a fresh temp folder and returns its
 * path. Handler tests that are not about access use `OPEN_ACCESS`: every read-only command, anywhere in the test
 * workspaces, for anyone.
 */
export function accessConfigFile(accessYaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), "ecs-medic-access-"));
  const file = join(dir, "ecs-medic.yaml");
  writeFileSync(file, `version: 1\naccess:\n${accessYaml.replace(/^/gm, "  ")}\n`);
  return file;
}

export const OPEN_ACCESS = `allow:
  - teams: [T0001, T0ACME]
    commands: [diagnose, rerun, evidence, export]`;
