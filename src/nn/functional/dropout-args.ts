/** The argument after `training` of the F.dropout family; internal, not re-exported by nn.functional. */
import type { Generator } from "../../core.js";
import { TensileError } from "../../errors.js";
import { checkOptionsObject } from "../../utils/positional.js";

/** The argument after `training`: PyTorch's positional `inplace`, or `{ generator, inplace }`. */
export function dropoutArgs(op: string, v: unknown): { generator?: Generator; inplace: boolean } {
  if (typeof v === "boolean") return { inplace: v };
  checkOptionsObject(op, "the argument after training (inplace, or an options object)", v);
  const o = (v ?? {}) as { generator?: Generator; inplace?: unknown };
  for (const k of Object.keys(o)) if (k !== "generator" && k !== "inplace") throw new TensileError(`${op}: unknown option "${k}" (expected generator, inplace)`);
  if (o.inplace !== undefined && typeof o.inplace !== "boolean") throw new TensileError(`${op}: inplace must be a boolean, got ${String(o.inplace)}`);
  return { generator: o.generator, inplace: o.inplace ?? false };
}
