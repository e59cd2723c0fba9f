// Movement, indexing and creation ops added with roll ... nonzero: their errors, the in-place index
// writes under autograd, views that share storage, and the gradients torch 1.13 gets wrong (so the
// op table holds only their forward values). Values and gradients come from PyTorch (the op table,
// fixtures/ops.json) or from exact identities stated at each check.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as T from "../src/core.js";
import { Tensor, TensileError, tensor } from "../src/core.js";
import { backendsUnderTest } from "./helpers/backends.js";

const arr = (t: Tensor): number[] => Array.from(t.dataSync(), Number);
const throwsNaming = (fn: () => unknown, re: RegExp): void =>
  assert.throws(fn, (e: unknown) => e instanceof TensileError && re.test(e.message), `expected a TensileError matching ${re}`);

test("an index out of range throws a TensileError naming the op, the index and the size", () => {
  const x = T.zeros([3, 4]);
  throwsNaming(() => x.take(tensor([12])), /^take: index 12 .*12 elements/);
  throwsNaming(() => x.take(tensor([-13])), /^take: index -13 /);
  throwsNaming(() => x.indexAdd(0, tensor([3]), T.ones([1, 4])), /^indexAdd: index 3 is out of bounds for dimension 0 with size 3/);
  throwsNaming(() => x.indexCopy(1, tensor([-1]), T.ones([3, 1])), /^indexCopy: index -1 is out of bounds for dimension 1 with size 4/);
  throwsNaming(() => x.indexFill(1, tensor([4]), 0), /^indexFill: index 4 is out of bounds for dimension 1 with size 4/);
  throwsNaming(() => x.indexPut([tensor([0]), tensor([4])], tensor(1.0)), /^indexPut: index 4 is out of bounds for dimension 1 with size 4/);
  throwsNaming(() => x.indexPut([tensor([-4])], T.ones([4])), /^indexPut: index -4 is out of bounds for dimension 0 with size 3/);
  throwsNaming(() => x.takeAlongDim(tensor([[5]]), 1), /^takeAlongDim: index 5 is out of bounds for dimension 1 with size 4/);
  throwsNaming(() => x.selectScatter(T.ones([4]), 0, 3), /^selectScatter: index 3 out of range .*\[3, 4\]/);
  throwsNaming(() => x.indexAdd_(0, tensor([7]), T.ones([1, 4])), /^indexAdd: index 7 is out of bounds/);
});

