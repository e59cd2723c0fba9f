/**
 * `autograd.gradcheck` (PyTorch's `torch.autograd.gradcheck`, its default "slow" mode): checks the
 * gradients autograd computes for a function — a custom `Function`'s hand-written `backward` above
 * all — against central finite differences, for every input that requires grad and every output
 * that does. It is what a PyTorch user runs after writing a `backward`, so it lives in the library,
 * not only in the test helpers.
 *
 * The numerical Jacobian perturbs one element at a time by ±eps (on copies of the inputs, in the
 * input's backend and dtype) and evaluates the function without recording; the analytical one is
 * one `grad()` per output element with a one-hot `gradOutputs`, computed twice to catch a
 * nondeterministic backward. Both are laid out as PyTorch's: one row per input element, one column
 * per output element. Use float64 inputs: in float32, eps = 1e-6 is lost in rounding.
 */
import { Tensor } from "../tensor/tensor.js";
import { TensileError, fmtValue } from "../errors.js";
import { grad } from "./engine.js";
import { enableGrad, noGrad } from "./grad-mode.js";
import { tensor, withBackend } from "../core.js";

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
  /** Throw a TensileError describing the first mismatch (default true) rather than return false. */
  raiseException?: boolean;
  /** How far two backward passes with the same inputs may differ (default 0: identical). */
  nondetTol?: number;
}

type Fn = (...inputs: any[]) => unknown;

function outputsOf(r: unknown): unknown[] {
  if (r instanceof Tensor) return [r];
  if (Array.isArray(r)) return r;
  throw new TensileError(`gradcheck: the function must return a Tensor or an array of Tensors, got ${fmtValue(r)}`);
}

const valuesOf = (t: Tensor): Float64Array => Float64Array.from(t.contiguous().dataSync() as ArrayLike<number>);
const isFloat = (t: Tensor) => t.dtype === "float32" || t.dtype === "float64";

/**
 * Whether autograd's gradients of `fn(...inputs)` match finite differences, for each input that
 * requires grad (float32/float64) and each output that requires grad (PyTorch's
 * `torch.autograd.gradcheck(fn, inputs, eps=, atol=, rtol=, raise_exception=)`). Inputs that are
 * not Tensors, or don't require grad, are passed through unchanged. A mismatch throws (or returns
 * false with `raiseException: false`) naming the output and input and printing both Jacobians.
 *
 * ```ts
 * const x = randn([6], { dtype: "float64", requiresGrad: true });
 * autograd.gradcheck((v: Tensor) => MyFunction.apply(v, 0.5), [x]); // true
 * ```
 */
