// torch.linalg and the reductions added with it, beyond the op table (fixtures/ops.json): gradients
// the table cannot gradcheck (cholesky reads one triangle), errors PyTorch raises, the ±∞ orders
// (JSON fixtures cannot hold Infinity as an argument), views, and result shapes with names.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as T from "../src/index.js";
import { gradcheck } from "./helpers/gradcheck.js";

/** A TensileError whose message matches `re`. */
const msg = (re: RegExp) => (e: Error) => e instanceof T.TensileError && re.test(e.message);
const f64 = (data: number[][]) => T.tensor(data, { dtype: "float64" });
const near = (got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string) =>
  Array.from(want, (w, i) => assert.ok(Math.abs(got[i]! - w) <= tol * Math.max(1, Math.abs(w)), `${what} element ${i}: ${got[i]}, want ${w}`));

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
    if (typeof fn !== "function" || fn.prototype instanceof Error) continue; // linalg.LinAlgError is a class
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
    // only S used: differentiable even with full matrices
    const a = A.clone().requiresGrad_();
    T.linalg.svd(a).S.sum().backward();
    assert.ok(a.grad);
    // with full matrices, U's and Vh's completing columns get no gradient, as in PyTorch 1.13: the
    // gradient equals the thin factors' for the same weights on their columns
    const wU = T.randn([m, m], { dtype: "float64" }), wV = T.randn([n, n], { dtype: "float64" });
    const full = A.clone().requiresGrad_(), thin = A.clone().requiresGrad_();
    const F = T.linalg.svd(full), Th = T.linalg.svd(thin, { fullMatrices: false });
    F.U.mul(wU).sum().add(F.Vh.mul(wV).sum()).backward();
    Th.U.mul(wU.narrow(1, 0, k)).sum().add(Th.Vh.mul(wV.narrow(0, 0, k)).sum()).backward();
    near(full.grad!.dataSync(), thin.grad!.dataSync(), 1e-12, "full-matrices gradient = thin gradient");
  }
});

// ---- linalg.luFactor, lu, luUnpack, luSolve, solveTriangular, lstsq, vander, householderProduct ----

/** A float64 tensor of `shape` holding sin(0.3 + 0.37·i²): full rank, no ties among pivots. */
const full = (shape: number[]) =>
  T.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(0.3 + 0.37 * i * i)), { dtype: "float64" }).reshape(shape);
const weights = (n: number, a: number, b: number) => Array.from({ length: n }, (_, i) => Math.sin(a + b * i));

test("lu: P·L·U rebuilds A (square, wide, tall, batched), L unit lower and U upper, luUnpack(luFactor(A)) gives the same factors", () => {
  for (const shape of [[4, 4], [3, 5], [5, 3], [2, 3, 3], [2, 2, 4], [3, 4, 2]]) {
    const A = full(shape);
    const { P, L, U } = T.linalg.lu(A);
    const [m, n] = shape.slice(-2) as [number, number], k = Math.min(m, n);
    assert.deepEqual([P.shape.slice(-2), L.shape.slice(-2), U.shape.slice(-2)], [[m, m], [m, k], [k, n]], `${shape}`);
    near(P.matmul(L).matmul(U).dataSync(), A.dataSync(), 1e-14, `P L U of ${shape}`);
    near(L.tril(-1).add(T.eye(m, k, { dtype: "float64" })).dataSync(), L.dataSync(), 0, `L of ${shape}`);
    near(U.triu().dataSync(), U.dataSync(), 0, `U of ${shape}`);
    const { LU, pivots } = T.linalg.luFactor(A);
    assert.equal(pivots.dtype, "int32");
    assert.deepEqual(pivots.shape, [...shape.slice(0, -2), k]);
    const [P2, L2, U2] = T.linalg.luUnpack(LU, pivots);
    for (const [a, b, what] of [[P, P2, "P"], [L, L2, "L"], [U, U2, "U"]] as const) assert.deepEqual([...b.dataSync()], [...a.dataSync()], `luUnpack ${what} of ${shape}`);
  }
  // torch.linalg.lu_factor(torch.tensor([[1., 2, 3], [4, 5, 6], [7, 8, 10]], dtype=torch.float64))
  const { LU, pivots } = T.linalg.luFactor(f64([[1, 2, 3], [4, 5, 6], [7, 8, 10]]));
  assert.deepEqual([...pivots.dataSync()], [3, 3, 3]);
  near(LU.dataSync(), [7, 8, 10, 0.14285714285714285, 0.8571428571428572, 1.5714285714285716, 0.5714285714285714, 0.5000000000000002, -0.5], 1e-15, "LU");
});

