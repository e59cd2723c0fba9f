/**
 * Atomic file writes on Node (`writeFileAtomic`), shared by `io` (save, checkpoints, ONNX) and the
 * profiler's trace export. Imports nothing from Node at load time: `node:fs` and `node:path` are
 * fetched when a write happens, so a browser build can import it.
 */
import type * as Fs from "node:fs";
import type * as Path from "node:path";
import type * as Os from "node:os";
import { TensileError } from "../errors.js";

/** The file-system calls an atomic write makes; tests replace some to simulate a crash. */
export type AtomicWriteFs = Pick<typeof Fs, "openSync" | "writeSync" | "fsyncSync" | "closeSync" | "renameSync" | "unlinkSync">;

export interface FileOptions {
  /** Replacements for `node:fs` calls (for tests that inject failures, or a custom file system). */
  fs?: Partial<AtomicWriteFs>;
}

export interface NodeModules { "node:fs": typeof Fs; "node:path": typeof Path; "node:os": typeof Os }

export function builtin<K extends keyof NodeModules>(op: string, id: K): NodeModules[K] {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof proc?.getBuiltinModule !== "function")
    throw new TensileError(`${op}: files need Node.js ≥ 20.16 (${id} is unavailable here); in a browser use the bytes functions (saveBytes, loadBytes, saveCheckpointBytes, loadCheckpointBytes) and store the Uint8Array yourself`);
  return proc.getBuiltinModule(id) as NodeModules[K];
}

const CHUNK = 1 << 20;

/**
 * Writes `bytes` to `path` so that `path` holds either its old contents or all of the new ones,
 * whatever happens: the bytes go to a temporary file in the same directory, which is flushed to
 * disk (fsync) and then renamed over `path` (atomic on POSIX and on NTFS). On failure the
 * temporary file is removed and the error rethrown as a TensileError naming `op` and `path`.
 */
export function writeFileAtomic(op: string, path: string, bytes: Uint8Array, options: FileOptions = {}): void {
  options ??= {};
  if (typeof path !== "string" || path === "") throw new TensileError(`${op}: path must be a non-empty string, got ${JSON.stringify(path)}`);
  const real = builtin(op, "node:fs");
  const { openSync, writeSync, fsyncSync, closeSync, renameSync, unlinkSync } = real;
  const fs: AtomicWriteFs = { openSync, writeSync, fsyncSync, closeSync, renameSync, unlinkSync, ...options.fs };
  const p = builtin(op, "node:path");
  const dir = p.dirname(path);
  const tmp = p.join(dir, `.${p.basename(path)}.${Math.random().toString(36).slice(2, 10)}.tmp`);
  let fd = -1;
  try {
    fd = fs.openSync(tmp, "wx");
    for (let at = 0; at < bytes.length;) at += fs.writeSync(fd, bytes, at, Math.min(CHUNK, bytes.length - at));
    fs.fsyncSync(fd);
    const closing = fd;
    fd = -1;
    fs.closeSync(closing);
    fs.renameSync(tmp, path);
  } catch (e) {
    if (fd !== -1) {
      try { fs.closeSync(fd); } catch { /* already failing */ }
    }
    try { fs.unlinkSync(tmp); } catch { /* never created, or already renamed */ }
    throw new TensileError(`${op}: cannot write ${path}: ${(e as Error).message ?? e} (any previous file at that path is unchanged)`);
  }
  // Make the rename itself durable; directories cannot be opened for fsync on every platform.
  try {
    const d = fs.openSync(dir, "r");
    try { fs.fsyncSync(d); } finally { fs.closeSync(d); }
  } catch { /* best effort */ }
}

/** A whole file as bytes (Node), errors as TensileErrors naming `op` and the path. */
export function readFile(op: string, path: string): Uint8Array {
  if (typeof path !== "string" || path === "") throw new TensileError(`${op}: path must be a non-empty string, got ${JSON.stringify(path)}`);
  try {
    const b = builtin(op, "node:fs").readFileSync(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    if (e instanceof TensileError) throw e;
    throw new TensileError(`${op}: cannot read ${path}: ${(e as Error).message}`);
  }
}
