// torch 1.13's older top-level linear algebra (svd, qr, lu, luSolve, triangularSolve, geqrf, orgqr,
// ormqr, symeig, svdLowrank, pcaLowrank, lobpcg, nuclearNorm, frobeniusNorm, ger) beyond the op table
// (fixtures/ops.json, which checks values and gradients against PyTorch): the argument orders and
// conventions that differ from torch.linalg, results checked by their defining identities, the
// random low-rank functions against linalg.svd, ormqr's gradient (torch 1.13 has none), errors.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as T from "../src/index.js";
import { gradcheck } from "./helpers/gradcheck.js";
import { backendsUnderTest } from "./helpers/backends.js";

const msg = (re: RegExp) => (e: Error) => e instanceof T.TensileError && re.test(e.message);
const mT = (x: T.Tensor) => x.transpose(-1, -2);
const near = (got: T.Tensor, want: T.Tensor, tol: number, what: string) => {
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  const g = got.dataSync(), w = want.dataSync();
  Array.from(w, (v, i) => assert.ok(Math.abs(Number(g[i]) - Number(v)) <= tol * Math.max(1, Math.abs(Number(v))), `${what} element ${i}: ${g[i]}, want ${v}`));
};
/** Deterministic test matrices (no RNG): sin of a quadratic in the flat index (a linear one gives rank 2). */
const mat = (shape: number[], seed = 1, dtype: T.DType = "float64") =>
  T.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(seed + 1.7 * i + 0.31 * i * i) * 2), { dtype }).reshape(shape);
const eye = (n: number) => T.eye(n, { dtype: "float64" });
const forEachBackend = (fn: (name: string) => void) => {
  for (const b of backendsUnderTest()) T.withBackend(b, () => fn(b.name));
};

test("svd returns V (not Vh): U·diag(S)·Vᵀ = A; some: false gives full U and V; computeUv: false gives zero-filled U [m, m] and V [n, n]", () => {
  forEachBackend((b) => {
    for (const shape of [[5, 3], [2, 4], [2, 4, 3]]) {
      const A = mat(shape);
      const [U, S, V] = T.svd(A);
      const k = Math.min(shape.at(-1)!, shape.at(-2)!);
      assert.deepEqual(V.shape, [...shape.slice(0, -2), shape.at(-1)!, k], `${b} ${shape}: V is n×k`);
      near(U.mul(S.unsqueeze(-2)).matmul(mT(V)), A, 1e-10, `${b} ${shape} reconstruction`);
      // the same factors as linalg.svd's, with V = Vhᵀ
      const [, , Vh] = T.linalg.svd(A, { fullMatrices: false });
      near(V, mT(Vh), 1e-12, `${b} ${shape}: V = Vhᵀ`);
      const r = A.svd();
      assert.ok(r.U && r.S && r.V, "named results");
      near(r.V, V, 0, `${b} method form`);
    }
    const [U, S, V] = T.svd(mat([5, 3]), { some: false });
    assert.deepEqual([U.shape, S.shape, V.shape], [[5, 5], [3], [3, 3]]);
    near(mT(U).matmul(U), eye(5), 1e-10, `${b} full U orthogonal`);
    const [Uw, , Vw] = T.svd(mat([2, 4]), { some: false });
    assert.deepEqual([Uw.shape, Vw.shape], [[2, 2], [4, 4]]);
    near(mT(Vw).matmul(Vw), eye(4), 1e-10, `${b} full V orthogonal`);
    for (const some of [true, false]) {
      const [U0, S0, V0] = T.svd(mat([2, 5, 3]), { computeUv: false, some });
      assert.deepEqual([U0.shape, S0.shape, V0.shape], [[2, 5, 5], [2, 3], [2, 3, 3]]);
      assert.ok([...U0.dataSync(), ...V0.dataSync()].every((v) => v === 0), "zero-filled U and V");
      near(S0, T.linalg.svdvals(mat([2, 5, 3])), 1e-12, `${b} S without U, V`);
    }
  });
});

