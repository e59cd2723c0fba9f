/**
 * `klDivergence(p, q)`: KL(p ‖ q) in closed form for the pairs PyTorch registers among the
 * distributions here, with its formulas (infinite where q rules out what p allows), and below them
 * the Bregman fallback for two members of one exponential family; `registerKl` adds a pair, as
 * PyTorch's `register_kl`.
 */
import { Tensor, erf, fullLike, noGrad, where } from "../core.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { softplus } from "../ops/activation.js";
import { Distribution, broadcastAll } from "./distribution.js";
import { Normal, Uniform, Laplace, Exponential } from "./continuous.js";
import { Bernoulli, Categorical, OneHotCategorical } from "./discrete.js";
import { Independent, sumRightmost } from "./independent.js";
import { Beta, Dirichlet, Gamma, Poisson } from "./gamma.js";
import { MultivariateNormal } from "./multivariate.js";
import { digamma, lgamma } from "../core.js";
import { TransformedDistribution } from "./transformed.js";
import { Binomial, Geometric } from "./more-discrete.js";
import { Cauchy, ContinuousBernoulli, Gumbel, HalfNormal } from "./more-continuous.js";
import { Pareto } from "./power-law.js";
import { LowRankMultivariateNormal, batchMahalanobis, lowRankLogDet, lowRankMahalanobis } from "./low-rank.js";
import { solve } from "../ops/linalg-dense.js";
import { diagEmbed, diagonal } from "../ops/linalg.js";
import { ExponentialFamily, klExponentialFamily } from "./exp-family.js";

type Ctor<D extends Distribution> = abstract new (...args: never[]) => D;
type KlFn = (p: never, q: never) => Tensor;
const registry: [Ctor<Distribution>, Ctor<Distribution>, KlFn][] = [];

/** Registers `fn(p, q)` as KL(p ‖ q) for instances of `P` and `Q` (later registrations win). */
export function registerKl<P extends Distribution, Q extends Distribution>(P: Ctor<P>, Q: Ctor<Q>, fn: (p: P, q: Q) => Tensor): void {
  if (typeof P !== "function" || typeof Q !== "function" || typeof fn !== "function")
    throw new TensileError(`registerKl: expected two Distribution classes and a function, got ${fmtValue(P)}, ${fmtValue(Q)}, ${fmtValue(fn)}`);
  registry.unshift([P, Q, fn as KlFn]);
}

/** KL(p ‖ q), batch-shaped; throws for a pair without a closed form here. */
export function klDivergence(p: Distribution, q: Distribution): Tensor {
  if (!(p instanceof Distribution) || !(q instanceof Distribution))
    throw new TensileError(`klDivergence: expected two Distributions, got ${fmtValue(p)} and ${fmtValue(q)}`);
  for (const [P, Q, fn] of registry) if (p instanceof P && q instanceof Q) return (fn as (a: Distribution, b: Distribution) => Tensor)(p, q);
  throw new TensileError(`klDivergence: no KL(p || q) is implemented for p ${p.constructor.name} and q ${q.constructor.name}; register one with registerKl`);
}

// registered first, so every pair below wins over it: the Bregman fallback for one exponential family (PyTorch's `_kl_expfamily_expfamily`)
registerKl(ExponentialFamily, ExponentialFamily, klExponentialFamily);

/** Sets `t` to `v` where `mask` holds (a constant, no gradient there), as PyTorch's `t[mask] = v`. */
const setWhere = (t: Tensor, mask: Tensor, v: number): Tensor => t.maskedFill(mask.expand(t.shape), v);

registerKl(Normal, Normal, (p, q) => {
  const varRatio = p.scale.div(q.scale).pow(2);
  const t1 = p.loc.sub(q.loc).div(q.scale).pow(2);
  return varRatio.add(t1).sub(1).sub(varRatio.log()).mul(0.5);
});

registerKl(Bernoulli, Bernoulli, (p, q) => {
  let t1 = p.probs.mul(softplus(q.logits.neg()).sub(softplus(p.logits.neg())));
  t1 = setWhere(setWhere(t1, q.probs.eq(0), Infinity), p.probs.eq(0), 0);
  let t2 = p.probs.neg().add(1).mul(softplus(q.logits).sub(softplus(p.logits)));
  t2 = setWhere(setWhere(t2, q.probs.eq(1), Infinity), p.probs.eq(1), 0);
  return t1.add(t2);
});

