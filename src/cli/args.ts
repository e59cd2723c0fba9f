import { parseArgs } from "node:util";

/** A CLI usage error: printed with the help hint, exit code 2. */
export class UsageError extends Error {}

export interface FlagSpec {
  type: "string" | "boolean";
  help: string;
  default?: string;
  short?: string;
}

/** Parses argv against `flags`, turning Node's parser errors into messages naming the flag. */
export function parseFlags(argv: string[], flags: Record<string, FlagSpec>): Record<string, string | boolean | undefined> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: Object.fromEntries(Object.entries(flags).map(([k, f]) => [k, { type: f.type, ...(f.short ? { short: f.short } : {}) }])),
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const out: Record<string, string | boolean | undefined> = {};
    for (const [k, f] of Object.entries(flags)) out[k] = (values as Record<string, string | boolean | undefined>)[k] ?? f.default;
    return out;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const msg = (e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, "");
    throw new UsageError(msg.replace(/\. To specify.*$/s, ""));
  }
}

export function num(flags: Record<string, unknown>, name: string, opts: { int?: boolean; min?: number; max?: number } = {}): number {
  opts ??= {};
  const raw = flags[name];
  const v = Number(raw);
  if (raw === undefined || raw === "" || !Number.isFinite(v)) throw new UsageError(`--${name} must be a number, got "${raw}"`);
  if (opts.int && !Number.isInteger(v)) throw new UsageError(`--${name} must be an integer, got ${raw}`);
  if (opts.min !== undefined && v < opts.min) throw new UsageError(`--${name} must be >= ${opts.min}, got ${raw}`);
  if (opts.max !== undefined && v > opts.max) throw new UsageError(`--${name} must be <= ${opts.max}, got ${raw}`);
  return v;
}

export function choice<T extends string>(flags: Record<string, unknown>, name: string, allowed: readonly T[]): T {
  const v = String(flags[name]);
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`--${name} must be one of ${allowed.join(", ")}, got "${v}"`);
  return v as T;
}

export function helpText(cmd: string, summary: string, flags: Record<string, FlagSpec>): string {
  const lines = [`Usage: tensile ${cmd} [flags]`, "", summary, "", "Flags:"];
  for (const [k, f] of Object.entries(flags)) {
    const name = `  --${k}${f.type === "string" ? " VALUE" : ""}`;
    lines.push(`${name.padEnd(28)}${f.help}${f.default !== undefined ? ` (default: ${f.default})` : ""}`);
  }
  return lines.join("\n");
}
