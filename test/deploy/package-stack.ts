import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
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

/** The project's osls, run by this node (no `npx` resolution per call). */
const SLS = join("node_modules", "osls", "bin", "serverless.js");

/**
 * Runs osls offline with no AWS credentials of any kind (packaging must need neither AWS nor any network) and no
 * ECS_MEDIC_ setting of the developer's; `env` adds variables (ECS_MEDIC_…). `dir` holds what osls leaves behind.
 */
async function sls(args: string[], dir: string, env: Record<string, string>): Promise<string> {
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
    // Whatever osls or a plugin writes under the system temp dir stays inside the package folder.
    TMPDIR: mkdirSync(join(dir, "tmp"), { recursive: true }) ?? join(dir, "tmp"),
    ...env,
  });
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [SLS, ...args, "--stage", STAGE, "--region", "us-east-1"],
      { env: childEnv, timeout: 170_000, maxBuffer: 16 * 1024 * 1024 },
    );
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`sls ${args[0]} failed:\n${stdout ?? ""}\n${stderr ?? ""}`, { cause: error });
  }
}

/** `sls package` into `dir` (a fresh folder by default), and the CloudFormation template it wrote. */
export async function packageStack(
  env: Record<string, string> = {},
  dir = mkdtempSync(join(tmpdir(), "ecs-medic-sls-")),
): Promise<{ dir: string; template: Template; seconds: number }> {
  const started = performance.now();
  await sls(["package", "--package", dir], dir, env);
  const seconds = (performance.now() - started) / 1000;
  const template = JSON.parse(readFileSync(join(dir, "cloudformation-template-update-stack.json"), "utf8")) as Template;
  return { dir, template, seconds };
}

/** A function of serverless.yml as osls resolves it (variables, `${file(…)}` and `${env:…}` filled in). */
export interface ResolvedFunction {
  environment: Record<string, unknown>;
  iamRoleStatements: Statement[];
}

/**
 * `sls print`: the configuration with every variable resolved, exactly as `sls package` resolves it before compiling
 * the template, without bundling the handlers (about a quarter of a package's CPU). For checks of what a setting
 * changes; what the compiled template makes of the resolved configuration is checked on the packaged stack.
 */
export async function resolvedConfig(
  env: Record<string, string>,
): Promise<{ functions: Record<string, ResolvedFunction> }> {
  const dir = mkdtempSync(join(tmpdir(), "ecs-medic-sls-"));
  try {
    return JSON.parse(await sls(["print", "--format", "json"], dir, env)) as {
      functions: Record<string, ResolvedFunction>;
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
