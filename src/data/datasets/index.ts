/** `data.datasets`: ready-made datasets. */
export { MNIST, FashionMNIST } from "./mnist.js";
export type { MNISTOptions, MnistSpec } from "./mnist.js";
export { MNISTDigits, mnistDigits, mnistDigitsOrder, parseDigitJson, MNIST_DIGITS_SEED, MNIST_DIGITS_TRAIN_SIZE } from "./digits.js";
export type { MNISTDigitsOptions, DigitsSplit } from "./digits.js";
export { CSVDataset, parseCsv } from "./csv.js";
export type { CSVDatasetOptions } from "./csv.js";
export { makeMoons, makeCircles, makeSpirals, makeXor, noisySine } from "./synthetic.js";
export type { SyntheticOptions, NoisySineOptions } from "./synthetic.js";
