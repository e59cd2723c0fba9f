/**
 * Layer methods: Captum's `LayerActivation` (what a layer inside the model computes for an input)
 * and `LayerGradCam` (its channels weighted by the target's mean gradient), through forward hooks.
 */
import { Tensor, enableGrad, grad, noGrad } from "../core.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { Module } from "../nn/module.js";
import { interpolate, type InterpolateMode } from "../nn/functional/resize.js";
import { type Forward, type TargetOptions, callModel, checkInput, checkKeys, checkModel, selectTarget, targetIndices } from "./common.js";

export interface LayerActivationsOptions {
  /** The layer's input instead of its output (Captum's `attribute_to_layer_input`). */
  attributeToLayerInput?: boolean;
  /** Which call of the layer, when the forward pass runs it more than once (0-based; -1 for the last). */
  call?: number;
}

/**
 * Runs `model` on `input` under `noGrad` with a forward hook on `layer` (a module inside the
 * model) and returns the layer's output for that input (its first argument with
 * `attributeToLayerInput`). The hook is removed afterwards, whatever happens. A layer the forward
 * pass runs several times (one `ReLU` module used after every linear layer) needs `call`.
 */
export function layerActivations(model: Forward, layer: Module, input: Tensor, options: LayerActivationsOptions = {}): Tensor {
  options ??= {};
  const op = "layerActivations";
  checkKeys(op, options, ["attributeToLayerInput", "call"]);
  checkModel(op, model);
  if (!(layer instanceof Module)) throw new TensileError(`${op}: layer must be an nn.Module inside the model, got ${fmtValue(layer)}`);
  checkInput(op, input, false);
  const seen: unknown[] = [];
  const handle = layer.registerForwardHook((_m, args, output) => {
    seen.push(options.attributeToLayerInput ? args[0] : output);
  });
  try {
    noGrad(() => callModel(op, model, input));
  } finally {
    handle.remove();
  }
  const act = chosenCall(op, layer, seen, options.call, options.attributeToLayerInput ? "took" : "returned");
  return act.detach();
}

/** Picks the hooked call of `layer` among those seen, with layerActivations' checks and messages. */
function chosenCall(op: string, layer: Module, seen: unknown[], call: number | undefined, what: string): Tensor {
  const name = layer.constructor.name;
  if (seen.length === 0) throw new TensileError(`${op}: the layer (${name}) did not run during the model's forward pass; is it part of the model?`);
  if (call === undefined && seen.length > 1)
    throw new TensileError(`${op}: the layer (${name}) ran ${seen.length} times in one forward pass; pass { call: i } (0 to ${seen.length - 1}, or -1 for the last) to choose one`);
  const i = call === undefined ? 0 : call < 0 ? seen.length + call : call;
  if (call !== undefined && (!Number.isInteger(call) || i < 0 || i >= seen.length))
    throw new TensileError(`${op}: call ${fmtValue(call)} is out of range: the layer (${name}) ran ${seen.length} time(s)`);
  const act = seen[i];
  if (!(act instanceof Tensor)) throw new TensileError(`${op}: the layer (${name}) ${what} ${fmtValue(act)}, not a Tensor; use layer.registerForwardHook to read it`);
  return act;
}

export interface LayerGradCamOptions extends TargetOptions {
  /** Use the layer's input instead of its output (Captum's `attribute_to_layer_input`). */
  attributeToLayerInput?: boolean;
  /** Keep only positive evidence: ReLU of the map, as in the Grad-CAM paper (Captum's `relu_attributions`, default false). */
  reluAttributions?: boolean;
  /** Sum over the channels (Captum's `attr_dim_summation`, default true); false keeps one map per channel. */
  attrDimSummation?: boolean;
  /** Which call of the layer, when the forward pass runs it more than once (0-based; -1 for the last). */
  call?: number;
}

/**
 * Grad-CAM (Selvaraju et al. 2017; Captum's `LayerGradCam`): the layer's activations A [N, C, ...]
 * weighted per channel by the mean over the spatial dimensions of ∂F_t/∂A, summed over channels:
 * [N, 1, ...] at the layer's resolution (upsample it with `layerInterpolate`). For an output
 * without spatial dimensions ([N, C]) the weights are the gradients themselves. Gradients are taken
 * with `grad()` with respect to the layer's output alone: no `.grad` is created or changed.
 */
export function layerGradCam(model: Forward, layer: Module, input: Tensor, options: LayerGradCamOptions = {}): Tensor {
  options ??= {};
  const op = "layerGradCam";
  checkKeys(op, options, ["target", "attributeToLayerInput", "reluAttributions", "attrDimSummation", "call"]);
  checkModel(op, model);
  if (!(layer instanceof Module)) throw new TensileError(`${op}: layer must be an nn.Module inside the model, got ${fmtValue(layer)}`);
  checkInput(op, input, false);
  const idx = targetIndices(op, options.target, input.shape[0] ?? 0);
  const seen: unknown[] = [];
  const handle = layer.registerForwardHook((_m, args, output) => {
    seen.push(options.attributeToLayerInput ? args[0] : output);
  });
  // the input requires grad (when it can), so the layer's output does even if every parameter is frozen
  const x = input.detach();
  if (x.dtype === "float32" || x.dtype === "float64") x.requiresGrad = true;
  let selected: Tensor;
  try {
    selected = enableGrad(() => selectTarget(op, callModel(op, model, x), idx));
  } finally {
    handle.remove();
  }
  const act = chosenCall(op, layer, seen, options.call, options.attributeToLayerInput ? "took" : "returned");
  if (!act.requiresGrad || !selected.requiresGrad)
    throw new TensileError(`${op}: the model's output does not depend on the layer's ${options.attributeToLayerInput ? "input" : "output"} through differentiable ops (does the model detach it or run under noGrad?)`);
  if (act.ndim < 2) throw new TensileError(`${op}: the layer's ${options.attributeToLayerInput ? "input" : "output"} has shape ${fmtShape(act.shape)}; expected [N, C, ...]`);
  const [g] = grad(selected.sum(), act, { allowUnused: true });
  if (!g) throw new TensileError(`${op}: the model's target output does not depend on the layer's ${options.attributeToLayerInput ? "input" : "output"}`);
  return noGrad(() => {
    const spatial = Array.from({ length: act.ndim - 2 }, (_, k) => k + 2);
    const weights = spatial.length ? g.mean(spatial, true) : g;
    let cam = weights.mul(act.detach());
    if (options.attrDimSummation ?? true) cam = cam.sum(1, true);
    return options.reluAttributions ? cam.relu() : cam;
  });
}

/**
 * Captum's `LayerAttribution.interpolate`: a layer attribution [N, C, ...] resized to `size` (the
 * spatial dims, e.g. the input image's [H, W]) with `F.interpolate` (mode "nearest" by default).
 */
export function layerInterpolate(attribution: Tensor, size: number | readonly number[], mode: InterpolateMode = "nearest"): Tensor {
  const op = "layerInterpolate";
  if (!(attribution instanceof Tensor)) throw new TensileError(`${op}: expected a Tensor attribution, got ${fmtValue(attribution)}`);
  if (attribution.ndim < 3) throw new TensileError(`${op}: expected an attribution [N, C, ...] with spatial dims, got shape ${fmtShape(attribution.shape)}`);
  return noGrad(() => interpolate(attribution, { size: size as number[], mode }));
}