function klCategorical(p: Categorical, q: Categorical): Tensor {
  let t = p.probs.mul(p.logits.sub(q.logits));
  t = setWhere(setWhere(t, q.probs.eq(0), Infinity), p.probs.eq(0), 0);
  return t.sum(-1);
}
registerKl(Categorical, Categorical, klCategorical);
registerKl(OneHotCategorical, OneHotCategorical, (p, q) => klCategorical(p.categorical, q.categorical));

registerKl(Uniform, Uniform, (p, q) => {
  const r = q.high.sub(q.low).div(p.high.sub(p.low)).log();
  return setWhere(r, q.low.gt(p.low).logicalOr(q.high.lt(p.high)), Infinity);
});

registerKl(Exponential, Exponential, (p, q) => {
  const ratio = q.rate.div(p.rate);
  return ratio.log().neg().add(ratio).sub(1);
});

registerKl(Laplace, Laplace, (p, q) => {
  const scaleRatio = p.scale.div(q.scale);
  const d = p.loc.sub(q.loc).abs();
  return scaleRatio.log().neg().add(d.div(q.scale)).add(scaleRatio.mul(d.neg().div(p.scale).exp())).sub(1);
});

registerKl(Independent, Independent, (p, q) => {
  if (p.reinterpretedBatchNdims !== q.reinterpretedBatchNdims)
    throw new TensileError(`klDivergence: Independent distributions with different reinterpreted_batch_ndims (${p.reinterpretedBatchNdims} and ${q.reinterpretedBatchNdims})`);
  return sumRightmost(klDivergence(p.baseDist, q.baseDist), p.reinterpretedBatchNdims);
});

registerKl(Gamma, Gamma, (p, q) => {
  const t1 = q.concentration.mul(p.rate.div(q.rate).log());
  const t2 = lgamma(q.concentration).sub(lgamma(p.concentration));
  const t3 = p.concentration.sub(q.concentration).mul(digamma(p.concentration));
  const t4 = q.rate.sub(p.rate).mul(p.concentration.div(p.rate));
  return t1.add(t2).add(t3).add(t4);
});

function klDirichlet(p: Dirichlet, q: Dirichlet): Tensor {
  const sp = p.concentration.sum(-1), sq = q.concentration.sum(-1);
  const t1 = lgamma(sp).sub(lgamma(sq));
  const t2 = lgamma(p.concentration).sub(lgamma(q.concentration)).sum(-1);
  const t3 = p.concentration.sub(q.concentration);
  const t4 = digamma(p.concentration).sub(digamma(sp).unsqueeze(-1));
  return t1.sub(t2).add(t3.mul(t4).sum(-1));
}
registerKl(Dirichlet, Dirichlet, klDirichlet);
registerKl(Beta, Beta, (p, q) => klDirichlet(p.dirichlet, q.dirichlet));

registerKl(Poisson, Poisson, (p, q) => p.rate.mul(p.rate.log().sub(q.rate.log())).sub(p.rate.sub(q.rate)));

registerKl(MultivariateNormal, MultivariateNormal, (p, q) => MultivariateNormal.klDivergence(p, q));

// ---- pairs among the distributions added with Binomial … TransformedDistribution (PyTorch 1.13's kl.py) ----

const EULER = 0.5772156649015329;
/** Infinity everywhere, shaped like `t` (PyTorch's `_infinite_like`; no gradient). */
const infLike = (t: Tensor): Tensor => fullLike(t.detach(), Infinity);
const xLogX = (t: Tensor): Tensor => t.mul(t.log());

// the general TransformedDistribution pair first: the more specific pairs registered after it win
registerKl(TransformedDistribution, TransformedDistribution, (p, q) => {
  if (p.transforms.length !== q.transforms.length || !p.transforms.every((t, i) => t.equals(q.transforms[i]!)))
    throw new TensileError(`klDivergence: no KL(p || q) is implemented for TransformedDistributions with different transforms (p ${p.constructor.name}, q ${q.constructor.name})`);
  if (p.eventShape.length !== q.eventShape.length || p.eventShape.some((d, i) => d !== q.eventShape[i]))
    throw new TensileError(`klDivergence: no KL(p || q) is implemented for TransformedDistributions with different event shapes ${fmtShape(p.eventShape)} and ${fmtShape(q.eventShape)}`);
  return klDivergence(p.baseDist, q.baseDist);
});

