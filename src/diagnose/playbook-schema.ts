import { z } from "zod";
import { STEP_IDS } from "../evidence/schema";
import { CONFIG_SYMPTOMS, MESSAGE_FIELDS, MESSAGE_SYMPTOMS, SEVERITIES } from "./symptoms";

/**
 * The YAML a platform team writes. Validated at load; errors name the file, the rule and the field.
 * Rule text (title, why, fix, next) is data; TypeScript only evaluates `match`.
 */

const OneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1)]);
const Pattern = z.string().min(1);

/**
 * A rule's match: every condition given must hold. `any`: at least one regex matches the text; `all`: each does;
 * `none`: none does. Regexes are RE2 syntax (linear-time matching: no lookaround, no backreferences; see
 * src/diagnose/pattern.ts), case-insensitive unless `caseSensitive: true`; named groups (`(?<secretArn>arn:[^ ]+)`)
 * become `{secretArn}` in the rule's text. Structured conditions compare the message's
 * extra fields exactly (strings case-insensitively).
 *
 * @example
 * match:
 *   any: ["OutOfMemoryError", "OOMKilled"]
 *   exitCode: 137
 */
export const MatchSchema = z
  .object({
    any: OneOrMany(Pattern).optional(),
    all: OneOrMany(Pattern).optional(),
    none: OneOrMany(Pattern).optional(),
    /** Regexes that only extract named groups for the rule's text; they never decide whether the rule matches. */
    capture: OneOrMany(Pattern).optional(),
    caseSensitive: z.boolean().optional(),
    exitCode: OneOrMany(z.number().int()).optional(),
    /** Exit code present and not one of these. */
    exitCodeNot: OneOrMany(z.number().int()).optional(),
    stopCode: OneOrMany(z.string()).optional(),
    reasonCode: OneOrMany(z.string()).optional(),
    state: OneOrMany(z.string()).optional(),
    eventName: OneOrMany(z.string()).optional(),
    errorCode: OneOrMany(z.string()).optional(),
    detailType: OneOrMany(z.string()).optional(),
  })
  .strict()
  .refine(
    (m) =>
      Object.entries(m).some(([key, value]) => key !== "caseSensitive" && key !== "capture" && value !== undefined),
    {
      message: "a match needs at least one condition (any, all, exitCode, stopCode, reasonCode, …)",
    },
  );
export type Match = z.infer<typeof MatchSchema>;

export const SymptomRuleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_.-]{1,80}$/, "lower-case letters, digits, '.', '_' and '-'"),
    symptom: z.enum(MESSAGE_SYMPTOMS),
    cause: z
      .string()
      .regex(/^[a-z0-9_]{1,60}$/)
      .optional(),
    fields: z.array(z.enum(MESSAGE_FIELDS)).min(1),
    match: MatchSchema,
    severity: z.enum(SEVERITIES),
    /** Higher wins when several rules match one message. Failure rules always beat `normal` rules. @default 50 */
    priority: z.number().int().min(0).max(1000).default(50),
    /**
     * `effect` for consequences of another problem (a failed deployment, a crash loop): they rank below root causes
     * when the diagnosis picks its primary finding. @default cause
     */
    role: z.enum(["cause", "effect"]).default("cause"),
    title: z.string().min(1).max(150),
    why: z.string().default(""),
    fix: z.string().default(""),
    next: z.array(z.string()).default([]),
    /**
     * Title and fix used instead when the message is an AWS AccessDenied that names its action (and usually the
     * principal, resource and reason; src/diagnose/access-denied.ts): they can use {denied} ("sqs:SendMessage on
     * queue orders-events"), {deniedAction}, {deniedResource}, {deniedPrincipal}, {denialReason} and {denialFix}.
     */
    denied: z
      .object({ title: z.string().min(1).max(150), fix: z.string().min(1) })
      .strict()
      .optional(),
    /** In an override folder: remove the built-in rule with this id. */
    disabled: z.boolean().optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if (rule.symptom !== "normal" && !rule.disabled) {
      if (!rule.why) ctx.addIssue({ code: "custom", path: ["why"], message: "a failure rule must say why" });
      if (!rule.fix)
        ctx.addIssue({ code: "custom", path: ["fix"], message: "a failure rule must say what to do (fix)" });
    }
  });
export type SymptomRule = z.infer<typeof SymptomRuleSchema>;

export const SymptomFileSchema = z.object({ rules: z.array(SymptomRuleSchema) }).strict();

/** Configuration checks: the logic is TypeScript (src/diagnose/checks), the words are here. */
export const CheckTextSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_.-]{1,80}$/),
    symptom: z.enum([...CONFIG_SYMPTOMS, ...MESSAGE_SYMPTOMS]),
    cause: z.string().optional(),
    severity: z.enum(SEVERITIES),
    title: z.string().min(1).max(150),
    why: z.string().min(1),
    fix: z.string().min(1),
    next: z.array(z.string()).default([]),
    /**
     * Message-level symptoms this configuration finding explains (a security group that blocks the port explains
     * ELB health-check timeouts). The diagnosis names the explanation beside the symptom it explains.
     */
    explains: z.array(z.enum(MESSAGE_SYMPTOMS)).default([]),
    disabled: z.boolean().optional(),
  })
  .strict();
export type CheckText = z.infer<typeof CheckTextSchema>;

export const CheckFileSchema = z.object({ checks: z.array(CheckTextSchema) }).strict();

/** playbooks/service-not-healthy.yaml: the check order and the thresholds the diagnosis uses. */
export const CheckOrderSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    steps: z
      .array(
        z
          .object({
            id: z.enum(STEP_IDS),
            reads: z.string(),
            judges: z.string(),
            /** Which message fields this step's evidence feeds into classification. */
            fields: z.array(z.enum(MESSAGE_FIELDS)).default([]),
          })
          .strict(),
      )
      .min(1),
    thresholds: z
      .object({
        /** A change this close before the first failure is a suspect. */
        recentChangeMinutes: z.number().positive().default(60),
        /** Average CPU or memory (%) over the last readings that counts as saturated. */
        saturationPercent: z.number().min(1).max(100).default(80),
        /** Readings (newest) averaged for saturation. */
        saturationPoints: z.number().int().min(1).default(5),
        /** p95 latency or requests per target rising by this factor (last third vs first third) counts as rising. */
        risingFactor: z.number().min(1).default(1.5),
        /** Emergency scale: multiply desired count by this. */
        scaleFactor: z.number().min(1).max(10).default(1.5),
        /** Emergency scale never adds more than this many tasks at once. */
        scaleMaxAdd: z.number().int().min(1).default(20),
      })
      .strict()
      .default({
        recentChangeMinutes: 60,
        saturationPercent: 80,
        saturationPoints: 5,
        risingFactor: 1.5,
        scaleFactor: 1.5,
        scaleMaxAdd: 20,
      }),
  })
  .strict();
export type CheckOrder = z.infer<typeof CheckOrderSchema>;
