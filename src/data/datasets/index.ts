export { MNIST, FashionMNIST } from "./mnist.js";
export type { MNISTOptions, MnistSpec } from "./mnist.js";
