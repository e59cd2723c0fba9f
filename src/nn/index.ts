/**
 * `nn`: modules, layers, losses, initialisations (`nn.init`), the stateless maths
 * (`nn.functional`, also exported as `F`) and utilities (`nn.utils`, `nn.summary`).
 */
export { Parameter } from "../core.js";
export { Module, RemovableHandle } from "./module.js";
export type { ForwardHook, ForwardPreHook, LoadStateDictPostHook, LoadStateDictResult, StateDict } from "./module.js";
export type { StateDictPostHook } from "./state-dict-hooks.js";
export * from "./layers/index.js";
export { summary, ModelSummary } from "./summary.js";
export type { SummaryRow, SummaryOptions } from "./summary.js";
export * as init from "./init.js";
export * as functional from "./functional/index.js";
export * as utils from "./utils.js";
export { deepcopy } from "./deepcopy.js";