export function gradcheck(fn: Fn, inputs: Tensor | readonly unknown[], options: GradcheckOptions = {}): boolean {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, raiseException = true, nondetTol = 0 } = options ?? {};
  if (typeof fn !== "function") throw new TensileError(`gradcheck: expected a function, got ${fmtValue(fn)}`);
  for (const [k, v] of [["eps", eps], ["atol", atol], ["rtol", rtol], ["nondetTol", nondetTol]] as const)
    if (typeof v !== "number" || !(v >= 0) || (k === "eps" && v === 0)) throw new TensileError(`gradcheck: ${k} must be a ${k === "eps" ? "positive" : "non-negative"} number, got ${fmtValue(v)}`);
  const args = inputs instanceof Tensor ? [inputs] : Array.isArray(inputs) ? [...inputs] : null;
  if (!args) throw new TensileError(`gradcheck: inputs must be a Tensor or an array, got ${fmtValue(inputs)}`);
  const diffIn = args.flatMap((a, i) => (a instanceof Tensor && a.requiresGrad ? [i] : []));
  if (diffIn.length === 0)
    throw new TensileError("gradcheck: expects at least one input tensor to require gradient, but none of them have requiresGrad=true");
  for (const i of diffIn) {
    const t = args[i] as Tensor;
    if (!isFloat(t)) throw new TensileError(`gradcheck: input ${i} requires grad but has dtype ${t.dtype}; only floating point inputs can be checked`);
    if (t.shape.some((d, k) => d > 1 && t.strides[k] === 0))
      throw new TensileError(`gradcheck: input ${i} has a dimension with stride 0 (an expanded view); gradcheck only supports inputs that are non-overlapping: call .contiguous() on it first`);
  }
  const fail = (msg: string): false => {
    if (raiseException) throw new TensileError(`gradcheck: ${msg}`);
    return false;
  };

  const outs = enableGrad(() => outputsOf(fn(...args)));
  const diffOut = outs.flatMap((o, i) => (o instanceof Tensor && o.requiresGrad ? [i] : []));

  // numerical[k][o]: rows = elements of input diffIn[k], columns = elements of output o
  const numerical = diffIn.map((i) => {
    const x = args[i] as Tensor;
    const base = valuesOf(x), n = base.length;
    const at = (e: number, v: number): Float64Array[] => {
      const data = Float64Array.from(base);
      data[e] = v;
      const xp = withBackend(x.backend, () => tensor(data, { shape: [...x.shape], dtype: x.dtype }));
      const r = noGrad(() => outputsOf(fn(...args.map((a, j) => (j === i ? xp : a)))));
      return r.map((o) => (o instanceof Tensor && isFloat(o) ? valuesOf(o) : new Float64Array(0)));
    };
    const cols = outs.map((o) => (o instanceof Tensor ? o.numel() : 0));
    const jac = cols.map((m) => new Float64Array(n * m));
    for (let e = 0; e < n; e++) {
      const plus = at(e, base[e]! + eps), minus = at(e, base[e]! - eps);
      cols.forEach((m, o) => {
        for (let j = 0; j < m && j < plus[o]!.length; j++) jac[o]![e * m + j] = (plus[o]![j]! - minus[o]![j]!) / (2 * eps);
      });
    }
    return jac;
  });

  if (diffOut.length === 0) {
    // no output requires grad: the function must then not depend on the inputs at all
    for (const jacs of numerical) for (const j of jacs) if (j.some((v) => v !== 0)) return fail("Numerical gradient for function expected to be zero");
    return true;
  }

  const diffInputs = diffIn.map((i) => args[i] as Tensor);
  const analyticalOf = (o: number): Float64Array[] => {
    const y = outs[o] as Tensor, m = y.numel();
    const jac = diffInputs.map((x) => new Float64Array(x.numel() * m));
    for (let j = 0; j < m; j++) {
      const onehot = new Float64Array(m);
      onehot[j] = 1;
      const v = withBackend(y.backend, () => tensor(onehot, { shape: [...y.shape], dtype: y.dtype }));
      const gs = grad(y, diffInputs, { gradOutputs: [v], retainGraph: true, allowUnused: true });
      gs.forEach((g, k) => {
        if (!g) return;
        const x = diffInputs[k]!;
        if (g.shape.length !== x.shape.length || g.shape.some((d, q) => d !== x.shape[q]))
          throw new TensileError(`gradcheck: the gradient for input ${diffIn[k]} has shape [${g.shape}], expected [${x.shape}]`);
        const vals = valuesOf(g);
        for (let e = 0; e < vals.length; e++) jac[k]![e * m + j] = vals[e]!;
      });
    }
    return jac;
  };

  const fmt = (data: Float64Array, rows: number, cols: number) => tensor(data, { shape: [rows, cols], dtype: "float64" }).toString();
  for (const o of diffOut) {
    const first = analyticalOf(o), second = analyticalOf(o);
    const m = (outs[o] as Tensor).numel();
    for (let k = 0; k < diffIn.length; k++) {
      const a = first[k]!, num = numerical[k]![o]!;
      let ok = true;
      for (let q = 0; q < a.length; q++) if (!(Math.abs(a[q]! - num[q]!) <= atol + rtol * Math.abs(num[q]!))) ok = false;
      const rows = a.length / Math.max(m, 1);
      if (!ok) return fail(`Jacobian mismatch for output ${o} with respect to input ${diffIn[k]},\nnumerical:${fmt(num, rows, m)}\nanalytical:${fmt(a, rows, m)}\n`);
      const b = second[k]!;
      for (let q = 0; q < a.length; q++)
        if (!(Math.abs(a[q]! - b[q]!) <= nondetTol))
          return fail(`Backward is not reentrant, i.e., running backward with same input and gradOutput multiple times gives different values, although analytical gradient matches numerical gradient. The tolerance for nondeterminism was ${nondetTol}.`);
    }
  }
  return true;
}