test("svd with some: false on a non-square input differentiates the thin factors (the completion is a constant), as torch 1.13", () => {
  for (const shape of [[4, 3], [2, 4]]) {
    const k = Math.min(shape[0]!, shape[1]!);
    const A = mat(shape, 3).requiresGrad_();
    const [U, S, V] = T.svd(A, { some: false });
    near(U.narrow(-1, 0, k), T.svd(A)[0], 1e-12, `${shape}: the thin U leads`);
    U.sum().add(V.sum()).add(S.sum()).backward();
    const full = A.grad!.clone();
    A.grad = null;
    const [Ut, St, Vt] = T.svd(A);
    Ut.sum().add(Vt.sum()).add(St.sum()).backward();
    near(full, A.grad!, 1e-12, `${shape}: gradient of the full factors = the thin factors'`);
    gradcheck((x) => T.svd(x, { some: false })[0].narrow(-1, 0, k), mat(shape, 3), `svd some=false ${shape}`);
  }
});

test("qr: some: false is linalg.qr's mode \"complete\"; the default is \"reduced\"", () => {
  forEachBackend((b) => {
    const A = mat([4, 2], 3);
    const [Q, R] = T.qr(A, { some: false });
    const [Qc, Rc] = T.linalg.qr(A, "complete");
    assert.deepEqual([Q.shape, R.shape], [[4, 4], [4, 2]]);
    near(Q, Qc, 0, `${b} Q`);
    near(R, Rc, 0, `${b} R`);
    const [Q2, R2] = A.qr();
    assert.deepEqual([Q2.shape, R2.shape], [[4, 2], [2, 2]]);
    near(Q2.matmul(R2), A, 1e-12, `${b} reduced reconstruction`);
  });
});

test("lu gives linalg.luFactor's packed LU and pivots, a singular matrix factors without error, getInfos reports the zero pivot", () => {
  forEachBackend((b) => {
    for (const shape of [[4, 4], [5, 3], [3, 5], [2, 3, 3]]) {
      const A = mat(shape, 5);
      const [LU, piv] = T.lu(A);
      const [LU2, piv2] = T.linalg.luFactor(A);
      near(LU, LU2, 1e-14, `${b} ${shape} LU`);
      assert.deepEqual([...piv.dataSync()], [...piv2.dataSync()], `${b} ${shape} pivots`);
      assert.equal(piv.dtype, "int32");
      const [P, L, U] = T.luUnpack(LU, piv);
      near(P.matmul(L).matmul(U), A, 1e-12, `${b} ${shape}: P·L·U = A`);
    }
    // rows [1,2,3] and [2,4,6]: U[2,2] = 0 (LAPACK's info 3), as torch.lu gives (values from torch 1.13)
    const sing = T.tensor([[1, 2, 3], [2, 4, 6], [1, 1, 1]], { dtype: "float64" });
    const r = T.lu(T.stack([sing, eye(3)]), { getInfos: true });
    assert.equal(r.length, 3);
    assert.deepEqual([...r.infos.dataSync()], [3, 0]);
    assert.deepEqual([...r.pivots.dataSync()], [2, 3, 3, 1, 2, 3]);
    const [P, L, U] = T.luUnpack(r.LU, r.pivots);
    near(P.matmul(L).matmul(U), T.stack([sing, eye(3)]), 1e-12, `${b} singular P·L·U`);
    assert.equal(T.lu(sing).length, 2);
  });
});