registerKl(Binomial, Binomial, (p, q) => {
  const lower = noGrad(() => p.totalCount.lt(q.totalCount).any().item());
  if (lower) throw new TensileError("klDivergence: KL between Binomials where q.total_count > p.total_count is not implemented");
  const kl = p.totalCount.mul(p.probs.mul(p.logits.sub(q.logits)).add(p.probs.neg().log1p()).sub(q.probs.neg().log1p()));
  return setWhere(kl, p.totalCount.gt(q.totalCount), Infinity);
});
registerKl(Geometric, Geometric, (p, q) => p.entropy().neg().sub(q.probs.neg().log1p().div(p.probs)).sub(q.logits));
registerKl(Gumbel, Gumbel, (p, q) => {
  const ct1 = p.scale.div(q.scale), ct2 = q.loc.div(q.scale), ct3 = p.loc.div(q.scale);
  const t1 = ct1.log().neg().sub(ct2).add(ct3);
  const t2 = ct1.mul(EULER);
  const t3 = ct2.add(lgamma(ct1.add(1))).sub(ct3).exp();
  return t1.add(t2).add(t3).sub(1 + EULER);
});
registerKl(HalfNormal, HalfNormal, (p, q) => klDivergence(p.baseDist, q.baseDist));
registerKl(Cauchy, Cauchy, (p, q) => {
  const t1 = p.scale.add(q.scale).pow(2).add(p.loc.sub(q.loc).pow(2)).log();
  const t2 = p.scale.mul(4).mul(q.scale).log();
  return t1.sub(t2);
});
registerKl(ContinuousBernoulli, ContinuousBernoulli, (p, q) => {
  const t1 = p.mean.mul(p.logits.sub(q.logits));
  const t2 = p.logNorm().add(p.probs.neg().log1p());
  const t3 = q.logNorm().neg().sub(q.probs.neg().log1p());
  return t1.add(t2).add(t3);
});

// different families
registerKl(Bernoulli, Poisson, (p, q) => p.entropy().neg().sub(p.probs.mul(q.rate.log()).sub(q.rate)));
registerKl(Beta, ContinuousBernoulli, (p, q) => p.entropy().neg().sub(p.mean.mul(q.logits)).sub(q.probs.neg().log1p()).sub(q.logNorm()));
registerKl(Beta, Exponential, (p, q) =>
  p.entropy().neg().sub(q.rate.log()).add(q.rate.mul(p.concentration1.div(p.concentration1.add(p.concentration0)))));
