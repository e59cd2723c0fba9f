// torch.linalg's _ex variants (choleskyEx, invEx, solveEx, luFactorEx), the LDLᵀ family (ldlFactor,
// ldlFactorEx, ldlSolve), eig / eigvals and LinAlgError, against PyTorch 1.13 (fixtures/linalg-ex.json,
// written by tools/gen-linalg-ex-fixtures.py) on every backend, with float64 gradchecks.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import * as T from "../src/index.js";
import { type TensorSpec, assertClose, decode, makeTensor } from "./helpers/fixtures.js";
import { gradcheck } from "./helpers/gradcheck.js";
import { backendsUnderTest } from "./helpers/backends.js";

interface Case {
  op: string;
  name: string;
  inputs: Record<string, TensorSpec>;
  options: Record<string, unknown>;
  outputs: Record<string, TensorSpec>;
  gradOutputs?: Record<string, TensorSpec>;
  grads?: Record<string, TensorSpec>;
}
const fixture = JSON.parse(readFileSync(fileURLToPath(new URL("../fixtures/linalg-ex.json", import.meta.url)), "utf8")) as { cases: Case[] };
const cases = (op: string) => fixture.cases.filter((c) => c.op === op);
const { linalg } = T;
const mT = (x: T.Tensor) => x.transpose(-1, -2);
const msg = (re: RegExp) => (e: Error) => e instanceof T.TensileError && re.test(e.message);
const linAlgMsg = (re: RegExp) => (e: Error) => e instanceof linalg.LinAlgError && e instanceof T.TensileError && re.test(e.message);
const forEachBackend = (fn: (name: string) => void) => {
  for (const b of backendsUnderTest()) T.withBackend(b, () => fn(b.name));
};
const tol = (spec: TensorSpec) => (spec.dtype === "float32" ? 2e-5 : 1e-10);
const load = (spec: TensorSpec, grad = false) => {
  const t = makeTensor(spec).leaf;
  return grad ? t.requiresGrad_() : t;
};
/** Deterministic test matrices (no RNG). */
const mat = (shape: number[], seed = 1) =>
  T.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(seed + 1.7 * i + 0.31 * i * i) * 2), { dtype: "float64" }).reshape(shape);

/** Runs `call` on the case's inputs (the ones with grads requiring grad), compares outputs and the gradients of Σ out·w. */
function checkCase(c: Case, b: string, call: (ins: Record<string, T.Tensor>) => Record<string, T.Tensor>, compare?: (got: Record<string, T.Tensor>) => void): void {
  const ins = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, load(v, !!c.grads?.[k])]));
  const out = call(ins);
  const what = `${b} ${c.op} ${c.name}`;
  if (compare) compare(out);
  else for (const [k, spec] of Object.entries(c.outputs)) assertClose(`${what}: ${k}`, out[k]!, spec, tol(spec), tol(spec));
  if (!c.gradOutputs) return;
  let loss: T.Tensor | null = null;
  for (const [k, w] of Object.entries(c.gradOutputs)) {
    const term = out[k]!.mul(load(w)).sum();
    loss = loss ? loss.add(term) : term;
  }
  loss!.backward();
  for (const [k, spec] of Object.entries(c.grads!)) assertClose(`${what}: grad ${k}`, ins[k]!.grad!, spec, spec.dtype === "float32" ? 1e-3 : 1e-8, spec.dtype === "float32" ? 1e-3 : 1e-8);
}

test("choleskyEx: L and info as torch's cholesky_ex, including potf2's partial factor where A is not positive-definite; gradient as cholesky's", () => {
  forEachBackend((b) => {
    for (const c of cases("cholesky_ex")) checkCase(c, b, ({ A }) => {
      const r = linalg.choleskyEx(A!, { upper: c.options.upper as boolean });
      assert.equal(r.L, r[0]);
      assert.equal(r.info, r[1]);
      assert.equal(r.info.dtype, "int32");
      return { L: r.L, info: r.info };
    });
  });
  const A = mat([3, 3], 2);
  for (const upper of [false, true]) gradcheck((x) => linalg.choleskyEx(x.matmul(mT(x)).add(T.eye(3, { dtype: "float64" }).mul(3)), { upper })[0], A, `choleskyEx upper=${upper}`);
  // the same gradient as linalg.cholesky
  const S = mat([3, 3], 3).matmul(mT(mat([3, 3], 3))).add(T.eye(3, { dtype: "float64" }));
  const g1 = S.clone().requiresGrad_(), g2 = S.clone().requiresGrad_();
  linalg.choleskyEx(g1)[0].mul(mat([3, 3], 9)).sum().backward();
  linalg.cholesky(g2).mul(mat([3, 3], 9)).sum().backward();
  assertClose("choleskyEx grad = cholesky grad", g1.grad!, { shape: [3, 3], data: [...g2.grad!.dataSync()] }, 1e-12, 1e-12);
});

