/**
 * `models`: ready-made networks. `lenet5()` for 28×28 digits; `resnet({...})` residual networks
 * for small images with torchvision's stateDict naming.
 */
export { LeNet5, lenet5 } from "./lenet.js";
export type { LeNet5Options } from "./lenet.js";
export { BasicBlock, Bottleneck, ResNet, resnet } from "./resnet.js";
export type { ResNetOptions } from "./resnet.js";
