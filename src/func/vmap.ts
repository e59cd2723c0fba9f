/**
 * `func.vmap` (torch.func.vmap), honestly: Tensile has no batching rules, so the vmapped function
 * is a loop over the mapped dimension — each iteration selects one slice of every mapped input,
 * calls `fn`, and the outputs are stacked along `outDims`. The same results as functorch, and no
 * speed-up. Selecting and stacking are differentiable ops, so gradients flow through vmap, and it
 * composes with `grad`, `jacrev` and itself.
 */
import { Tensor } from "../tensor/tensor.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { stack } from "../core.js";
import { getRngState, setRngState, type GeneratorState } from "../tensor/random.js";
import { broadcastPrefix, treeFlatten, treeUnflatten, type TreeSpec } from "./pytree.js";
import { type AnyFn, checkFn } from "./common.js";

/** A dimension per leaf, given as a prefix tree: one number (or null) for a whole subtree. */
export type Dims = number | null | readonly unknown[] | { [key: string]: unknown };

export interface VmapOptions {
  /** Which dim of each argument is mapped: one for all, or one per argument (null: not mapped; a tree for a tree). Default 0. */
  inDims?: Dims;
  /** Where the mapped dim goes in each output: one for all, or a tree matching the output. Default 0. */
  outDims?: Dims;
  /**
   * "error" (default): drawing from the default random generator inside fn is an error;
   * "different": each slice draws its own numbers (the loop's natural behaviour);
   * "same": every slice draws the same numbers (the generator is rewound before each slice).
   */
  randomness?: "error" | "different" | "same";
}

const isDim = (v: unknown): boolean => v === null || typeof v === "number";

function normDim(op: string, d: unknown, ndim: number, what: string): number {
  if (typeof d !== "number" || !Number.isInteger(d)) throw new TensileError(`${op}: ${what} must be an integer or null, got ${fmtValue(d)}`);
  if (d < -ndim || d >= ndim) throw new TensileError(`${op}: ${what} is ${d}, out of range for a tensor of ${ndim} dimension(s) (expected in [${-ndim}, ${ndim - 1}])`);
  return d < 0 ? d + ndim : d;
}

const sameState = (a: GeneratorState, b: GeneratorState): boolean => a.spare === b.spare && a.s.every((v, i) => v === b.s[i]);

/**
 * torch.func.vmap: `vmap(fn, {inDims, outDims, randomness})(...args)` maps `fn` over a dimension
 * of its arguments. Mapped inputs must be tensors, all of the same size in their mapped dim;
 * unmapped arguments (inDims null) may be anything and are passed whole to every call. `fn`
 * must return a tensor or a tree of tensors. Implemented as a loop (see the module comment).
 * In-place writes into a mapped input write its slice, as in functorch; a write into an unmapped
 * input, or into a mapped input expanded (stride 0) along its mapped dim, is refused with a
 * TensileError: the loop would repeat it once per slice.
 * ```ts
 * const perSample = func.vmap(func.grad(loss), { inDims: [null, 0, 0] })(params, xs, ys);
 * ```
 */