test("invEx: inverse and info (the first zero pivot, 1-based) as torch's inv_ex, ±inf / NaN where singular; gradient as inv's", () => {
  forEachBackend((b) => {
    for (const c of cases("inv_ex")) checkCase(c, b, ({ A }) => {
      const r = linalg.invEx(A!);
      assert.equal(r.inverse, r[0]);
      return { inverse: r.inverse, info: r.info };
    });
  });
  gradcheck((x) => linalg.invEx(x)[0], mat([3, 3], 4), "invEx");
  // torch factors Aᵀ for a contiguous A and A for a transposed view (both Aᵀ's LAPACK layout): info 2 for Z3 and Z3ᵀ (a view), 3 for Z3ᵀ contiguous
  const Z3 = T.tensor([[1, 2, 3], [2, 4, 6], [1, 0, 1]], { dtype: "float64" });
  assert.deepEqual([linalg.invEx(Z3).info.item(), linalg.invEx(mT(Z3)).info.item(), linalg.invEx(mT(Z3).contiguous()).info.item()], [2, 2, 3]);
  assert.deepEqual([linalg.luFactorEx(Z3).info.item(), linalg.luFactorEx(mT(Z3)).info.item()], [3, 2]);
});

test("solveEx: result and info (of A's batch shape) as torch's solve_ex, for matrix and vector B, left: false, broadcast batches and singular A", () => {
  forEachBackend((b) => {
    for (const c of cases("solve_ex")) checkCase(c, b, ({ A, B }) => {
      const r = linalg.solveEx(A!, B!, { left: c.options.left as boolean });
      assert.equal(r.result, r[0]);
      return { result: r.result, info: r.info };
    });
  });
  const A = mat([3, 3], 4), B = mat([3, 2], 5);
  gradcheck((x) => linalg.solveEx(x, B)[0], A, "solveEx gA");
  gradcheck((x) => linalg.solveEx(A, x)[0], B, "solveEx gB");
  gradcheck((x) => linalg.solveEx(A, x, { left: false })[0], mT(B).contiguous(), "solveEx left=false gB");
});

test("luFactorEx: LU, pivots and info as torch's lu_factor_ex (square, wide, tall, singular, batched); gradient as luFactor's", () => {
  forEachBackend((b) => {
    for (const c of cases("lu_factor_ex")) checkCase(c, b, ({ A }) => {
      const r = linalg.luFactorEx(A!);
      assert.deepEqual([r.LU, r.pivots, r.info], [r[0], r[1], r[2]]);
      return { LU: r.LU, pivots: r.pivots, info: r.info };
    });
  });
  gradcheck((x) => linalg.luFactorEx(x)[0], mat([3, 3], 6), "luFactorEx");
  gradcheck((x) => linalg.luFactorEx(x)[0], mat([2, 4], 6), "luFactorEx wide");
});

