/**
 * Optimizers (PyTorch's `torch.optim`) and, as `lrScheduler`, learning-rate schedulers.
 * Each optimizer class keeps param groups and state; its update rule is a plain function
 * (`sgd`, `adam`, ...) whose docstring gives the math. See docs/optim.md.
 */
export {
  Optimizer, type ParamGroup, type ParamGroupInput, type Params, type ParamState, type StateValue, type OptimizerStateDict,
} from "./optimizer.js";
export { SGD, sgd, type SGDOptions, type SGDParamGroup } from "./sgd.js";
export { Adam, AdamW, adam, adamw, type AdamOptions, type AdamWOptions, type AdamParamGroup, type AdamState } from "./adam.js";
export { RMSprop, rmsprop, type RMSpropOptions, type RMSpropParamGroup, type RMSpropState } from "./rmsprop.js";
export { Adagrad, adagrad, type AdagradOptions, type AdagradParamGroup, type AdagradState } from "./adagrad.js";
export { Adadelta, adadelta, type AdadeltaOptions, type AdadeltaParamGroup, type AdadeltaState } from "./adadelta.js";
export { Adamax, adamax, type AdamaxOptions, type AdamaxParamGroup, type AdamaxState } from "./adamax.js";
export { NAdam, nadam, type NAdamOptions, type NAdamParamGroup, type NAdamState } from "./nadam.js";
export * as lrScheduler from "./lr-scheduler/index.js";
export { RAdam, radam, type RAdamOptions, type RAdamParamGroup, type RAdamState } from "./radam.js";
export { Rprop, rprop, type RpropOptions, type RpropParamGroup, type RpropState } from "./rprop.js";
export { ASGD, asgd, type ASGDOptions, type ASGDParamGroup, type ASGDState } from "./asgd.js";
export { LBFGS, type LBFGSOptions, type LBFGSParamGroup, type LBFGSState } from "./lbfgs.js";
export { SparseAdam, sparseAdam, type SparseAdamOptions, type SparseAdamParamGroup, type SparseAdamState } from "./sparse-adam.js";
export * as swaUtils from "./swa-utils.js";
