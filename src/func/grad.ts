/**
 * `func.grad`, `gradAndValue`, `vjp` and `jvp` (functorch 1.13's transforms under torch.func's
 * names), built on reverse-mode autograd (`grad()` with `createGraph`); see common.ts for how
 * they nest. `jvp` is the double-vjp trick: functorch computes it in forward mode.
 */
import { Tensor } from "../tensor/tensor.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { grad as autogradGrad } from "../autograd/engine.js";
import { enableGrad, isGradEnabled } from "../autograd/grad-mode.js";
import { zerosLike } from "../core.js";
import { treeFlatten, treeUnflatten } from "./pytree.js";
import {
  type AnyFn, type ArgnumsOptions, Finisher, checkFn, leafFor, normArgnums, perArgnum, prepareArgs, readOptions, sameShape, splitAux,
} from "./common.js";

/** Gradients of `outs` weighted by `gOuts` w.r.t. `xs`; zeros where an x is unused or no output requires grad. */
export function vjpTensors(outs: Tensor[], gOuts: Tensor[], xs: Tensor[], createGraph: boolean): Tensor[] {
  const live = outs.map((o, i) => [o, gOuts[i]!] as const).filter(([o]) => o.requiresGrad);
  if (live.length === 0) return xs.map((x) => zerosLike(x));
  const gs = autogradGrad(live.map(([o]) => o), xs, { gradOutputs: live.map(([, g]) => g), createGraph, retainGraph: true, allowUnused: true });
  return gs.map((g, i) => g ?? zerosLike(xs[i]!));
}

function gradCore(op: string, fn: AnyFn, opts: ArgnumsOptions, args: unknown[]) {
  const createGraph = isGradEnabled();
  const [nums, many] = normArgnums(op, opts.argnums, args.length);
  const { newArgs, leaves, groups } = prepareArgs(op, args, nums, createGraph);
  const [y, aux] = splitAux(op, enableGrad(() => fn(...newArgs)), opts.hasAux ?? false);
  if (!(y instanceof Tensor)) throw new TensileError(`${op}: expected the function to return a Tensor, got ${fmtValue(y)}`);
  if (y.ndim !== 0)
    throw new TensileError(`${op}: expected the function to return a scalar Tensor, got a tensor of shape ${fmtShape(y.shape)}; maybe you wanted vjp or jacrev`);
  if (y.dtype !== "float32" && y.dtype !== "float64") throw new TensileError(`${op}: the function's output must be floating point, got ${y.dtype}`);
  const gs = vjpTensors([y], [y.onesLike()], leaves, createGraph);
  const fin = new Finisher(new Set(leaves));
  return { grads: perArgnum(groups, gs.map((g) => fin.tensor(g)), many), value: fin.tensor(y), aux: fin.tree(aux) };
}

const GRAD_OPTS = ["argnums", "hasAux"] as const;

/**
 * The gradient transform (torch.func.grad): `grad(f)(...args)` is ∂f/∂args[argnums], shaped like
 * that argument (a tensor, or a tree of tensors: an array or an object of parameters); an array
 * of them for an array of argnums. `f` must return a 0-d floating tensor (with `hasAux`:
 * `[output, aux]`, and the result is `[gradient, aux]`). Composes: `grad(grad(f))`,
 * `vmap(grad(f))`, `jacrev(grad(f))`.
 * ```ts
 * const g = func.grad((x: Tensor) => x.sin().sum())(x); // x.cos()
 * ```
 */
export function grad(fn: AnyFn, options?: ArgnumsOptions | number | readonly number[]): (...args: any[]) => any {
  const op = "grad";
  checkFn(op, fn);
  const opts = readOptions<ArgnumsOptions>(op, options, GRAD_OPTS);
  return (...args: unknown[]) => {
    const r = gradCore(op, fn, opts, args);
    return opts.hasAux ? [r.grads, r.aux] : r.grads;
  };
}

