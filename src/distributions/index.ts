/**
 * `distributions` (PyTorch's `torch.distributions`): probability distributions with sampling,
 * reparameterised sampling (`rsample`, for VAEs), `logProb` (for policy gradients and likelihoods),
 * entropy, moments and closed-form KL divergences.
 *
 * ```ts
 * import { distributions as D } from "tensile";
 * const pi = new D.Categorical({ logits: policy.forward(state) });
 * const action = pi.sample();
 * const loss = pi.logProb(action).mul(advantage).neg().mean();       // REINFORCE
 * const z = new D.Normal(mu, logVar.mul(0.5).exp()).rsample();       // VAE, differentiable
 * const kl = D.klDivergence(new D.Normal(mu, sigma), new D.Normal(0, 1));
 * ```
 */
export { Distribution, type DistributionOptions, type Param } from "./distribution.js";
export { Normal, LogNormal, Uniform, Laplace, Exponential } from "./continuous.js";
export { Bernoulli, Categorical, OneHotCategorical, type ProbsOrLogits } from "./discrete.js";
export { Independent } from "./independent.js";
export { Gamma, Beta, Dirichlet, Poisson } from "./gamma.js";
export { MultivariateNormal, type MultivariateNormalOptions } from "./multivariate.js";
export { klDivergence, registerKl } from "./kl.js";
