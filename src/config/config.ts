import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

/**
 * ecs-medic's configuration: a YAML file named by `ECS_MEDIC_CONFIG`, validated with zod; an error names the file
 * and the field (`routes[2].channel: expected a Slack channel id or #name`).
 *
 * ```yaml
 * version: 1
 * defaultChannel: "#incidents"          # else ECS_MEDIC_DEFAULT_CHANNEL
 * routes:                               # first match wins, most specific first is your job
 *   - { cluster: prod, service: payment-api, channel: C0PAYMENTS }
 *   - { cluster: prod, channel: "#prod-incidents" }
 *   - { tag: { key: team, value: payments }, channel: C0PAYMENTS }
 * alarms:                               # alarm → service when the dimensions do not say (or say wrong)
 *   - { alarm: payment-api-latency-p95, cluster: prod, service: payment-api }
 *   - { alarmPrefix: "checkout-", cluster: prod, service: checkout }
 * stoppedTaskArchive: { ttlDays: 14, clusters: [prod] }
 * ```
 *
 * `actions:` (who may act per service/cluster, caps) and `access:` (who may ask) are added by later issues: the keys
 * are reserved and accepted so a config written for them loads today, but nothing reads them yet.
 */

const name = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9_-]+$/, "expected an ECS name (letters, digits, - and _)");
const channel = z
  .string()
  .regex(/^(?:[CGD][A-Z0-9]{6,}|#[a-z0-9][a-z0-9._-]{0,79})$/, "expected a Slack channel id (C0123ABC) or #name");

const RouteSchema = z
  .object({
    cluster: name.optional(),
    service: name.optional(),
    /** Matches the alarm's tags (read with ListTagsForResource when the alarm is mapped). */
    tag: z
      .object({ key: z.string().min(1).max(128), value: z.string().max(256) })
      .strict()
      .optional(),
    channel,
  })
  .strict()
  .refine((r) => r.cluster !== undefined || r.service !== undefined || r.tag !== undefined, {
    message: "a route needs at least one of cluster, service, tag",
  });

const AlarmMappingSchema = z
  .object({
    alarm: z.string().min(1).max(255).optional(),
    alarmPrefix: z.string().min(1).max(255).optional(),
    cluster: name,
    service: name,
  })
  .strict()
  .refine((m) => (m.alarm === undefined) !== (m.alarmPrefix === undefined), {
    message: "give exactly one of alarm, alarmPrefix",
  });

export const ConfigSchema = z
  .object({
    version: z.literal(1).default(1),
    defaultChannel: channel.optional(),
    routes: z.array(RouteSchema).default([]),
    alarms: z.array(AlarmMappingSchema).default([]),
    stoppedTaskArchive: z
      .object({
        enabled: z.boolean().default(true),
        ttlDays: z.number().int().min(1).max(365).default(14),
        /** Only these clusters' services are archived (names); absent → every cluster. */
        clusters: z.array(name).optional(),
        /** Only these services (names, in any listed cluster); absent → every service. */
        services: z.array(name).optional(),
      })
      .strict()
      .default({ enabled: true, ttlDays: 14 }),
    /** Added by later issues (guarded actions: who may act, caps). Reserved; not read yet. */
    actions: z.unknown().optional(),
    /** Added by later issues (who may ask). Reserved; not read yet. */
    access: z.unknown().optional(),
  })
  .strict();
export type Config = z.infer<typeof ConfigSchema>;

export const EMPTY_CONFIG: Config = ConfigSchema.parse({});

/** The configuration file is unreadable or invalid. Defined here (not in src/errors.ts) with the code `config_invalid`. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly code = "config_invalid";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === "number" ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    "",
  );
}

/** Validates already-parsed YAML; `source` names it in errors. */
export function parseConfig(raw: unknown, source = "config"): Config {
  const parsed = ConfigSchema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues
    .slice(0, 5)
    .map((i) => `${fieldPath(i.path) || "(top level)"}: ${i.message}`)
    .join("; ");
  throw new ConfigError(`${source}: ${lines}`);
}

export function loadConfigFile(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(`ECS_MEDIC_CONFIG ${file}: cannot read it (${(error as Error).message})`, { cause: error });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`ECS_MEDIC_CONFIG ${file}: not valid YAML (${(error as Error).message})`, { cause: error });
  }
  return parseConfig(raw, `ECS_MEDIC_CONFIG ${file}`);
}

/** The configuration `ECS_MEDIC_CONFIG` names, or the empty one when it is unset. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const file = env.ECS_MEDIC_CONFIG;
  return file ? loadConfigFile(file) : EMPTY_CONFIG;
}
