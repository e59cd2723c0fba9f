/**
 * torch.linalg's eig and eigvals for general (non-symmetric) real square matrices, computed on
 * the host in float64 by LAPACK's geev pipeline (balancing, Householder reduction to Hessenberg
 * form, Francis double-shift QR to the real Schur form, eigenvectors by back-substitution; see
 * ops/linalg-eig-kernel.ts).
 *
 * Tensile has no complex dtype: the complex results are real tensors with a trailing dim of 2
 * (real, imaginary), torch.view_as_real's layout, as for torch.fft (docs/fft.md): eigenvalues
 * [..., n, 2], eigenvectors [..., n, n, 2] (column j for eigenvalue j).
 *
 * Eigenvalues come in LAPACK's order, the diagonal of the Schur form (complex conjugate pairs
 * adjacent, positive imaginary part first); rounding can change where the iteration deflates
 * when eigenvalues are close, so the order is torch's as a rule but not guaranteed. Each
 * eigenvector has unit 2-norm and its largest-magnitude component real and positive (LAPACK's
 * geev makes that component real, of either sign: torch's vectors equal Tensile's up to a sign).
 *
 * Gradient: PyTorch 1.13's linalg_eig_backward written on (re, im) pairs, with the gradient of the
 * eigenvectors first made invariant to their phase at the component fixed real (so that any loss
 * gets the derivative of the vectors as normalized here; torch refuses a loss that depends on the
 * phase). Distinct eigenvalues are assumed, as in PyTorch.
 */
import { record } from "../autograd/engine.js";
import { LinAlgError, TensileError, fmtShape } from "../errors.js";
import { arrayFor, isFloating } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { solve } from "./linalg-dense.js";
import { diagEmbed } from "./linalg.js";
import { cat } from "./movement.js";
import { assertTensor, wrap } from "./util.js";
import { eigen } from "./linalg-eig-kernel.js";

type T = Tensor;

const mT = (x: T): T => x.transpose(-1, -2);

/** PyTorch's `torch.return_types.linalg_eig`: `[eigenvalues, eigenvectors]`, also by name (complex as a trailing dim of 2). */
export type Eig = [Tensor, Tensor] & { readonly eigenvalues: Tensor; readonly eigenvectors: Tensor };

/** (a_re + i·a_im)·(b_re + i·b_im) for batches of matrices. */
const cmm = ([ar, ai]: [T, T], [br, bi]: [T, T]): [T, T] => [ar.matmul(br).sub(ai.matmul(bi)), ar.matmul(bi).add(ai.matmul(br))];

/**
 * PyTorch's linalg_eig_backward on (re, im) pairs, returning Re(gA):
 * gA = V⁻ᴴ·(diag(gL) + (Vᴴ·gV − Vᴴ·V·Re(diag(Vᴴ·gV))) ⊘ conj(E))·Vᴴ, E_ij = λ_j − λ_i (1 on the diagonal).
 * gV is first corrected at each vector's real component (mask K) so that Im(diag(Vᴴ·gV)) = 0.
 */
function eigBackward(gL2: T, gV2: T, L2: T, V2: T, K: T): T {
  const part = (x: T, i: number) => x.select(-1, i);
  const [Lr, Li, Vr, Vi] = [part(L2, 0), part(L2, 1), part(V2, 0), part(V2, 1)];
  const gLr = part(gL2, 0), gLi = part(gL2, 1), gVr = part(gV2, 0);
  let gVi = part(gV2, 1);
  const n = Lr.shape[Lr.ndim - 1]!;
  // the phase: Im(diag(Vᴴ·gV))_j = Σ_i (Vr·gVi − Vi·gVr)_ij, removed at V's real component V_kj
  const c = Vr.mul(gVi).sub(Vi.mul(gVr)).sum(-2, true);
  const vk = Vr.mul(K).sum(-2, true);
  gVi = gVi.sub(K.mul(c.div(vk)));
  const Vh: [T, T] = [mT(Vr), mT(Vi).neg()];
  const [Xr, Xi] = cmm(Vh, [gVr, gVi]);
  const [Gr, Gi] = cmm(Vh, [Vr, Vi]);
  const dr = Xr.diagonal(0, -2, -1).unsqueeze(-2);
  const Pr = Xr.sub(Gr.mul(dr)), Pi = Xi.sub(Gi.mul(dr));
  // conj(E)_ij = conj(λ_j) − conj(λ_i), 1 on the diagonal
  const ones = Lr.mul(0).add(1);
  const Er = Lr.unsqueeze(-2).sub(Lr.unsqueeze(-1)).add(diagEmbed(ones));
  const Ei = Li.unsqueeze(-2).sub(Li.unsqueeze(-1)).neg();
  const den = Er.mul(Er).add(Ei.mul(Ei));
  const Qr = Pr.mul(Er).add(Pi.mul(Ei)).div(den).add(diagEmbed(gLr));
  const Qi = Pi.mul(Er).sub(Pr.mul(Ei)).div(den).add(diagEmbed(gLi));
  // solve Vᴴ·X = Q·Vᴴ as the real system [[Mr, −Mi], [Mi, Mr]]·[Xr; Xi] = [Rr; Ri]
  const [Rr, Ri] = cmm([Qr, Qi], Vh);
  const M = cat([cat([Vh[0], Vh[1].neg()], -1), cat([Vh[1], Vh[0]], -1)], -2);
  return solve(M, cat([Rr, Ri], -2)).narrow(-2, 0, n);
}