test("ldlFactorEx: LD, pivots (LAPACK sytrf's 1×1 / 2×2 encoding) and info exactly as torch's; ldlSolve as torch's ldl_solve", () => {
  forEachBackend((b) => {
    for (const c of cases("ldl_factor_ex")) {
      const A = load(c.inputs.A!);
      const what = `${b} ${c.name}`;
      const r = linalg.ldlFactorEx(A);
      assert.deepEqual([r.LD, r.pivots, r.info], [r[0], r[1], r[2]]);
      assertClose(`${what}: LD`, r.LD, c.outputs.LD!, tol(c.outputs.LD!), tol(c.outputs.LD!));
      assertClose(`${what}: pivots`, r.pivots, c.outputs.pivots!, 0, 0);
      assertClose(`${what}: info`, r.info, c.outputs.info!, 0, 0);
      if (!c.inputs.B) continue;
      const B = load(c.inputs.B);
      const X = linalg.ldlSolve(r.LD, r.pivots, B);
      assertClose(`${what}: ldlSolve`, X, c.outputs.X!, tol(c.outputs.X!) * 100, tol(c.outputs.X!) * 100);
      // A·X = B, so the factorization is right, not merely torch's
      const res = A.matmul(X).sub(B).abs().max().item();
      assert.ok(res < (A.dtype === "float32" ? 1e-4 : 1e-10), `${what}: residual ${res}`);
      const [LD2, p2] = linalg.ldlFactor(A);
      assert.deepEqual([LD2.toArray(), p2.toArray()], [r.LD.toArray(), r.pivots.toArray()], `${what}: ldlFactor = ldlFactorEx`);
    }
  });
});

test("ldlSolve broadcasts batch dims (torch 1.13 crashes there) and hermitian is accepted for real input", () => {
  forEachBackend((b) => {
    const S = mat([2, 4, 4], 3);
    const A = S.add(mT(S)); // symmetric, indefinite
    const [LD, piv] = linalg.ldlFactor(A, { hermitian: true });
    const B = mat([3, 1, 4, 2], 4);
    const X = linalg.ldlSolve(LD, piv, B, { hermitian: true });
    assert.deepEqual(X.shape, [3, 2, 4, 2]);
    const res = A.matmul(X).sub(B).abs().max().item();
    assert.ok(res < 1e-10, `${b}: residual ${res}`);
  });
});

