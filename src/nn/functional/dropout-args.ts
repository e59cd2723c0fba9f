/** The argument after `training` of the F.dropout family; internal, not re-exported by nn.functional. */
import type { Generator } from "../../core.js";
import { TensileError } from "../../errors.js";
import { checkOptionsObject, isOptionsObject, positionalOptions } from "../../utils/positional.js";

/** The argument after `training`: PyTorch's positional `inplace`, or `{ generator, inplace }`. */
export function dropoutArgs(op: string, v: unknown): { generator?: Generator; inplace: boolean } {
  if (typeof v === "boolean") return { inplace: v };
  checkOptionsObject(op, "the argument after training (inplace, or an options object)", v);
  const o = (v ?? {}) as { generator?: Generator; inplace?: unknown };
  for (const k of Object.keys(o)) if (k !== "generator" && k !== "inplace") throw new TensileError(`${op}: unknown option "${k}" (expected generator, inplace)`);
  if (o.inplace !== undefined && typeof o.inplace !== "boolean") throw new TensileError(`${op}: inplace must be a boolean, got ${String(o.inplace)}`);
  return { generator: o.generator, inplace: o.inplace ?? false };
}

/** PyTorch's keywords of the F.dropout family as one options object: `F.dropout(x, { p: 0.2, training: this.training })`. */
export interface DropoutKeywords {
  p?: number;
  training?: boolean;
  inplace?: boolean;
  generator?: Generator;
}

/**
 * `(p, training, opts)` of the F.dropout family with PyTorch's keywords read: an options object in
 * the place of p or training (`F.dropout(x, { p, training })`, `F.dropout(x, 0.2, { training })`)
 * is merged into the positional values; otherwise they come back as given, with the defaults
 * (p 0.5; training `defaultTraining`: true for dropout, false for the alpha dropouts, as PyTorch).
 */
export function dropoutKw(op: string, p: unknown, training: unknown, opts: unknown, defaultTraining: boolean): [number, boolean, { generator?: Generator; inplace?: boolean } | boolean] {
  if (!isOptionsObject(p) && !isOptionsObject(training))
    return [(p ?? 0.5) as number, (training ?? defaultTraining) as boolean, (opts ?? {}) as { generator?: Generator; inplace?: boolean } | boolean];
  const o = positionalOptions<DropoutKeywords>(op, [p, training, opts], { keys: ["p", "training", "inplace"], known: ["generator"] });
  if (o.training !== undefined && typeof o.training !== "boolean") throw new TensileError(`${op}: training must be a boolean, got ${String(o.training)}`);
  return [o.p ?? 0.5, o.training ?? defaultTraining, { generator: o.generator, inplace: o.inplace }];
}
