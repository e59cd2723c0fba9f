/**
 * `func`: PyTorch's `torch.func` (functorch 1.13's function transforms under torch 2's names),
 * `import { func } from "tensile"`. `grad`, `gradAndValue`, `vjp`, `jvp`, `jacrev`, `jacfwd`,
 * `hessian` are built on reverse-mode autograd (jvp and jacfwd too: see docs/func.md); `vmap` is a
 * loop over the mapped dimension; `functionalCall` runs a module with substituted parameters
 * (`makeFunctional`, functorch 1.13's, wraps it as `fmodel(params, ...args)`).
 */
export { grad, gradAndValue, vjp, jvp } from "./grad.js";
export { jacrev, jacfwd, hessian } from "./jac.js";
export { vmap, type VmapOptions, type Dims } from "./vmap.js";
export { functionalCall, type NamedTensors } from "./functional-call.js";
export { makeFunctional, makeFunctionalWithBuffers, type FunctionalModule, type FunctionalModuleWithBuffers, type MakeFunctionalOptions } from "./make-functional.js";
export type { ArgnumsOptions } from "./common.js";
export { treeFlatten, treeUnflatten, treeMap, type TreeSpec } from "./pytree.js";
