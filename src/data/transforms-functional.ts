/**
 * `data.transforms.functional`: the deterministic image operations of
 * `torchvision.transforms.functional`, with explicit parameters, on float tensor images
 * [..., C, H, W] in [0, 1]. The random transforms of `data.transforms` sample parameters and call
 * these. The geometric ops live in transforms-functional-geometry.ts, the colour ops in
 * transforms-functional-color.ts.
 */
export {
  resize, crop, centerCrop, hflip, vflip, pad, resizedCrop, fiveCrop, tenCrop, rotate, affine, perspective, erase,
  elasticTransform, inverseAffineMatrix, perspectiveCoeffs,
} from "./transforms-functional-geometry.js";
export type { ResizeOptions, GridOptions } from "./transforms-functional-geometry.js";
export {
  rgbToGrayscale, adjustBrightness, adjustContrast, adjustSaturation, adjustHue, adjustGamma, adjustSharpness,
  gaussianBlur, invert, posterize, solarize, autocontrast, equalize, convertImageDtype,
} from "./transforms-functional-color.js";
export type { Interpolation, Fill } from "./transforms-common.js";
