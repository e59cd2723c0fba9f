/** Tensile: PyTorch's way of working, in TypeScript. */
export * from "./core.js";
