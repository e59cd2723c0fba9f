/**
 * `OneHotCategoricalStraightThrough` (PyTorch's): a OneHotCategorical with a reparameterised
 * `rsample` by the straight-through estimator (Bengio, Léonard & Courville, 2013): the draw is the
 * one-hot sample, and its gradient is that of the probabilities, as if the sample were `probs`.
 */
import type { Tensor } from "../core.js";
import { OneHotCategorical } from "./discrete.js";

/**
 * `OneHotCategoricalStraightThrough({ probs | logits })`: draws are one-hot vectors [..., K], and
 * `rsample` = sample + (probs − probs.detach()), equal to the sample but differentiable through probs.
 *
 * ```ts
 * const d = new D.OneHotCategoricalStraightThrough({ logits });
 * const y = d.rsample([8]);            // one-hot [8, ..., K]
 * y.mul(w).sum().backward();           // logits.grad: that of probs·w, summed over the 8 draws
 * ```
 */
export class OneHotCategoricalStraightThrough extends OneHotCategorical {
  override get hasRsample(): boolean {
    return true;
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const samples = this.sample(sampleShape);
    const probs = this.categorical.probs;
    return samples.add(probs.sub(probs.detach()));
  }
}