test("luSolve takes b first (torch.lu_solve(b, LU, pivots)), unlike linalg.luSolve(LU, pivots, B)", () => {
  forEachBackend((b) => {
    const A = mat([3, 3], 2).add(eye(3).mul(4));
    const B = mat([2, 3, 2], 7);
    const [LU, piv] = T.lu(A);
    const X = T.luSolve(B, LU, piv);
    near(A.matmul(X), B, 1e-12, `${b} A·X = b`);
    near(X, T.linalg.luSolve(LU, piv, B), 0, `${b} same as linalg.luSolve`);
    near(B.luSolve(LU, piv), X, 0, `${b} method form`);
  });
});

test("triangularSolve(b, A): upper by default, reads one triangle, transpose solves Aᵀ·X = b, returns a copy of A broadcast to the batch", () => {
  forEachBackend((b) => {
    const A = mat([3, 3], 4).add(eye(3).mul(5));
    const B = mat([3, 2], 9);
    const [X, M] = T.triangularSolve(B, A);
    near(A.triu().matmul(X), B, 1e-12, `${b} upper by default`);
    near(M, A, 0, `${b} cloned coefficient`);
    assert.notEqual(M, A);
    const [Xl] = T.triangularSolve(B, A, { upper: false });
    near(A.tril().matmul(Xl), B, 1e-12, `${b} lower`);
    const [Xt] = B.triangularSolve(A, { transpose: true });
    near(mT(A.triu()).matmul(Xt), B, 1e-12, `${b} transpose`);
    const [Xu] = T.triangularSolve(B, A, { upper: false, unitriangular: true });
    near(A.tril(-1).add(eye(3)).matmul(Xu), B, 1e-12, `${b} unitriangular`);
    const [Xb, Mb] = T.triangularSolve(mat([4, 3, 2], 2), A.unsqueeze(0).unsqueeze(0).expand([2, 1, 3, 3]));
    assert.deepEqual([Xb.shape, Mb.shape], [[2, 4, 3, 2], [2, 4, 3, 3]]);
  });
  // the clone's gradient is ones over all of A (torch 1.13 too)
  const A = mat([3, 3], 4).add(eye(3).mul(5)).requiresGrad_();
  T.triangularSolve(mat([3, 2], 1), A)[1].sum().backward();
  assert.ok([...A.grad!.dataSync()].every((v) => v === 1));
});

test("geqrf: LAPACK's Householder convention (β = −sign(α)·‖x‖, τ = (β − α)/β), orgqr and ormqr rebuild Q", () => {
  forEachBackend((b) => {
    // by hand: x = [3, 4]: β = −5, τ = 8/5, v = [1, 4/8]
    const [a0, tau0] = T.geqrf(T.tensor([[3], [4]], { dtype: "float64" }));
    near(a0, T.tensor([[-5], [0.5]], { dtype: "float64" }), 1e-15, `${b} a by hand`);
    near(tau0, T.tensor([1.6], { dtype: "float64" }), 1e-15, `${b} tau by hand`);
    // a zero column below the diagonal: no reflection (τ = 0), the entry kept
    const [az, tz] = T.geqrf(T.tensor([[2, 1], [0, 3]], { dtype: "float64" }));
    assert.equal(tz.dataSync()[0], 0);
    assert.equal(az.dataSync()[0], 2);
    for (const shape of [[5, 3], [4, 4], [3, 5], [2, 4, 3]]) {
      const A = mat(shape, 6);
      const [a, tau] = A.geqrf();
      const [m, n] = shape.slice(-2) as [number, number];
      const k = Math.min(m, n);
      const R = a.triu();
      // Q·R = A with Q = H₁…H_k as ormqr applies it to the identity
      const Q = T.ormqr(a, tau, eye(m).expand([...shape.slice(0, -2), m, m]));
      near(Q.matmul(R), A, 1e-12, `${b} ${shape}: Q·R = A`);
      near(mT(Q).matmul(Q), eye(m).expand([...shape.slice(0, -2), m, m]), 1e-12, `${b} ${shape}: Q orthogonal`);
      if (m >= n) near(T.orgqr(a, tau), Q.narrow(-1, 0, n), 1e-12, `${b} ${shape}: orgqr = Q's first n columns`);
      // the same R as linalg.qr (both LAPACK's signs)
      near(R.narrow(-2, 0, k), T.linalg.qr(A)[1], 1e-12, `${b} ${shape}: R as linalg.qr`);
      // Qᵀ·C, C·Q, C·Qᵀ
      const C = mat([...shape.slice(0, -2), m, 2], 8);
      near(T.ormqr(a, tau, C, { transpose: true }), mT(Q).matmul(C), 1e-12, `${b} ${shape}: Qᵀ·C`);
      const D = mT(C);
      near(T.ormqr(a, tau, D, { left: false }), D.matmul(Q), 1e-12, `${b} ${shape}: C·Q`);
      near(a.ormqr(tau, D, { left: false, transpose: true }), D.matmul(mT(Q)), 1e-12, `${b} ${shape}: C·Qᵀ`);
    }
  });
});