test("lu's gradient through L and U matches PyTorch 1.13 (square, wide, tall) and finite differences; luUnpack's and pivot: false's too", () => {
  // torch: A = sin(0.3 + 0.37 i²) reshaped, P, L, U = torch.linalg.lu(A),
  // ((L * sin(1 + 0.7 i)).sum() + (U * sin(2 + 0.3 i)).sum()).backward(); A.grad
  const torchGrads: [number[], number[]][] = [
    [[3, 5], [0.103936855354498, -0.593043831044925, -0.533177468377796, -0.782747746483222, -0.962397499614726, 2.57397756283222, -0.0416580260307943, -0.631266637872322, -0.373876664830236, -0.0830894028174964, 0.16106923349104, 0.308099724254444, 0.31292129801195, -0.235846832261068, -0.763547467419317]],
    [[5, 3], [-0.399859602779108, 0.582791307987355, -1.15326845111287, 0.156958121672164, -1.31964825102046, 0.542733744363535, -1.14692142403737, 0.160405878741887, -1.06264361997619, -0.172460736862148, 1.60223771412481, -1.00023592515668, -1.18074290015657, 0.874558232732927, -0.803034543639138]],
    [[4, 4], [-0.84933497610929, 0.712557343074168, -0.498775504724183, -1.05319200838065, -6.83061975702297, 6.58904486760412, -1.66395309068519, -0.648413941723188, 1.07401857372814, 0.453052005349126, 0.624497923515505, -0.0970212232561357, 0.173055197250068, 0.360163108263812, -0.824927401932402, 0.215119988087816]],
  ];
  for (const [shape, want] of torchGrads) {
    const A = full(shape).requiresGrad_();
    const { L, U } = T.linalg.lu(A);
    const wL = T.tensor(weights(L.numel(), 1, 0.7), { dtype: "float64" }).reshape(L.shape);
    const wU = T.tensor(weights(U.numel(), 2, 0.3), { dtype: "float64" }).reshape(U.shape);
    L.mul(wL).sum().add(U.mul(wU).sum()).backward();
    near(A.grad!.dataSync(), want, 1e-12, `lu gradient of ${shape}`);
  }
  const both = (f: (a: T.Tensor) => T.Tensor[]) => (a: T.Tensor) => T.cat(f(a).map((t) => t.flatten()));
  for (const shape of [[3, 3], [2, 4], [4, 2], [2, 3, 3], [2, 2, 3]]) {
    gradcheck(both((a) => { const { L, U } = T.linalg.lu(a); return [L, U]; }), full(shape), `linalg.lu ${shape}`);
    const { LU, pivots } = T.linalg.luFactor(full(shape));
    gradcheck(both((lu) => { const [, L, U] = T.linalg.luUnpack(lu, pivots); return [L, U]; }), LU, `linalg.luUnpack ${shape}`);
  }
  // without pivoting (PyTorch: CUDA only): a column-dominant matrix, where pivoting would swap nothing anyway
  const D = full([3, 3]).add(T.eye(3, { dtype: "float64" }).mul(5));
  gradcheck(both((a) => { const { L, U } = T.linalg.lu(a, { pivot: false }); return [L, U]; }), D, "linalg.lu pivot: false");
  gradcheck((a) => T.linalg.luFactor(a, { pivot: false }).LU, full([4, 3]).add(T.eye(4, 3, { dtype: "float64" }).mul(5)), "linalg.luFactor pivot: false, tall");
});