test("ldlFactor and ldlSolve: errors, and backward refused as torch 1.13 ('not implemented')", () => {
  assert.throws(() => linalg.ldlFactor(T.zeros([3, 3], { dtype: "float64" })), linAlgMsg(/^linalg\.ldlFactor: .*D is singular \(D\[1,1\] is zero/));
  assert.throws(() => linalg.ldlFactorEx(T.zeros([2, 3, 3]), { checkErrors: true }), linAlgMsg(/^linalg\.ldlFactorEx: \(Batch element 0\): /));
  assert.throws(() => linalg.ldlFactor(T.zeros([2, 3])), msg(/^linalg\.ldlFactor: A must be batches of square matrices, but they are 2 by 3/));
  assert.throws(() => linalg.ldlFactor(T.tensor([[1, 2], [2, 1]], { dtype: "int32" })), msg(/^linalg\.ldlFactor: expected a floating point tensor A, got int32/));
  assert.throws(() => linalg.ldlFactor(T.eye(2), { hermitian: 1 as unknown as boolean }), msg(/^linalg\.ldlFactor: hermitian must be a boolean, got 1/));
  const A = T.tensor([[4, 2, 1], [2, -3, 5], [1, 5, 0.5]], { dtype: "float64" });
  const [LD, piv] = linalg.ldlFactor(A);
  assert.throws(() => linalg.ldlSolve(LD, piv.float(), T.ones([3, 1], { dtype: "float64" })), msg(/^linalg\.ldlSolve: pivots must be an int32 tensor/));
  assert.throws(() => linalg.ldlSolve(LD, piv, T.ones([2, 1], { dtype: "float64" })), msg(/^linalg\.ldlSolve: incompatible shapes .*\[3, 3\] and B \[2, 1\]/));
  assert.throws(() => linalg.ldlSolve(LD, piv, T.ones([3], { dtype: "float64" })), msg(/^linalg\.ldlSolve: the input tensor B must have at least 2 dimensions, got \[3\]/));
  assert.throws(() => linalg.ldlSolve(LD, T.tensor([1, 5, 3], { dtype: "int32" }), T.ones([3, 1], { dtype: "float64" })), msg(/^linalg\.ldlSolve: pivots must be between 1 and n = 3 .*got 5/));
  assert.throws(() => linalg.ldlSolve(LD, T.tensor([1, 2, -3], { dtype: "int32" }), T.ones([3, 1], { dtype: "float64" })), msg(/^linalg\.ldlSolve: a negative pivot .* got -3 at row 2/));
  const Ag = A.clone().requiresGrad_();
  const r = linalg.ldlFactor(Ag);
  assert.throws(() => r.LD.sum().backward(), msg(/^linalg\.ldlFactor: the derivative is not implemented/));
  const Bg = T.ones([3, 1], { dtype: "float64", requiresGrad: true });
  assert.throws(() => linalg.ldlSolve(LD, piv, Bg).sum().backward(), msg(/^linalg\.ldlSolve: the derivative is not implemented/));
});

/** Complex (re, im) pairs of a [..., 2] tensor as a flat list. */
const pairs = (x: T.Tensor): [number, number][] => {
  const d = x.dataSync();
  return Array.from({ length: d.length / 2 }, (_, i) => [Number(d[2 * i]), Number(d[2 * i + 1])]);
};
const specPairs = (s: TensorSpec): [number, number][] => {
  const d = s.data.map(decode);
  return Array.from({ length: d.length / 2 }, (_, i) => [d[2 * i]!, d[2 * i + 1]!]);
};

/**
 * Compares one matrix's eigen-decomposition with torch's independently of order: each torch
 * eigenvalue matched to a distinct Tensile one, the matched eigenvectors equal up to a unit complex
 * factor; Tensile's vectors unit-norm with their largest component real and positive; A·v = λ·v.
 */
function compareEig(what: string, A: number[], n: number, L: [number, number][], V: [number, number][] | null, tL: [number, number][], tV: [number, number][] | null, tl: number): number[] {
  const used = new Set<number>();
  const match: number[] = [];
  tL.forEach(([re, im], j) => {
    let best = -1, bestD = Infinity;
    L.forEach(([r2, i2], k) => {
      const d = Math.hypot(re - r2, im - i2);
      if (!used.has(k) && d < bestD) (bestD = d), (best = k);
    });
    assert.ok(bestD <= tl * Math.max(1, Math.hypot(re, im)), `${what}: torch's eigenvalue ${re}${im >= 0 ? "+" : ""}${im}i has no match (nearest ${bestD})`);
    used.add(best);
    match.push(best);
    if (!V || !tV) return;
    // |⟨v_torch, v⟩| = 1 for unit vectors equal up to a phase
    let dr = 0, di = 0, nrm = 0, big = 0, bigAt = 0;
    for (let i = 0; i < n; i++) {
      const [ar, ai] = tV[i * n + j]!, [br, bi] = V[i * n + best]!;
      dr += ar * br + ai * bi;
      di += ar * bi - ai * br;
      nrm += br * br + bi * bi;
      if (br * br + bi * bi > big + 1e-12) (big = br * br + bi * bi), (bigAt = i);
    }
    assert.ok(Math.abs(Math.hypot(dr, di) - 1) < tl * 10, `${what}: eigenvector ${j} differs from torch's beyond a phase (|⟨v, v_torch⟩| = ${Math.hypot(dr, di)})`);
    assert.ok(Math.abs(nrm - 1) < tl, `${what}: eigenvector ${best} norm² ${nrm}`);
    // (equal magnitudes up to rounding may take either: the first exactly largest is the one fixed)
    const fixed = [...Array(n).keys()].some((i) => V[i * n + best]![1] === 0 && V[i * n + best]![0] > 0 && V[i * n + best]![0] ** 2 >= big - 1e-12);
    assert.ok(fixed, `${what}: eigenvector ${best}'s largest component (row ${bigAt}) is not real and positive`);
    // A·v = λ·v
    const [lr, li] = L[best]!;
    for (let i = 0; i < n; i++) {
      let sr = 0, si = 0;
      for (let k = 0; k < n; k++) {
        sr += A[i * n + k]! * V[k * n + best]![0];
        si += A[i * n + k]! * V[k * n + best]![1];
      }
      const [vr, vi] = V[i * n + best]!;
      assert.ok(Math.hypot(sr - (lr * vr - li * vi), si - (lr * vi + li * vr)) < tl * 10 * Math.max(1, Math.hypot(lr, li)), `${what}: A·v ≠ λ·v for eigenvalue ${best}`);
    }
  });
  return match;
}

test("eig: eigenvalues (in torch's order, matched as a multiset) and eigenvectors (up to a phase) as torch's, complex values as a trailing dim of 2; gradients of a phase-invariant loss as torch's", () => {
  let inOrder = 0, total = 0;
  forEachBackend((b) => {
    for (const c of cases("eig")) {
      const A = load(c.inputs.A!, !!c.grads);
      const r = linalg.eig(A);
      assert.deepEqual([r.eigenvalues, r.eigenvectors], [r[0], r[1]]);
      const sh = A.shape, n = sh.at(-1)!, count = sh.slice(0, -2).reduce((p, q) => p * q, 1);
      assert.deepEqual(r.eigenvalues.shape, [...sh.slice(0, -1), 2]);
      assert.deepEqual(r.eigenvectors.shape, [...sh, 2]);
      assert.equal(r.eigenvalues.dtype, A.dtype);
      const a = [...A.detach().dataSync()].map(Number), L = pairs(r.eigenvalues), V = pairs(r.eigenvectors);
      const tL = specPairs(c.outputs.eigenvalues!), tV = specPairs(c.outputs.eigenvectors!);
      const tl = A.dtype === "float32" ? 1e-4 : 1e-9;
      let match: number[] = [];
      for (let m = 0; m < count; m++) {
        match = compareEig(`${b} ${c.name} [${m}]`, a.slice(m * n * n, (m + 1) * n * n), n, L.slice(m * n, (m + 1) * n), V.slice(m * n * n, (m + 1) * n * n), tL.slice(m * n, (m + 1) * n), tV.slice(m * n * n, (m + 1) * n * n), tl);
        inOrder += match.every((k, j) => k === j) ? 1 : 0;
        total++;
      }
      if (!c.grads) continue;
      // torch's weights moved to the matching eigenvalue / eigenvector (the grad cases are single matrices)
      const perm = T.tensor(match.map((_, k) => match.indexOf(k)), { dtype: "int32" });
      const wl = load(c.gradOutputs!.eigenvalues!).indexSelect(0, perm), wv = load(c.gradOutputs!.eigenvectorsAbs2!).indexSelect(1, perm);
      const loss = r.eigenvalues.mul(wl).sum().add(r.eigenvectors.pow(2).sum(-1).mul(wv).sum());
      loss.backward();
      assertClose(`${b} ${c.name}: grad A`, A.grad!, c.grads.A!, 1e-7, 1e-7);
    }
    for (const c of cases("eigvals")) {
      const A = load(c.inputs.A!);
      const L = linalg.eigvals(A), n = A.shape.at(-1)!;
      const tL = specPairs(c.outputs.eigenvalues!), l = pairs(L);
      for (let m = 0; m < A.shape[0]!; m++) compareEig(`${b} eigvals [${m}]`, [], n, l.slice(m * n, (m + 1) * n), null, tL.slice(m * n, (m + 1) * n), null, 1e-9);
      assertClose(`${b} eigvals = eig's eigenvalues`, L, { shape: [...L.shape], data: [...linalg.eig(A)[0].dataSync()] }, 0, 0);
    }
  });
  // the order is LAPACK's (the Schur form's diagonal), so torch's for these matrices
  assert.equal(inOrder, total, `eigenvalues in torch's order for ${inOrder} of ${total} matrices`);
});

test("eig gradients: gradcheck for real and complex eigenvalues, through eigenvectors (any loss: the phase is fixed) and eigenvalues", () => {
  const real = T.tensor([[2, 1, 0.5], [0.3, -1, 0.7], [0.2, 0.4, 3]], { dtype: "float64" });
  const cplx = T.tensor([[0.5, -1, 2], [1, 0.2, 3], [0.1, 0.3, 5]], { dtype: "float64" });
  for (const [name, A] of [["real", real], ["complex", cplx]] as const) {
    assert.equal(pairs(linalg.eigvals(A)).some(([, im]) => im !== 0), name === "complex", `${name} case has ${name} eigenvalues`);
    gradcheck((x) => linalg.eig(x).eigenvalues, A, `eig ${name} eigenvalues`);
    gradcheck((x) => linalg.eig(x).eigenvectors, A, `eig ${name} eigenvectors`);
    gradcheck((x) => linalg.eigvals(x), A, `eigvals ${name}`);
  }
  gradcheck((x) => linalg.eig(x).eigenvectors, mat([2, 4, 4], 7), "eig batch eigenvectors");
});

test("eig and eigvals: shapes, empty and batched inputs, errors", () => {
  forEachBackend(() => {
    const [L, V] = linalg.eig(T.zeros([2, 0, 0]));
    assert.deepEqual([L.shape, V.shape], [[2, 0, 2], [2, 0, 0, 2]]);
    const rot = linalg.eigvals(T.tensor([[0, -1], [1, 0]], { dtype: "float64" }));
    assert.deepEqual(rot.toArray(), [[0, 1], [0, -1]]);
  });
  assert.throws(() => linalg.eig(T.zeros([2, 3])), msg(/^linalg\.eig: A must be batches of square matrices, but they are 2 by 3/));
  assert.throws(() => linalg.eigvals(T.zeros([3])), msg(/^linalg\.eigvals: the input tensor A must have at least 2 dimensions, got \[3\]/));
  assert.throws(() => linalg.eig(T.tensor([[1, 2], [3, 4]], { dtype: "int32" })), msg(/^linalg\.eig: expected a floating point tensor A, got int32/));
  assert.throws(() => linalg.eig(T.tensor([[1, NaN], [3, 4]])), linAlgMsg(/^linalg\.eig: the input contains a non-finite value \(NaN at flat index 1\)/));
});

test("LinAlgError: a TensileError that inv, solve, cholesky and the _ex variants with checkErrors throw, with torch's messages; luFactor keeps a plain error as torch's RuntimeError", () => {
  const Z = T.tensor([[1, 2], [2, 4]], { dtype: "float64" });
  const batch = T.stack([T.eye(2, { dtype: "float64" }), Z]);
  assert.ok(new linalg.LinAlgError("x") instanceof T.TensileError);
  assert.equal(new linalg.LinAlgError("x").name, "LinAlgError");
  assert.throws(() => linalg.inv(Z), linAlgMsg(/^linalg\.inv: .*singular/));
  assert.throws(() => linalg.solve(Z, T.ones([2], { dtype: "float64" })), linAlgMsg(/^linalg\.solve: .*singular/));
  assert.throws(() => linalg.cholesky(Z.neg()), linAlgMsg(/^linalg\.cholesky: .*not positive-definite/));
  assert.throws(() => linalg.invEx(batch, { checkErrors: true }), linAlgMsg(/^linalg\.invEx: \(Batch element 1\): The diagonal element 2 is zero, the inversion could not be completed because the input matrix is singular\.$/));
  assert.throws(() => linalg.solveEx(Z, T.ones([2, 1], { dtype: "float64" }), { checkErrors: true }), linAlgMsg(/^linalg\.solveEx: The solver failed because the input matrix is singular\.$/));
  assert.throws(() => linalg.choleskyEx(batch, { checkErrors: true }), linAlgMsg(/^linalg\.choleskyEx: \(Batch element 1\): The factorization could not be completed because the input is not positive-definite \(the leading minor of order 2 is not positive-definite\)\.$/));
  const luErr = (e: Error) => e instanceof T.TensileError && !(e instanceof linalg.LinAlgError) && /^linalg\.luFactorEx: U\[2,2\] is zero/.test(e.message);
  assert.throws(() => linalg.luFactorEx(Z, { checkErrors: true }), luErr);
  assert.throws(() => linalg.luFactor(Z), (e: Error) => e instanceof T.TensileError && !(e instanceof linalg.LinAlgError));
  // without checkErrors: no error, info reports it
  assert.deepEqual(linalg.invEx(batch).info.toArray(), [0, 2]);
  assert.deepEqual(linalg.choleskyEx(batch).info.toArray(), [0, 2]);
  assert.deepEqual(linalg.luFactorEx(batch).info.toArray(), [0, 2]);
  // option errors
  assert.throws(() => linalg.invEx(Z, { checkErrors: "yes" as unknown as boolean }), msg(/^linalg\.invEx: checkErrors must be a boolean, got "yes"/));
  assert.throws(() => linalg.choleskyEx(T.zeros([2, 3])), msg(/^linalg\.choleskyEx: A must be batches of square matrices/));
  assert.throws(() => linalg.solveEx(Z, T.ones([3, 1], { dtype: "float64" })), msg(/^linalg\.solveEx: incompatible shapes of A and B for the equation AX = B \(\[2, 2\] and \[3, 1\]\)/));
});
