/** The `distributions.transforms` namespace: transforms.ts and the ones in transforms-extra.ts. */
export * from "./transforms.js";
export { StickBreakingTransform, LowerCholeskyTransform, CorrCholeskyTransform } from "./transforms-extra.js";
