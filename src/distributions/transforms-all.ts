/** The `distributions.transforms` namespace: transforms.ts and the ones in transforms-extra.ts and transforms-structured.ts. */
export * from "./transforms.js";
export { StickBreakingTransform, LowerCholeskyTransform, CorrCholeskyTransform } from "./transforms-extra.js";
export { IndependentTransform, ReshapeTransform, CatTransform, StackTransform, CumulativeDistributionTransform } from "./transforms-structured.js";
