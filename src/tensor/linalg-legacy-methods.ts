/**
 * The Tensor methods of torch 1.13's older linear-algebra functions (`x.svd()`, `x.qr()`, `x.lu()`,
 * `b.luSolve(LU, pivots)`, `b.triangularSolve(A)`, `x.geqrf()`, `a.orgqr(tau)`, `a.ormqr(tau, c)`,
 * `x.ger(y)`, `x.symeig()`), installed on `Tensor.prototype` and declared on `Tensor` by
 * declaration merging, as tensor/inplace-methods.ts does, so tensor.ts stays the size of its core.
 * Each calls the function of the same name in ops/linalg-legacy.ts or ops/linalg-lowrank.ts with
 * the tensor as first argument. src/core.ts imports this module.
 *
 * ```ts
 * const [U, S, V] = A.svd();
 * const [X] = b.triangularSolve(A, { upper: false });
 * ```
 */
import { Tensor } from "./tensor.js";
import * as LL from "../ops/linalg-legacy.js";
import { ger } from "../ops/linalg-lowrank.js";

declare module "./tensor.js" {
  interface Tensor {
    /** `torch.Tensor.svd`: svd(this, opts) → [U, S, V] (V, not Vh). */
    svd(opts?: LL.SvdLegacyOptions | null): LL.SvdLegacy;
    /** `torch.Tensor.qr`: qr(this, opts) → [Q, R]. */
    qr(opts?: { some?: boolean } | null): LL.QRLegacy;
    /** `torch.Tensor.lu`: lu(this, opts) → [LU, pivots] (+ infos with getInfos). */
    lu(opts: LL.LuLegacyOptions & { getInfos: true }): LL.LuLegacyInfos;
    /** `torch.Tensor.lu`: lu(this, opts) → [LU, pivots]. */
    lu(opts?: LL.LuLegacyOptions | null): LL.LuLegacy;
    /** `torch.Tensor.lu_solve`: luSolve(this, LU, pivots), this = b. */
    luSolve(LU: Tensor, pivots: Tensor): Tensor;
    /** `torch.Tensor.triangular_solve`: triangularSolve(this, A, opts), this = b. */
    triangularSolve(A: Tensor, opts?: LL.TriangularSolveOptions | null): LL.TriangularSolve;
    /** `torch.Tensor.geqrf`: geqrf(this) → [a, tau]. */
    geqrf(): LL.Geqrf;
    /** `torch.Tensor.orgqr`: orgqr(this, tau). */
    orgqr(tau: Tensor): Tensor;
    /** `torch.Tensor.ormqr`: ormqr(this, tau, other, opts). */
    ormqr(tau: Tensor, other: Tensor, opts?: LL.OrmqrOptions | null): Tensor;
    /** `torch.Tensor.ger`: the outer product with vec2. */
    ger(vec2: Tensor): Tensor;
    /** `torch.Tensor.symeig`: symeig(this, opts) → [eigenvalues, eigenvectors]. */
    symeig(opts?: { eigenvectors?: boolean; upper?: boolean } | null): LL.Symeig;
  }
}

const METHODS: Record<string, (this: Tensor, ...args: never[]) => unknown> = {
  svd(this: Tensor, opts?: LL.SvdLegacyOptions | null) { return LL.svd(this, opts); },
  qr(this: Tensor, opts?: { some?: boolean } | null) { return LL.qr(this, opts); },
  lu(this: Tensor, opts?: LL.LuLegacyOptions | null) { return LL.lu(this, opts as LL.LuLegacyOptions); },
  luSolve(this: Tensor, LU: Tensor, pivots: Tensor) { return LL.luSolve(this, LU, pivots); },
  triangularSolve(this: Tensor, A: Tensor, opts?: LL.TriangularSolveOptions | null) { return LL.triangularSolve(this, A, opts); },
  geqrf(this: Tensor) { return LL.geqrf(this); },
  orgqr(this: Tensor, tau: Tensor) { return LL.orgqr(this, tau); },
  ormqr(this: Tensor, tau: Tensor, other: Tensor, opts?: LL.OrmqrOptions | null) { return LL.ormqr(this, tau, other, opts); },
  ger(this: Tensor, vec2: Tensor) { return ger(this, vec2); },
  symeig(this: Tensor, opts?: { eigenvectors?: boolean; upper?: boolean } | null) { return LL.symeig(this, opts); },
};
for (const [name, fn] of Object.entries(METHODS))
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true, enumerable: false });