/** Like `grad`, returning `[gradient, value]` (with `hasAux`: `[gradient, [value, aux]]`), as torch.func.grad_and_value. */
export function gradAndValue(fn: AnyFn, options?: ArgnumsOptions | number | readonly number[]): (...args: any[]) => any {
  const op = "gradAndValue";
  checkFn(op, fn);
  const opts = readOptions<ArgnumsOptions>(op, options, GRAD_OPTS);
  return (...args: unknown[]) => {
    const r = gradCore(op, fn, opts, args);
    return opts.hasAux ? [r.grads, [r.value, r.aux]] : [r.grads, r.value];
  };
}

function isAuxOptions(v: unknown): v is { hasAux?: boolean } {
  if (typeof v !== "object" || v === null || Array.isArray(v) || v instanceof Tensor) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && keys[0] === "hasAux" && typeof (v as { hasAux: unknown }).hasAux === "boolean";
}

/** Output tensors of a transform's function: every leaf must be a Tensor. */
function outputLeaves(op: string, out: unknown): [Tensor[], ReturnType<typeof treeFlatten>[1]] {
  const [ls, spec] = treeFlatten(out);
  ls.forEach((l, i) => {
    if (!(l instanceof Tensor)) throw new TensileError(`${op}: expected the function's outputs to be Tensors, got ${fmtValue(l)}${ls.length > 1 ? ` (output leaf ${i})` : ""}`);
  });
  return [ls as Tensor[], spec];
}

/**
 * torch.func.vjp: `const [out, vjpFn] = vjp(f, ...primals)`; `vjpFn(cotangents)` (a tree shaped
 * like `out`) returns an array with vᵀ·∂out/∂primal for each primal, shaped like it. vjpFn may be
 * called many times. A trailing `{hasAux: true}` (an object with that key alone) is the option:
 * `[out, vjpFn, aux]`.
 */
export function vjp(fn: AnyFn, ...primalsAndOptions: unknown[]): [any, (cotangents: unknown) => any[], ...any[]] {
  const op = "vjp";
  checkFn(op, fn);
  const last = primalsAndOptions[primalsAndOptions.length - 1];
  const hasAux = isAuxOptions(last) ? last.hasAux! : false;
  const primals = isAuxOptions(last) ? primalsAndOptions.slice(0, -1) : primalsAndOptions;
  if (primals.length === 0) throw new TensileError(`${op}: expected at least one primal`);
  const createGraph = isGradEnabled();
  const { newArgs, leaves, groups } = prepareArgs(op, primals, primals.map((_, i) => i), createGraph);
  const [out, aux] = splitAux(op, enableGrad(() => fn(...newArgs)), hasAux);
  const [outs, outSpec] = outputLeaves(op, out);
  const own = new Set(leaves);
  const vjpFn = (cotangents: unknown): unknown[] => {
    const [vs, vSpec] = treeFlatten(cotangents);
    if (vs.length !== outs.length || JSON.stringify(vSpec) !== JSON.stringify(outSpec))
      throw new TensileError(`vjpFn: expected cotangents with the structure of the function's output (${outs.length} tensors), got ${fmtValue(cotangents)}`);
    vs.forEach((v, i) => {
      if (!(v instanceof Tensor) || !sameShape(v.shape, outs[i]!.shape))
        throw new TensileError(`vjpFn: cotangent ${i} must be a Tensor of shape ${fmtShape(outs[i]!.shape)} (the output's), got ${fmtValue(v)}`);
    });
    const gs = vjpTensors(outs, vs as Tensor[], leaves, isGradEnabled());
    const fin = new Finisher(own);
    return perArgnum(groups, gs.map((g) => fin.tensor(g)), true) as unknown[];
  };
  const fin = new Finisher(own);
  const res: [unknown, (c: unknown) => unknown[], ...unknown[]] = [treeUnflatten(outSpec, outs.map((o) => fin.tensor(o))), vjpFn];
  if (hasAux) res.push(fin.tree(aux));
  return res as [any, (c: unknown) => any[]];
}