registerKl(Beta, Gamma, (p, q) => {
  const a = p.concentration1, b = p.concentration0;
  const t1 = p.entropy().neg();
  const t2 = lgamma(q.concentration).sub(q.concentration.mul(q.rate.log()));
  const t3 = q.concentration.sub(1).mul(digamma(a).sub(digamma(a.add(b))));
  const t4 = q.rate.mul(a).div(a.add(b));
  return t1.add(t2).sub(t3).add(t4);
});
registerKl(Beta, Normal, (p, q) => {
  const a = p.concentration1, b = p.concentration0;
  const E = a.div(a.add(b));
  const varNormal = q.scale.pow(2);
  const t1 = p.entropy().neg();
  const t2 = varNormal.mul(2 * Math.PI).log().mul(0.5);
  const t3 = E.mul(E.neg().add(1)).div(a.add(b).add(1)).add(E.pow(2)).mul(0.5);
  const t4 = q.loc.mul(E);
  const t5 = q.loc.pow(2).mul(0.5);
  return t1.add(t2).add(t3.sub(t4).add(t5).div(varNormal));
});
registerKl(Beta, Uniform, (p, q) => {
  const result = p.entropy().neg().add(q.high.sub(q.low).log());
  return setWhere(result, q.low.gt(0).logicalOr(q.high.lt(1)), Infinity);
});
registerKl(ContinuousBernoulli, Exponential, (p, q) => p.entropy().neg().sub(q.rate.log()).add(q.rate.mul(p.mean)));
registerKl(ContinuousBernoulli, Normal, (p, q) => {
  const t1 = p.entropy().neg();
  const t2 = q.loc.div(q.scale).pow(2).add(Math.log(2 * Math.PI)).mul(0.5).add(q.scale.log());
  const t3 = p.variance.add(p.mean.pow(2)).sub(q.loc.mul(2).mul(p.mean)).div(q.scale.pow(2).mul(2));
  return t1.add(t2).add(t3);
});
// PyTorch 1.13 tests q.low >= 0 or q.high <= 1, so a q of exactly [0, 1] gives ∞; the divergence is infinite only where q misses part of [0, 1]
registerKl(ContinuousBernoulli, Uniform, (p, q) => {
  const result = p.entropy().neg().add(q.high.sub(q.low).log());
  return where(q.low.gt(0).logicalOr(q.high.lt(1)), Infinity, result);
});
registerKl(Exponential, Gamma, (p, q) => {
  const ratio = q.rate.div(p.rate);
  const t1 = q.concentration.neg().mul(ratio.log());
  return t1.add(ratio).add(lgamma(q.concentration)).add(q.concentration.mul(EULER)).sub(1 + EULER);
});
registerKl(Exponential, Gumbel, (p, q) => {
  const srp = p.rate.mul(q.scale), lsr = q.loc.div(q.scale);
  const t1 = srp.log().sub(1);
  const t2 = lsr.exp().mul(srp).div(srp.add(1));
  const t3 = srp.reciprocal();
  return t1.sub(lsr).add(t2).add(t3);
});
registerKl(Exponential, Normal, (p, q) => {
  const varNormal = q.scale.pow(2), rateSqr = p.rate.pow(2);
  const t1 = rateSqr.mul(varNormal).mul(2 * Math.PI).log().mul(0.5);
  const t2 = rateSqr.reciprocal(), t3 = q.loc.div(p.rate), t4 = q.loc.pow(2).mul(0.5);
  return t1.sub(1).add(t2.sub(t3).add(t4).div(varNormal));
});
registerKl(Gamma, Exponential, (p, q) => p.entropy().neg().sub(q.rate.log()).add(q.rate.mul(p.concentration).div(p.rate)));
registerKl(Gamma, Gumbel, (p, q) => {
  const a = p.concentration;
  const bsp = p.rate.mul(q.scale), lsr = q.loc.div(q.scale);
  const t1 = a.sub(1).mul(digamma(a)).sub(lgamma(a)).sub(a);
  const t2 = bsp.log().add(a.div(bsp));
  const t3 = lsr.exp().mul(bsp.reciprocal().add(1).pow(a.neg())).sub(lsr);
  return t1.add(t2).add(t3);
});
registerKl(Gamma, Normal, (p, q) => {
  const a = p.concentration;
  const varNormal = q.scale.pow(2), betaSqr = p.rate.pow(2);
  const t1 = betaSqr.mul(varNormal).mul(2 * Math.PI).log().mul(0.5).sub(a).sub(lgamma(a));
  const t2 = a.pow(2).add(a).mul(0.5).div(betaSqr);
  const t3 = q.loc.mul(a).div(p.rate);
  const t4 = q.loc.pow(2).mul(0.5);
  return t1.add(a.sub(1).mul(digamma(a))).add(t2.sub(t3).add(t4).div(varNormal));
});
registerKl(Gumbel, Normal, (p, q) => {
  const ratio = p.scale.div(q.scale);
  const t1 = ratio.div(Math.sqrt(2 * Math.PI)).log();
  const t2 = ratio.mul(Math.PI * 0.5).pow(2).div(3);
  const t3 = p.loc.add(p.scale.mul(EULER)).sub(q.loc).div(q.scale).pow(2).mul(0.5);
  return t1.neg().add(t2).add(t3).sub(EULER + 1);
});
registerKl(Laplace, Normal, (p, q) => {
  const varNormal = q.scale.pow(2);
  const ratio = p.scale.pow(2).div(varNormal);
  const t1 = ratio.mul(2 / Math.PI).log().mul(0.5);
  const t2 = p.loc.pow(2).mul(0.5), t3 = p.loc.mul(q.loc), t4 = q.loc.pow(2).mul(0.5);
  return t1.neg().add(ratio).add(t2.sub(t3).add(t4).div(varNormal)).sub(1);
});
registerKl(Normal, Gumbel, (p, q) => {
  const msr = p.loc.div(q.scale), vssr = p.scale.div(q.scale).pow(2), lsr = q.loc.div(q.scale);
  const t1 = vssr.log().mul(0.5);
  const t2 = msr.sub(lsr);
  const t3 = msr.neg().add(vssr.mul(0.5)).add(lsr).exp();
  return t1.neg().add(t2).add(t3).sub(0.5 * (1 + Math.log(2 * Math.PI)));
});
registerKl(Normal, Laplace, (p, q) => {
  const d = p.loc.sub(q.loc), ratio = p.scale.div(q.scale), dr = d.div(p.scale);
  const t1 = ratio.log();
  const t2 = p.scale.mul(Math.sqrt(2 / Math.PI)).mul(dr.pow(2).mul(-0.5).exp());
  const t3 = d.mul(erf(dr.mul(Math.SQRT1_2)));
  return t1.neg().add(t2.add(t3).div(q.scale)).sub(0.5 * (1 + Math.log(0.5 * Math.PI)));
});
registerKl(Uniform, Beta, (p, q) => {
  const common = p.high.sub(p.low);
  const t1 = common.log();
  const t2 = q.concentration1.sub(1).mul(xLogX(p.high).sub(xLogX(p.low)).sub(common)).div(common);
  const t3 = q.concentration0.sub(1).mul(xLogX(p.high.neg().add(1)).sub(xLogX(p.low.neg().add(1))).add(common)).div(common);
  const t4 = lgamma(q.concentration1).add(lgamma(q.concentration0)).sub(lgamma(q.concentration1.add(q.concentration0)));
  const result = t3.add(t4).sub(t1).sub(t2);
  return setWhere(result, p.high.gt(1).logicalOr(p.low.lt(0)), Infinity);
});
// PyTorch 1.13 tests p.high >= 1 or p.low <= 0, so U(0, 1) gives ∞; the divergence is infinite only where p leaves [0, 1]
registerKl(Uniform, ContinuousBernoulli, (p, q) => {
  const result = p.entropy().neg().sub(p.mean.mul(q.logits)).sub(q.probs.neg().log1p()).sub(q.logNorm());
  return where(p.high.gt(1).logicalOr(p.low.lt(0)), Infinity, result);
});
registerKl(Uniform, Exponential, (p, q) => {
  const result = q.rate.mul(p.high.add(p.low)).div(2).sub(p.high.sub(p.low).mul(q.rate).log());
  return setWhere(result, p.low.lt(0), Infinity);
});
registerKl(Uniform, Gamma, (p, q) => {
  const common = p.high.sub(p.low);
  const t1 = common.log();
  const t2 = lgamma(q.concentration).sub(q.concentration.mul(q.rate.log()));
  const t3 = q.concentration.neg().add(1).mul(xLogX(p.high).sub(xLogX(p.low)).sub(common)).div(common);
  const t4 = q.rate.mul(p.high.add(p.low)).div(2);
  return setWhere(t1.neg().add(t2).add(t3).add(t4), p.low.lt(0), Infinity);
});
registerKl(Uniform, Gumbel, (p, q) => {
  const common = q.scale.div(p.high.sub(p.low));
  const hi = p.high.sub(q.loc).div(q.scale), lo = p.low.sub(q.loc).div(q.scale);
  const t1 = common.log().add(hi.add(lo).mul(0.5));
  const t2 = common.mul(hi.neg().exp().sub(lo.neg().exp()));
  return t1.sub(t2);
});
registerKl(Uniform, Normal, (p, q) => {
  const common = p.high.sub(p.low);
  const t1 = q.scale.mul(Math.sqrt(Math.PI * 2)).div(common).log();
  const t2 = common.pow(2).div(12);
  const t3 = p.high.add(p.low).sub(q.loc.mul(2)).div(2).pow(2);
  return t1.add(t2.add(t3).mul(0.5).div(q.scale.pow(2)));
});