function eigImpl(name: string, A: T): [T, T] {
  assertTensor(name, A, "A");
  if (A.ndim < 2) throw new TensileError(`${name}: the input tensor A must have at least 2 dimensions, got ${fmtShape(A.shape)}`);
  if (!isFloating(A.dtype)) throw new TensileError(`${name}: expected a floating point tensor A, got ${A.dtype}`);
  const n = A.shape[A.ndim - 1]!;
  if (A.shape[A.ndim - 2] !== n) throw new TensileError(`${name}: A must be batches of square matrices, but they are ${A.shape[A.ndim - 2]} by ${n} matrices (shape ${fmtShape(A.shape)})`);
  const batch = A.shape.slice(0, -2);
  const count = batch.reduce((p, q) => p * q, 1);
  const data = Float64Array.from(A.contiguous().dataSync());
  const bad = data.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) throw new LinAlgError(`${name}: the input contains a non-finite value (${data[bad]} at flat index ${bad})`);
  // one packed buffer per matrix: eigenvalues (2n) then eigenvectors (2n²), views of one recorded tensor
  const size = 2 * n + 2 * n * n;
  const buf = arrayFor(A.dtype, count * size);
  const w = new Float64Array(2 * n), vec = new Float64Array(2 * n * n), big = new Int32Array(n);
  const mask = arrayFor(A.dtype, count * n * n);
  for (let b = 0; b < count; b++) {
    if (!eigen(data.subarray(b * n * n, (b + 1) * n * n), n, w, vec, big))
      throw new LinAlgError(`${name}: ${count > 1 ? `(Batch element ${b}): ` : ""}The algorithm failed to converge`);
    buf.set(w, b * size);
    buf.set(vec, b * size + 2 * n);
    for (let j = 0; j < n; j++) mask[b * n * n + big[j]! * n + j] = 1;
  }
  const P = wrap(A.backend, A.backend.fromArray(buf), [...batch, size]);
  const K = wrap(A.backend, A.backend.fromArray(mask), [...batch, n, n]);
  const split = (x: T): [T, T] => [x.narrow(-1, 0, 2 * n).reshape([...batch, n, 2]), x.narrow(-1, 2 * n, 2 * n * n).reshape([...batch, n, n, 2])];
  let outs: [T, T] | null = null;
  record(name, P, [A], (g) => {
    const [gL, gV] = split(g);
    return [eigBackward(gL, gV, outs![0], outs![1], K)];
  }, undefined, [P]);
  outs = split(P);
  return outs;
}

/**
 * Eigenvalues and eigenvectors of general real square matrices A [..., n, n], as
 * `torch.linalg.eig`, complex values as a trailing dim of 2 (torch.view_as_real's layout):
 * `[eigenvalues [..., n, 2], eigenvectors [..., n, n, 2]]`, A·v_j = λ_j·v_j for column j. Each
 * eigenvector has unit norm and its largest-magnitude component real and positive. Computed in
 * float64 on the host (Hessenberg + Francis QR). Differentiable (PyTorch's rule) for distinct
 * eigenvalues, real or complex.
 *
 * @example
 * const [L, V] = linalg.eig(tensor([[0, -1], [1, 0]]));  // L: [[0, 1], [0, -1]] (±i)
 */
export function eig(A: T): Eig {
  const [L, V] = eigImpl("linalg.eig", A);
  return Object.defineProperties([L, V], { eigenvalues: { value: L }, eigenvectors: { value: V } }) as Eig;
}

/**
 * The eigenvalues of general real square matrices A [..., n, n], as `torch.linalg.eigvals`: a
 * tensor [..., n, 2] of (real, imaginary) pairs in linalg.eig's order. Gradient V⁻ᴴ·diag(g)·Vᴴ (real part).
 *
 * @example
 * linalg.eigvals(tensor([[2, 1], [0, 3]]));  // [[2, 0], [3, 0]]
 */
export function eigvals(A: T): T {
  return eigImpl("linalg.eigvals", A)[0];
}
