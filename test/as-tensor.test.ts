// asTensor (torch.as_tensor / torch.from_numpy): shares a typed array's memory where it can, on
// both CPU backends, and stays consistent with the array through ops, in-place ops and caching.
import assert from "node:assert/strict";
import { test } from "node:test";
import { asTensor, setBackend, tensor } from "../src/index.js";

for (const backend of ["reference", "wasm"] as const) {
  test(`asTensor shares memory with the array (${backend})`, () => {
    const prev = setBackend(backend);
    try {
      const a = new Float32Array([1, 2, 3, 4, 5, 6]);
      const x = asTensor(a, { shape: [2, 3] });
      assert.deepEqual(x.shape, [2, 3]);
      assert.deepEqual(x.sum().item(), 21);
      // the array's writes show in the tensor, even after ops read it (no stale cached copy)
      a[0] = 100;
      assert.equal(x.sum().item(), 120);
      assert.deepEqual([...x.add(1).dataSync()], [101, 3, 4, 5, 6, 7]);
      // in-place ops on the tensor show in the array
      x.mul_(2);
      assert.deepEqual([...a], [200, 4, 6, 8, 10, 12]);
      x.index([0]).fill_(0);
      assert.deepEqual([...a], [0, 0, 0, 8, 10, 12]);
      a[5] = -1;
      assert.deepEqual(x.toArray(), [[0, 0, 0], [8, 10, -1]]);
      // int32 and bool arrays too
      const i = new Int32Array([3, 1, 2]);
      const ti = asTensor(i);
      assert.equal(ti.dtype, "int32");
      i[1] = 7;
      assert.equal(ti.max().item(), 7);
      const bl = asTensor(new Uint8Array([1, 0, 1]));
      assert.equal(bl.dtype, "bool");
    } finally {
      setBackend(prev);
    }
  });

  test(`asTensor copies when it cannot share (${backend})`, () => {
    const prev = setBackend(backend);
    try {
      const a = new Float32Array([1, 2, 3]);
      const d = asTensor(a, { dtype: "float64" }); // another dtype: a converted copy
      assert.equal(d.dtype, "float64");
      a[0] = 9;
      assert.deepEqual([...d.dataSync()], [1, 2, 3]);
      const g = asTensor(a, { requiresGrad: true }); // a leaf that needs grad: its own storage
      a[1] = 9;
      assert.deepEqual([...g.dataSync()], [9, 2, 3]);
      const n = asTensor([[1, 2], [3, 4]]);
      assert.deepEqual(n.toArray(), [[1, 2], [3, 4]]);
      const t = tensor([1, 2]);
      assert.equal(asTensor(t), t, "a tensor of the right dtype is returned as is");
      assert.throws(() => asTensor(new Float32Array(6), { shape: [4, 2] }), /asTensor: shape \[4, 2\] is invalid for input of size 6/);
    } finally {
      setBackend(prev);
    }
  });
}
