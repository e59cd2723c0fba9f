/**
 * Gradient attributions: Saliency, InputXGradient and IntegratedGradients, as Captum defines them.
 */
import { Tensor, noGrad, tensor } from "../core.js";
import { TensileError, fmtValue } from "../errors.js";
import {
  type AttributionWithDelta, type Baselines, type Forward, type TargetOptions,
  checkInput, checkKeys, checkModel, checkPositiveInt, columnShape, forwardTarget, resolveBaselines,
  targetGradients, targetIndices, tileIndices, withFrozenParameters,
} from "./common.js";

export interface SaliencyOptions extends TargetOptions {
  /** Absolute value of the gradient (Captum's default, true). */
  abs?: boolean;
}

/**
 * Saliency (Simonyan et al., 2013; Captum `Saliency`): the gradient of each example's target output
 * with respect to its input, |∂F_target/∂x| (or the signed gradient with `abs: false`).
 * Returns a tensor of the input's shape.
 */
export function saliency(model: Forward, input: Tensor, options: SaliencyOptions = {}): Tensor {
  options ??= {};
  const op = "saliency";
  checkKeys(op, options, ["target", "abs"]);
  checkModel(op, model);
  checkInput(op, input);
  const abs = options.abs ?? true;
  if (typeof abs !== "boolean") throw new TensileError(`${op}: abs must be true or false, got ${fmtValue(abs)}`);
  const idx = targetIndices(op, options.target, input.shape[0]!);
  const { grads } = withFrozenParameters(model, () => targetGradients(op, model, input, idx));
  return abs ? noGrad(() => grads.abs()) : grads;
}

/** Captum `InputXGradient`: the input times the gradient of the target output, x ⊙ ∂F_target/∂x. */
export function inputXGradient(model: Forward, input: Tensor, options: TargetOptions = {}): Tensor {
  options ??= {};
  const op = "inputXGradient";
  checkKeys(op, options, ["target"]);
  checkModel(op, model);
  checkInput(op, input);
  const idx = targetIndices(op, options.target, input.shape[0]!);
  const { grads } = withFrozenParameters(model, () => targetGradients(op, model, input, idx));
  return noGrad(() => input.detach().mul(grads));
}

/** Quadrature rules of Captum's `method` argument. */
export type IntegrationMethod = "gausslegendre" | "riemann_trapezoid" | "riemann_left" | "riemann_right" | "riemann_middle";
export const INTEGRATION_METHODS: readonly IntegrationMethod[] = ["gausslegendre", "riemann_trapezoid", "riemann_left", "riemann_right", "riemann_middle"];

/**
 * Gauss–Legendre nodes and weights on [-1, 1] for `n` points, as numpy's `leggauss` (nodes
 * ascending): each node is a root of the Legendre polynomial P_n found by Newton's method from
 * Tricomi's estimate cos(π(i − 1/4)/(n + 1/2)); weight 2 / ((1 − x²) P_n'(x)²). Exact for
 * polynomials of degree up to 2n − 1.
 */
export function gaussLegendre(n: number): { nodes: number[]; weights: number[] } {
  checkPositiveInt("gaussLegendre", "n", n);
  const nodes = new Array<number>(n), weights = new Array<number>(n);
  // P_n(x) and P_n'(x) by the three-term recurrence (k+1) P_{k+1} = (2k+1) x P_k − k P_{k−1}
  const legendre = (x: number): [number, number] => {
    let p0 = 1, p1 = x;
    for (let k = 1; k < n; k++) {
      const p2 = ((2 * k + 1) * x * p1 - k * p0) / (k + 1);
      p0 = p1;
      p1 = p2;
    }
    // P_n'(x) = n (x P_n − P_{n−1}) / (x² − 1)
    return [p1, (n * (x * p1 - p0)) / (x * x - 1)];
  };
  const half = Math.ceil(n / 2);
  for (let i = 0; i < half; i++) {
    // the (i+1)-th largest root; roots are symmetric, so each gives two nodes
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    for (let iter = 0; iter < 100; iter++) {
      const [p, d] = legendre(x);
      const dx = p / d;
      x -= dx;
      if (Math.abs(dx) <= 1e-15) break;
    }
    const dp = legendre(x)[1];
    const w = 2 / ((1 - x * x) * dp * dp);
    if (n % 2 === 1 && i === half - 1) x = 0; // the middle root of an odd n is exactly 0
    nodes[n - 1 - i] = x;
    weights[n - 1 - i] = w;
    nodes[i] = x === 0 ? 0 : -x;
    weights[i] = w;
  }
  return { nodes, weights };
}

/**
 * The points α on the straight path from baseline to input where IG evaluates the gradient, and
 * the weight (step size) of each (Captum's `approximation_parameters(method)` evaluated at n).
 * The weights of every rule sum to 1, so IG is exact for a linear model whatever the rule.
 */
