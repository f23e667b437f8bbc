import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { UsageError } from "../errors";

/**
 * Who may press the rollback and emergency-scale buttons, and how far a scale-out may go: the `actions:` section of
 * the YAML file `ECS_MEDIC_CONFIG` names. The safe default — no file, or no `allow` entries — is that nobody may act
 * from Slack (the buttons answer with who to ask); the CLI acts with its caller's own AWS credentials.
 *
 * ```yaml
 * actions:
 *   allow:                                   # every entry that matches the service grants its people
 *     - { cluster: prod, service: payment-api, users: [U04ALICE], usergroups: [S0PAYONCALL] }
 *     - { cluster: staging, usergroups: [S0DEVS] }   # every service in staging
 *   scale: { factor: 2, maxDesired: 50 }
 * ```
 */
const name = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9_-]+$/, "expected an ECS name (letters, digits, - and _)");

const AllowSchema = z
  .object({
    cluster: name.optional(),
    service: name.optional(),
    users: z.array(z.string().regex(/^[UW][A-Z0-9]{2,}$/, "expected a Slack user id such as U04ALICE")).default([]),
    usergroups: z
      .array(z.string().regex(/^S[A-Z0-9]{2,}$/, "expected a Slack user group id such as S0ONCALL"))
      .default([]),
  })
  .strict()
  .refine((a) => a.users.length + a.usergroups.length > 0, { message: "an allow entry needs users or usergroups" });

export const ActionsPolicySchema = z
  .object({
    allow: z.array(AllowSchema).default([]),
    scale: z
      .object({
        factor: z.number().gt(1).max(10).default(2),
        maxDesired: z.number().int().min(1).max(5000).default(50),
      })
      .strict()
      .default({ factor: 2, maxDesired: 50 }),
  })
  .strict();
export type ActionsPolicy = z.infer<typeof ActionsPolicySchema>;

export const DEFAULT_ACTIONS_POLICY: ActionsPolicy = ActionsPolicySchema.parse({});

/** The `actions:` section of ECS_MEDIC_CONFIG (other sections are read by their own modules), or the safe default. */
export function loadActionsPolicy(env: Readonly<Record<string, string | undefined>> = process.env): ActionsPolicy {
  const file = env.ECS_MEDIC_CONFIG;
  if (!file) return DEFAULT_ACTIONS_POLICY;
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, "utf8"));
  } catch (error) {
    throw new UsageError(`${file}: cannot read the configuration (${(error as Error).name})`, { cause: error });
  }
  const section = (doc as { actions?: unknown } | null)?.actions;
  const parsed = ActionsPolicySchema.safeParse(section ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`${file}: actions.${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

/** Who may act on this service: the union of every matching entry. */
export function allowedFor(
  policy: ActionsPolicy,
  target: { cluster: string; service: string },
): { users: string[]; usergroups: string[] } {
  const matching = policy.allow.filter(
    (a) =>
      (a.cluster === undefined || a.cluster === target.cluster) &&
      (a.service === undefined || a.service === target.service),
  );
  return {
    users: [...new Set(matching.flatMap((a) => a.users))],
    usergroups: [...new Set(matching.flatMap((a) => a.usergroups))],
  };
}

export type Authorisation = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

/**
 * Whether `user` may act on the service: listed by id, or a member of a listed user group (`members` resolves a group,
 * typically usergroups.users.list, cached). A refusal names who can, as Slack mentions.
 */
export async function authorise(
  policy: ActionsPolicy,
  target: { cluster: string; service: string },
  user: string,
  members: (usergroup: string) => Promise<readonly string[]>,
): Promise<Authorisation> {
  const allowed = allowedFor(policy, target);
  if (allowed.users.includes(user)) return { allowed: true };
  for (const group of allowed.usergroups) {
    try {
      if ((await members(group)).includes(user)) return { allowed: true };
    } catch {
      // A group that cannot be read grants nobody; the others may still.
    }
  }
  const who = [...allowed.users.map((u) => `<@${u}>`), ...allowed.usergroups.map((g) => `<!subteam^${g}>`)];
  return {
    allowed: false,
    reason:
      who.length > 0
        ? `only ${who.join(", ")} may roll back or scale ${target.service} in ${target.cluster} — ask one of them`
        : `nobody may roll back or scale ${target.service} in ${target.cluster} from Slack: a platform admin lists who may in the actions.allow section of ECS_MEDIC_CONFIG`,
  };
}
