/**
 * Weights moving between PyTorch and Tensile through safetensors. The PyTorch side is
 * tools/gen-safetensors-fixtures.py (committed outputs in fixtures/safetensors/), so no Python runs here.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { TensileError, Tensor, noGrad } from "../src/core.js";
import * as nn from "../src/nn/index.js";
import { load, loadBytes, parseSafetensors, saveBytes } from "../src/io/index.js";
import { NET, fixtureInputs, tensileNetBytes } from "../tools/make-tensile-safetensors.js";

const dir = new URL("../fixtures/safetensors/", import.meta.url);
const path = (name: string) => new URL(name, dir).pathname;
const json = (name: string) => JSON.parse(readFileSync(new URL(name, dir), "utf8"));

class Net extends nn.Module {
  fc1 = new nn.Linear(NET.inFeatures, NET.hidden);
  relu = new nn.ReLU();
  fc2 = new nn.Linear(NET.hidden, NET.outFeatures);
  override forward(x: Tensor): Tensor {
    return this.fc2.forward(this.relu.forward(this.fc1.forward(x)));
  }
}

function assertClose(actual: number[][], expected: number[][], tol: number): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((row, i) =>
    row.forEach((v, j) => assert.ok(Math.abs(v - expected[i]![j]!) <= tol * (1 + Math.abs(expected[i]![j]!)), `logit [${i}][${j}]: ${v} vs PyTorch ${expected[i]![j]}`)),
  );
}

test("PyTorch → Tensile: the text's Net saved by PyTorch predicts the same in Tensile", () => {
  const expected = json("torch-net-expected.json");
  const sd = load(path("torch-net.safetensors"));
  for (const k of expected.keys) assert.deepEqual(sd[k]!.shape, expected.shapes[k], k);
  const x = fixtureInputs();
  assert.equal(x.double().sum().item(), expected.input_sum);

  const model = new Net().eval();
  assert.deepEqual(Object.keys(model.stateDict()), expected.keys);
  model.loadStateDict(sd);
  const logits = noGrad(() => model.forward(x));
  assertClose(logits.toArray() as number[][], expected.logits, 1e-5);
  assert.deepEqual(logits.argmax(1).toArray(), expected.argmax);

  // Re-saving the loaded weights gives back PyTorch's file byte for byte (same ordering and header).
  assert.deepEqual(saveBytes(model.stateDict()), new Uint8Array(readFileSync(path("torch-net.safetensors"))));
});

test("PyTorch dtypes (F16, BF16, I64, I16, I8, U8, BOOL, F64, empty, 0-d) load with PyTorch's values", () => {
  const expected = json("torch-dtypes-expected.json").tensors as Record<string, { dtype: string; shape: number[]; values: number[] }>;
  const { tensors, metadata } = parseSafetensors(readFileSync(path("torch-dtypes.safetensors")));
  assert.deepEqual(metadata, { format: "pt" });
  assert.deepEqual(Object.keys(tensors).sort(), Object.keys(expected).sort());
  const as: Record<string, string> = { F16: "float32", BF16: "float32", F32: "float32", F64: "float64", BOOL: "bool" };
  for (const [k, e] of Object.entries(expected)) {
    const t = tensors[k]!;
    assert.equal(t.dtype, as[e.dtype] ?? "int32", `${k} (${e.dtype})`);
    assert.deepEqual(t.shape, e.shape, k);
    assert.deepEqual(Array.from(t.dataSync(), Number), e.values, k);
  }
  assert.throws(() => load(path("torch-i64-overflow.safetensors")), /load: .*torch-i64-overflow\.safetensors: tensor "big" \(I64\) holds 2147483648 at flat index 1, outside the int32 range/);
});

test("Tensile → PyTorch: tensile-net.safetensors is reproducible and PyTorch verified its weights and logits", () => {
  const bytes = tensileNetBytes();
  const committed = new Uint8Array(readFileSync(path("tensile-net.safetensors")));
  assert.deepEqual(bytes, committed, "tools/make-tensile-safetensors.ts no longer writes the committed file: regenerate the fixtures");
  const check = json("tensile-net-torch-check.json");
  assert.equal(check.file_sha256, createHash("sha256").update(committed).digest("hex"), "PyTorch checked a different file");
  assert.equal(check.weights_verified, true);
  assert.deepEqual(check.metadata, { format: "pt" });

  const model = new Net().eval();
  model.loadStateDict(loadBytes(bytes));
  const logits = noGrad(() => model.forward(fixtureInputs()));
  assertClose(logits.toArray() as number[][], check.logits, 1e-5);
  assert.deepEqual(logits.argmax(1).toArray(), check.argmax);
});

test("the committed damaged copies are rejected with clear errors", () => {
  const err = (name: string): string => {
    try {
      load(path(name));
    } catch (e) {
      assert.ok(e instanceof TensileError);
      return (e as Error).message;
    }
    assert.fail(`${name} loaded`);
  };
  assert.match(err("torch-net-truncated.safetensors"), /^load: .*torch-net-truncated\.safetensors is truncated: header says tensor "fc2\.weight" ends at byte 102096 but the file has 1000 bytes$/);
  assert.match(err("torch-net-corrupted.safetensors"), /^load: .*torch-net-corrupted\.safetensors has a bad header entry for tensor "fc2\.weight": data_offsets \[100520, 101800\] span 1280 bytes but shape \[10, 32\] of F64 needs 2560$/);
});