test("geqrf has no derivative (as torch 1.13); ormqr's gradient in a, tau and other matches finite differences", () => {
  const A = mat([4, 3]).requiresGrad_();
  const [a] = T.geqrf(A);
  assert.ok(a.requiresGrad);
  assert.throws(() => a.sum().backward(), msg(/^geqrf: the derivative for 'geqrf' is not implemented/));
  const [a0, tau0] = T.geqrf(mat([4, 3], 2));
  const C = mat([4, 2], 3);
  for (const opts of [{}, { transpose: true }, { left: false }, { left: false, transpose: true }]) {
    const Cx = opts.left === false ? mat([2, 4], 3) : C;
    const label = JSON.stringify(opts);
    gradcheck((x) => T.ormqr(x, tau0, Cx, opts), a0, `ormqr ${label} d/da`);
    gradcheck((t) => T.ormqr(a0, t, Cx, opts), tau0, `ormqr ${label} d/dtau`);
    gradcheck((c) => T.ormqr(a0, tau0, c, opts), Cx, `ormqr ${label} d/dother`);
  }
});

test("symeig reads the upper triangle by default, returns an empty eigenvector tensor without eigenvectors: true", () => {
  forEachBackend((b) => {
    const S = mat([3, 3], 1).add(mT(mat([3, 3], 1)));
    const junkBelow = S.triu().add(mat([3, 3], 9).tril(-1));
    const [L, V] = T.symeig(junkBelow);
    near(L, T.linalg.eigvalsh(S), 1e-12, `${b} upper`);
    assert.deepEqual(V.shape, [0]);
    const X = S.triu(1).add(junkBelow.tril());
    const lower = X.tril().add(mT(X.tril(-1)));
    const [L2, V2] = X.symeig({ eigenvectors: true, upper: false });
    near(L2, T.linalg.eigvalsh(lower), 1e-12, `${b} lower`);
    near(V2.mul(L2.unsqueeze(-2)).matmul(mT(V2)), lower, 1e-10, `${b} V·diag(L)·Vᵀ`);
  });
});

test("symeig's gradients (eigenvalues alone too, unlike torch 1.13) match finite differences through a symmetric input", () => {
  const sym = (x: T.Tensor) => x.add(mT(x)).mul(0.5);
  const X = mat([3, 3], 2);
  gradcheck((x) => T.symeig(sym(x))[0], X, "symeig eigenvalues");
  gradcheck((x) => T.symeig(sym(x), { eigenvectors: true, upper: false })[1], X, "symeig eigenvectors");
});

/** A [m, n] of rank r with singular values 10, 5, 2, ... (float64). */
function lowRank(m: number, n: number, r: number): T.Tensor {
  const U = T.linalg.qr(mat([m, r], 11))[0], V = T.linalg.qr(mat([n, r], 12))[0];
  const s = T.tensor([10, 5, 2, 1, 0.5].slice(0, r), { dtype: "float64" });
  return U.mul(s.unsqueeze(0)).matmul(mT(V));
}

