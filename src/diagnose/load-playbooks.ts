import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import type { z } from "zod";
import { PlaybookInvalidError } from "../errors";
import { readCompiledFolder } from "./compiled-playbooks";
import { CheckFileSchema, CheckOrderSchema, SymptomFileSchema } from "./playbook-schema";
import {
  builtinPlaybookDir,
  displayPath,
  emptyPlaybookSet,
  finishPlaybooks,
  ORDER_FILE,
  playbookFiles,
  yamlFiles,
  type PlaybookSet,
  type Playbooks,
} from "./playbook-set";

export { builtinPlaybookDir, sortRules, type Playbooks } from "./playbook-set";

/**
 * Loads the built-in playbooks and then each override folder in order. A folder may hold
 * `service-not-healthy.yaml`, `symptoms/*.yaml` and `checks/*.yaml`; a rule or check with an id already loaded
 * replaces it (or removes it with `disabled: true`). Any problem throws `PlaybookInvalidError` naming the file,
 * the rule and the field.
 *
 * The built-in folder is read from its build-time compiled form when it carries one that still matches its YAML
 * (`<folder>.compiled.json`, written by scripts/build.mjs as dist/playbooks.compiled.json; see compiled-playbooks.ts); a checkout, and
 * any folder whose YAML changed since, is read as YAML. Override folders are always read as YAML and validated.
 */
export function loadPlaybooks(options: { overrides?: readonly string[]; builtin?: string } = {}): Playbooks {
  const dirs = [options.builtin ?? builtinPlaybookDir(), ...(options.overrides ?? [])];
  // The same folders with the same bytes load to the same (read-only) playbooks: a process that loads them again
  // (the Socket Mode dev server per request, a test file per CLI run) skips the parsing, validation and RE2 compiles.
  const key = contentKey(dirs);
  const known = loaded.get(key);
  if (known) return known;
  const playbooks = read(dirs);
  if (loaded.size >= KEPT) loaded.delete(loaded.keys().next().value!);
  loaded.set(key, playbooks);
  return playbooks;
}

/** Loads kept by content (a few: the built-in folder alone, with one or two override sets). */
const KEPT = 4;
const loaded = new Map<string, Playbooks>();

/** Every folder's playbook files, by path and SHA-256 of their bytes: equal keys, equal playbooks. */
function contentKey(dirs: readonly string[]): string {
  const hash = createHash("sha256");
  for (const dir of dirs) {
    hash.update(`dir\0${dir}\0${existsSync(dir)}\0`);
    for (const file of existsSync(dir) ? playbookFiles(dir) : []) {
      hash.update(`${file}\0`);
      try {
        hash.update(readFileSync(file));
      } catch {
        // The load that follows throws, naming the file it cannot read (parseFile), so nothing is kept on this key.
        hash.update("unreadable\0");
      }
    }
  }
  return hash.digest("hex");
}

function read(dirs: readonly string[]): Playbooks {
  const set = emptyPlaybookSet();
  for (const [index, dir] of dirs.entries()) {
    const compiled = index === 0 ? readCompiledFolder(dir) : undefined;
    if (compiled) compiled.addTo(set);
    else readYamlFolder(dir, index === 0, set);
  }
  return finishPlaybooks(set);
}

/** Reads one folder's YAML into `set`, validating every file (zod) as it goes. */
export function readYamlFolder(dir: string, builtin: boolean, set: PlaybookSet): void {
  const { sources, rules, checks } = set;
  if (!existsSync(dir)) throw new PlaybookInvalidError(dir, `playbook folder ${dir} does not exist`);
  const filesBefore = sources.length;
  const orderFile = join(dir, ORDER_FILE);
  if (existsSync(orderFile)) {
    set.checkOrder = parseFile(orderFile, CheckOrderSchema, (data) => data);
    sources.push(orderFile);
  } else if (builtin) {
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
      else rules.set(rule.id, { rule, source: file, validated: false });
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
  if (!builtin && sources.length === filesBefore)
    throw new PlaybookInvalidError(
      dir,
      `${dir} holds no playbooks: expected service-not-healthy.yaml, symptoms/*.yaml or checks/*.yaml in it`,
    );
}

function parseFile<S extends z.ZodType, R>(file: string, schema: S, pick: (data: z.infer<S>) => R): R {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new PlaybookInvalidError(file, `${displayPath(file)}: cannot be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const key = `${file}\0${createHash("sha256").update(bytes).digest("hex")}`;
  const kept = parsedFiles.get(schema) ?? parsedFiles.set(schema, new Map()).get(schema)!;
  const known = kept.get(key);
  if (known !== undefined) {
    // Most recently used last: the built-in files, read by every load, stay while team folders come and go.
    kept.delete(key);
    kept.set(key, known);
    return pick(known as z.infer<S>);
  }
  let raw: unknown;
  try {
    raw = parseYaml(bytes.toString("utf8"), { prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    const detail = error instanceof YAMLParseError ? error.message.split("\n")[0] : (error as Error).message;
    throw new PlaybookInvalidError(file, `${displayPath(file)}: not valid YAML: ${detail}`, { cause: error });
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const first = result.error.issues[0]!;
    const where = describePath(raw, first.path);
    const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more problem(s))` : "";
    throw new PlaybookInvalidError(file, `${displayPath(file)}: ${where}: ${first.message}${more}`, {
      cause: result.error,
    });
  }
  if (kept.size >= FILES_KEPT) kept.delete(kept.keys().next().value!);
  kept.set(key, result.data);
  return pick(result.data);
}

/**
 * Files parsed and validated, by schema, path and SHA-256 of their bytes (read-only once parsed). Loads of different
 * folder sets share their files: every load with a team's folder (each test that writes one, a --playbooks run)
 * reads the built-in folder too, and parses only what is new.
 */
const parsedFiles = new WeakMap<z.ZodType, Map<string, unknown>>();
const FILES_KEPT = 200;

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