test("lu without pivoting: no row swaps (P empty, pivots 1..k), and a matrix that needs pivoting gives L·U = A with growth", () => {
  const A = f64([[1e-3, 1], [1, 1]]);
  const { P, L, U } = T.linalg.lu(A, { pivot: false });
  assert.deepEqual(P.shape, [0]);
  near(L.matmul(U).dataSync(), A.dataSync(), 1e-12, "L U");
  near(L.dataSync(), [1, 0, 1000, 1], 1e-12, "L without pivoting");
  assert.deepEqual([...T.linalg.luFactor(A, { pivot: false }).pivots.dataSync()], [1, 2]);
  assert.deepEqual([...T.linalg.luFactor(A).pivots.dataSync()], [2, 2]);
});

test("second derivatives go through solveTriangular, luSolve, luFactor and lstsq (createGraph)", () => {
  const A0 = f64([[3, 1, 0.5], [0.2, 2.5, 0.1], [0.3, -0.4, 2]]);
  const b = T.tensor([[1, 0.5], [-2, 1], [0.5, 0.25]], { dtype: "float64" });
  const viaGrad = (f: (a: T.Tensor) => T.Tensor) => (a: T.Tensor) => T.grad([f(a).pow(2).sum()], [a], { createGraph: true })[0]!;
  gradcheck(viaGrad((a) => T.linalg.solveTriangular(a, b, { upper: true })), A0, "∂|solveTriangular|²/∂A");
  gradcheck(viaGrad((a) => T.linalg.solveTriangular(a, b.T, { upper: false, left: false, unitriangular: true })), A0, "∂|solveTriangular right unit|²/∂A");
  const { LU, pivots } = T.linalg.luFactor(A0);
  gradcheck(viaGrad((lu) => T.linalg.luSolve(lu, pivots, b, { adjoint: true })), LU, "∂|luSolve|²/∂LU");
  gradcheck(viaGrad((a) => T.linalg.luFactor(a).LU), A0, "∂|luFactor|²/∂A");
  gradcheck(viaGrad((a) => T.linalg.lstsq(a, b).solution), A0, "∂|lstsq|²/∂A");
});

test("lstsq with a vector B (torch 1.13's backward fails there): gradients match finite differences and the matrix case", () => {
  const A = full([5, 3]), bv = T.tensor([0.5, -1, 2, 0.25, 1.5], { dtype: "float64" });
  gradcheck((a) => T.linalg.lstsq(a, bv).solution, A, "lstsq vector: ∂/∂A");
  gradcheck((v) => T.linalg.lstsq(A, v).solution, bv, "lstsq vector: ∂/∂B");
  const Ab = full([2, 4, 3]), Bb = full([2, 4]).mul(2).add(1);
  gradcheck((a) => T.linalg.lstsq(a, Bb, { driver: "gelsd" }).solution, Ab, "lstsq batched vector: ∂/∂A");
  gradcheck((v) => T.linalg.lstsq(Ab, v).solution, Bb, "lstsq batched vector: ∂/∂B");
  gradcheck((a) => T.linalg.lstsq(a, full([3, 2])).solution, full([3, 5]), "lstsq wide (minimum norm): ∂/∂A");
  const x = T.linalg.lstsq(A, bv).solution, xm = T.linalg.lstsq(A, bv.unsqueeze(-1)).solution;
  assert.deepEqual(x.shape, [3]);
  near(x.dataSync(), xm.dataSync(), 0, "vector vs matrix");
});