export function approximationParameters(method: IntegrationMethod, nSteps: number): { alphas: number[]; stepSizes: number[] } {
  const op = "integratedGradients";
  if (!INTEGRATION_METHODS.includes(method))
    throw new TensileError(`${op}: unknown method ${fmtValue(method)}; expected one of ${INTEGRATION_METHODS.map((m) => `"${m}"`).join(", ")}`);
  checkPositiveInt(op, "nSteps", nSteps);
  const n = nSteps;
  const range = (f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
  switch (method) {
    case "gausslegendre": {
      const { nodes, weights } = gaussLegendre(n);
      return { alphas: nodes.map((x) => 0.5 * (1 + x)), stepSizes: weights.map((w) => 0.5 * w) };
    }
    case "riemann_left":
      return { alphas: range((i) => i / n), stepSizes: range(() => 1 / n) };
    case "riemann_right":
      return { alphas: range((i) => (i + 1) / n), stepSizes: range(() => 1 / n) };
    case "riemann_middle":
      return { alphas: range((i) => (i + 0.5) / n), stepSizes: range(() => 1 / n) };
    case "riemann_trapezoid": {
      if (n < 2) throw new TensileError(`${op}: method "riemann_trapezoid" needs nSteps >= 2 (both ends of the path), got ${n}`);
      const h = 1 / (n - 1);
      return { alphas: range((i) => i * h), stepSizes: range((i) => (i === 0 || i === n - 1 ? h / 2 : h)) };
    }
  }
}

export interface IntegratedGradientsOptions extends TargetOptions {
  /** The reference input (Captum's `baselines`): a number or a tensor broadcastable to the input; zeros by default. */
  baselines?: Baselines;
  /** Points on the path (default 50, as Captum). */
  nSteps?: number;
  /** Quadrature rule (default "gausslegendre", as Captum). */
  method?: IntegrationMethod;
  /** Rows per forward/backward pass (Captum's `internal_batch_size`); by default all nSteps · N at once. */
  internalBatchSize?: number;
  /** Also return the convergence delta per example. */
  returnConvergenceDelta?: boolean;
}

/**
 * Integrated Gradients (Sundararajan et al., 2017; Captum `IntegratedGradients`):
 * (x − x′) ⊙ ∫₀¹ ∂F_target(x′ + α(x − x′))/∂x dα, the integral approximated by `method` with
 * `nSteps` points. By completeness the attributions of an example sum to F(x) − F(x′); with
 * `returnConvergenceDelta` the difference (the approximation error) is returned as `delta` [N].
 */
export function integratedGradients(model: Forward, input: Tensor, options: IntegratedGradientsOptions & { returnConvergenceDelta: true }): AttributionWithDelta;
export function integratedGradients(model: Forward, input: Tensor, options?: IntegratedGradientsOptions): Tensor;
export function integratedGradients(model: Forward, input: Tensor, options: IntegratedGradientsOptions = {}): Tensor | AttributionWithDelta {
  options ??= {};
  const op = "integratedGradients";
  checkKeys(op, options, ["target", "baselines", "nSteps", "method", "internalBatchSize", "returnConvergenceDelta"]);
  checkModel(op, model);
  checkInput(op, input);
  const nSteps = options.nSteps ?? 50;
  const method = options.method ?? "gausslegendre";
  const { alphas, stepSizes } = approximationParameters(method, nSteps);
  const n = input.shape[0]!;
  const chunk = options.internalBatchSize === undefined
    ? nSteps
    : Math.max(1, Math.floor(checkPositiveInt(op, "internalBatchSize", options.internalBatchSize) / n));
  const idx = targetIndices(op, options.target, n);
  const x = input.detach();
  const base = resolveBaselines(op, options.baselines, x);
  const rest = x.shape.slice(1);
  const dtype = x.dtype;

  return withFrozenParameters(model, () => {
    const diff = noGrad(() => x.sub(base));
    let total: Tensor | null = null;
    for (let s0 = 0; s0 < nSteps; s0 += chunk) {
      const k = Math.min(chunk, nSteps - s0);
      const a = tensor(alphas.slice(s0, s0 + k), { dtype }).view(columnShape(k, x.ndim));
      const w = tensor(stepSizes.slice(s0, s0 + k), { dtype }).view(columnShape(k, x.ndim));
      // k points of the path for each example, point-major: row s·N + j is example j at alphas[s0 + s]
      const scaled = noGrad(() => base.unsqueeze(0).add(a.mul(diff.unsqueeze(0))).reshape([k * n, ...rest]));
      const { grads } = targetGradients(op, model, scaled, tileIndices(idx, k));
      const part = noGrad(() => grads.view([k, n, ...rest]).mul(w).sum(0));
      total = total ? noGrad(() => total!.add(part)) : part;
    }
    const attributions = noGrad(() => total!.mul(diff));
    if (!options.returnConvergenceDelta) return attributions;
    const delta = convergenceDelta(op, model, attributions, x, base, idx);
    return { attributions, delta };
  });
}

/** sum(attributions) − (F(input) − F(baseline)) per example, Captum's `compute_convergence_delta`. */
export function convergenceDelta(op: string, model: Forward, attributions: Tensor, input: Tensor, baselines: Tensor, idx: Int32Array | null): Tensor {
  const fx = forwardTarget(op, model, input, idx);
  const fb = forwardTarget(op, model, baselines, idx);
  return noGrad(() => attributions.reshape([input.shape[0]!, -1]).sum(1).sub(fx.sub(fb).to(attributions.dtype)));
}
