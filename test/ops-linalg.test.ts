// torch.linalg and the reductions added with it, beyond the op table (fixtures/ops.json): gradients
// the table cannot gradcheck (cholesky reads one triangle), errors PyTorch raises, the ±∞ orders
// (JSON fixtures cannot hold Infinity as an argument), views, and result shapes with names.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as T from "../src/index.js";

/** A TensileError whose message matches `re`. */
const msg = (re: RegExp) => (e: Error) => e instanceof T.TensileError && re.test(e.message);
const f64 = (data: number[][]) => T.tensor(data, { dtype: "float64" });
const near = (got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string) =>
  Array.from(want, (w, i) => assert.ok(Math.abs(got[i]! - w) <= tol * Math.max(1, Math.abs(w)), `${what} element ${i}: ${got[i]}, want ${w}`));

/** Central differences of sum(f(x)·w) against autograd, in float64 on the reference backend. */
function gradcheck(f: (x: T.Tensor) => T.Tensor, x0: T.Tensor, what: string): void {
  T.withBackend("reference", () => {
    const x = x0.detach().clone().requiresGrad_();
    const y = f(x);
    const w = T.tensor(Array.from({ length: y.numel() }, (_, i) => Math.sin(1 + i * 0.7)), { dtype: "float64" }).reshape(y.shape);
    y.mul(w).sum().backward();
    const analytic = x.grad!.dataSync();
    const base = Float64Array.from(x0.dataSync());
    const eps = 1e-6;
    for (let i = 0; i < base.length; i++) {
      const at = (v: number) => {
        const a = Float64Array.from(base);
        a[i] = v;
        // a leaf that requires grad: f may itself take a gradient (second derivatives)
        return f(T.tensor(a, { shape: [...x0.shape] }).requiresGrad_()).detach().mul(w).sum().item();
      };
      const numeric = (at(base[i]! + eps) - at(base[i]! - eps)) / (2 * eps);
      assert.ok(Math.abs(analytic[i]! - numeric) <= 1e-5 + 1e-4 * Math.abs(numeric), `${what}: element ${i}: analytic ${analytic[i]}, numeric ${numeric}`);
    }
  });
}

/** (X + Xᵀ)/2 + 4I: symmetric positive definite for the small X used here. */
const spd = (x: T.Tensor) => x.add(x.transpose(-1, -2)).mul(0.5).add(T.eye(x.shape[x.ndim - 1]!, { dtype: "float64" }).mul(4));

test("cholesky's gradient (PyTorch's formula) matches finite differences through a symmetric input, lower and upper, batched", () => {
  const x = T.tensor(Array.from({ length: 18 }, (_, i) => Math.cos(i * 1.3)), { dtype: "float64" }).reshape([2, 3, 3]);
  gradcheck((a) => T.linalg.cholesky(spd(a)), x, "linalg.cholesky lower");
  gradcheck((a) => T.linalg.cholesky(spd(a), { upper: true }), x, "linalg.cholesky upper");
  gradcheck((a) => spd(a).cholesky(true), x, "Tensor.cholesky(upper)");
});

test("second derivatives go through inv, det, solve, matrixExp and cumprod (createGraph)", () => {
  const A0 = f64([[3, 1, 0.5], [0.2, 2.5, 0.1], [0.3, -0.4, 2]]);
  gradcheck((a) => {
    const [g] = T.grad([T.linalg.det(a)], [a], { createGraph: true });
    return g!;
  }, A0, "∂det/∂A");
  gradcheck((a) => {
    const [g] = T.grad([T.linalg.inv(a).sum()], [a], { createGraph: true });
    return g!;
  }, A0, "∂Σinv/∂A");
  gradcheck((a) => {
    const [g] = T.grad([T.linalg.solve(a, T.tensor([1, -2, 0.5], { dtype: "float64" })).pow(2).sum()], [a], { createGraph: true });
    return g!;
  }, A0, "∂|solve|²/∂A");
  gradcheck((a) => {
    const [g] = T.grad([T.linalg.matrixExp(a).pow(2).sum()], [a], { createGraph: true });
    return g!;
  }, A0.mul(0.5), "∂|exp(A)|²/∂A");
  const x0 = T.tensor([1.5, 0, -2, 0.7, 0, 1.1], { dtype: "float64" });
  gradcheck((x) => {
    const [g] = T.grad([x.cumprod(0).sum()], [x], { createGraph: true });
    return g!;
  }, x0, "∂Σcumprod/∂x with zeros");
});

