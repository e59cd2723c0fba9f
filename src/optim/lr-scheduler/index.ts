/**
 * Learning-rate schedulers (PyTorch's `torch.optim.lr_scheduler`), as `optim.lrScheduler`:
 *
 * ```ts
 * const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * const scheduler = new optim.lrScheduler.StepLR(optimizer, { stepSize: 30, gamma: 0.1 });
 * for (let epoch = 0; epoch < 100; epoch++) {
 *   train(); // optimizer.step() per batch
 *   scheduler.step();
 * }
 * ```
 */
export { LRScheduler, type SchedulerOptions, type SchedulerStateDict } from "./base.js";
export {
  LambdaLR, MultiplicativeLR, StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR, CosineAnnealingLR,
  type LrLambda,
} from "./schedulers.js";
export { CosineAnnealingWarmRestarts, OneCycleLR, CyclicLR, type OneCycleLROptions, type CyclicLROptions } from "./cyclic.js";
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from "./plateau.js";
export { SequentialLR, ChainedScheduler } from "./sequential.js";
