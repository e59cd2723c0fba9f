import type { Backend, Storage, View } from "../backends/backend.js";
import { getBackend } from "../backends/registry.js";
import { TensileError, fmtShape } from "../errors.js";
import { type DType, arrayFor, getDefaultDtype, promoteTypes, promoteWithScalar } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { record } from "../autograd/engine.js";

export type Scalar = number | boolean;
export type TensorOrScalar = Tensor | number;

/** Wraps a fresh contiguous storage as a tensor on `backend`. */
export const wrap = (backend: Backend, storage: Storage, shape: readonly number[]): Tensor =>
  new Tensor(storage, backend, [...shape]);

/** A 0-d tensor holding `v` on `backend`. */
export function scalarTensor(v: number, dtype: DType, backend: Backend = getBackend()): Tensor {
  const a = arrayFor(dtype, 1);
  a[0] = dtype === "bool" ? (v ? 1 : 0) : v;
  return wrap(backend, backend.fromArray(a), []);
}

export function assertTensor(op: string, x: unknown, what = "input"): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new TensileError(`${op}: ${what} must be a Tensor, got ${describe(x)}`);
  if (x.isDisposed) usedAfterDispose(op, x, what);
}

function usedAfterDispose(op: string, x: Tensor, what: string): never {
  throw new TensileError(`${op}: ${what} (shape ${fmtShape(x.shape)}) was used after dispose()`);
}

export function describe(x: unknown): string {
  if (x instanceof Tensor) return `Tensor(shape=[${x.shape.join(", ")}], dtype=${x.dtype})`;
  if (Array.isArray(x)) return "an array";
  return x === null ? "null" : typeof x === "number" ? String(x) : typeof x;
}

/** Brings both operands to tensors of one dtype (PyTorch's promotion; a number follows the tensor). */
export function coerce(op: string, a: TensorOrScalar, b: TensorOrScalar): [Tensor, Tensor, DType] {
  if (a instanceof Tensor && a.isDisposed) usedAfterDispose(op, a, "input");
  if (b instanceof Tensor && b.isDisposed) usedAfterDispose(op, b, "other");
  if (a instanceof Tensor && b instanceof Tensor) {
    const d = promoteTypes(a.dtype, b.dtype);
    return [castTo(a, d), castTo(onBackend(b, a.backend), d), d];
  }
  if (a instanceof Tensor && typeof b === "number") {
    const d = promoteWithScalar(a.dtype, b);
    return [castTo(a, d), scalarTensor(b, d, a.backend), d];
  }
  if (b instanceof Tensor && typeof a === "number") {
    const d = promoteWithScalar(b.dtype, a);
    return [scalarTensor(a, d, b.backend), castTo(b, d), d];
  }
  if (typeof a === "number" && typeof b === "number") {
    // Two Python scalars give the default dtype in PyTorch (torch.where(c, 1, -1) is float32).
    const d: DType = getDefaultDtype();
    return [scalarTensor(a, d), scalarTensor(b, d), d];
  }
  throw new TensileError(`${op}: expected Tensor or number operands, got ${describe(a)} and ${describe(b)}`);
}

/** Same tensor if already of `dtype`, else a differentiable cast. */
export function castTo(t: Tensor, dtype: DType): Tensor {
  return t.dtype === dtype ? t : t.to(dtype);
}

/** Moves a tensor's data to `backend` if it lives elsewhere (mixing backends copies, never fails). */
/**
 * `t` on `backend`: itself, or a copy there. The copy is recorded, so a tensor that requires grad
 * keeps its place in the graph when an op meets it on another backend (its gradient is copied back).
 */
export function onBackend(t: Tensor, backend: Backend): Tensor {
  if (t.backend === backend) return t;
  const moved = new Tensor(backend.fromArray(t.dataSync()), backend, [...t.shape]);
  return record("toBackend", moved, [t], (g) => [onBackend(g, t.backend)], undefined, []);
}

/** The view of `t` broadcast to `shape` (stride 0 on broadcast and new leading dims). */
export function broadcastView(t: Tensor, shape: readonly number[]): View {
  const lead = shape.length - t.ndim;
  const strides = shape.map((d, i) => {
    if (i < lead) return 0;
    return t.shape[i - lead] === 1 && d !== 1 ? 0 : t.strides[i - lead]!;
  });
  return { storage: t.storage, shape, strides, offset: t.offset };
}

export const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * [values, indices], as PyTorch's `torch.return_types` named tuples: destructure it
 * (`const [v, i] = x.max(1)`) or read `.values` / `.indices`, as ported code does.
 */
export type ValuesIndices = [Tensor, Tensor] & { readonly values: Tensor; readonly indices: Tensor };

export function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  return Object.defineProperties([values, indices], {
    values: { value: values, enumerable: false },
    indices: { value: indices, enumerable: false },
  }) as ValuesIndices;
}