test("svdLowrank and pcaLowrank: on low-rank matrices the leading singular values and subspaces are linalg.svd's", () => {
  forEachBackend((b) => {
    T.manualSeed(0);
    for (const [m, n] of [[20, 8], [8, 20], [12, 12]] as const) {
      const A = lowRank(m, n, 3);
      const [U, S, V] = T.svdLowrank(A, { q: 5 });
      assert.deepEqual([U.shape, S.shape, V.shape], [[m, 5], [5], [n, 5]]);
      near(S.narrow(0, 0, 3), T.tensor([10, 5, 2], { dtype: "float64" }), 1e-8, `${b} ${m}x${n} S`);
      near(U.mul(S.unsqueeze(0)).matmul(mT(V)), A, 1e-8, `${b} ${m}x${n} reconstruction`);
      // leading singular vectors as linalg.svd's, up to sign
      const [Us, , Vh] = T.linalg.svd(A, { fullMatrices: false });
      const dots = mT(U.narrow(1, 0, 3)).matmul(Us.narrow(1, 0, 3)).diagonal().abs();
      near(dots, T.ones(3, { dtype: "float64" }), 1e-8, `${b} ${m}x${n} U columns`);
      near(mT(V.narrow(1, 0, 3)).matmul(mT(Vh).narrow(1, 0, 3)).diagonal().abs(), T.ones(3, { dtype: "float64" }), 1e-8, `${b} V columns`);
    }
    // M: the SVD of A − M
    const A = lowRank(10, 6, 2);
    const M = mat([1, 6], 3).expand([10, 6]);
    const [, S] = T.svdLowrank(A.add(M), { q: 3, M: M.narrow(0, 0, 1).expand([10, 6]), niter: 3 });
    near(S.narrow(0, 0, 2), T.tensor([10, 5], { dtype: "float64" }), 1e-8, `${b} with M`);
    // pcaLowrank centers: A + (a row repeated) has A's column-centered spectrum
    const C = A.sub(A.mean(0, true));
    const [, Sp, Vp] = T.pcaLowrank(C.add(mat([1, 6], 5)), { q: 4 });
    near(Sp.narrow(0, 0, 2), T.linalg.svdvals(C).narrow(0, 0, 2), 1e-8, `${b} pca S`);
    assert.deepEqual(Vp.shape, [6, 4]);
    const [, Sn] = T.pcaLowrank(C, { q: 2, center: false });
    near(Sn, T.linalg.svdvals(C).narrow(0, 0, 2), 1e-8, `${b} pca without centering`);
    // batched, and the same generator seed gives the same draw
    const Ab = T.stack([lowRank(7, 5, 2), lowRank(7, 5, 3)]);
    const r1 = T.svdLowrank(Ab, { q: 4, generator: new T.Generator(3) });
    const r2 = T.svdLowrank(Ab, { q: 4, generator: new T.Generator(3) });
    near(r1.U, r2.U, 0, `${b} same generator, same U`);
    near(r1.S.narrow(-1, 0, 2), T.linalg.svdvals(Ab).narrow(-1, 0, 2), 1e-8, `${b} batched S`);
  });
  // differentiable: on an exactly rank-2 input S is the exact singular values
  gradcheck((x) => T.svdLowrank(x, { q: 3, generator: new T.Generator(1) })[1].narrow(0, 0, 2), lowRank(6, 4, 2), "svdLowrank S");
  gradcheck((x) => T.svdLowrank(x, { q: 3, generator: new T.Generator(1) })[0].narrow(1, 0, 2).abs(), lowRank(6, 4, 2), "svdLowrank |U|");
  gradcheck((x) => T.pcaLowrank(x, { q: 3, generator: new T.Generator(2) })[1].narrow(0, 0, 2), lowRank(7, 4, 2), "pcaLowrank S");
});

