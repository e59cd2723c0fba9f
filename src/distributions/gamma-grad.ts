/**
 * The implicit reparameterisation gradients of gamma and Dirichlet draws, as PyTorch computes them
 * (ATen's `standard_gamma_grad_one` and `dirichlet_grad_one`, Distributions.h): for a draw x of
 * Gamma(α, 1), dx/dα at a fixed CDF value, −(∂F/∂α)(x; α) / f(x; α); for a component x of a
 * Dirichlet draw, the same for the Beta(α, total − α) marginal, scaled by 1/(1 − x). Scalar host
 * functions (double precision), and their elementwise tensor forms, which PyTorch exposes as
 * `torch._standard_gamma_grad(alpha, x)` and `torch._dirichlet_grad(x, alpha, total)`.
 */
import { Tensor, noGrad, tensor } from "../core.js";
import { withBackend } from "../backends/registry.js";
import { digamma } from "../backends/reference/math.js";
import { broadcastShapes, numelOf } from "../tensor/shape.js";
import { TensileError, fmtValue } from "../errors.js";

/** dx/dα for a draw x of Gamma(α, 1), at fixed CDF (PyTorch's `standard_gamma_grad_one`). */
export function standardGammaGradOne(alpha: number, x: number): number {
  // a Taylor series of the CDF for small x
  if (x < 0.8) {
    let numer = 1, denom = alpha;
    let series1 = numer / denom, series2 = numer / (denom * denom);
    for (let i = 1; i <= 5; i++) {
      numer *= -x / i;
      denom += 1;
      series1 += numer / denom;
      series2 += numer / (denom * denom);
    }
    const powXAlpha = Math.pow(x, alpha);
    const gammaPdf = Math.pow(x, alpha - 1) * Math.exp(-x);
    const gammaCdf = powXAlpha * series1;
    const gammaCdfAlpha = (Math.log(x) - digamma(alpha)) * gammaCdf - powXAlpha * series2;
    const result = -gammaCdfAlpha / gammaPdf;
    return Number.isNaN(result) ? 0 : result;
  }
  // Rice's saddle point expansion for large α
  if (alpha > 8) {
    if (0.9 * alpha <= x && x <= 1.1 * alpha) {
      const numer1 = 1 + 24 * alpha * (1 + 12 * alpha);
      const numer2 = 1440 * (alpha * alpha) + 6 * x * (53 - 120 * x) - (65 * x * x) / alpha + alpha * (107 + 3600 * x);
      const denom = 1244160 * (alpha * alpha) * (alpha * alpha);
      return (numer1 * numer2) / denom;
    }
    const denom = Math.sqrt(8 * alpha);
    const term2 = denom / (alpha - x);
    const term3 = Math.pow(x - alpha - alpha * Math.log(x / alpha), -1.5);
    const term23 = x < alpha ? term2 - term3 : term2 + term3;
    const term1 = Math.log(x / alpha) * term23 - (Math.sqrt(2 / alpha) * (alpha + x)) / ((alpha - x) * (alpha - x));
    const stirling = 1 + (1 / (12 * alpha)) * (1 + 1 / (24 * alpha));
    return (-stirling * (x * term1)) / denom;
  }
  // a bivariate rational approximation elsewhere
  const u = Math.log(x / alpha), v = Math.log(alpha);
  const cv = new Array<number>(8);
  for (let i = 0; i < 8; i++) cv[i] = GAMMA_UV[0]![i]! + u * (GAMMA_UV[1]![i]! + u * GAMMA_UV[2]![i]!);
  const p = cv[0]! + v * (cv[1]! + v * (cv[2]! + v * cv[3]!));
  const q = cv[4]! + v * (cv[5]! + v * (cv[6]! + v * cv[7]!));
  return Math.exp(p / q);
}

const GAMMA_UV = [
  [0.16009398, -0.094634809, 0.025146376, -0.0030648343, 1, 0.32668115, 0.10406089, 0.0014179084],
  [0.53487893, 0.1298071, 0.065735949, -0.0015649758, 0.16639465, 0.020070113, -0.0035938915, -0.00058392623],
  [0.040121004, -0.0065914022, -0.0026286047, -0.0013441777, 0.017050642, -0.0021309326, 0.00085092367, -1.5247877e-7],
];

