/**
 * `autograd` (PyTorch's `torch.autograd`): `grad`, custom `Function`s, grad-mode switches, and
 * `functional` (Jacobians, Hessians and their vector products). The same `grad`, `Function`,
 * `noGrad`… are also top-level exports.
 */
export { grad, type GradOptions } from "./engine.js";
export { Function, FunctionCtx, type FunctionArgs, type FunctionResult } from "./function.js";
export { gradcheck, type GradcheckOptions } from "./gradcheck.js";
export { noGrad, enableGrad, inferenceMode, isGradEnabled, setGradEnabled } from "./grad-mode.js";
export * as functional from "./functional.js";
export { detectAnomaly, setDetectAnomaly, isAnomalyEnabled, type AnomalyOptions } from "./anomaly.js";
export * as profiler from "./profiler.js";
export * as graph from "./graph.js";
export { AccumulateGrad, Node } from "./engine.js";
