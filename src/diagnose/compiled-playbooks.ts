import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { rememberNeedles, type NeedleTable } from "./needles";
import type { CheckOrder, CheckText, SymptomRule } from "./playbook-schema";
import {
  builtinPlaybookDir,
  emptyPlaybookSet,
  finishPlaybooks,
  playbookFiles,
  type PlaybookSet,
  type Playbooks,
} from "./playbook-set";

/**
 * The built-in playbooks compiled at build time: scripts/build.mjs reads playbooks/ as YAML, validates it with the
 * zod schema and compiles every pattern (compile-playbooks.ts), and writes what that gave beside the folder it copies
 * the YAML to: dist/playbooks.compiled.json (beside, not in it: dist/playbooks stays a copy of playbooks/). The bundle then loads the built-in rules with one `JSON.parse`, without
 * the YAML parser, zod or an RE2 compilation at start-up (each pattern's engine is built on first use).
 *
 * The YAML stays the source of truth. The compiled form records the SHA-256 of every YAML file it came from and is
 * used only while the folder holds exactly those files with exactly those bytes; otherwise (a YAML edited after the
 * build, a file added or removed, no compiled form: a checkout run through tsx) the folder is read as YAML. Override
 * folders (`--playbooks`, ECS_MEDIC_PLAYBOOKS) are always read as YAML and validated.
 *
 * Why no zod here: the rules, checks and check order in the file ARE the schema's output (defaults applied) for
 * these exact bytes, produced by the same build from the same schema as the code reading them, and every pattern in
 * them compiled once on RE2 during that build; validating them again would check the same data with the same schema.
 */

/** Where a playbook folder's compiled form is: `<folder>.compiled.json` beside it. */
export const compiledFileOf = (dir: string): string => {
  const folder = resolve(dir);
  return join(dirname(folder), `${basename(folder)}.compiled.json`);
};

/** Bumped whenever the shape below changes: a compiled form of another format is ignored (the YAML is read). */
export const COMPILED_FORMAT = 2;

/** `<folder>.compiled.json`: one folder's playbooks as validated at build time, paths relative to the folder ("/"). */
export interface CompiledFolder {
  readonly format: number;
  /** Every YAML file read, in load order, with the SHA-256 (hex) of its bytes. */
  readonly files: readonly (readonly [path: string, sha256: string])[];
  readonly checkOrder: CheckOrder;
  /** The folder's rules in load order (disabled ones already left out), each with its file. */
  readonly rules: readonly { readonly source: string; readonly rule: SymptomRule }[];
  readonly checks: readonly CheckText[];
  /** What needles.ts reads from each pattern's text, read by the build (the same code) once for all. */
  readonly needles: NeedleTable;
}

/** The SHA-256 (hex) of a file's bytes. */
export const fileSha256 = (file: string): string => createHash("sha256").update(readFileSync(file)).digest("hex");

/** A path relative to the folder, with "/" on every platform. */
export const folderPath = (dir: string, file: string): string => relative(dir, file).split(sep).join("/");

/**
 * The compiled form of a folder when it has one that matches its YAML file for file, byte for byte; else undefined.
 * `addTo` puts its check order, rules and checks into a set being loaded, as reading the YAML would have.
 */
export function readCompiledFolder(dir: string): { addTo(set: PlaybookSet): void } | undefined {
  let data: CompiledFolder;
  try {
    data = JSON.parse(readFileSync(compiledFileOf(dir), "utf8")) as CompiledFolder;
  } catch {
    return undefined;
  }
  if (
    !data ||
    data.format !== COMPILED_FORMAT ||
    !Array.isArray(data.files) ||
    !Array.isArray(data.rules) ||
    !data.needles
  )
    return undefined;
  const files = playbookFiles(dir);
  if (files.length !== data.files.length) return undefined;
  for (const [i, file] of files.entries()) {
    const [path, sha256] = data.files[i]!;
    if (folderPath(dir, file) !== path || fileSha256(file) !== sha256) return undefined;
  }
  return {
    addTo(set) {
      rememberNeedles(data.needles);
      set.checkOrder = data.checkOrder;
      set.sources.push(...files);
      for (const { source, rule } of data.rules)
        set.rules.set(rule.id, { rule, source: join(dir, source), validated: true });
      for (const check of data.checks) set.checks.set(check.id, check);
    },
  };
}

/**
 * The built-in playbooks from their compiled form alone, or undefined when there is none that matches the YAML (the
 * caller then loads the YAML). What `classify` without overrides uses: it never loads the YAML parser or zod.
 */
export function loadCompiledPlaybooks(dir: string = builtinPlaybookDir()): Playbooks | undefined {
  const compiled = readCompiledFolder(dir);
  if (!compiled) return undefined;
  const set = emptyPlaybookSet();
  compiled.addTo(set);
  return finishPlaybooks(set);
}