// pairs where q rules out part of what p allows: infinite everywhere
const infinite: [Ctor<Distribution>, (p: never) => Tensor, Ctor<Distribution>[]][] = [
  [Exponential, (p: Exponential) => p.rate, [Beta, ContinuousBernoulli, Uniform]],
  [Gamma, (p: Gamma) => p.concentration, [Beta, ContinuousBernoulli, Uniform]],
  [Gumbel, (p: Gumbel) => p.loc, [Beta, ContinuousBernoulli, Exponential, Gamma, Uniform]],
  [Laplace, (p: Laplace) => p.loc, [Beta, ContinuousBernoulli, Exponential, Gamma, Uniform]],
  [Normal, (p: Normal) => p.loc, [Beta, ContinuousBernoulli, Exponential, Gamma, Uniform]],
  [Poisson, (p: Poisson) => p.rate, [Bernoulli, Binomial]],
];
for (const [P, param, Qs] of infinite) for (const Q of Qs) registerKl(P, Q, (p) => infLike(param(p as never)));

// ---- Pareto (PyTorch 1.13's pairs; Weibull, Kumaraswamy, the relaxed distributions, Multinomial and MixtureSameFamily have none) ----
registerKl(Pareto, Pareto, (p, q) => {
  const scaleRatio = p.scale.div(q.scale), alphaRatio = q.alpha.div(p.alpha);
  const result = q.alpha.mul(scaleRatio.log()).sub(alphaRatio.log()).add(alphaRatio).sub(1);
  return setWhere(result, p.scale.lt(q.scale), Infinity); // p puts mass below q's support
});
registerKl(Pareto, Exponential, (p, q) => {
  const srp = p.scale.mul(q.rate);
  const result = p.alpha.div(srp).log().sub(p.alpha.reciprocal()).add(p.alpha.mul(srp).div(p.alpha.sub(1))).sub(1);
  return setWhere(result, p.alpha.le(1), Infinity);
});
registerKl(Pareto, Gamma, (p, q) => {
  const common = p.scale.log().add(p.alpha.reciprocal());
  const t1 = p.alpha.log().sub(common);
  const t2 = lgamma(q.concentration).sub(q.concentration.mul(q.rate.log()));
  const t3 = q.concentration.neg().add(1).mul(common);
  const t4 = q.rate.mul(p.alpha).mul(p.scale).div(p.alpha.sub(1));
  return setWhere(t1.add(t2).add(t3).add(t4).sub(1), p.alpha.le(1), Infinity);
});
registerKl(Pareto, Normal, (p, q) => {
  const varNormal = q.scale.pow(2).mul(2);
  const common = p.scale.div(p.alpha.sub(1));
  const t1 = q.scale.mul(p.alpha).div(p.scale).mul(Math.sqrt(2 * Math.PI)).log();
  const t2 = p.alpha.reciprocal();
  const t3 = p.alpha.mul(common.pow(2)).div(p.alpha.sub(2));
  const t4 = p.alpha.mul(common).sub(q.loc).pow(2);
  return setWhere(t1.sub(t2).add(t3.add(t4).div(varNormal)).sub(1), p.alpha.le(2), Infinity); // no variance for α ≤ 2
});
registerKl(Uniform, Pareto, (p, q) => {
  const width = p.high.sub(p.low);
  const t1 = q.alpha.mul(q.scale.pow(q.alpha)).mul(width).log();
  const t2 = xLogX(p.high).sub(xLogX(p.low)).sub(width).div(width);
  return setWhere(t2.mul(q.alpha.add(1)).sub(t1), p.low.lt(q.scale), Infinity);
});
for (const Q of [Beta, ContinuousBernoulli, Uniform] as Ctor<Distribution>[]) registerKl(Pareto, Q, (p) => infLike(p.scale));
for (const [P, param] of [[Beta, (p: Beta) => p.concentration1], [ContinuousBernoulli, (p: ContinuousBernoulli) => p.probs], [Exponential, (p: Exponential) => p.rate],
  [Gamma, (p: Gamma) => p.concentration], [Gumbel, (p: Gumbel) => p.loc], [Laplace, (p: Laplace) => p.loc], [Normal, (p: Normal) => p.loc]] as [Ctor<Distribution>, (p: never) => Tensor][])
  registerKl(P, Pareto, (p) => infLike(param(p as never)));

