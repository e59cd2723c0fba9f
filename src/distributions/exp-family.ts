/**
 * `ExponentialFamily` (PyTorch's `torch.distributions.ExponentialFamily`): the base of distributions
 * whose density is p(x; θ) = exp(⟨t(x), θ⟩ − F(θ) + k(x)), with θ the natural parameters
 * (`naturalParams`), F the log normaliser (`logNormalizer`) and E[k(x)] the mean carrier measure
 * (`meanCarrierMeasure`). From those alone, autograd gives the entropy and the KL divergence between
 * two members of one family as Bregman divergences of F (Nielsen & Nock, "Entropies and
 * cross-entropies of exponential families"), as PyTorch does: a check on the closed forms, and the
 * KL fallback for a family with no closed form registered.
 */
import { Tensor, enableGrad, grad } from "../core.js";
import { TensileError } from "../errors.js";
import { Distribution, broadcastAll } from "./distribution.js";
import { sumRightmost } from "./independent.js";

export abstract class ExponentialFamily extends Distribution {
  /** θ, the natural parameters, one tensor each (PyTorch's `_natural_params`). */
  get naturalParams(): Tensor[] {
    throw new TensileError(`${this.constructor.name}.naturalParams: not implemented (PyTorch raises NotImplementedError)`);
  }
  /** F(θ), the log normaliser at the natural parameters `params` (PyTorch's `_log_normalizer`). */
  logNormalizer(..._params: Tensor[]): Tensor {
    throw new TensileError(`${this.constructor.name}.logNormalizer: not implemented (PyTorch raises NotImplementedError)`);
  }
  /** E[k(x)], the expected carrier measure (PyTorch's `_mean_carrier_measure`; 0 for most families, none in closed form for Beta, Dirichlet and Poisson). */
  get meanCarrierMeasure(): number | Tensor {
    throw new TensileError(`${this.constructor.name}.meanCarrierMeasure: not implemented (E[k(x)] has no closed form here; PyTorch raises NotImplementedError)`);
  }

  /**
   * H = F(θ) − ⟨θ, ∇F(θ)⟩ − E[k(x)], the gradient by autograd (PyTorch's `ExponentialFamily.entropy`).
   * Each family here overrides `entropy` with its closed form, as in PyTorch; this one stays
   * reachable as `ExponentialFamily.prototype.entropy.call(d)` to check them. As in PyTorch the
   * natural parameters are detached first, so the result carries no gradient to d's parameters.
   *
   * ```ts
   * const d = new D.Normal(tensor([0, 1]), tensor([1, 2]));
   * D.ExponentialFamily.prototype.entropy.call(d);   // ≈ d.entropy()
   * ```
   */
  override entropy(): Tensor {
    let carrier: number | Tensor;
    try {
      carrier = this.meanCarrierMeasure;
    } catch (e) {
      if (e instanceof TensileError) throw new TensileError(`${this.constructor.name}.entropy: not implemented: ${e.message}`);
      throw e;
    }
    return enableGrad(() => {
      const nparams = this.naturalParams.map((p) => p.detach().requiresGrad_());
      const lg = this.logNormalizer(...nparams);
      const gradients = grad(lg.sum(), nparams, { createGraph: true });
      let result = typeof carrier === "number" && carrier === 0 ? lg : lg.sub(carrier);
      nparams.forEach((np, i) => {
        result = result.sub(np.mul(gradients[i]!).reshape([...this.batchShape, -1]).sum(-1));
      });
      return result;
    });
  }
}

/**
 * KL(p ‖ q) for two members p, q of one exponential family: F(θ_q) − F(θ_p) − ⟨θ_q − θ_p, ∇F(θ_p)⟩
 * (PyTorch's `_kl_expfamily_expfamily`, the fallback `klDivergence` uses for a pair of the same
 * family with no closed form registered). p's natural parameters are detached, as in PyTorch, so the
 * gradient reaches q's parameters only. Each term is summed over its natural parameter's own
 * trailing dims (PyTorch sums over q's event dims, which over-sums a natural parameter with fewer
 * dims, Wishart's df, when the batch shape is not empty).
 */
export function klExponentialFamily(p: ExponentialFamily, q: ExponentialFamily): Tensor {
  if (p.constructor !== q.constructor)
    throw new TensileError(`klDivergence: the cross KL-divergence between different exponential families (p ${p.constructor.name}, q ${q.constructor.name}) cannot be computed using Bregman divergences; register one with registerKl`);
  const batch = broadcastAll("klDivergence", [p.batchShape, q.batchShape]).length;
  return enableGrad(() => {
    const pn = p.naturalParams.map((t) => t.detach().requiresGrad_());
    const qn = q.naturalParams;
    const lg = p.logNormalizer(...pn);
    const gradients = grad(lg.sum(), pn, { createGraph: true });
    let result = q.logNormalizer(...qn).sub(lg);
    pn.forEach((pnp, i) => {
      const term = qn[i]!.sub(pnp).mul(gradients[i]!);
      result = result.sub(sumRightmost(term, term.ndim - batch));
    });
    return result;
  });
}
