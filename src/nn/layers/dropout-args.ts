/** Argument checks shared by the dropout layers (dropout.ts, pool.ts's Dropout2d); internal, not re-exported by nn. */
import { Generator } from "../../core.js";
import { TensileError, fmtValue } from "../../errors.js";
import { positionalOptions } from "../../utils/positional.js";

export function checkP(op: string, p: number): void {
  if (typeof p !== "number" || !(p >= 0 && p <= 1))
    throw new TensileError(`${op}: dropout probability has to be between 0 and 1, but got ${p}`);
}

export function checkInplace(op: string, v: unknown): boolean {
  if (v !== undefined && typeof v !== "boolean") throw new TensileError(`${op}: inplace must be a boolean, got ${fmtValue(v)}`);
  return v ?? false;
}

/** A dropout layer's optional generator: a `Generator` or nothing. */
export function checkGenerator(op: string, g: unknown): Generator | undefined {
  if (g !== undefined && g !== null && !(g instanceof Generator))
    throw new TensileError(`${op}: generator must be a Generator, got ${fmtValue(g)}`);
  return (g ?? undefined) as Generator | undefined;
}

/** The options of the channel dropouts: PyTorch's `p`, `inplace`, and Tensile's `generator`. */
export interface ChannelDropoutOptions { p?: number; inplace?: boolean; generator?: Generator }

/**
 * A channel dropout's arguments: `(p, generator?)`, `(p, options?)` or `(options?)` with options
 * `{ p, inplace, generator }`. The second position stays the generator (as before), so PyTorch's
 * positional `inplace` there is refused with a pointer to `{ inplace }` rather than taken silently.
 */
export function channelDropoutArgs(op: string, args: readonly unknown[]): { p: number; inplace: boolean; generator?: Generator } {
  if (args[1] !== undefined && args[1] !== null && !(args[1] instanceof Generator) && typeof args[1] !== "object")
    throw new TensileError(`${op}: generator must be a Generator, got ${fmtValue(args[1])} (PyTorch's positional inplace goes in the options here: { inplace: ${fmtValue(args[1])} })`);
  const rest = args[1] instanceof Generator ? [args[0], { generator: args[1] }, ...args.slice(2)] : args;
  const o = positionalOptions<ChannelDropoutOptions>(op, rest, { keys: ["p"], known: ["inplace", "generator"] });
  const p = o.p ?? 0.5;
  checkP(op, p);
  return { p, inplace: checkInplace(op, o.inplace), generator: checkGenerator(op, o.generator) };
}
