import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

export const STAGE = "ci";
export const SERVICE = "ecs-medic";

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: Json;
  Condition?: Record<string, Record<string, Json>>;
}
export interface CfnResource {
  Type: string;
  Properties: Record<string, unknown>;
  DependsOn?: string | string[];
  Condition?: string;
}
export interface Template {
  Resources: Record<string, CfnResource>;
  Conditions?: Record<string, Json>;
  Outputs?: Record<string, { Value: Json }>;
}

/** A function's environment variables in the template (strings, or intrinsics like `{ Ref: … }`). */
export function environmentOf(resource: CfnResource): Record<string, unknown> {
  return (resource.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
}

/**
 * `sls package` (osls) offline into a fresh folder, with no AWS credentials of any kind (packaging must need
 * neither AWS nor any network), and the CloudFormation template it wrote. `env` adds variables (ECS_MEDIC_…).
 */
export async function packageStack(
  env: Record<string, string> = {},
): Promise<{ dir: string; template: Template; seconds: number }> {
  const dir = mkdtempSync(join(tmpdir(), "ecs-medic-sls-"));
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(childEnv))
    if (/^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PROFILE)$/.test(name) || /^ECS_MEDIC_/.test(name))
      delete childEnv[name];
  Object.assign(childEnv, {
    SLS_TELEMETRY_DISABLED: "1",
    SLS_NOTIFICATIONS_MODE: "off",
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "no-credentials"),
    AWS_CONFIG_FILE: join(dir, "no-config"),
    AWS_EC2_METADATA_DISABLED: "true",
    // serverless-esbuild builds each function in a folder under the system temp dir and leaves it there: keep those
    // inside the package folder, which the caller removes.
    TMPDIR: mkdirSync(join(dir, "tmp"), { recursive: true }) ?? join(dir, "tmp"),
    ...env,
  });
  const started = performance.now();
  try {
    await promisify(execFile)("npx", ["sls", "package", "--stage", STAGE, "--region", "us-east-1", "--package", dir], {
      env: childEnv,
      timeout: 170_000,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`sls package failed:\n${stdout ?? ""}\n${stderr ?? ""}`, { cause: error });
  }
  const seconds = (performance.now() - started) / 1000;
  const template = JSON.parse(readFileSync(join(dir, "cloudformation-template-update-stack.json"), "utf8")) as Template;
  return { dir, template, seconds };
}
