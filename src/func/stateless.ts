/** `nn.utils.stateless` (PyTorch's `torch.nn.utils.stateless`): `functionalCall`, the same function as `func.functionalCall`. */
export { functionalCall } from "./functional-call.js";