test("lobpcg finds linalg.eigh's extreme eigenpairs (generalized too); E and X are differentiable without B", () => {
  const spdOf = (x: T.Tensor, shift: number) => x.matmul(mT(x)).add(eye(x.shape[0]!).mul(shift));
  forEachBackend((b) => {
    T.manualSeed(1);
    const A = spdOf(mat([12, 12], 4), 1);
    const [w, V] = T.linalg.eigh(A);
    const [E, X] = T.lobpcg(A, { k: 3 });
    near(E, w.narrow(0, 9, 3).flip([0]), 1e-10, `${b} largest`);
    // the same vectors up to sign
    near(mT(X).matmul(V.narrow(1, 9, 3).flip([1])).diagonal().abs(), T.ones(3, { dtype: "float64" }), 1e-7, `${b} vectors`);
    const [Es] = T.lobpcg(A, { k: 2, largest: false, n: 3, X: mat([12, 3], 2) });
    near(Es, w.narrow(0, 0, 2), 1e-10, `${b} smallest`);
    // A·x = λ·B·x with X B-orthonormal: against eigh of L⁻¹·A·L⁻ᵀ
    const Bm = spdOf(mat([12, 12], 8), 12);
    const [Eb, Xb] = T.lobpcg(A, { k: 2, B: Bm, X: mat([12, 2], 5) });
    const L = T.linalg.cholesky(Bm);
    const Cm = T.linalg.solveTriangular(L, mT(T.linalg.solveTriangular(L, A, { upper: false })), { upper: false });
    near(Eb, T.linalg.eigvalsh(Cm.add(mT(Cm)).mul(0.5)).narrow(0, 10, 2).flip([0]), 1e-10, `${b} generalized`);
    near(mT(Xb).matmul(Bm).matmul(Xb), eye(2), 1e-10, `${b} XᵀBX = I`);
    // a preconditioner changes the path, not the answer
    const [Ek] = T.lobpcg(A, { k: 2, iK: T.diag(A.diagonal().reciprocal()), X: mat([12, 2], 6) });
    near(Ek, w.narrow(0, 10, 2).flip([0]), 1e-10, `${b} preconditioned`);
  });
  const A0 = spdOf(mat([9, 9], 3), 1), X0 = mat([9, 2], 7);
  // converged far below the default tolerance (√eps: vectors to ~1e-8), so finite differences see the derivative
  gradcheck((a) => T.lobpcg(a, { k: 2, X: X0, tol: 1e-14 })[1], A0, "lobpcg X");
  gradcheck((a) => T.lobpcg(a, { k: 2, X: X0, largest: false })[0], A0, "lobpcg E smallest");
  const Ag = A0.clone().requiresGrad_();
  assert.throws(() => T.lobpcg(Ag, { k: 1, B: eye(9) })[0].sum().backward(), msg(/^lobpcg: the backward with B given/));
  assert.throws(() => T.lobpcg(mat([8, 8]), { k: 3 }), msg(/^lobpcg: LOBPCG algorithm is not applicable when the number of A rows \(=8\) is smaller than 3 x the number of requested eigenpairs \(=3\)/));
  assert.throws(() => T.lobpcg(mat([8, 7])), msg(/^lobpcg: A must be a square matrix/));
  assert.throws(() => T.lobpcg(mat([9, 9]), { X: mat([8, 2]) }), msg(/^lobpcg: expected X of shape/));
});

