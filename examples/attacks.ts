/**
 * Adversarial attacks on a classifier, written as a PyTorch user would write them: FGSM
 * (Goodfellow, Shlens & Szegedy 2015) and PGD with a random start (Madry et al. 2018), both in
 * the L∞ norm for inputs in [0, 1]. Used by `examples/adversarial.ts` and
 * `test/adversarial.test.ts`.
 *
 * Each attack differentiates the loss with respect to the input only, with `grad` (PyTorch's
 * `torch.autograd.grad`), so it never accumulates anything into the model's parameters' `.grad`
 * (a training loop that calls the attack between `zeroGrad()` and `step()` stays correct), and
 * runs the model in eval mode (dropout off, batch norm on its running statistics), restoring the
 * mode it found. The adversarial examples come back detached: no graph, `requiresGrad` false.
 */
import { type Generator, type Tensor, F, enableGrad, grad, noGrad, nn, zerosLike } from "../src/index.js";

/** The loss an attack climbs: the summed cross-entropy, so each example's gradient is its own. */
function attackLoss(model: nn.Module, x: Tensor, y: Tensor): Tensor {
  return F.crossEntropy(model.forward(x) as Tensor, y, { reduction: "sum" });
}

/** Runs `fn` with `model` in eval mode and puts back the mode it was in. */
function inEvalMode<R>(model: nn.Module, fn: () => R): R {
  const wasTraining = model.training;
  model.eval();
  try {
    return fn();
  } finally {
    model.train(wasTraining);
  }
}

/**
 * ∇ₓ loss(model(x), y) at `x` (a leaf made here), without touching any parameter's `.grad`.
 * Under `enableGrad`, so an attack called inside `noGrad` (an evaluation loop) still works.
 */
function inputGradient(model: nn.Module, x: Tensor, y: Tensor): Tensor {
  return enableGrad(() => {
    const xr = x.detach().clone().requiresGrad_(); // x_adv = x.clone().requires_grad_()
    const [g] = grad(attackLoss(model, xr, y), xr); // torch.autograd.grad(loss, x_adv)
    return g!;
  });
}

/**
 * Fast gradient sign method: one step of size `eps` along the sign of the input gradient of the
 * cross-entropy, x' = clip(x + ε·sign(∇ₓ loss), 0, 1). `x` is a batch of inputs in [0, 1] (any
 * shape the model takes), `y` its int32 labels.
 */
export function fgsm(model: nn.Module, x: Tensor, y: Tensor, eps: number): Tensor {
  return inEvalMode(model, () => {
    const g = inputGradient(model, x, y);
    return noGrad(() => x.add(g.sign().mul(eps)).clamp(0, 1));
  });
}

export interface PgdOptions {
  /** Radius of the L∞ ball around x. */
  eps: number;
  /** Step size of each signed-gradient step. */
  alpha: number;
  /** Number of steps. */
  steps: number;
  /** Start from a uniform random point of the ball (Madry et al.); default true. */
  randomStart?: boolean;
  /** Random stream for the start; the default generator (seeded by `manualSeed`) otherwise. */
  generator?: Generator;
}

/**
 * Projected gradient descent (ascent on the loss): from x (or a uniform random point of the L∞
 * ε-ball around it, clipped to [0, 1]), `steps` steps x ← Π(x + α·sign(∇ₓ loss)), where Π
 * projects onto the ε-ball around the clean x and onto [0, 1].
 */
export function pgd(model: nn.Module, x: Tensor, y: Tensor, opts: PgdOptions): Tensor {
  const { eps, alpha, steps, randomStart = true, generator } = opts;
  return inEvalMode(model, () => {
    const x0 = x.detach();
    // The box Π projects onto: [x − ε, x + ε] ∩ [0, 1].
    const [lo, hi] = noGrad(() => [x0.sub(eps).clamp(0, 1), x0.add(eps).clamp(0, 1)]);
    let xAdv = x0;
    if (randomStart) {
      // x + U(−ε, ε), clipped: torch.empty_like(x).uniform_(-eps, eps)
      xAdv = noGrad(() => x0.add(zerosLike(x0).uniform_(-eps, eps, { generator })).clamp(0, 1));
    }
    for (let k = 0; k < steps; k++) {
      const g = inputGradient(model, xAdv, y);
      // torch.min(torch.max(x_adv + alpha * grad.sign(), lo), hi)
      xAdv = noGrad(() => xAdv.add(g.sign().mul(alpha)).maximum(lo).minimum(hi));
    }
    return xAdv;
  });
}
