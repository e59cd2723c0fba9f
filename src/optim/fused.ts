import type { Tensor } from "../core.js";

/**
 * Whether the backend's fused optimizer kernels (`sgdStep`, `adamStep`) can update these tensors:
 * each must be a float tensor that is its whole storage in contiguous order (offset 0, storage
 * length = numel), all of one dtype, all on one backend that has the kernel. Anything else (views,
 * mixed dtypes, a backend without the kernel) takes the composite path of in-place Tensor ops.
 */
export function canFuse(kernel: "sgdStep" | "adamStep", ...ts: readonly (Tensor | null)[]): boolean {
  const first = ts[0];
  if (!first || typeof first.backend[kernel] !== "function") return false;
  if (first.dtype !== "float32" && first.dtype !== "float64") return false;
  for (const t of ts) {
    if (t === null) continue;
    if (t.backend !== first.backend || t.dtype !== first.dtype) return false;
    if (t.offset !== 0 || t.storage.length !== t.numel() || t.numel() !== first.numel() || !t.isContiguous()) return false;
  }
  return true;
}
