/**
 * `nn.summary(model, inputShape)`: runs one forward pass (eval mode, no grad) with hooks on every
 * submodule and tabulates, in call order, each layer's output shape and parameter count.
 */
import { Tensor, noGrad, rand, zeros } from "../core.js";
import type { DType } from "../core.js";
import { TensileError } from "../errors.js";
import { getDefaultDtype } from "../tensor/dtype.js";
import type { Module, RemovableHandle } from "./module.js";

export interface SummaryRow {
  /** Dotted name (`fc1`, `features.0`). */
  name: string;
  /** Class name (`Linear`). */
  type: string;
  /** Nesting depth below the model (1 for the model's children). */
  depth: number;
  /** Shape of the output (one per output tensor for several); empty when it was not a tensor. */
  outputShapes: number[][];
  /** Parameters the layer owns itself (children's are on their own rows). */
  params: number;
  /** Of which trainable (`requiresGrad`). */
  trainableParams: number;
}

const fmtCount = (n: number): string => n.toLocaleString("en-US");

/** The result of `nn.summary`: rows and totals; `toString()` is the printed table. */
export class ModelSummary {
  constructor(
    readonly modelName: string,
    readonly rows: SummaryRow[],
    readonly totalParams: number,
    readonly trainableParams: number,
  ) {}

  get nonTrainableParams(): number {
    return this.totalParams - this.trainableParams;
  }

  toString(): string {
    const shapeText = (r: SummaryRow): string =>
      r.outputShapes.length === 0 ? "--" : r.outputShapes.map((s) => `[${s.join(", ")}]`).join(", ");
    const cells = this.rows.map((r) => [`${"  ".repeat(r.depth - 1)}${r.name} (${r.type})`, shapeText(r), fmtCount(r.params)]);
    const head = ["Layer (type)", "Output Shape", "Param #"];
    const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
    const line = (c: string[]): string => `${c[0]!.padEnd(widths[0]!)}  ${c[1]!.padEnd(widths[1]!)}  ${c[2]!.padStart(widths[2]!)}`;
    const rule = "=".repeat(widths[0]! + widths[1]! + widths[2]! + 4);
    return [
      this.modelName,
      rule,
      line(head),
      rule,
      ...cells.map(line),
      rule,
      `Total params: ${fmtCount(this.totalParams)}`,
      `Trainable params: ${fmtCount(this.trainableParams)}`,
      `Non-trainable params: ${fmtCount(this.nonTrainableParams)}`,
      rule,
    ].join("\n");
  }
}

export interface SummaryOptions {
  /** Dtype of each generated input (default float32; use "int32" for index inputs, filled with 0). */
  dtypes?: DType[];
  /** Also print the table with console.log (default false). */
  print?: boolean;
}

function shapesOf(out: unknown): number[][] {
  if (out instanceof Tensor) return [[...out.shape]];
  if (Array.isArray(out)) return out.flatMap(shapesOf);
  return [];
}

/**
 * Summarises `model` by calling `model.forward` once on inputs of `inputSize` (batch dimension
 * included, as torchinfo's `input_size`; several inputs as an array of shapes) or on given tensors.
 * Runs in eval mode under `noGrad` and restores every module's mode afterwards.
 * ```ts
 * console.log(String(nn.summary(new Net(), [1, 784])));
 * // Net … fc1 (Linear)  [1, 500]  392,500 … Total params: 397,510
 * ```
 */
export function summary(model: Module, inputSize: number[] | number[][] | Tensor | Tensor[], opts: SummaryOptions = {}): ModelSummary {
  opts ??= {};
  let inputs: Tensor[];
  if (inputSize instanceof Tensor) inputs = [inputSize];
  else if (Array.isArray(inputSize) && inputSize.every((x) => x instanceof Tensor)) inputs = inputSize as Tensor[];
  else {
    const shapes = (Array.isArray(inputSize[0]) ? inputSize : [inputSize]) as number[][];
    if (!shapes.every((s) => Array.isArray(s) && s.every((d) => Number.isInteger(d) && d >= 0)))
      throw new TensileError(`summary: inputSize must be a shape (number[]), a list of shapes, or tensors, got ${JSON.stringify(inputSize)}`);
    inputs = shapes.map((s, i) => {
      const dtype = opts.dtypes?.[i] ?? getDefaultDtype();
      return dtype === "float32" || dtype === "float64" ? rand(s, { dtype }) : zeros(s, { dtype });
    });
  }

  const named = model.namedModules().slice(1);
  const modes = model.modules().map((m) => [m, m.training] as const);
  const rows: SummaryRow[] = [];
  const handles: RemovableHandle[] = [];
  for (const [name, m] of named) {
    const own = m.parameters(false);
    const pending: SummaryRow[] = [];
    handles.push(
      m.registerForwardPreHook(() => {
        const row: SummaryRow = {
          name,
          type: m.constructor.name,
          depth: name.split(".").length,
          outputShapes: [],
          params: own.reduce((a, p) => a + p.numel(), 0),
          trainableParams: own.filter((p) => p.requiresGrad).reduce((a, p) => a + p.numel(), 0),
        };
        rows.push(row); // reserved at call start, so a container precedes its children
        pending.push(row);
      }),
      m.registerForwardHook((_m, _args, out) => {
        pending.pop()!.outputShapes = shapesOf(out);
      }),
    );
  }
  try {
    model.eval();
    noGrad(() => model.forward(...inputs));
  } finally {
    for (const h of handles) h.remove();
    for (const [m, mode] of modes) m.training = mode;
  }
  const params = model.parameters();
  const result = new ModelSummary(
    model.constructor.name,
    rows,
    params.reduce((a, p) => a + p.numel(), 0),
    params.filter((p) => p.requiresGrad).reduce((a, p) => a + p.numel(), 0),
  );
  if (opts.print) console.log(result.toString());
  return result;
}
