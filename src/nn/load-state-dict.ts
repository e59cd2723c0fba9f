/**
 * The checks and messages of `Module.loadStateDict` (PyTorch's `load_state_dict`): the `strict`
 * argument, the value errors (not a tensor, size mismatch) and the key errors, worded as PyTorch's.
 */
import { Tensor } from "../core.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";

/** `strict` from `loadStateDict(sd, false)` (PyTorch's positional form) or `{ strict }`; default true. */
export function strictArg(options: unknown): boolean {
  if (options !== null && options !== undefined && typeof options !== "boolean" && typeof options !== "object")
    throw new TensileError(`loadStateDict: expected strict (a boolean) or an options object { strict }, got ${fmtValue(options)}`);
  const { strict = true } = (typeof options === "boolean" ? { strict: options } : options ?? {}) as { strict?: unknown };
  if (typeof strict !== "boolean") throw new TensileError(`loadStateDict: strict must be a boolean, got ${fmtValue(strict)}`);
  return strict;
}

/** A checkpoint entry that is not a tensor or has another shape than the module's: always an error. */
export function valueErrors(own: readonly [string, Tensor][], given: ReadonlyMap<string, unknown>): string[] {
  const errors: string[] = [];
  for (const [k, t] of own) {
    if (!given.has(k)) continue;
    const src = given.get(k);
    if (!(src instanceof Tensor)) errors.push(`While copying the parameter named "${k}", expected a Tensor from checkpoint but received ${typeof src}.`);
    else if (src.shape.length !== t.shape.length || src.shape.some((d, i) => d !== t.shape[i]))
      errors.push(`size mismatch for ${k}: copying a param with shape ${fmtShape(src.shape)} from checkpoint, the shape in current model is ${fmtShape(t.shape)}.`);
  }
  return errors;
}

/** A strict load's missing and unexpected keys, as PyTorch lists them (missing first). */
export function keyErrors(missingKeys: readonly string[], unexpectedKeys: readonly string[]): string[] {
  const errs: string[] = [];
  if (missingKeys.length) errs.push(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(", ")}.`);
  if (unexpectedKeys.length) errs.push(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(", ")}.`);
  return errs;
}

/**
 * A PyTorch checkpoint loaded into a port whose properties were renamed to camelCase (`fcMu`
 * missing, `fc_mu` unexpected): a line saying so, or none.
 */
export function renamedKeyHint(missingKeys: readonly string[], unexpectedKeys: readonly string[]): string[] {
  const snake = (k: string) => k.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());
  const renamed = missingKeys.find((k) => snake(k) !== k && unexpectedKeys.includes(snake(k)));
  return renamed
    ? [`(keys are property names: "${renamed}" is "${snake(renamed)}" in the checkpoint; name the property as PyTorch's attribute, or rename the checkpoint's keys)`]
    : [];
}