/**
 * (∂ys/∂xs)·vs by the double-vjp trick: u ↦ (∂ys/∂xs)ᵀu is linear in u, so its vjp with vs,
 * taken with respect to u, is the Jacobian–vector product. Two reverse passes instead of
 * functorch's one forward-mode pass: the same values, about twice the work.
 */
export function jvpTensors(ys: Tensor[], xs: Tensor[], vs: Tensor[], createGraph: boolean): Tensor[] {
  // an integer (or bool) output has a zero tangent of its own dtype, as in functorch
  const isFloat = (y: Tensor) => y.dtype === "float32" || y.dtype === "float64";
  const fl = ys.map((y, i) => i).filter((i) => isFloat(ys[i]!));
  const out = ys.map((y) => zerosLike(y));
  if (fl.length === 0) return out;
  const us = fl.map((i) => {
    const u = zerosLike(ys[i]!);
    u.requiresGrad = true;
    return u;
  });
  const gx = enableGrad(() => vjpTensors(fl.map((i) => ys[i]!), us, xs, true));
  const live = gx.map((g, i) => [g, vs[i]!] as const).filter(([g]) => g.requiresGrad);
  if (live.length === 0) return out;
  const r = autogradGrad(live.map(([g]) => g), us, { gradOutputs: live.map(([, v]) => v), createGraph, retainGraph: true, allowUnused: true });
  r.forEach((g, k) => {
    if (g) out[fl[k]!] = g;
  });
  return out;
}

/**
 * torch.func.jvp: `jvp(f, primals, tangents)` with primals and tangents arrays (one entry per
 * argument of f, each a tensor or a tree of them, tangents shaped as primals) returns
 * `[f(...primals), J·tangents]` (with `{hasAux: true}`: `[out, jvpOut, aux]`). Computed by the
 * double-vjp trick on reverse mode (see `jvpTensors`), not in forward mode.
 */
export function jvp(fn: AnyFn, primals: readonly unknown[], tangents: readonly unknown[], options?: { hasAux?: boolean }): any[] {
  const op = "jvp";
  checkFn(op, fn);
  const opts = readOptions<{ hasAux?: boolean }>(op, options, ["hasAux"]);
  if (!Array.isArray(primals) || primals.length === 0) throw new TensileError(`${op}: expected primals to be a non-empty array of arguments, got ${fmtValue(primals)}`);
  if (!Array.isArray(tangents)) throw new TensileError(`${op}: expected tangents to be an array of arguments, got ${fmtValue(tangents)}`);
  const [ps, pSpec] = treeFlatten(primals);
  const [ts, tSpec] = treeFlatten(tangents);
  if (JSON.stringify(pSpec) !== JSON.stringify(tSpec))
    throw new TensileError(`${op}: expected primals and tangents to have the same structure, got ${ps.length} and ${ts.length} leaves`);
  const createGraph = isGradEnabled();
  const leaves = ps.map((p, i) => leafFor(op, p, `primal leaf ${i}`, createGraph));
  ts.forEach((t, i) => {
    if (!(t instanceof Tensor) || !sameShape(t.shape, leaves[i]!.shape))
      throw new TensileError(`${op}: tangent ${i} must be a Tensor of shape ${fmtShape(leaves[i]!.shape)} (its primal's), got ${fmtValue(t)}`);
  });
  const args = treeUnflatten(pSpec, leaves) as unknown[];
  const [out, aux] = splitAux(op, enableGrad(() => fn(...args)), opts.hasAux ?? false);
  const [outs, outSpec] = outputLeaves(op, out);
  // the trick needs ∂out/∂leaves as a function of u: built under createGraph whatever the mode
  const jv = jvpTensors(outs, leaves, ts as Tensor[], createGraph);
  const fin = new Finisher(new Set(leaves));
  const res = [treeUnflatten(outSpec, outs.map((o) => fin.tensor(o))), treeUnflatten(outSpec, jv.map((t) => fin.tensor(t)))];
  if (opts.hasAux) res.push(fin.tree(aux));
  return res;
}
