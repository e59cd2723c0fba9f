// Regressions found by the differential fuzzer (tools/fuzz/): sizes that are not non-negative
// integers must never make a tensor. `arange(0, NaN)` used to build a [NaN] tensor whose wasm
// allocation moved the allocator's bump pointer to NaN, after which every new block landed at
// address 0 and every later op in the process was silently wrong ([1, 2, 3] + [10, 20, 30] gave
// [20, 40, 60]). The errors below are torch 1.13's (its wording where it has one).
import assert from "node:assert/strict";
import { after, test } from "node:test";
import * as T from "../src/index.js";
import { assertThrowsTensile } from "./nn-helpers.js";

const before = T.getBackend();
after(() => T.setBackend(before));

for (const backend of ["wasm", "reference"] as const) {
  test(`${backend}: invalid sizes are refused where they arise, and the backend keeps computing correctly`, () => {
    T.setBackend(backend);
    const sane = () => assert.deepEqual(Array.from(T.tensor([1, 2, 3]).add(T.tensor([10, 20, 30])).dataSync()), [11, 22, 33]);
    sane();
    // torch: "unsupported range: 0 -> nan" / "0 -> inf"
    assertThrowsTensile(() => T.arange(0, NaN).add(1), /^arange: unsupported range: 0 -> NaN/);
    sane();
    assertThrowsTensile(() => T.arange(0, Infinity), /^arange: unsupported range: 0 -> Infinity/);
    assertThrowsTensile(() => T.arange(NaN), /^arange: unsupported range/);
    assertThrowsTensile(() => T.arange(0, 1, NaN), /^arange: unsupported range/);
    assertThrowsTensile(() => T.arange(0, 1e12, 0.5), /^arange: .* more than a tensor can hold/);
    // torch: "n must be greater or equal to 0, got -7"; eye(1.5) is a TypeError in torch
    assertThrowsTensile(() => T.eye(-7), /^eye: n must be a non-negative integer, got -7/);
    assertThrowsTensile(() => T.eye(1.5), /^eye: n must be a non-negative integer, got 1.5/);
    assertThrowsTensile(() => T.eye(2, -1), /^eye: m must be a non-negative integer, got -1/);
    assertThrowsTensile(() => T.eye(2, 1.5), /^eye: m must be a non-negative integer, got 1.5/);
    // torch: "numel: integer multiplication overflow" (a leading -7) / "must match the existing size"
    assertThrowsTensile(() => T.tensor([[1, 2, 3]]).expand([-7, 3]), /^expand: the expanded size of the tensor \(-7\) at dimension 0 must be non-negative/);
    assertThrowsTensile(() => T.ones(3).expand([-2, 3]), /^expand: the expanded size of the tensor \(-2\)/);
    assert.deepEqual(T.tensor([[1, 2, 3]]).expand([2, -1]).shape, [2, 3], "-1 keeps an existing size");
    assertThrowsTensile(() => T.F.oneHot(T.tensor([0, 1, 2]), NaN), /^oneHot: numClasses must be a non-negative integer/);
    assertThrowsTensile(() => T.F.oneHot(T.tensor([0, 1]), 1.5), /^oneHot: numClasses must be a non-negative integer.*got 1.5/);
    assert.deepEqual(T.F.oneHot(T.tensor([0, 2])).toArray(), [[1, 0, 0], [0, 0, 1]]);
    // more elements than a typed array (and the wasm memory) can hold: an error before any allocation
    assertThrowsTensile(() => T.full([2, 2 ** 31], 1), /^full: a tensor of shape \[2,2147483648\] would hold 4294967296 elements/);
    assertThrowsTensile(() => T.zeros(2 ** 16, 2 ** 16), /^zeros: .* more than a tensor can hold/);
    sane();
    assert.deepEqual(Array.from(T.tensor([1.5, 2]).mul(T.tensor([2, 4])).dataSync()), [3, 8]);
  });
}

test("the Tensor constructor refuses a shape that is not non-negative integers (the last line of defence)", () => {
  T.setBackend("wasm");
  const x = T.ones(4);
  for (const shape of [[NaN], [-1], [1.5], [2, Infinity]])
    assertThrowsTensile(() => new T.Tensor(x.storage, x.backend, shape), /^internal error: a tensor of shape .* was made/);
  assert.equal(new T.Tensor(x.storage, x.backend, [2, 2]).numel(), 4);
});
