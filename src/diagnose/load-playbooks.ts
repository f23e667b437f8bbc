import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml, YAMLParseError } from "yaml";
import type { z } from "zod";
import { PlaybookInvalidError } from "../errors";
import { compileRule, PatternError, type CompiledRule } from "./matcher";
import {
  CheckFileSchema,
  CheckOrderSchema,
  SymptomFileSchema,
  type CheckOrder,
  type CheckText,
  type SymptomRule,
} from "./playbook-schema";

/** Everything the diagnosis knows, loaded once. Pure data plus compiled matchers. */
export interface Playbooks {
  readonly checkOrder: CheckOrder;
  /** Failure rules first by priority (high → low), then load order; `normal` rules after them. */
  readonly rules: readonly CompiledRule[];
  readonly checks: ReadonlyMap<string, CheckText>;
  /** Files read, in order, for `--explain` and error messages. */
  readonly sources: readonly string[];
}

/**
 * The playbooks shipped with ecs-medic. From a checkout and from the bundled CLI alike the folder sits two
 * levels above this module's file (src/diagnose → playbooks, dist/cli → playbooks).
 */
export function builtinPlaybookDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    resolve(here, "../../playbooks"),
    resolve(here, "../playbooks"),
    resolve(process.cwd(), "playbooks"),
  ];
  return candidates.find((dir) => existsSync(join(dir, "service-not-healthy.yaml"))) ?? candidates[0]!;
}

/**
 * Loads the built-in playbooks and then each override folder in order. A folder may hold
 * `service-not-healthy.yaml`, `symptoms/*.yaml` and `checks/*.yaml`; a rule or check with an id already loaded
 * replaces it (or removes it with `disabled: true`). Any problem throws `PlaybookInvalidError` naming the file,
 * the rule and the field.
 */
export function loadPlaybooks(options: { overrides?: readonly string[]; builtin?: string } = {}): Playbooks {
  const dirs = [options.builtin ?? builtinPlaybookDir(), ...(options.overrides ?? [])];
  const sources: string[] = [];
  let checkOrder: CheckOrder | undefined;
  const rules = new Map<string, { rule: SymptomRule; source: string }>();
  const checks = new Map<string, CheckText>();

  for (const [index, dir] of dirs.entries()) {
    if (!existsSync(dir)) throw new PlaybookInvalidError(dir, `playbook folder ${dir} does not exist`);
    const filesBefore = sources.length;
    const orderFile = join(dir, "service-not-healthy.yaml");
    if (existsSync(orderFile)) {
      checkOrder = parseFile(orderFile, CheckOrderSchema, (data) => data);
      sources.push(orderFile);
    } else if (index === 0) {
      throw new PlaybookInvalidError(orderFile, `${orderFile} is missing: it defines the check order`);
    }
    const seenHere = new Set<string>();
    for (const file of yamlFiles(join(dir, "symptoms"))) {
      sources.push(file);
      const parsed = parseFile(file, SymptomFileSchema, (data) => data.rules);
      for (const rule of parsed) {
        if (seenHere.has(rule.id))
          throw new PlaybookInvalidError(file, `${file}: rule ${rule.id} is defined twice in ${dir}`);
        seenHere.add(rule.id);
        if (rule.disabled) rules.delete(rule.id);
        else rules.set(rule.id, { rule, source: file });
      }
    }
    for (const file of yamlFiles(join(dir, "checks"))) {
      sources.push(file);
      for (const check of parseFile(file, CheckFileSchema, (data) => data.checks)) {
        if (check.disabled) checks.delete(check.id);
        else checks.set(check.id, check);
      }
    }
    // An override that holds nothing (a file, a typo'd folder, one without symptoms/) must not pass silently.
    if (index > 0 && sources.length === filesBefore)
      throw new PlaybookInvalidError(
        dir,
        `${dir} holds no playbooks: expected service-not-healthy.yaml, symptoms/*.yaml or checks/*.yaml in it`,
      );
  }

  let order = 0;
  const compiled = [...rules.values()].map(({ rule, source }) => {
    try {
      return compileRule(rule, source, order++);
    } catch (error) {
      if (error instanceof PatternError) {
        throw new PlaybookInvalidError(
          source,
          `${display(source)}: rule ${rule.id}: ${error.field}: ${error.message}`,
          { cause: error },
        );
      }
      throw error;
    }
  });
  return { checkOrder: checkOrder!, rules: sortRules(compiled), checks, sources };
}

/** Failure rules before benign ones; within each, higher priority first, then load order. */
export function sortRules(rules: CompiledRule[]): CompiledRule[] {
  const benign = (r: CompiledRule) => (r.rule.symptom === "normal" ? 1 : 0);
  return [...rules].sort((a, b) => benign(a) - benign(b) || b.rule.priority - a.rule.priority || a.order - b.order);
}

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => join(dir, name));
}

function parseFile<S extends z.ZodType, R>(file: string, schema: S, pick: (data: z.infer<S>) => R): R {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, "utf8"), { prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    const detail = error instanceof YAMLParseError ? error.message.split("\n")[0] : (error as Error).message;
    throw new PlaybookInvalidError(file, `${display(file)}: not valid YAML: ${detail}`, { cause: error });
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const first = result.error.issues[0]!;
    const where = describePath(raw, first.path);
    const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more problem(s))` : "";
    throw new PlaybookInvalidError(file, `${display(file)}: ${where}: ${first.message}${more}`, {
      cause: result.error,
    });
  }
  return pick(result.data);
}

/** "rule oom-container-reason, field match.exitCode" from a zod path into `rules[3].match.exitCode`. */
function describePath(raw: unknown, path: readonly PropertyKey[]): string {
  const [top, index, ...rest] = path;
  if ((top === "rules" || top === "checks" || top === "steps") && typeof index === "number") {
    const item = (raw as Record<string, unknown[]>)[top]?.[index] as { id?: unknown } | undefined;
    const name = typeof item?.id === "string" ? item.id : `#${index + 1}`;
    const kind = top === "rules" ? "rule" : top === "checks" ? "check" : "step";
    return `${kind} ${name}, field ${rest.length > 0 ? rest.map(String).join(".") : "(whole entry)"}`;
  }
  return `field ${path.length > 0 ? path.map(String).join(".") : "(top level)"}`;
}

function display(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith("..") ? file : rel || basename(file);
}