test("nuclearNorm, frobeniusNorm and ger are linalg.matrixNorm('nuc'), linalg.vectorNorm and outer", () => {
  forEachBackend((b) => {
    const A = mat([2, 3, 4]);
    near(T.nuclearNorm(A, { dim: [1, 2] }), T.linalg.svdvals(A).sum(-1), 1e-12, `${b} nuclear`);
    near(T.nuclearNorm(A.select(0, 0), { keepdim: true }), T.linalg.svdvals(A.select(0, 0)).sum().reshape([1, 1]), 1e-12, `${b} nuclear keepdim`);
    near(T.frobeniusNorm(A), A.pow(2).sum().sqrt(), 1e-12, `${b} frobenius`);
    near(T.frobeniusNorm(A, { dim: [0, 2], keepdim: true }), A.pow(2).sum([0, 2], true).sqrt(), 1e-12, `${b} frobenius dims`);
    const x = mat([3]), y = mat([2], 4);
    near(x.ger(y), T.outer(x, y), 0, `${b} ger`);
  });
});

test("errors name the op and the value at fault", () => {
  const v = mat([3]);
  assert.throws(() => T.svd(v), msg(/^svd: expected input to have at least 2 dimensions, but it has 1/));
  assert.throws(() => T.svd(mat([3, 3]), { some: 1 as never }), msg(/^svd: some must be a boolean/));
  assert.throws(() => T.qr(T.tensor([[1, 2]], { dtype: "int32" })), msg(/^qr: expected a floating point tensor input, got int32/));
  assert.throws(() => T.lu(v), msg(/^lu: expected input to have at least 2 dimensions/));
  assert.throws(() => T.triangularSolve(v, mat([3, 3])), msg(/^triangularSolve: expected b to have at least 2 dimensions, but it has 1/));
  assert.throws(() => T.triangularSolve(mat([4, 2]), mat([3, 3])), msg(/^triangularSolve: Incompatible matrix sizes .* each A matrix is 3 by 3 but each b matrix is 4 by 2/));
  assert.throws(() => T.triangularSolve(mat([3, 2]), mat([3, 4])), msg(/^triangularSolve: A must be batches of square matrices/));
  const [LU, piv] = T.lu(mat([2, 3, 3]));
  assert.throws(() => T.luSolve(v, LU, piv), msg(/^luSolve: expected b to have at least 2 dimensions/));
  assert.throws(() => T.luSolve(mat([3, 3, 1]), LU, piv), msg(/luSolve.*(batch|broadcast)/i));
  const [a, tau] = T.geqrf(mat([4, 3]));
  assert.throws(() => T.ormqr(a, tau, mat([3, 2])), msg(/^ormqr: input.shape\[-2\] must be equal to other.shape\[-2\] = 3/));
  assert.throws(() => T.ormqr(a, tau, mat([2, 4, 2])), msg(/^ormqr: expected the batch dimensions of other \[2, 4, 2\]/));
  assert.throws(() => T.ormqr(a, mat([4]), mat([4, 2])), msg(/^ormqr: tau.shape\[-1\] = 4 must be at most/));
  assert.throws(() => T.geqrf(v), msg(/^geqrf: expected input to have at least 2 dimensions/));
  assert.throws(() => T.symeig(mat([3, 2])), msg(/^symeig: A must be batches of square matrices/));
  assert.throws(() => T.pcaLowrank(mat([5, 3]), { q: 4 }), msg(/^pcaLowrank: q\(=4\) must be a non-negative integer and not greater than min\(m, n\)=3/));
  assert.throws(() => T.svdLowrank(mat([8, 7]), { niter: -1 }), msg(/^svdLowrank: niter\(=-1\) must be a non-negative integer/));
  assert.throws(() => T.svdLowrank(v), msg(/^svdLowrank: expected A to have at least 2 dimensions/));
  assert.throws(() => T.nuclearNorm(mat([2, 3, 3])), msg(/^nuclearNorm: Expected a tensor with 2 dimensions, but got a tensor with 3 dimensions/));
  assert.throws(() => T.frobeniusNorm(mat([2, 3, 3]), { dim: [0, 1, 2] }), msg(/^frobeniusNorm: Expected at most 2 dimensions, but got 3/));
  assert.throws(() => T.ger(mat([2, 2]), v), msg(/^ger: expected 1-D tensors, got \[2, 2\] and \[3\]/));
});
