/**
 * Running an exported model in ONNX Runtime's WebAssembly build (`onnxruntime-web`) and comparing
 * its outputs with Tensile's: shared by the ONNX export tests.
 */
import assert from "node:assert/strict";
import * as ort from "onnxruntime-web";
import { type Tensor, io, nn } from "../../src/index.js";

ort.env.wasm.numThreads = 1;

export interface OnnxOutput { data: ArrayLike<number | bigint>; dims: readonly number[] }

/** Runs `bytes` on `feeds` (by input name); returns every output by name. */
export async function runOnnx(bytes: Uint8Array, feeds: Record<string, Tensor>): Promise<Record<string, OnnxOutput>> {
  const session = await ort.InferenceSession.create(bytes);
  const input: Record<string, ort.Tensor> = {};
  for (const [k, t] of Object.entries(feeds)) {
    if (t.dtype === "bool") input[k] = new ort.Tensor("bool", Uint8Array.from(t.dataSync() as Uint8Array), [...t.shape]);
    else if (t.dtype === "int32") input[k] = new ort.Tensor("int32", Int32Array.from(t.dataSync() as Int32Array), [...t.shape]);
    else input[k] = new ort.Tensor("float32", Float32Array.from(t.dataSync() as Float32Array), [...t.shape]);
  }
  const out = await session.run(input);
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { data: v.data as ArrayLike<number>, dims: v.dims }]));
}

/** The runtime's output has `want`'s shape and values, to a relative `tol`. */
export function assertMatches(what: string, got: OnnxOutput, want: Tensor, tol = 1e-4): void {
  assert.deepEqual([...got.dims], [...want.shape], `${what}: shape`);
  const w = want.dataSync();
  let worst = 0;
  for (let i = 0; i < w.length; i++) worst = Math.max(worst, Math.abs(Number(got.data[i]) - w[i]!) / (1 + Math.abs(w[i]!)));
  assert.ok(worst < tol, `${what}: ONNX Runtime differs from Tensile by ${worst}`);
}

/** Exports `model` on `example`, runs it on `input` (another batch size) and compares with its forward. */
export async function roundTrip(what: string, model: nn.Module, example: Tensor, input: Tensor, tol = 1e-4): Promise<void> {
  const bytes = io.exportOnnxBytes(model, example);
  model.eval();
  const got = await runOnnx(bytes, { input });
  assertMatches(what, got.output!, model.forward(input) as Tensor, tol);
}

/** A module from a function of its input and its registered children (the ONNX tests' small models). */
export class Fn extends nn.Module {
  constructor(private f: (x: Tensor, m: Fn) => Tensor, kids: Record<string, nn.Module> = {}) {
    super();
    for (const [k, v] of Object.entries(kids)) this.registerModule(k, v);
  }
  override forward(x: Tensor): Tensor {
    return this.f(x, this);
  }
  kid<M extends nn.Module>(name: string): M {
    return (this as unknown as Record<string, M>)[name]!;
  }
}
