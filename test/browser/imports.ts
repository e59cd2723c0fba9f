/**
 * The static import graph of the built package, as a browser loads it: from an entry module,
 * follow every `import … from "…"` / `export … from "…"` (not dynamic `import()`, which runs only
 * when called) and report each specifier a browser cannot resolve without a bundler or import
 * map — Node built-ins (`node:fs`) and bare package names — with the file and line.
 *
 * A regular expression is enough here because the input is tsc's output, whose import and export
 * declarations are plain statements at the start of a line (comments start with `*` or `//`).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";

export interface UnresolvableImport {
  /** `dist/train/node-files.js:2` */
  at: string;
  specifier: string;
  statement: string;
}

const STATIC_IMPORT = /^[ \t]*(?:import|export)\b(?:[^"'`;]*?\bfrom)?[ \t]*["']([^"']+)["']/gm;

export function unresolvableStaticImports(root: string, entry: string): { modules: number; bad: UnresolvableImport[] } {
  const seen = new Set<string>();
  const queue = [resolve(root, entry)];
  const bad: UnresolvableImport[] = [];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(STATIC_IMPORT)) {
      const specifier = m[1]!;
      if (specifier.startsWith("./") || specifier.startsWith("../") || specifier.startsWith("/")) {
        const target = specifier.startsWith("/") ? resolve(root, "." + specifier) : resolve(dirname(file), specifier);
        if (existsSync(target)) queue.push(target);
        else bad.push({ at: where(root, file, text, m.index!), specifier, statement: "missing file: " + m[0].trim() });
        continue;
      }
      bad.push({ at: where(root, file, text, m.index!), specifier, statement: m[0].trim().replace(/\s+/g, " ") });
    }
  }
  return { modules: seen.size, bad };
}

function where(root: string, file: string, text: string, index: number): string {
  const line = text.slice(0, index).split("\n").length;
  return `${relative(root, file)}:${line}`;
}