test("lstsq fills residuals, rank and singularValues per driver as PyTorch does (named results), and the solution minimizes the residual", () => {
  const A = full([5, 3]), B = full([5, 2]).add(0.5);
  const shapes = (r: T.linalg.Lstsq) => [r.solution.shape, r.residuals.shape, r.rank.shape, r.singularValues.shape];
  // torch.linalg.lstsq(A (5, 3), B (5, 2), driver=d): fields as shapes
  assert.deepEqual(shapes(T.linalg.lstsq(A, B)), [[3, 2], [0], [], [0]]);
  assert.deepEqual(shapes(T.linalg.lstsq(A, B, { driver: "gels" })), [[3, 2], [2], [0], [0]]);
  assert.deepEqual(shapes(T.linalg.lstsq(A, B, { driver: "gelsd" })), [[3, 2], [2], [], [3]]);
  assert.deepEqual(shapes(T.linalg.lstsq(A, B, { driver: "gelss" })), [[3, 2], [2], [], [3]]);
  const r = T.linalg.lstsq(A, B, { driver: "gelsd" });
  assert.equal(r.rank.dtype, "int32");
  assert.equal(r.rank.item(), 3);
  const [solution, residuals] = r;
  near(residuals.dataSync(), A.matmul(solution).sub(B).pow(2).sum(0).dataSync(), 1e-12, "residuals");
  // the normal equations hold: Aᵀ(AX − B) = 0
  near(A.T.matmul(A.matmul(solution).sub(B)).dataSync(), [0, 0, 0, 0, 0, 0], 1e-12, "Aᵀ r");
  near(r.singularValues.dataSync(), T.linalg.svdvals(A).dataSync(), 1e-12, "singular values");
  // a rank-deficient A under gelsd: no residuals (PyTorch computes them only at full rank)
  const R = f64([[1, 2, 3], [2, 4, 6], [1, 0, 1], [0, 1, 1]]);
  const rd = T.linalg.lstsq(R, B.narrow(0, 0, 4), { driver: "gelsd" });
  assert.equal(rd.rank.item(), 2);
  assert.deepEqual(rd.residuals.shape, [0]);
});

test("solveTriangular at a zero diagonal gives ±Infinity and NaN as LAPACK's trtrs (values printed by torch 1.13)", () => {
  const same = (got: T.Tensor, want: number[], what: string) => assert.deepEqual([...got.dataSync()], want, what);
  // torch.linalg.solve_triangular(torch.zeros(2, 2), torch.tensor([[1.], [-1.]]), upper=True)
  same(T.linalg.solveTriangular(T.zeros([2, 2]), T.tensor([[1], [-1]], { dtype: "float32" }), { upper: true }), [NaN, -Infinity], "zeros");
  same(T.linalg.solveTriangular(T.tensor([[2, 1], [0, 0]], { dtype: "float32" }), T.tensor([[1, 0], [-1, 0]], { dtype: "float32" }), { upper: true }), [Infinity, NaN, -Infinity, NaN], "upper");
  same(T.linalg.solveTriangular(T.tensor([[0, 0], [3, 1]], { dtype: "float32" }), T.tensor([[1, 2], [3, 0]], { dtype: "float32" }), { upper: false }), [Infinity, Infinity, -Infinity, -Infinity], "lower");
  // the triangle not read does not matter, nor the diagonal with unitriangular
  const A = f64([[2, 9], [1, 4]]), b = f64([[1], [2]]);
  near(T.linalg.solveTriangular(A, b, { upper: false }).dataSync(), [0.5, 0.375], 1e-15, "lower ignores 9");
  near(T.linalg.solveTriangular(A, b, { upper: false, unitriangular: true }).dataSync(), [1, 1], 1e-15, "unit lower");
});

