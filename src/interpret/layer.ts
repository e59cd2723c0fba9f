/** Captum `LayerActivation`: what a layer inside the model computes for an input, through a forward hook. */
import { Tensor, noGrad } from "../core.js";
import { TensileError, fmtValue } from "../errors.js";
import { Module } from "../nn/module.js";
import { type Forward, callModel, checkInput, checkKeys, checkModel } from "./common.js";

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
  const name = layer.constructor.name;
  if (seen.length === 0) throw new TensileError(`${op}: the layer (${name}) did not run during the model's forward pass; is it part of the model?`);
  const call = options.call;
  if (call === undefined && seen.length > 1)
    throw new TensileError(`${op}: the layer (${name}) ran ${seen.length} times in one forward pass; pass { call: i } (0 to ${seen.length - 1}, or -1 for the last) to choose one`);
  const i = call === undefined ? 0 : call < 0 ? seen.length + call : call;
  if (call !== undefined && (!Number.isInteger(call) || i < 0 || i >= seen.length))
    throw new TensileError(`${op}: call ${fmtValue(call)} is out of range: the layer (${name}) ran ${seen.length} time(s)`);
  const act = seen[i];
  if (!(act instanceof Tensor))
    throw new TensileError(`${op}: the layer (${name}) ${options.attributeToLayerInput ? "took" : "returned"} ${fmtValue(act)}, not a Tensor; use layer.registerForwardHook to read it`);
  return act.detach();
}
