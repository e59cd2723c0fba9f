/**
 * What the autodiff transforms of `func` share: argnums, the leaves a transform differentiates
 * with respect to, and which results keep a graph.
 *
 * How they compose without functorch's levels: each transform differentiates with respect to
 * fresh leaves of its own. An input that requires grad from outside (an enclosing transform's
 * leaf, a parameter) enters as a differentiable alias, so the graph reaches it, and every
 * derivative is taken with `createGraph` while grad mode is on. A result keeps its graph only if
 * that graph reaches a leaf that requires grad and is not one of the transform's own — exactly
 * when an enclosing transform or the caller can differentiate it further; otherwise it is detached.
 */
import { Tensor } from "../tensor/tensor.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { treeFlatten, treeUnflatten, type TreeSpec } from "./pytree.js";

export interface ArgnumsOptions {
  /** Which positional arguments to differentiate with respect to: an index or an array of indices. */
  argnums?: number | readonly number[];
  /** `fn` returns `[output, aux]`; aux is passed through (its tensors detached unless needed). */
  hasAux?: boolean;
}

export type AnyFn = (...args: any[]) => unknown;

export function checkFn(op: string, fn: unknown): asserts fn is AnyFn {
  if (typeof fn !== "function") throw new TensileError(`${op}: expected a function, got ${fmtValue(fn)}`);
}

/** Options given either as an object or, as in PyTorch's positional form, as argnums alone. */
export function readOptions<T extends object>(op: string, opts: unknown, allowed: readonly string[]): T {
  if (opts === undefined || opts === null) return {} as T;
  if (typeof opts === "number" || Array.isArray(opts)) return { argnums: opts } as T;
  if (typeof opts !== "object") throw new TensileError(`${op}: options must be an object, got ${fmtValue(opts)}`);
  for (const k of Object.keys(opts))
    if (!allowed.includes(k)) throw new TensileError(`${op}: unknown option "${k}"; expected ${allowed.map((a) => `"${a}"`).join(", ")}`);
  return opts as T;
}

/** argnums as indices into `nargs` arguments, and whether it was an array (results are then arrays too). */
export function normArgnums(op: string, argnums: unknown, nargs: number): [number[], boolean] {
  const many = Array.isArray(argnums);
  const list = many ? (argnums as unknown[]) : [argnums ?? 0];
  if (many && list.length === 0) throw new TensileError(`${op}: argnums must be non-empty`);
  const out = list.map((a) => {
    if (typeof a !== "number" || !Number.isInteger(a)) throw new TensileError(`${op}: argnums must be an integer or an array of integers, got ${fmtValue(argnums)}`);
    if (a < -nargs || a >= nargs) throw new TensileError(`${op}: got argnums=${a}, but only ${nargs} positional inputs`);
    return a < 0 ? a + nargs : a;
  });
  if (new Set(out).size !== out.length) throw new TensileError(`${op}: argnums must be unique, got ${fmtValue(argnums)}`);
  return [out, many];
}

/** A leaf to differentiate with respect to: an alias of `x` when x's own graph must be reached, else a detached copy. */
export function leafFor(op: string, x: unknown, where: string, createGraph: boolean): Tensor {
  if (!(x instanceof Tensor)) throw new TensileError(`${op}: expected every input to differentiate (${where}) to be a Tensor, got ${fmtValue(x)}`);
  if (x.dtype !== "float32" && x.dtype !== "float64")
    throw new TensileError(`${op}: only floating point Tensors can be differentiated; ${where} is ${x.dtype} of shape ${fmtShape(x.shape)}`);
  if (createGraph && x.requiresGrad) return x.reshape([...x.shape]); // view_as: the graph reaches x
  const d = x.detach();
  d.requiresGrad = true;
  return d;
}

/** The arguments with those at `nums` replaced by trees of fresh leaves. */
export function prepareArgs(op: string, args: unknown[], nums: number[], createGraph: boolean) {
  const newArgs = [...args];
  const leaves: Tensor[] = [];
  const groups: { spec: TreeSpec; leaves: Tensor[] }[] = [];
  for (const i of nums) {
    const [xs, spec] = treeFlatten(args[i]);
    if (xs.length === 0) throw new TensileError(`${op}: argument ${i} (argnums) contains no Tensors`);
    const ls = xs.map((x, j) => leafFor(op, x, xs.length > 1 ? `leaf ${j} of argument ${i}` : `argument ${i}`, createGraph));
    newArgs[i] = treeUnflatten(spec, ls);
    leaves.push(...ls);
    groups.push({ spec, leaves: ls });
  }
  return { newArgs, leaves, groups };
}

/** Results per leaf back into the arguments' trees: one tree, or an array of them when argnums was an array. */
export function perArgnum(groups: { spec: TreeSpec; leaves: Tensor[] }[], values: unknown[], many: boolean): unknown {
  let k = 0;
  const trees = groups.map((g) => treeUnflatten(g.spec, values.slice(k, (k += g.leaves.length))));
  return many ? trees : trees[0];
}

/**
 * Keeps a result's graph only when it reaches a leaf that requires grad and is not one of `own`
 * (see the module comment); memoised across the results of one call.
 */
export class Finisher {
  private memo = new Map<Tensor, boolean>();
  constructor(private own: ReadonlySet<Tensor>) {}

  private reachesOuter(root: Tensor): boolean {
    const stack: [Tensor, number][] = [[root, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const t = top[0];
      if (this.memo.has(t)) {
        stack.pop();
        continue;
      }
      const node = t.gradFn;
      if (!node) {
        this.memo.set(t, t.requiresGrad && !this.own.has(t));
        stack.pop();
        continue;
      }
      let found = false, pushed = false;
      while (top[1] < node.inputs.length) {
        const i = node.inputs[top[1]];
        if (!i || !i.requiresGrad) {
          top[1]++;
          continue;
        }
        const m = this.memo.get(i);
        if (m === undefined) {
          stack.push([i, 0]);
          pushed = true;
          break;
        }
        top[1]++;
        if (m) {
          found = true;
          break;
        }
      }
      if (pushed) continue;
      this.memo.set(t, found);
      stack.pop();
    }
    return this.memo.get(root)!;
  }

  tensor(t: Tensor): Tensor {
    return t.requiresGrad && this.reachesOuter(t) ? t : t.detach();
  }

  /** Every tensor leaf of `tree` finished. */
  tree(tree: unknown): unknown {
    const [ls, spec] = treeFlatten(tree);
    return treeUnflatten(spec, ls.map((l) => (l instanceof Tensor ? this.tensor(l) : l)));
  }
}

/** `[output, aux]` from a function with hasAux, checked. */
export function splitAux(op: string, out: unknown, hasAux: boolean): [unknown, unknown] {
  if (!hasAux) return [out, undefined];
  if (!Array.isArray(out) || out.length !== 2)
    throw new TensileError(`${op}: with hasAux the function must return an array [output, aux], got ${fmtValue(out)}`);
  return [out[0], out[1]];
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
