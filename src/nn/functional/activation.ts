/**
 * Activations, padding and one-hot live in core (they are Tensor methods too); `nn.functional`
 * re-exports them so `F.relu(x)` reads as in PyTorch.
 */
export {
  relu,
  leakyRelu,
  elu,
  selu,
  gelu,
  silu,
  softplus,
  sigmoid,
  logSigmoid,
  tanh,
  hardtanh,
  softmax,
  logSoftmax,
  pad,
  oneHot,
} from "../../core.js";
