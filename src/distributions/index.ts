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
export { ExponentialFamily, klExponentialFamily } from "./exp-family.js";
export { OneHotCategoricalStraightThrough } from "./straight-through.js";
export { Gamma, Chi2, Beta, Dirichlet, Poisson } from "./gamma.js";
export { MultivariateNormal, type MultivariateNormalOptions } from "./multivariate.js";
export { klDivergence, registerKl } from "./kl.js";
export { Binomial, Geometric, NegativeBinomial, type CountOptions } from "./more-discrete.js";
export { StudentT, Cauchy, HalfNormal, HalfCauchy, Gumbel, ContinuousBernoulli, type ContinuousBernoulliOptions } from "./more-continuous.js";
export { TransformedDistribution } from "./transformed.js";
export { MixtureSameFamily } from "./mixture.js";
export { LogitRelaxedBernoulli, RelaxedBernoulli, ExpRelaxedCategorical, RelaxedOneHotCategorical } from "./relaxed.js";
export { Multinomial } from "./multinomial.js";
export { Weibull, Pareto, Kumaraswamy } from "./power-law.js";
export { LowRankMultivariateNormal } from "./low-rank.js";
export { FisherSnedecor } from "./fisher-snedecor.js";
export { LogisticNormal } from "./logistic-normal.js";
export { VonMises } from "./von-mises.js";
export { Wishart, type WishartOptions } from "./wishart.js";
export { LKJCholesky } from "./lkj.js";
export { StickBreakingTransform, LowerCholeskyTransform, CorrCholeskyTransform } from "./transforms-extra.js";
export {
  IndependentTransform, ReshapeTransform, CatTransform, StackTransform, CumulativeDistributionTransform, CatConstraint, StackConstraint,
} from "./transforms-structured.js";
export {
  Transform, Constraint, ComposeTransform, InverseTransform, ExpTransform, AffineTransform, PowerTransform, SigmoidTransform,
  SoftplusTransform, TanhTransform, AbsTransform, SoftmaxTransform, identityTransform, type AffineTransformOptions, type TransformOptions,
} from "./transforms.js";
export { constraints, IndependentConstraint, type ConstraintOptions } from "./constraints.js";
export * as transforms from "./transforms-all.js";