/** Reparameterised gradient of Beta(x; α, β) with respect to α, for x near 0 (a Taylor series). */
function betaGradAlphaSmall(x: number, alpha: number, beta: number): number {
  const factor = digamma(alpha) - digamma(alpha + beta) - Math.log(x);
  let numer = 1;
  let series = (numer / alpha) * (factor + 1 / alpha);
  for (let i = 1; i <= 10; i++) {
    numer *= ((i - beta) * x) / i;
    const denom = alpha + i;
    series += (numer / denom) * (factor + 1 / denom);
  }
  const result = x * Math.pow(1 - x, -beta) * series;
  return Number.isNaN(result) ? 0 : result;
}

/** Reparameterised gradient of Beta(x; α, β) with respect to β, for x near 0 (a Taylor series). */
function betaGradBetaSmall(x: number, alpha: number, beta: number): number {
  const factor = digamma(alpha + beta) - digamma(beta);
  let numer = 1, betas = 1, dbetas = 0, series = factor / alpha;
  for (let i = 1; i <= 8; i++) {
    numer *= -x / i;
    dbetas = dbetas * (beta - i) + betas;
    betas *= beta - i;
    series += (numer / (alpha + i)) * (dbetas + factor * betas);
  }
  const result = -Math.pow(1 - x, 1 - beta) * series;
  return Number.isNaN(result) ? 0 : result;
}

/** Reparameterised gradient of Beta(x; α, β) with respect to α when α and β are both large (Rice's saddle point). */
function betaGradAlphaMid(x: number, alpha: number, beta: number): number {
  const total = alpha + beta;
  const mean = alpha / total;
  const std = Math.sqrt((alpha * beta) / (total + 1)) / total;
  if (mean - 0.1 * std <= x && x <= mean + 0.1 * std) {
    // avoids the singularity at x = mean
    const poly = 47 * x * (beta * beta) * (beta * beta) + alpha * (
      (43 + 20 * (16 + 27 * beta) * x) * (beta * beta) * beta + alpha * (
        3 * (59 + 180 * beta - 90 * x) * (beta * beta) + alpha * (
          (453 + 1620 * beta * (1 - x) - 455 * x) * beta + alpha * (
            8 * (1 - x) * (135 * beta - 11)))));
    const prefactorNum = ((1 + 12 * alpha) * (1 + 12 * beta)) / (total * total);
    const prefactorDen = 12960 * alpha * alpha * alpha * beta * beta * (1 + 12 * total);
    return ((prefactorNum / (1 - x)) * poly) / prefactorDen;
  }
  const prefactor = -x / Math.sqrt((2 * alpha * beta) / total);
  const stirling = ((1 + 1 / (12 * alpha) + 1 / (288 * alpha * alpha)) * (1 + 1 / (12 * beta) + 1 / (288 * beta * beta)))
    / (1 + 1 / (12 * total) + 1 / (288 * total * total));
  const term1Num = 2 * (alpha * alpha) * (x - 1) + alpha * beta * (x - 1) - x * (beta * beta);
  const axbx = alpha * (x - 1) + beta * x;
  const term1Den = Math.sqrt((2 * alpha) / beta) * Math.pow(total, 1.5) * axbx * axbx;
  const term1 = term1Num / term1Den;
  const term2 = 0.5 * Math.log(alpha / (total * x));
  const term3 = Math.sqrt((8 * alpha * beta) / total) / (beta * x + alpha * (x - 1));
  const term4Base = beta * Math.log(beta / (total * (1 - x))) + alpha * Math.log(alpha / (total * x));
  const term4 = Math.pow(term4Base, -1.5);
  const term1234 = term1 + term2 * (term3 + (x < mean ? term4 : -term4));
  return stirling * prefactor * term1234;
}

const DIRICHLET_C = [
  [[[1.003668233, -0.01061107488, -0.0657888334, 0.01201642863],
    [0.6336835991, -0.3557432599, 0.05486251648, -0.001465281033],
    [-0.03276231906, 0.004474107445, 0.002429354597, -0.0001557569013]],
   [[0.221950385, -0.3187676331, 0.01799915743, 0.01074823814],
    [-0.2951249643, 0.06219954479, 0.01535556598, 0.001550077057],
    [0.02155310298, 0.004170831599, 0.001292462449, 6.976601077e-5]],
   [[-0.05980841433, 0.008441916499, 0.01085618172, 0.002319392565],
    [0.02911413504, 0.01400243777, -0.002721828457, 0.000751041181],
    [0.005900514878, -0.001936558688, -9.495446725e-6, 5.385558597e-5]]],
  [[[1, -0.02924021934, -0.04438342661, 0.007285809825],
    [0.6357567472, -0.3473456711, 0.05454656494, -0.002407477521],
    [-0.03301322327, 0.004845219414, 0.00231480583, -0.0002307248149]],
   [[0.5925320577, -0.1757678135, 0.01505928619, 0.000564515273],
    [0.1014815858, -0.06589186703, 0.01272886114, -0.0007316646956],
    [-0.007258481865, 0.001096195486, 0.0003934994223, -4.12701925e-5]],
   [[0.06469649321, -0.0236701437, 0.002902096474, -5.896963079e-5],
    [0.001925008108, -0.002869809258, 0.0008000589141, -6.063713228e-5],
    [-0.0003477407336, 6.959756487e-5, 1.097287507e-5, -1.650964693e-6]]],
];

