/**
 * `VonMises(loc, concentration)`: PyTorch's circular von Mises distribution, density
 * e^(κ cos(x − μ)) / (2π I₀(κ)) for angles x (any real, read modulo 2π). logProb and the circular
 * variance use PyTorch's polynomial approximations of log I₀ and log I₁ (Abramowitz & Stegun 9.8),
 * so values and gradients match; draws use Best & Fisher's (1979) rejection sampler on the host
 * generator. No rsample, entropy or cdf, as in PyTorch 1.13.
 */
import { Tensor, noGrad, tensor, where } from "../core.js";
import { withBackend } from "../backends/registry.js";
import { type Generator, defaultGenerator } from "../tensor/random.js";
import { numelOf } from "../tensor/shape.js";
import { type DistributionOptions, Distribution, type Param, asParams, broadcastAll, checkValues, checkRealParam, setField } from "./distribution.js";
import { type Constraint, constraints } from "./constraints.js";

const LOG_2PI = Math.log(2 * Math.PI);
const I0_SMALL = [1.0, 3.5156229, 3.0899424, 1.2067492, 0.2659732, 0.360768e-1, 0.45813e-2];
const I0_LARGE = [0.39894228, 0.1328592e-1, 0.225319e-2, -0.157565e-2, 0.916281e-2, -0.2057706e-1, 0.2635537e-1, -0.1647633e-1, 0.392377e-2];
const I1_SMALL = [0.5, 0.87890594, 0.51498869, 0.15084934, 0.2658733e-1, 0.301532e-2, 0.32411e-3];
const I1_LARGE = [0.39894228, -0.3988024e-1, -0.362018e-2, 0.163801e-2, -0.1031555e-1, 0.2282967e-1, -0.2895312e-1, 0.1787654e-1, -0.420059e-2];

/** c₀ + y(c₁ + y(c₂ + …)) (Horner, as PyTorch's `_eval_poly`). */
function evalPoly(y: Tensor, coef: readonly number[]): Tensor {
  let r: Tensor | null = null;
  for (let i = coef.length - 1; i >= 0; i--) r = r ? r.mul(y).add(coef[i]!) : y.mul(0).add(coef[i]!);
  return r!;
}

/** log I_order(x) for x > 0, order 0 or 1: the series for x < 3.75, the asymptotic form above (PyTorch's `_log_modified_bessel_fn`). */
export function logModifiedBessel(x: Tensor, order: 0 | 1): Tensor {
  const ys = x.div(3.75).pow(2);
  let small = evalPoly(ys, order === 0 ? I0_SMALL : I1_SMALL);
  if (order === 1) small = x.abs().mul(small);
  const large = x.sub(x.log().mul(0.5)).add(evalPoly(x.reciprocal().mul(3.75), order === 0 ? I0_LARGE : I1_LARGE).log());
  return where(x.lt(3.75), small.log(), large);
}

/** One draw of the angle's offset from loc in (−π, π], Best & Fisher's rejection with wrapped-Cauchy envelope parameter r. */
export function vonMisesOffsetDraw(g: Generator, kappa: number, r: number): number {
  for (;;) {
    const u1 = g.random(), u2 = g.random(), u3 = g.random();
    const z = Math.cos(Math.PI * u1);
    const f = (1 + r * z) / (r + z);
    const c = kappa * (r - f);
    if (c * (2 - c) - u2 > 0 || Math.log(c / u2) + 1 - c >= 0) return Math.sign(u3 - 0.5) * Math.acos(Math.max(-1, Math.min(1, f)));
  }
}

export class VonMises extends Distribution {
  /** PyTorch's `support`. */
  override get support(): Constraint {
    return constraints.real;
  }
  /** PyTorch's `arg_constraints`. */
  override get argConstraints(): Record<string, Constraint> {
    return { loc: constraints.real, concentration: constraints.positive };
  }
  readonly loc: Tensor;
  readonly concentration: Tensor;
  constructor(loc: Param, concentration: Param, opts: DistributionOptions = {}) {
    const op = "VonMises";
    const [l, k] = asParams(op, ["loc", "concentration"], [loc, concentration]);
    super(broadcastAll(op, [l!.shape, k!.shape]), [], opts);
    this.loc = l!.expand(this.batchShape);
    this.concentration = k!.expand(this.batchShape);
    if (this.validateArgs) checkRealParam(op, "loc", this.loc);
    if (this.validateArgs) checkValues(op, "parameter concentration", this.concentration, (v) => v > 0, "positive (GreaterThan(lower_bound=0.0))");
  }
  protected override expandInto(d: this, batchShape: readonly number[]): void {
    setField(d, "loc", this.loc.expand(batchShape));
    setField(d, "concentration", this.concentration.expand(batchShape));
  }
  /** κ cos(x − μ) − log 2π − log I₀(κ). */
  logProb(value: Tensor): Tensor {
    this.checkValue("logProb", value);
    return this.concentration.mul(value.sub(this.loc).cos()).sub(LOG_2PI).sub(logModifiedBessel(this.concentration, 0));
  }
  /**
   * Draws wrapped into [−π, π) as PyTorch's ((x + π + μ) mod 2π − π). The envelope parameter
   * r = (1 + ρ²)/(2ρ), ρ = (τ − √(2τ))/(2κ), τ = 1 + √(1 + 4κ²), is computed in double precision.
   */
  override sample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    return noGrad(() => {
      const kappa = this.concentration.expand(shape).contiguous().dataSync();
      const n = numelOf(shape);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const k = Number(kappa[i]);
        const tau = 1 + Math.sqrt(1 + 4 * k * k);
        const rho = (tau - Math.sqrt(2 * tau)) / (2 * k);
        out[i] = vonMisesOffsetDraw(defaultGenerator, k, (1 + rho * rho) / (2 * rho));
      }
      const x = withBackend(this.loc.backend, () => tensor(out, { shape, dtype: "float64" })).to(this.loc.dtype);
      return x.add(Math.PI).add(this.loc.detach()).remainder(2 * Math.PI).sub(Math.PI);
    });
  }
  /** The circular mean: loc. */
  override get mean(): Tensor {
    return this.loc;
  }
  override get mode(): Tensor {
    return this.loc;
  }
  /** The circular variance 1 − I₁(κ)/I₀(κ). */
  override get variance(): Tensor {
    return logModifiedBessel(this.concentration, 1).sub(logModifiedBessel(this.concentration, 0)).exp().neg().add(1);
  }
  protected override reprParams(): [string, Tensor][] {
    return [["loc", this.loc], ["concentration", this.concentration]];
  }
}
