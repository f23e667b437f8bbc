import { existsSync, readdirSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PlaybookInvalidError } from "../errors";
import { compileRule, PatternError, type CompiledRule } from "./matcher";
import type { CheckOrder, CheckText, SymptomRule } from "./playbook-schema";

/**
 * What loading playbooks assembles, whether the folders were read as YAML (load-playbooks.ts) or the built-in one as
 * its build-time compiled form (compiled-playbooks.ts). Imports neither the YAML parser nor zod, so the compiled path
 * (`classify`, `diagnose` from the bundle) loads neither.
 */

/** Everything the diagnosis knows, loaded once. Pure data plus compiled matchers. */
export interface Playbooks {
  readonly checkOrder: CheckOrder;
  /** Failure rules first by priority (high → low), then load order; `normal` rules after them. */
  readonly rules: readonly CompiledRule[];
  readonly checks: ReadonlyMap<string, CheckText>;
  /** Files read, in order, for `--explain` and error messages. */
  readonly sources: readonly string[];
}

/** A rule as loaded, before its patterns are compiled. */
export interface LoadedRule {
  readonly rule: SymptomRule;
  readonly source: string;
  /**
   * Whether its patterns were already compiled once when the build validated them (the built-in playbooks' compiled
   * form): then each pattern's engine is built on first use. A rule read from YAML compiles every pattern at load
   * the first time this process reads it (see `compiledOnce`), so a pattern RE2 refuses is a load error naming the
   * file, the rule and the field.
   */
  readonly validated: boolean;
}

/** The playbooks read so far, folder after folder: a later folder's rule or check with a known id replaces it. */
export interface PlaybookSet {
  checkOrder: CheckOrder | undefined;
  readonly rules: Map<string, LoadedRule>;
  readonly checks: Map<string, CheckText>;
  readonly sources: string[];
}

export const emptyPlaybookSet = (): PlaybookSet => ({
  checkOrder: undefined,
  rules: new Map(),
  checks: new Map(),
  sources: [],
});

/**
 * The playbooks shipped with ecs-medic. From a checkout and from the bundled CLI alike the folder sits two
 * levels above this module's file (src/diagnose → playbooks, dist/cli/chunks → dist/playbooks); from a Lambda
 * handler's chunk three (dist/handlers/chunks/worker → dist/playbooks, as the worker's zip carries it).
 */
export function builtinPlaybookDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    resolve(here, "../../playbooks"),
    resolve(here, "../playbooks"),
    resolve(here, "../../../playbooks"),
    resolve(process.cwd(), "playbooks"),
  ];
  return candidates.find((dir) => existsSync(join(dir, ORDER_FILE))) ?? candidates[0]!;
}

/** The file of a playbook folder that defines the check order. */
export const ORDER_FILE = "service-not-healthy.yaml";

/** The `*.yaml` / `*.yml` files of a folder, sorted by name (the load order); none when it does not exist. */
export function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => join(dir, name));
}

/** Every playbook file of a folder, in the order a load reads them: the check order, symptoms/, checks/. */
export function playbookFiles(dir: string): string[] {
  const order = join(dir, ORDER_FILE);
  return [
    ...(existsSync(order) ? [order] : []),
    ...yamlFiles(join(dir, "symptoms")),
    ...yamlFiles(join(dir, "checks")),
  ];
}

/** Compiles every rule (a refused pattern throws `PlaybookInvalidError` naming file, rule and field) and sorts them. */
export function finishPlaybooks(set: PlaybookSet): Playbooks {
  let order = 0;
  const compiled = [...set.rules.values()].map(({ rule, source, validated }) => {
    try {
      const lazy = validated || compiledOnce.has(rule);
      const result = compileRule(rule, source, order++, { lazy });
      if (!lazy) compiledOnce.add(rule);
      return result;
    } catch (error) {
      if (error instanceof PatternError) {
        throw new PlaybookInvalidError(
          source,
          `${displayPath(source)}: rule ${rule.id}: ${error.field}: ${error.message}`,
          { cause: error },
        );
      }
      throw error;
    }
  });
  return { checkOrder: set.checkOrder!, rules: sortRules(compiled), checks: set.checks, sources: set.sources };
}

/**
 * Rules whose every pattern compiled once in this process: the loader hands out the same (read-only) rule object for
 * the same file bytes, so its next load compiles them on first use, like the built-in playbooks' compiled form.
 */
const compiledOnce = new WeakSet<object>();

/** Failure rules before benign ones; within each, higher priority first, then load order. */
export function sortRules(rules: CompiledRule[]): CompiledRule[] {
  const benign = (r: CompiledRule) => (r.rule.symptom === "normal" ? 1 : 0);
  return [...rules].sort((a, b) => benign(a) - benign(b) || b.rule.priority - a.rule.priority || a.order - b.order);
}

/** A file as error messages show it: relative to the working directory when it is under it. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith("..") ? file : rel || basename(file);
}