test("shape and argument errors name the op and the shapes at fault", () => {
  const x = T.zeros([3, 4]);
  throwsNaming(() => x.indexAdd(0, tensor([0]), T.ones([2, 4])), /^indexAdd: source of shape \[2, 4\] should have shape \[1, 4\]/);
  throwsNaming(() => x.indexAdd(0, tensor([[0]]), T.ones([1, 4])), /^indexAdd: index should have at most 1 dimension/);
  throwsNaming(() => x.indexAdd(0, tensor([0.5]), T.ones([1, 4])), /^indexAdd: expected index to be an int32 tensor/);
  throwsNaming(() => x.indexPut([tensor([0, 1])], T.ones([3, 4])), /^indexPut: shape mismatch: value tensor of shape \[3, 4\] cannot be broadcast to indexing result of shape \[2, 4\]/);
  throwsNaming(() => x.indexPut([tensor([true, false])], tensor(1.0)), /^indexPut: the shape of the mask \[2\]/);
  throwsNaming(() => x.indexPut([tensor([0]), tensor([0]), tensor([0])], tensor(1.0)), /^indexPut: too many indices/);
  throwsNaming(() => x.maskedScatter(T.ones([3, 4]).bool(), T.ones([5])), /^maskedScatter: number of elements in source \(5/);
  throwsNaming(() => x.maskedSelect(T.ones([3, 4])), /^maskedSelect: expected mask to be a bool tensor/);
  throwsNaming(() => x.sliceScatter(T.ones([2, 4]), 0, 0, 3), /^sliceScatter: expected src to have a size equal to the slice of self. src size = \[2, 4\], slice size = \[3, 4\]/);
  throwsNaming(() => x.diagonalScatter(T.ones([2])), /^diagonalScatter: .*src size = \[2\], diagonal size = \[3\]/);
  throwsNaming(() => x.roll([1, 2], [0]), /^roll: shifts and dimensions must align/);
  throwsNaming(() => x.rot90(1, [0, 0]), /^rot90: expected rotation dims to be different/);
  throwsNaming(() => x.movedim([0, 0], [0, 1]), /^movedim: repeated dim in `source`/);
  throwsNaming(() => x.hsplit(3), /^hsplit: .*size of the dimension 4 is not divisible by the split_size 3/);
  throwsNaming(() => x.dsplit(2), /^dsplit: requires a tensor with at least 3 dimensions/);
  throwsNaming(() => x.tensorSplit(0), /^tensorSplit: number of sections must be larger than 0/);
  throwsNaming(() => x.unfold(1, 5, 1), /^unfold: maximum size for tensor at dimension 1 is 4 but size is 5/);
  throwsNaming(() => x.unfold(1, 2, 0), /^unfold: step is 0 but must be > 0/);
  throwsNaming(() => x.takeAlongDim(tensor([0]), 0), /^takeAlongDim: input and indices should have the same number of dimensions/);
  throwsNaming(() => x.viewAs(T.zeros([5])), /^view: shape '\[5\]' is invalid/);
  throwsNaming(() => T.meshgrid([T.zeros([2, 2])]), /^meshgrid: expected 0D or 1D tensor/);
  throwsNaming(() => T.meshgrid([T.zeros([2])], { indexing: "yx" as never }), /^meshgrid: indexing must be "ij" or "xy"/);
  throwsNaming(() => T.blockDiag(T.zeros([1, 1, 1])), /^blockDiag: Input tensors must have 2 or fewer dimensions/);
  throwsNaming(() => T.cartesianProd(T.zeros([2, 2])), /^cartesianProd: expect a 1D vector/);
  throwsNaming(() => T.combinations(T.zeros([2, 2])), /^combinations: expect a 1D vector/);
  throwsNaming(() => T.trilIndices(-1, 2), /^trilIndices: row must be a non-negative integer/);
  throwsNaming(() => T.hstack([]), /^hstack: expected a non-empty list of Tensors/);
});

test("the new functions given arguments of the wrong kind throw a TensileError naming the op", () => {
  const core = T as unknown as Record<string, (...a: unknown[]) => unknown>;
  const junk: unknown[] = ["a", {}, 1.5, [T.ones([1])], NaN, null];
  const names = [
    "roll", "rot90", "tile", "movedim", "moveaxis", "swapaxes", "swapdims", "unbind", "tensorSplit", "hsplit", "vsplit", "dsplit",
    "take", "takeAlongDim", "flipud", "fliplr", "ravel", "indexAdd", "indexCopy", "indexFill", "indexPut", "maskedSelect",
    "maskedScatter", "nonzero", "argwhere", "selectScatter", "sliceScatter", "diagonalScatter", "hstack", "vstack", "rowStack",
    "dstack", "columnStack", "atleast1d", "atleast2d", "atleast3d", "meshgrid", "cartesianProd", "blockDiag", "combinations",
    "trilIndices", "triuIndices", "logspace", "emptyLike",
  ];
  const failures: string[] = [];
  for (const name of names)
    for (const j of junk)
      for (const args of [[j], [T.randn([2, 3]), j], [T.randn([2, 3]), 0, j]]) {
        try {
          core[name]!(...args);
        } catch (e) {
          if (!(e instanceof TensileError) || !/^[A-Za-z_][A-Za-z0-9_.]*[:( ]/.test(e.message))
            failures.push(`${name}(${args.map((a) => (a instanceof Tensor ? "x" : JSON.stringify(a))).join(", ")}): ${(e as Error).constructor.name}: ${(e as Error).message.slice(0, 80)}`);
        }
      }
  assert.deepEqual(failures, []);
});

test("in-place index writes are recorded by autograd as PyTorch records them", () => {
  for (const b of backendsUnderTest())
    T.withBackend(b, () => {
      // x.indexAdd_(0, idx, s): d/da = g, d/ds = g[idx] (index_add's rule: a gather of the rows)
      const a = T.randn([3, 2], { requiresGrad: true });
      const s = T.randn([3, 2], { requiresGrad: true });
      const idx = tensor([0, 0, 2]);
      const x = a.mul(1);
      x.indexAdd_(0, idx, s, { alpha: 2 });
      const g = T.randn([3, 2]);
      x.backward(g);
      assert.deepEqual(arr(a.grad!), arr(g), `${b.name}: grad of the tensor written to`);
      assert.deepEqual(arr(s.grad!), arr(g.indexSelect(0, idx).mul(2)), `${b.name}: grad of the source`);
      // a source that requires grad written into a plain buffer: the buffer joins the graph
      const buf = T.zeros([3]);
      const v = T.randn([2], { requiresGrad: true });
      buf.indexCopy_(0, tensor([2, 0]), v);
      assert.ok(buf.requiresGrad && buf.gradFn, `${b.name}: buffer recorded`);
      buf.backward(tensor([1, 10, 100], { dtype: "float32" }));
      assert.deepEqual(arr(v.grad!), [100, 1], `${b.name}: indexCopy_ source grad = g at its rows`);
      // indexFill_ with a 0-d value tensor: its grad is the sum of g over the filled rows, each once
      const val = tensor(0.5, { requiresGrad: true });
      const y = T.ones([3]).mul(T.ones([3], { requiresGrad: true }));
      y.indexFill_(0, tensor([1, 1, 2]), val);
      y.backward(tensor([1, 10, 100], { dtype: "float32" }));
      assert.deepEqual(arr(val.grad!), [110], `${b.name}: indexFill_ value grad`);
      // indexPut_ with accumulate: repeated positions add up, as in PyTorch
      const z = T.zeros([2, 2]);
      z.indexPut_([tensor([0, 0, 1]), tensor([1, 1, 0])], tensor([1, 2, 4], { dtype: "float32" }), true);
      assert.deepEqual(arr(z), [0, 3, 4, 0], `${b.name}: indexPut_ accumulate`);
      // the engine's rules hold: a leaf that requires grad is refused, as in PyTorch
      throwsNaming(() => T.zeros([3], { requiresGrad: true }).indexFill_(0, tensor([0]), 1), /^indexFill_: a leaf Variable that requires grad/);
      // and a recorded write to part of a tensor is refused (docs/pytorch-names.md)
      const base = T.randn([4, 3], { requiresGrad: true }).mul(1);
      throwsNaming(() => base.narrow(0, 0, 2).indexAdd_(0, tensor([0]), T.ones([1, 3], { requiresGrad: true })), /^indexAdd_: autograd can record an in-place op only on a whole tensor/);
      // without autograd the write goes through a view into its base
      const plain = T.zeros([2, 3]);
      plain.select(0, 1).indexFill_(0, tensor([2]), 5);
      assert.deepEqual(arr(plain), [0, 0, 0, 0, 0, 5]);
    });
});

test("unfold is a strided view of its input; its gradient counts each element once per window", () => {
  for (const b of backendsUnderTest())
    T.withBackend(b, () => {
      const x = T.arange(6, { dtype: "float32" }).requiresGrad_();
      const u = x.unfold(0, 3, 1);
      assert.equal(u.storage, x.storage, `${b.name}: shares storage`);
      assert.deepEqual(u.strides, [1, 1]);
      // element i lies in #{w : w <= i <= w + 2, 0 <= w <= 3} windows
      u.sum().backward();
      assert.deepEqual(arr(x.grad!), [1, 2, 3, 3, 2, 1]);
      // createGraph: the gradient of the gradient (sum of g * windows) w.r.t. g is the windows again
      const y = T.arange(5, { dtype: "float64" }).requiresGrad_();
      const g = T.ones([2, 2], { dtype: "float64", requiresGrad: true });
      const [gy] = T.grad([y.unfold(0, 2, 2)], [y], { gradOutputs: [g], createGraph: true });
      assert.deepEqual(arr(gy!), [1, 1, 1, 1, 0]);
      const [gg] = T.grad([gy!.mul(y).sum()], [g]);
      assert.deepEqual(arr(gg!), arr(y.unfold(0, 2, 2)));
    });
});

test("gradients torch 1.13 gets wrong, checked by identity: masked_select of a non-contiguous input, block_diag after an empty block", () => {
  for (const b of backendsUnderTest())
    T.withBackend(b, () => {
      // maskedSelect's gradient is g placed at the mask's true positions of the (transposed) input
      const x = T.randn([4, 3], { requiresGrad: true });
      const mask = tensor([[true, false, false, true], [true, true, true, false], [true, true, true, true]]);
      const out = x.t().maskedSelect(mask);
      const g = T.arange(1, 10, { dtype: "float32" });
      out.backward(g);
      const want = T.zeros([3, 4]).maskedScatter(mask, g).t();
      assert.deepEqual(arr(x.grad!), arr(want), `${b.name}: maskedSelect grad`);
      // blockDiag([], m): the empty 1-D block is a [1, 0] row, so m sits at rows 1..2, column 0
      const m = T.randn([2, 1], { requiresGrad: true });
      const bd = T.blockDiag(T.zeros([0]), m);
      assert.deepEqual(bd.shape, [3, 1]);
      bd.backward(tensor([[1], [2], [3]], { dtype: "float32" }));
      assert.deepEqual(arr(m.grad!), [2, 3], `${b.name}: blockDiag grad`);
    });
});

test("new* methods take the tensor's dtype and backend; nonzero's tuple form; meshgrid's default and null options", () => {
  const x = T.zeros([2], { dtype: "float64" });
  assert.equal(x.newZeros(2, 3).dtype, "float64");
  assert.deepEqual(x.newOnes([2, 1]).shape, [2, 1]);
  assert.equal(x.newFull([2], 7, { dtype: "int32" }).dtype, "int32");
  assert.deepEqual(arr(x.newFull([2], 7)), [7, 7]);
  assert.deepEqual(arr(x.newEmpty(3)), [0, 0, 0]);
  assert.equal(x.newTensor([1, 2]).dtype, "float64");
  assert.equal(T.withBackend("reference", () => T.zeros([1])).newZeros(2).backend.name, "reference");
  assert.equal(T.emptyLike(tensor([1, 2])).dtype, "int32");
  assert.equal(x.typeAs(tensor([true])).dtype, "bool");
  const nz = tensor([[0, 2], [3, 0]]).nonzero({ asTuple: true });
  assert.deepEqual(nz.map(arr), [[0, 1], [1, 0]]);
  assert.deepEqual(arr(T.argwhere(tensor([[0, 2], [3, 0]]))), [0, 1, 1, 0]);
  const [gi, gj] = T.meshgrid([tensor([1, 2]), tensor([3, 4, 5])], null);
  assert.deepEqual(gi!.shape, [2, 3]);
  assert.deepEqual(arr(gj!), [3, 4, 5, 3, 4, 5]);
  assert.deepEqual(T.meshgrid(tensor([1, 2]), tensor([3, 4, 5])).map((t) => t.shape), [[2, 3], [2, 3]]);
  // ravel of a contiguous tensor is a view; swapaxes/moveaxis are transpose/movedim
  const c = T.randn([2, 3]);
  assert.equal(c.ravel().storage, c.storage);
  assert.deepEqual(arr(T.swapaxes(c, 0, 1)), arr(c.transpose(0, 1)));
  assert.deepEqual(T.moveaxis(T.zeros([2, 3, 4]), [0, 1], [2, 0]).shape, [3, 4, 2]);
  // atleast*: one tensor in, one out; an array in, an array out
  assert.ok(T.atleast2d(tensor(1)) instanceof Tensor);
  assert.deepEqual(T.atleast3d([tensor(1), tensor([1, 2])]).map((t) => t.shape), [[1, 1, 1], [1, 2, 1]]);
});
