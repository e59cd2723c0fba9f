/**
 * `func.jacrev`, `jacfwd` and `hessian` (torch.func's): Jacobians of functions of tensors and
 * trees of tensors, one reverse pass per output element. `jacfwd` shares jacrev's machinery —
 * Tensile has no forward mode — so it gives the same values (not the same cost: functorch's
 * jacfwd takes one forward pass per input element instead, cheaper for wide outputs).
 */
import { Tensor } from "../tensor/tensor.js";
import { TensileError, fmtValue } from "../errors.js";
import { enableGrad, isGradEnabled } from "../autograd/grad-mode.js";
import { stack, tensor, zeros } from "../core.js";
import { treeFlatten, treeUnflatten } from "./pytree.js";
import { type AnyFn, type ArgnumsOptions, Finisher, checkFn, normArgnums, perArgnum, prepareArgs, readOptions, splitAux } from "./common.js";
import { vjpTensors } from "./grad.js";

/** ∂o/∂x for each leaf x: [...o.shape, ...x.shape], by one vector–Jacobian product per element of o. */
function jacobianRows(op: string, o: Tensor, xs: Tensor[], createGraph: boolean): Tensor[] {
  if (o.dtype !== "float32" && o.dtype !== "float64") throw new TensileError(`${op}: the function's outputs must be floating point, got ${o.dtype}`);
  const n = o.numel();
  if (n === 0 || !o.requiresGrad) return xs.map((x) => zeros([...o.shape, ...x.shape], { dtype: x.dtype }));
  const rows: Tensor[][] = xs.map(() => []);
  for (let k = 0; k < n; k++) {
    const unit = o.dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
    unit[k] = 1;
    const e = tensor(unit, { shape: [...o.shape], dtype: o.dtype });
    vjpTensors([o], [e], xs, createGraph).forEach((g, j) => rows[j]!.push(g));
  }
  return xs.map((x, j) => stack(rows[j]!).reshape([...o.shape, ...x.shape]));
}

interface JacOptions extends ArgnumsOptions {
  /** Accepted for functorch's signature (jacfwd); the function runs once, so it draws once. */
  randomness?: "error" | "different" | "same";
}

function jacTransform(op: string, fn: AnyFn, options: unknown, allowed: readonly string[]): (...args: any[]) => any {
  checkFn(op, fn);
  const opts = readOptions<JacOptions>(op, options, allowed);
  if (opts.randomness !== undefined && !["error", "different", "same"].includes(opts.randomness))
    throw new TensileError(`${op}: randomness must be "error", "different" or "same", got ${fmtValue(opts.randomness)}`);
  return (...args: unknown[]) => {
    const createGraph = isGradEnabled();
    const [nums, many] = normArgnums(op, opts.argnums, args.length);
    const { newArgs, leaves, groups } = prepareArgs(op, args, nums, createGraph);
    const [out, aux] = splitAux(op, enableGrad(() => fn(...newArgs)), opts.hasAux ?? false);
    const [outs, outSpec] = treeFlatten(out);
    const fin = new Finisher(new Set(leaves));
    const jacs = outs.map((o, i) => {
      if (!(o instanceof Tensor)) throw new TensileError(`${op}: expected the function's outputs to be Tensors, got ${fmtValue(o)}${outs.length > 1 ? ` (output leaf ${i})` : ""}`);
      const J = jacobianRows(op, o, leaves, createGraph).map((t) => fin.tensor(t));
      return perArgnum(groups, J, many);
    });
    const res = treeUnflatten(outSpec, jacs);
    return opts.hasAux ? [res, fin.tree(aux)] : res;
  };
}

/**
 * torch.func.jacrev: `jacrev(f, {argnums, hasAux})(...args)`. For each output leaf (tensor o),
 * the Jacobian with respect to args[argnums] shaped like that argument, each leaf x getting a
 * tensor of shape [...o.shape, ...x.shape] (an array over argnums when argnums is an array); the
 * output's tree holds them. With `hasAux`: `[jacobian, aux]`.
 */
export function jacrev(fn: AnyFn, options?: ArgnumsOptions | number | readonly number[]): (...args: any[]) => any {
  return jacTransform("jacrev", fn, options, ["argnums", "hasAux"]);
}

/** torch.func.jacfwd: the same results as `jacrev` (computed in reverse mode; see the module comment). */
export function jacfwd(fn: AnyFn, options?: JacOptions | number | readonly number[]): (...args: any[]) => any {
  return jacTransform("jacfwd", fn, options, ["argnums", "hasAux", "randomness"]);
}

/**
 * torch.func.hessian: `jacfwd(jacrev(f, argnums), argnums)`, for a function with one output
 * element: shape [...x.shape, ...x.shape] for one input tensor x.
 */
export function hessian(fn: AnyFn, options?: { argnums?: number | readonly number[] } | number | readonly number[]): (...args: any[]) => any {
  checkFn("hessian", fn);
  const opts = readOptions<{ argnums?: number | readonly number[] }>("hessian", options, ["argnums"]);
  return jacfwd(jacrev(fn, { argnums: opts.argnums ?? 0 }), { argnums: opts.argnums ?? 0 });
}
