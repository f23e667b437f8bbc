import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { UsageError } from "../errors";
import { DEFAULT_ACCESS_POLICY, type AccessPolicy } from "./access-policy";

/**
 * Who may ask ecs-medic what, from where: the `access:` section of the YAML file `ECS_MEDIC_CONFIG` names (read the
 * same way as `actions:`, src/config/actions.ts). The decision itself is in ./access-policy (no zod, no YAML), so the
 * Slack function's 3-second path and the worker share it.
 *
 * The safe default — no file, or no `allow` entries — is that nobody may run anything from Slack but `/ecs help`:
 * a diagnosis posts log excerpts into the channel it was asked in, so which channels may see which services' logs
 * is a decision an admin makes, not one an install makes for them.
 *
 * ```yaml
 * access:
 *   contact: "<!subteam^S0PLATFORM>"          # who to ask, named in every refusal (default: "a platform admin")
 *   allow:                                    # any entry that matches grants the request
 *     - teams: [T0ACME]                       # Slack workspace ids (required)
 *       channels: [C0INCIDENTS, "#payments"]  # channel ids or #names; absent → any channel of those workspaces
 *       commands: [diagnose, rerun, evidence, export]   # default [diagnose, rerun]
 *       clusters: ["prod", "staging-*"]       # globs (* and ?); default ["*"]
 *       services: ["payment-*"]               # globs; default ["*"]
 *       usergroups: [S0ONCALL]                # absent users and usergroups → anyone in those channels
 *       users: [U04ALICE]
 * ```
 */

const glob = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_*?-]+$/, "expected an ECS name or a glob of one (letters, digits, -, _, * and ?)");

const AccessEntrySchema = z
  .object({
    teams: z.array(z.string().regex(/^[TE][A-Z0-9]{2,}$/, "expected a Slack workspace id such as T0ACME")).min(1),
    channels: z
      .array(
        z
          .string()
          .regex(
            /^(?:[CGD][A-Z0-9]{6,}|#[a-z0-9][a-z0-9._-]{0,79})$/,
            "expected a Slack channel id (C0123ABC) or #name",
          ),
      )
      .min(1)
      .optional(),
    commands: z
      .array(z.enum(["diagnose", "rerun", "evidence", "export"]))
      .min(1)
      .default(["diagnose", "rerun"]),
    clusters: z.array(glob).min(1).default(["*"]),
    services: z.array(glob).min(1).default(["*"]),
    users: z.array(z.string().regex(/^[UW][A-Z0-9]{2,}$/, "expected a Slack user id such as U04ALICE")).default([]),
    usergroups: z
      .array(z.string().regex(/^S[A-Z0-9]{2,}$/, "expected a Slack user group id such as S0ONCALL"))
      .default([]),
  })
  .strict();

export const AccessPolicySchema = z
  .object({
    /** Who to ask, as Slack shows it: a mention (`<!subteam^S0…>`, `<@U…>`), a channel (`<#C…>`) or plain words. */
    contact: z.string().min(1).max(200).optional(),
    allow: z.array(AccessEntrySchema).max(200).default([]),
  })
  .strict();

/** Validates an `access:` section (already parsed YAML); `source` names it in errors. */
export function parseAccessPolicy(section: unknown, source = "access"): AccessPolicy {
  if (section === undefined || section === null) return DEFAULT_ACCESS_POLICY;
  const parsed = AccessPolicySchema.safeParse(section);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`${source}: access.${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

/** The `access:` section of ECS_MEDIC_CONFIG, or the safe default (nobody may ask) when there is none. */
export function loadAccessPolicy(env: Readonly<Record<string, string | undefined>> = process.env): AccessPolicy {
  const file = env.ECS_MEDIC_CONFIG;
  if (!file) return DEFAULT_ACCESS_POLICY;
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, "utf8"));
  } catch (error) {
    throw new UsageError(`${file}: cannot read the configuration (${(error as Error).name})`, { cause: error });
  }
  return parseAccessPolicy((doc as { access?: unknown } | null)?.access, file);
}