// ---- LowRankMultivariateNormal (PyTorch 1.13's three pairs, term for term) ----
const traceXXt = (X: Tensor): Tensor => X.pow(2).sum([-2, -1]);
function sameEvent(p: Distribution, q: Distribution, what: string): number {
  const n = p.eventShape[0]!;
  if (q.eventShape[0] !== n) throw new TensileError(`klDivergence: KL-divergence between two ${what} with different event shapes (${fmtShape(p.eventShape)} and ${fmtShape(q.eventShape)}) cannot be computed`);
  return n;
}
/** A = C_L⁻¹ WᵀD⁻¹ of q, so that Σq⁻¹ = D⁻¹ − AᵀA. */
function woodburyA(q: LowRankMultivariateNormal): Tensor {
  const WtDinv = q.unbroadcastedCovFactor.transpose(-1, -2).div(q.unbroadcastedCovDiag.unsqueeze(-2));
  const L = q.capacitanceTril.tril(), m = L.shape[L.ndim - 1]!;
  const lead = broadcastAll("klDivergence", [L.shape.slice(0, -2), WtDinv.shape.slice(0, -2)]);
  return solve(L.expand([...lead, m, m]), WtDinv.expand([...lead, ...WtDinv.shape.slice(-2)]));
}
const mvnLogDet = (p: MultivariateNormal): Tensor => diagonal(p.scaleTril, 0, -2, -1).log().sum(-1).mul(2);
registerKl(LowRankMultivariateNormal, LowRankMultivariateNormal, (p, q) => {
  const n = sameEvent(p, q, "Low Rank Multivariate Normals");
  const term1 = lowRankLogDet(q.unbroadcastedCovDiag, q.capacitanceTril).sub(lowRankLogDet(p.unbroadcastedCovDiag, p.capacitanceTril));
  const term3 = lowRankMahalanobis(q.unbroadcastedCovFactor, q.unbroadcastedCovDiag, q.loc.sub(p.loc), q.capacitanceTril);
  // tr(Σq⁻¹Σp) = tr((D_q⁻¹ − AᵀA)(D_p + W_pW_pᵀ))
  const A = woodburyA(q);
  const term21 = p.unbroadcastedCovDiag.div(q.unbroadcastedCovDiag).sum(-1);
  const term22 = traceXXt(p.unbroadcastedCovFactor.mul(q.unbroadcastedCovDiag.rsqrt().unsqueeze(-1)));
  const term23 = traceXXt(A.mul(p.unbroadcastedCovDiag.sqrt().unsqueeze(-2)));
  const term24 = traceXXt(A.matmul(p.unbroadcastedCovFactor));
  return term1.add(term21.add(term22).sub(term23).sub(term24)).add(term3).sub(n).mul(0.5);
});
registerKl(MultivariateNormal, LowRankMultivariateNormal, (p, q) => {
  const n = sameEvent(p, q, "(Low Rank) Multivariate Normals");
  const term1 = lowRankLogDet(q.unbroadcastedCovDiag, q.capacitanceTril).sub(mvnLogDet(p));
  const term3 = lowRankMahalanobis(q.unbroadcastedCovFactor, q.unbroadcastedCovDiag, q.loc.sub(p.loc), q.capacitanceTril);
  const A = woodburyA(q);
  const term21 = traceXXt(p.scaleTril.mul(q.unbroadcastedCovDiag.rsqrt().unsqueeze(-1)));
  const term22 = traceXXt(A.matmul(p.scaleTril));
  return term1.add(term21.sub(term22)).add(term3).sub(n).mul(0.5);
});
registerKl(LowRankMultivariateNormal, MultivariateNormal, (p, q) => {
  const n = sameEvent(p, q, "(Low Rank) Multivariate Normals");
  const term1 = mvnLogDet(q).sub(lowRankLogDet(p.unbroadcastedCovDiag, p.capacitanceTril));
  const term3 = batchMahalanobis(q.scaleTril, q.loc.sub(p.loc));
  const shape = broadcastAll("klDivergence", [q.scaleTril.shape.slice(0, -2), p.unbroadcastedCovFactor.shape.slice(0, -2)]);
  const Lq = q.scaleTril.tril().expand([...shape, n, n]);
  const W = p.unbroadcastedCovFactor;
  const term21 = traceXXt(solve(Lq, W.expand([...shape, n, W.shape[W.ndim - 1]!])));
  const term22 = traceXXt(solve(Lq, diagEmbed(p.unbroadcastedCovDiag.sqrt()).expand([...shape, n, n])));
  return term1.add(term21.add(term22)).add(term3).sub(n).mul(0.5);
});
