import { writeFileSync } from "node:fs";
import { COMPILED_FORMAT, compiledFileOf, fileSha256, folderPath, type CompiledFolder } from "./compiled-playbooks";
import { readYamlFolder } from "./load-playbooks";
import { needleTable } from "./needles";
import { emptyPlaybookSet, finishPlaybooks } from "./playbook-set";

/**
 * Build time (scripts/build.mjs): a playbook folder read as YAML and validated exactly as a load does (zod, then
 * every pattern compiled on RE2, so a refused one fails the build naming file, rule and field), as the compiled form
 * compiled-playbooks.ts reads back.
 */
export function compilePlaybookFolder(dir: string): CompiledFolder {
  const set = emptyPlaybookSet();
  readYamlFolder(dir, true, set);
  finishPlaybooks(set);
  const patterns = new Set<string>();
  for (const { rule } of set.rules.values())
    for (const key of ["any", "all", "none", "capture"] as const) {
      const value = rule.match[key];
      for (const source of value === undefined ? [] : Array.isArray(value) ? value : [value]) patterns.add(source);
    }
  return {
    format: COMPILED_FORMAT,
    files: set.sources.map((file) => [folderPath(dir, file), fileSha256(file)] as const),
    checkOrder: set.checkOrder!,
    rules: [...set.rules.values()].map(({ source, rule }) => ({ source: folderPath(dir, source), rule })),
    checks: [...set.checks.values()],
    needles: needleTable([...patterns].sort()),
  };
}

/** Writes the compiled form of `dir` beside it (dist/playbooks.compiled.json, after the build copied the YAML). */
export function writeCompiledPlaybooks(dir: string): CompiledFolder {
  const compiled = compilePlaybookFolder(dir);
  writeFileSync(compiledFileOf(dir), `${JSON.stringify(compiled)}\n`);
  return compiled;
}