export function vmap(fn: AnyFn, options: VmapOptions = {}): (...args: any[]) => any {
  const op = "vmap";
  checkFn(op, fn);
  if (typeof options !== "object" || options === null || Array.isArray(options))
    throw new TensileError(`${op}: options must be an object {inDims, outDims, randomness}, got ${fmtValue(options)}`);
  for (const k of Object.keys(options))
    if (!["inDims", "outDims", "randomness", "chunkSize"].includes(k)) throw new TensileError(`${op}: unknown option "${k}"; expected "inDims", "outDims", "randomness" or "chunkSize"`);
  const { inDims = 0, outDims = 0, randomness = "error" } = options;
  if (!["error", "different", "same"].includes(randomness))
    throw new TensileError(`${op}: randomness must be "error", "different" or "same", got ${fmtValue(randomness)}`);
  return (...args: unknown[]) => {
    if (Array.isArray(inDims) && inDims.length !== args.length)
      throw new TensileError(`${op}: inDims has ${inDims.length} entries but the function was called with ${args.length} argument(s); give one per argument`);
    if (!isDim(inDims) && !Array.isArray(inDims))
      throw new TensileError(`${op}: inDims must be an integer, null, or an array with one entry per argument, got ${fmtValue(inDims)}`);
    const [leaves, spec] = treeFlatten(args);
    const dims = broadcastPrefix(op, "inDims", inDims, spec, isDim);
    let size = -1;
    const sizes: string[] = [];
    const mapped = leaves.map((l, i) => {
      const d = dims[i];
      if (d === null) return null;
      if (!(l instanceof Tensor))
        throw new TensileError(`${op}: got inDims=${fmtValue(d)} for an input that is not a Tensor (${fmtValue(l)}); use null for inputs that are not mapped`);
      if (l.ndim === 0) throw new TensileError(`${op}: cannot map over dim ${fmtValue(d)} of a 0-d Tensor (input leaf ${i}); use null for it`);
      const dim = normDim(op, d, l.ndim, `inDims for input leaf ${i} (shape ${fmtShape(l.shape)})`);
      sizes.push(`${l.shape[dim]}`);
      if (size === -1) size = l.shape[dim]!;
      else if (l.shape[dim] !== size) size = -2;
      return dim;
    });
    if (sizes.length === 0) throw new TensileError(`${op}: at least one input must be mapped (a Tensor with an integer inDims); got inDims=${fmtValue(inDims)}`);
    if (size === -2)
      throw new TensileError(`${op}: expected all mapped tensors to have the same size in the mapped dimension, got sizes [${sizes.join(", ")}] for the mapped dimension`);
    if (size === 0) throw new TensileError(`${op}: the mapped dimension has size 0; a loop cannot infer the shapes of the outputs`);

    // In-place writes into an unmapped input would run once per slice (functorch runs them once, or
    // refuses a batched value written into an unbatched tensor): watch the storages' versions.
    const mappedStorages = new Set(leaves.filter((l, i) => mapped[i] !== null).map((l) => (l as Tensor).storage));
    const watched = leaves
      .map((l, i) => [l, i] as const)
      .filter(([l, i]) => mapped[i] === null && l instanceof Tensor && !mappedStorages.has(l.storage))
      .map(([l, i]) => [l as Tensor, i, (l as Tensor).storage._version ?? 0] as const);
    // a mapped input expanded along its mapped dim (stride 0): every slice is the same memory
    const shared = leaves
      .map((l, i) => [l, i] as const)
      .filter(([l, i]) => mapped[i] !== null && size > 1 && (l as Tensor).strides[mapped[i]!] === 0)
      .map(([l, i]) => [l as Tensor, i, (l as Tensor).storage._version ?? 0] as const);
    const start = getRngState();
    const results: Tensor[][] = [];
    let outSpec: TreeSpec | null = null;
    for (let b = 0; b < size; b++) {
      if (randomness === "same") setRngState(start);
      const slice = treeUnflatten(spec, leaves.map((l, i) => (mapped[i] === null ? l : (l as Tensor).select(mapped[i]!, b)))) as unknown[];
      const before = randomness === "error" ? getRngState() : null;
      const out = fn(...slice);
      for (const [l, i, v] of watched)
        if ((l.storage._version ?? 0) !== v)
          throw new TensileError(`${op}: fn wrote in place into input leaf ${i} (shape ${fmtShape(l.shape)}), which is not mapped (inDims null); under vmap the write would be repeated for every slice. Map that input, or write into a copy (x.clone())`);
      for (const [l, i, v] of shared)
        if ((l.storage._version ?? 0) !== v)
          throw new TensileError(`${op}: fn wrote in place into input leaf ${i} (shape ${fmtShape(l.shape)}), which is expanded along its mapped dim ${mapped[i]} (stride 0: every slice is the same memory); write into a copy (x.clone()) instead`);
      if (before && !sameState(before, getRngState()))
        throw new TensileError(`${op}: called random operation while in randomness error mode. Pass randomness: "different" or "same" to vmap`);
      const [outs, s] = treeFlatten(out);
      outs.forEach((o, i) => {
        if (!(o instanceof Tensor))
          throw new TensileError(`${op}: fn must return only Tensors, got ${fmtValue(o)}${outs.length > 1 ? ` as output leaf ${i}` : ""}`);
      });
      if (outSpec && JSON.stringify(outSpec) !== JSON.stringify(s))
        throw new TensileError(`${op}: fn returned outputs of different structures for different slices (slice 0 and slice ${b})`);
      outSpec = s;
      results.push(outs as Tensor[]);
    }
    const spec0 = outSpec!;
    const nOut = results[0]!.length;
    const od = broadcastPrefix(op, "outDims", outDims, spec0, isDim);
    const stacked = Array.from({ length: nOut }, (_, i) => {
      const parts = results.map((r) => r[i]!);
      parts.forEach((p, b) => {
        if (p.shape.length !== parts[0]!.shape.length || p.shape.some((d, k) => d !== parts[0]!.shape[k]))
          throw new TensileError(`${op}: output leaf ${i} has shape ${fmtShape(parts[0]!.shape)} for slice 0 but ${fmtShape(p.shape)} for slice ${b}; each slice's outputs must have the same shape`);
      });
      if (od[i] === null) throw new TensileError(`${op}: outDims null (an unmapped output) is not supported; every output is stacked along a dimension`);
      const dim = normDim(op, od[i], parts[0]!.ndim + 1, `outDims for output leaf ${i}`);
      return stack(parts, dim);
    });
    return treeUnflatten(spec0, stacked);
  };
}