test("singular and non-positive-definite inputs throw a TensileError naming the op, as PyTorch raises", () => {
  const singular = T.tensor([[1, 2], [2, 4]], { dtype: "float32" });
  assert.throws(() => T.linalg.inv(singular), (e: Error) => e instanceof T.TensileError && /^linalg\.inv: .*singular/.test(e.message));
  assert.throws(() => singular.inverse(), msg(/^linalg\.inv: .*singular/));
  assert.throws(() => T.linalg.solve(singular, T.ones([2])), msg(/^linalg\.solve: .*singular/));
  assert.throws(() => T.linalg.cholesky(T.tensor([[1, 2], [2, 1]], { dtype: "float32" })),
    msg(/^linalg\.cholesky: .*not positive-definite \(the leading minor of order 2/));
  assert.throws(() => T.linalg.inv(T.ones([2, 3])), msg(/^linalg\.inv: .*square/));
  assert.throws(() => T.linalg.solve(T.eye(3), T.ones([2, 2])), msg(/^linalg\.solve: incompatible shapes/));
  // det and slogdet are defined at a singular matrix (0, and sign 0 with -inf); their gradient there is refused at backward time
  const S = singular.clone().requiresGrad_();
  const d = T.linalg.det(S);
  assert.equal(d.item(), 0);
  assert.throws(() => d.backward(), msg(/^linalg\.det: the gradient at a singular matrix is not implemented/));
  const [sign, logabs] = T.linalg.slogdet(singular.clone().requiresGrad_());
  assert.equal(sign.item(), 0);
  assert.equal(logabs.item(), -Infinity);
  assert.throws(() => logabs.backward(), msg(/^linalg\.slogdet: the gradient at a singular matrix/));
});

test("matrix and vector norms of order ±Infinity and ±1 (values printed by torch 1.13)", () => {
  const A = f64([[1, -2, 3], [-4, 5, -6.5]]);
  // torch.linalg.matrix_norm(A, ord) for ord = inf, -inf, 1, -1
  assert.equal(T.linalg.matrixNorm(A, Infinity).item(), 15.5);
  assert.equal(T.linalg.matrixNorm(A, -Infinity).item(), 6);
  assert.equal(T.linalg.matrixNorm(A, 1).item(), 9.5);
  assert.equal(T.linalg.matrixNorm(A, -1).item(), 5);
  assert.equal(T.linalg.norm(A, Infinity).item(), 15.5);
  // torch.linalg.vector_norm(A, inf) and vector_norm(A, -inf, 1)
  assert.equal(T.linalg.vectorNorm(A, Infinity).item(), 6.5);
  assert.deepEqual(T.linalg.vectorNorm(A, -Infinity, 1).toArray(), [1, 4]);
  assert.throws(() => T.linalg.matrixNorm(A, 3), msg(/^linalg\.matrixNorm: order 3 not supported/));
  // torch.linalg.matrix_norm(A, "nuc"), (A, 2), (A, -2)
  near([T.linalg.matrixNorm(A, "nuc").item(), T.linalg.matrixNorm(A, 2).item(), T.linalg.matrixNorm(A, -2).item()], [10.507280639535896, 9.838862603421001, 0.6684180361148957], 1e-12, "nuc, 2, -2");
  assert.throws(() => T.linalg.norm(T.ones([2, 2, 2]), 1), msg(/^linalg\.norm: input must be 1-D or 2-D/));
});

test("named results: aminmax (.min/.max), slogdet (.sign/.logabsdet), median and cummax (.values/.indices)", () => {
  const x = T.tensor([[1, 5, 2], [7, -1, 3]], { dtype: "float32" });
  const mm = T.aminmax(x, { dim: 1 });
  assert.deepEqual(mm.min.toArray(), [1, -1]);
  assert.deepEqual(mm.max.toArray(), [5, 7]);
  const [lo, hi] = x.aminmax();
  assert.equal(lo.item(), -1);
  assert.equal(hi.item(), 7);
  const sl = T.linalg.slogdet(f64([[0, 2], [3, 0]]));
  assert.equal(sl.sign.item(), -1);
  near([sl.logabsdet.item()], [Math.log(6)], 1e-15, "logabsdet");
  const m = x.median(1);
  assert.deepEqual(m.values.toArray(), [2, 3]);
  assert.deepEqual(m.indices.toArray(), [2, 2]);
  // torch.cummax(torch.tensor([1., 3, 3, 2, 3, nan, 4]), 0).indices: ties take the later index, NaN sticks
  assert.deepEqual(T.cummax(T.tensor([1, 3, 3, 2, 3, NaN, 4], { dtype: "float32" }), 0).indices.toArray(), [0, 1, 2, 2, 4, 5, 5]);
});

test("diagonal is a view of its input (writes to the input show through it), and its gradient lands on the diagonal", () => {
  const x = T.zeros([3, 4]);
  const d = x.diagonal(1);
  assert.equal(d.storage, x.storage);
  x.copy_(T.arange(12, { dtype: "float32" }).reshape([3, 4]));
  assert.deepEqual(d.toArray(), [1, 6, 11]);
  const y = T.arange(12, { dtype: "float32" }).reshape([3, 4]).requiresGrad_();
  y.diagonal(-1).sum().backward();
  assert.deepEqual(y.grad!.toArray(), [[0, 0, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0]]);
});

test("bad arguments to the new reductions and linalg functions throw a TensileError naming the op", () => {
  const x = T.randn([3, 4]);
  const cases: [string, () => unknown][] = [
    ["kthvalue", () => x.kthvalue(5, 1)],
    ["kthvalue", () => x.kthvalue(0)],
    ["median", () => T.median(T.zeros([0, 3]), 0)],
    ["quantile", () => x.quantile(1.5)],
    ["quantile", () => x.quantile(0.5, 1, false, { interpolation: "cubic" as never })],
    ["quantile", () => T.quantile(T.tensor([1, 2]), 0.5)],
    ["bincount", () => T.bincount(T.tensor([1, -1]))],
    ["bincount", () => T.bincount(x)],
    ["histc", () => x.histc(4, 2, 1)],
    ["searchsorted", () => T.searchsorted(T.randn([2, 3]), T.randn([3, 3]))],
    ["searchsorted", () => T.searchsorted(T.randn([3]), T.randn([2]), { side: "left", right: true })],
    ["bucketize", () => T.bucketize(x, T.randn([2, 2]))],
    ["diff", () => T.diff(T.tensor(1))],
    ["cross", () => T.cross(T.randn([4]), T.randn([4]))],
    ["tensordot", () => T.tensordot(x, T.randn([3, 4]), 1)],
    ["addmm", () => T.addmm(T.randn([5]), T.randn([2, 3]), T.randn([3, 4]))],
    ["diagonal", () => x.diagonal(0, 1, 1)],
    ["matrixPower", () => x.matrixPower(2)],
    ["cdist", () => T.cdist(T.randn([2, 3]), T.randn([2, 4]))],
    ["linalg.det", () => T.linalg.det(T.randn([3]))],
    ["linalg.solve", () => T.linalg.solve(T.eye(2), "b" as never)],
    ["linalg.multiDot", () => T.linalg.multiDot([x])],
    ["linalg.vectorNorm", () => T.linalg.vectorNorm(x, "fro" as never)],
    ["linalg.cholesky", () => T.linalg.cholesky(T.eye(2), { upper: 1 as never })],
  ];
  for (const [op, f] of cases)
    assert.throws(f, (e: Error) => e instanceof T.TensileError && e.message.startsWith(`${op}:`), `${op} should throw a TensileError naming it`);
  // every linalg function, given junk, throws a TensileError (never a TypeError)
  const junk: unknown[] = ["a", {}, 1.5, [T.ones([1])], NaN, null];
  const L = T.linalg as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const [name, fn] of Object.entries(L)) {
    if (typeof fn !== "function") continue;
    for (const j of junk)
      for (const args of [[j], [T.randn([2, 2]), j], [T.randn([2, 2]), T.randn([2, 2]), j]])
        try {
          fn(...args);
        } catch (e) {
          assert.ok(e instanceof T.TensileError && /^[A-Za-z_][A-Za-z0-9_.]*[:( ]/.test(e.message), `linalg.${name}: ${(e as Error).constructor.name}: ${(e as Error).message}`);
        }
  }
});

test("eigh's and svd's gradients match finite differences (symmetric input for eigh), and full SVD factors of a non-square input are orthogonal", () => {
  const x = T.tensor(Array.from({ length: 18 }, (_, i) => Math.cos(i * 1.3)), { dtype: "float64" }).reshape([2, 3, 3]);
  gradcheck((a) => T.linalg.eigh(spd(a)).eigenvalues, x, "linalg.eigh eigenvalues");
  // eigenvectors with a sign-invariant objective: V·diag(λ)·Vᵀ's sensitivity to each vector's sign cancels
  gradcheck((a) => { const [L, V] = T.linalg.eigh(spd(a)); return V.mul(V).mul(L.unsqueeze(-2)); }, x, "linalg.eigh eigenvectors");
  gradcheck((a) => T.linalg.eigvalsh(spd(a), { UPLO: "U" }), x, "linalg.eigvalsh UPLO U");
  // full rank (samples of one sinusoid would give a rank-2 matrix, where the gradient is infinite)
  const B = T.tensor(Array.from({ length: 12 }, (_, i) => Math.sin(i * i * 0.37 + 0.3)), { dtype: "float64" }).reshape([4, 3]);
  gradcheck((a) => { const { U, S, Vh } = T.linalg.svd(a, { fullMatrices: false }); return U.mul(U).sum(0).add(S).add(Vh.mul(Vh).sum(1)); }, B, "linalg.svd");
  gradcheck((a) => T.linalg.matrixNorm(a, "nuc"), B, "matrixNorm nuc");
  for (const shape of [[4, 2], [2, 5]]) {
    const A = T.randn(shape, { dtype: "float64" });
    const [U, S, Vh] = T.linalg.svd(A);
    const [m, n] = shape as [number, number], k = Math.min(m, n);
    assert.deepEqual([U.shape, S.shape, Vh.shape], [[m, m], [k], [n, n]]);
    near(U.T.matmul(U).dataSync(), T.eye(m, { dtype: "float64" }).dataSync(), 1e-12, "UᵀU");
    near(Vh.matmul(Vh.T).dataSync(), T.eye(n, { dtype: "float64" }).dataSync(), 1e-12, "Vh·Vhᵀ");
    near(U.narrow(1, 0, k).mul(S).matmul(Vh.narrow(0, 0, k)).dataSync(), A.dataSync(), 1e-12, "U S Vh");
    // only S used: differentiable even with full matrices; U's gradient there is refused as PyTorch refuses it
    const a = A.clone().requiresGrad_();
    T.linalg.svd(a).S.sum().backward();
    assert.ok(a.grad);
    assert.throws(() => T.linalg.svd(A.clone().requiresGrad_()).U.sum().backward(), msg(/^linalg\.svd: the derivative of U and Vh with fullMatrices = true/));
  }
});
