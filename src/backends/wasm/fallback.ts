import type { Backend, Storage, View } from "../backend.js";
import { referenceBackend } from "../reference/index.js";
import { type WasmStorage, allocRaw, viewOf } from "./memory.js";

/**
 * The escape hatch for a primitive the wasm backend has no kernel for (today: none). It runs the
 * reference backend's kernel on copies — each view's whole storage is copied out of wasm memory
 * (so strides and offset stay valid), the result is copied back in — and says so once per kernel
 * on the console, because it is slow.
 */

const warned = new Set<string>();

export function warnFallback(kernel: string): void {
  if (warned.has(kernel)) return;
  warned.add(kernel);
  console.warn(`tensile: the wasm backend has no kernel for ${kernel}; running the reference backend's on copies (slow)`);
}

function storageToRef(s: Storage): Storage {
  const w = s as WasmStorage;
  return referenceBackend.fromArray(viewOf(w.dtype, w.ptr, w.length).slice());
}

/** Runs `run` against the reference backend with the given views moved there; returns the result in wasm memory. */
export function viaReference(kernel: string, views: readonly View[], run: (ref: Backend, moved: View[]) => Storage): WasmStorage {
  warnFallback(kernel);
  const moved = views.map((v) => ({ ...v, storage: storageToRef(v.storage) }));
  const res = run(referenceBackend, moved);
  const data = referenceBackend.read({ storage: res, shape: [res.length], strides: [1], offset: 0 });
  const out = allocRaw(res.dtype, res.length);
  viewOf(out.dtype, out.ptr, out.length).set(data);
  return out;
}