test("vander and householderProduct: values by hand, and householderProduct(geqrf) is QR's Q", () => {
  assert.deepEqual(T.linalg.vander(T.tensor([1, 2, 3], { dtype: "int32" }), { N: 4 }).toArray(), [[1, 1, 1, 1], [1, 2, 4, 8], [1, 3, 9, 27]]);
  assert.deepEqual(T.linalg.vander(T.tensor([2, -1], { dtype: "float32" })).toArray(), [[1, 2], [1, -1]]);
  assert.deepEqual(T.linalg.vander(T.tensor(2, { dtype: "float32" }), { N: 3 }).shape, [1, 3]);
  // one reflector: H = I − τ v vᵀ with v = [1, a₁₀, a₂₀]
  const A = f64([[9, 0], [2, 9], [-1, 3]]);
  const H = T.linalg.householderProduct(A, T.tensor([0.5], { dtype: "float64" }));
  const v = [1, 2, -1];
  near(H.dataSync(), [0, 1, 2].flatMap((i) => [0, 1].map((j) => (i === j ? 1 : 0) - 0.5 * v[i]! * v[j]!)), 1e-15, "I − τ v vᵀ");
  const Q = T.linalg.qr(full([4, 3])).Q;
  // torch.geqrf(A) for A = sin(0.3 + 0.37 i²) (4, 3): its packed reflectors and tau
  const refl = f64([[-1.3759136308046085, -0.15488632516758927, 0.911041896378109], [-0.2807290547618138, -0.826177344425901, -0.949656447546318], [0.5200465410762155, -0.8266805570852603, 0.9273727295024877], [-0.5450963075698383, 0.03499536250991801, -0.7572636629219812]]);
  const tau = T.tensor([1.2147810734955253, 1.1872075403880709, 1.271093595492049], { dtype: "float64" });
  near(T.linalg.householderProduct(refl, tau).dataSync(), Q.dataSync(), 1e-12, "householderProduct(geqrf(A)) = Q");
});

