/**
 * `interpret`: which parts of an input a model's output depends on — attribution methods named and
 * shaped like Captum's (`captum.attr`), for any model `(x: Tensor) => Tensor` or `nn.Module`.
 *
 * ```ts
 * import { interpret } from "tensile";
 * const sal = interpret.saliency(model, x, { target: 3 });                     // |∂F₃/∂x|
 * const { attributions, delta } = interpret.integratedGradients(model, x, { target: y, returnConvergenceDelta: true });
 * const occ = interpret.occlusion(model, images, { target: y, slidingWindowShapes: [1, 4, 4], strides: [1, 2, 2] });
 * ```
 *
 * See docs/interpret.md for what each method computes and how it differs from Captum.
 */
export type { AttributionWithDelta, Baselines, Forward, Target, TargetOptions } from "./common.js";
export {
  saliency, inputXGradient, integratedGradients, approximationParameters, gaussLegendre, INTEGRATION_METHODS,
} from "./gradient.js";
export type { SaliencyOptions, IntegratedGradientsOptions, IntegrationMethod } from "./gradient.js";
export { noiseTunnel, smoothGrad, NOISE_TUNNEL_TYPES } from "./noise-tunnel.js";
export type { AttributionMethod, NoiseTunnelMethodOptions, NoiseTunnelOptions, NoiseTunnelType, NoiseTunnelled, SmoothGradOptions } from "./noise-tunnel.js";
export { occlusion } from "./occlusion.js";
export type { OcclusionOptions } from "./occlusion.js";
export { layerActivations, layerGradCam, layerInterpolate } from "./layer.js";
export type { LayerActivationsOptions, LayerGradCamOptions } from "./layer.js";
export { asciiHeatmap, heatmapSvg, normalizeAttribution } from "./visualize.js";
export type { AsciiHeatmapOptions, HeatmapPanel, NormalizeOptions, Sign } from "./visualize.js";