/**
 * −(∂F/∂α)(x; α, β) / f(x; α, β) / (1 − x) for x drawn from Beta(α, β), β = total − α (PyTorch's
 * `dirichlet_grad_one`): the derivative of a Dirichlet component with respect to its own
 * concentration, before the simplex correction.
 */
export function dirichletGradOne(x: number, alpha: number, total: number): number {
  const beta = total - alpha;
  const boundary = total * x * (1 - x);
  if (x <= 0.5 && boundary < 2.5) return betaGradAlphaSmall(x, alpha, beta); // x near 0
  if (x >= 0.5 && boundary < 0.75) return -betaGradBetaSmall(1 - x, beta, alpha); // x near 1
  if (alpha > 6 && beta > 6) return betaGradAlphaMid(x, alpha, beta);
  // a rational correction to an analytic approximation
  const u = Math.log(x);
  const a = Math.log(alpha) - u;
  const b = Math.log(total) - a;
  const powU = [1, u, u * u], powA = [1, a, a * a];
  let p = 0, q = 0;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      const ua = powU[i]! * powA[j]!;
      const c0 = DIRICHLET_C[0]![i]![j]!, c1 = DIRICHLET_C[1]![i]![j]!;
      p += ua * (c0[0]! + b * (c0[1]! + b * (c0[2]! + b * c0[3]!)));
      q += ua * (c1[0]! + b * (c1[1]! + b * (c1[2]! + b * c1[3]!)));
    }
  }
  const approx = (x * (digamma(total) - digamma(alpha))) / beta;
  return (p / q) * approx;
}

/** Applies `f` elementwise over broadcast floating tensors, on the host: a constant (no graph) of the first's dtype and backend. */
function elementwise(op: string, ts: Tensor[], f: (...v: number[]) => number): Tensor {
  ts.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TensileError(`${op}: expected argument ${i} to be a Tensor, got ${fmtValue(t)}`);
    if (t.dtype !== "float32" && t.dtype !== "float64") throw new TensileError(`${op}: expected floating point tensors, got ${t.dtype} for argument ${i}`);
  });
  const shape = ts.reduce<number[]>((s, t) => broadcastShapes(op, s, t.shape), []);
  const vals = noGrad(() => ts.map((t) => t.expand(shape).contiguous().dataSync()));
  const n = numelOf(shape);
  const dtype = ts[0]!.dtype;
  const out = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  const args = new Array<number>(ts.length);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < ts.length; k++) args[k] = Number(vals[k]![i]);
    out[i] = f(...args);
  }
  return withBackend(ts[0]!.backend, () => tensor(out, { shape, dtype }));
}

/** `torch._standard_gamma_grad(alpha, x)`: dx/dα of Gamma(α, 1) draws x at fixed CDF, elementwise (no graph). */
export function standardGammaGrad(alpha: Tensor, x: Tensor): Tensor {
  return elementwise("standardGammaGrad", [alpha, x], standardGammaGradOne);
}

/** `torch._dirichlet_grad(x, alpha, total)`: `dirichletGradOne` elementwise (no graph). */
export function dirichletGrad(x: Tensor, alpha: Tensor, total: Tensor): Tensor {
  return elementwise("dirichletGrad", [x, alpha, total], dirichletGradOne);
}

/**
 * The gradient a Dirichlet draw `x` passes to its concentration given the gradient `gradOutput`
 * of x (PyTorch's `_Dirichlet_backward`): dirichletGrad(x, α, Σα) · (g − Σ x·g).
 */
export function dirichletBackward(x: Tensor, concentration: Tensor, gradOutput: Tensor): Tensor {
  const total = noGrad(() => concentration.sum(-1, true).expand(concentration.shape));
  const grad = dirichletGrad(x, concentration, total);
  return grad.mul(gradOutput.sub(x.mul(gradOutput).sum(-1, true)));
}