test("bad arguments to lu, luFactor, luUnpack, luSolve, solveTriangular, lstsq, vander and householderProduct throw TensileErrors as PyTorch raises", () => {
  const S = T.tensor([[1, 2, 3], [2, 4, 6], [1, 1, 1]], { dtype: "float32" });
  // torch: "torch.linalg.lu_factor: U[3,3] is zero and using it on lu_solve would result in a division by zero. ..."
  assert.throws(() => T.linalg.luFactor(S), msg(/^linalg\.luFactor: U\[3,3\] is zero and using it on linalg\.luSolve would result in a division by zero/));
  assert.throws(() => T.linalg.luFactor(T.stack([T.eye(3), S])), msg(/^linalg\.luFactor: \(Batch element 1\): U\[3,3\] is zero/));
  // linalg.lu factors it anyway: U's last diagonal entry is 0 (torch: U = [[2, 4, 6], [0, -1, -2], [0, 0, 0]])
  assert.deepEqual(T.linalg.lu(S).U.toArray(), [[2, 4, 6], [0, -1, -2], [0, 0, 0]]);
  const A = T.tensor([[4, 1, 0], [1, 3, 1], [0, 1, 2]], { dtype: "float32" });
  const { LU, pivots } = T.linalg.luFactor(A);
  const cases: [RegExp, () => unknown][] = [
    [/^linalg\.luFactor: the input tensor A must have at least 2 dimensions, got \[3\]/, () => T.linalg.luFactor(T.ones([3]))],
    [/^linalg\.lu: expected a floating point tensor A, got int32/, () => T.linalg.lu(T.ones([2, 2], { dtype: "int32" }))],
    [/^linalg\.lu: pivot must be a boolean, got 1/, () => T.linalg.lu(A, { pivot: 1 as never })],
    [/^linalg\.luSolve: the input tensor B must have at least 2 dimensions, got \[3\]/, () => T.linalg.luSolve(LU, pivots, T.ones([3]))],
    [/^linalg\.luSolve: incompatible shapes of A and B for the equation AX = B \(LU \[3, 3\] and B \[4, 2\]\)/, () => T.linalg.luSolve(LU, pivots, T.ones([4, 2]))],
    [/^linalg\.luSolve: incompatible shapes of A and B for the equation XA = B \(LU \[3, 3\] and B \[2, 4\]\)/, () => T.linalg.luSolve(LU, pivots, T.ones([2, 4]), { left: false })],
    [/^linalg\.luSolve: expected LU and B to have the same dtype, but found LU of type float32 and B of type float64/, () => T.linalg.luSolve(LU, pivots, T.ones([3, 1], { dtype: "float64" }))],
    [/^linalg\.luSolve: pivots must be an int32 tensor .*got float32/, () => T.linalg.luSolve(LU, pivots.to("float32"), T.ones([3, 1]))],
    [/^linalg\.luSolve: expected pivots of shape \[3\] for LU of shape \[3, 3\], but got pivots of shape \[2\]/, () => T.linalg.luSolve(LU, pivots.narrow(0, 0, 2), T.ones([3, 1]))],
    [/^linalg\.luSolve: pivots must be between 1 and LU.shape\[-2\] = 3 inclusive, got 4/, () => T.linalg.luSolve(LU, T.tensor([4, 2, 3], { dtype: "int32" }), T.ones([3, 1]))],
    [/^linalg\.luSolve: pivots must be between 1 and LU.shape\[-2\] = 3 inclusive, got 0/, () => T.linalg.luSolve(LU, T.tensor([0, 2, 3], { dtype: "int32" }), T.ones([3, 1]))],
    [/^linalg\.luSolve: LU must be batches of square matrices, but they are 3 by 4 matrices/, () => T.linalg.luSolve(T.ones([3, 4]), pivots, T.ones([3, 1]))],
    [/^linalg\.luSolve: the batch dims of LU \[2, 3, 3\] and B \[4, 3, 1\] do not broadcast/, () => T.linalg.luSolve(LU.expand([2, 3, 3]), pivots.expand([2, 3]), T.ones([4, 3, 1]))],
    [/^linalg\.luUnpack: pivots must be between 1 and LU.shape\[-2\] = 3 inclusive, got 5/, () => T.linalg.luUnpack(LU, T.tensor([5, 2, 3], { dtype: "int32" }))],
    [/^linalg\.luUnpack: unpackData must be a boolean/, () => T.linalg.luUnpack(LU, pivots, { unpackData: "no" as never })],
    [/^linalg\.solveTriangular: the option upper is required/, () => T.linalg.solveTriangular(A, T.ones([3, 1]), {} as never)],
    [/^linalg\.solveTriangular: the option upper is required/, () => T.linalg.solveTriangular(A, T.ones([3, 1]), undefined as never)],
    [/^linalg\.solveTriangular: A must be batches of square matrices, but they are 3 by 4 matrices/, () => T.linalg.solveTriangular(T.ones([3, 4]), T.ones([3, 1]), { upper: true })],
    [/^linalg\.solveTriangular: the input tensor B must have at least 2 dimensions, got \[3\]/, () => T.linalg.solveTriangular(A, T.ones([3]), { upper: true })],
    [/^linalg\.solveTriangular: the input tensor A must have at least 2 dimensions, got \[3\]/, () => T.linalg.solveTriangular(T.ones([3]), T.ones([3, 1]), { upper: true })],
    [/^linalg\.solveTriangular: incompatible shapes of A and B for the equation AX = B \(\[3, 3\] and \[4, 2\]\)/, () => T.linalg.solveTriangular(A, T.ones([4, 2]), { upper: true })],
    [/^linalg\.solveTriangular: incompatible shapes of A and B for the equation XA = B \(\[3, 3\] and \[2, 4\]\)/, () => T.linalg.solveTriangular(A, T.ones([2, 4]), { upper: true, left: false })],
    [/^linalg\.solveTriangular: expected A and B to have the same dtype, but found A of type float32 and B of type float64/, () => T.linalg.solveTriangular(A, T.ones([3, 1], { dtype: "float64" }), { upper: true })],
    [/^linalg\.solveTriangular: the batch dims of A \[2, 3, 3\] and B \[3, 3, 1\] do not broadcast/, () => T.linalg.solveTriangular(A.expand([2, 3, 3]), T.ones([3, 3, 1]), { upper: true })],
    [/^linalg\.solveTriangular: expected a floating point tensor A, got int32/, () => T.linalg.solveTriangular(T.ones([2, 2], { dtype: "int32" }), T.ones([2, 1], { dtype: "int32" }), { upper: true })],
    [/^linalg\.lstsq: driver must be one of "gels", "gelsy", "gelsd", "gelss", got "foo"/, () => T.linalg.lstsq(A, T.ones([3, 1]), { driver: "foo" as never })],
    [/^linalg\.lstsq: the input tensor A must have at least 2 dimensions, got \[5\]/, () => T.linalg.lstsq(T.ones([5]), T.ones([5, 2]))],
    [/^linalg\.lstsq: B must have as many dims as A .* got A \[3, 3\] and B \[2, 3, 1\]/, () => T.linalg.lstsq(A, T.ones([2, 3, 1]))],
    [/^linalg\.lstsq: A \[3, 3\] has 3 rows but B \[4, 2\] has 4/, () => T.linalg.lstsq(A, T.ones([4, 2]))],
    [/^linalg\.lstsq: A \[2, 5, 3\] has 5 rows but B \[5, 2\] has 2 \(B read as a batch of vectors\)/, () => T.linalg.lstsq(T.ones([2, 5, 3]), T.ones([5, 2]))],
    [/^linalg\.lstsq: expected A and B to have the same dtype, but found A of type float32 and B of type float64/, () => T.linalg.lstsq(A, T.ones([3, 1], { dtype: "float64" }))],
    [/^linalg\.lstsq: expected a floating point tensor A, got int32/, () => T.linalg.lstsq(T.ones([3, 2], { dtype: "int32" }), T.ones([3, 1], { dtype: "int32" }))],
    [/^linalg\.lstsq: rcond must be a number or null, got "x"/, () => T.linalg.lstsq(A, T.ones([3, 1]), { rcond: "x" as never })],
    [/^linalg\.vander: N must be an integer greater than 1, got 1/, () => T.linalg.vander(T.ones([3]), { N: 1 })],
    [/^linalg\.vander: N must be an integer greater than 1, got 1 \(the size of x's last dim, shape \[\]\)/, () => T.linalg.vander(T.tensor(2))],
    [/^linalg\.vander: supports floating point and integer tensors, but got bool/, () => T.linalg.vander(T.ones([2], { dtype: "bool" }))],
    [/^linalg\.householderProduct: A must have at least as many rows as columns .* got \[3, 4\]/, () => T.linalg.householderProduct(T.ones([3, 4]), T.ones([2]))],
    [/^linalg\.householderProduct: A.shape\[-1\] = 3 must be at least tau.shape\[-1\] = 4/, () => T.linalg.householderProduct(T.ones([4, 3]), T.ones([4]))],
    [/^linalg\.householderProduct: expected tau to have one dim less than A, but got tau of shape \[2, 2\]/, () => T.linalg.householderProduct(T.ones([4, 3]), T.ones([2, 2]))],
    [/^linalg\.householderProduct: expected the batch dims of tau \[3, 2\] to equal A's \[2\]/, () => T.linalg.householderProduct(T.ones([2, 4, 3]), T.ones([3, 2]))],
    [/^linalg\.householderProduct: expected A and tau to have the same dtype, but found A of type float32 and tau of type float64/, () => T.linalg.householderProduct(T.ones([4, 3]), T.ones([2], { dtype: "float64" }))],
  ];
  for (const [re, f] of cases) assert.throws(f, msg(re), re.source);
});
