/**
 * The Node adapter of `src/data`: file access, gzip and path helpers.
 *
 * Nothing here imports Node at load time (only `import type`, which is erased): the modules are
 * fetched on first use through `process.getBuiltinModule` (Node ≥ 20.16), so the browser build of
 * the library can import `src/data` freely and only the file-reading calls fail there, with a
 * message that says so.
 */
import type * as Fs from "node:fs";
import type * as Path from "node:path";
import type * as Zlib from "node:zlib";
import { TensileError } from "../errors.js";

interface NodeModules { "node:fs": typeof Fs; "node:path": typeof Path; "node:zlib": typeof Zlib; "node:module": { createRequire(url: string): { resolve(id: string): string } } }

function builtin<K extends keyof NodeModules>(op: string, id: K): NodeModules[K] {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof proc?.getBuiltinModule !== "function")
    throw new TensileError(
      `${op}: reading files needs Node.js ≥ 20.16 (${id} is unavailable here); in a browser, build the dataset from bytes instead (e.g. MNIST.fromBuffers)`,
    );
  return proc.getBuiltinModule(id) as NodeModules[K];
}

/** True when running under Node with file-system access. */
export function hasFileSystem(): boolean {
  const proc = (globalThis as { process?: { getBuiltinModule?: unknown } }).process;
  return typeof proc?.getBuiltinModule === "function";
}

export function joinPath(...parts: string[]): string {
  if (hasFileSystem()) return builtin("joinPath", "node:path").join(...parts);
  return parts.join("/").replace(/\/+/g, "/");
}

/** Throws the "needs Node" error for `op` unless files can be read here. */
export function requireFileSystem(op: string): void {
  builtin(op, "node:fs");
}

export function fileExists(path: string): boolean {
  return hasFileSystem() && builtin("fileExists", "node:fs").existsSync(path);
}

export function isDirectory(path: string): boolean {
  if (!hasFileSystem()) return false;
  try {
    return builtin("isDirectory", "node:fs").statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function readBytes(op: string, path: string): Uint8Array {
  const fs = builtin(op, "node:fs");
  try {
    const b = fs.readFileSync(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    throw new TensileError(`${op}: cannot read file ${path}: ${(e as Error).message}`);
  }
}

export function readText(op: string, path: string): string {
  return new TextDecoder().decode(readBytes(op, path));
}

/** Writes `bytes` to `path` atomically: a temporary file in the same folder, then a rename. */
export function writeFileAtomic(op: string, path: string, bytes: Uint8Array): void {
  const fs = builtin(op, "node:fs");
  const p = builtin(op, "node:path");
  fs.mkdirSync(p.dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, path);
  } catch (e) {
    try { fs.rmSync(tmp, { force: true }); } catch { /* the write error below is the one to report */ }
    throw new TensileError(`${op}: cannot write file ${path}: ${(e as Error).message}`);
  }
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Synchronous gunzip (Node). `name` is used in the error for a corrupt or truncated stream. */
export function gunzipSync(op: string, name: string, bytes: Uint8Array): Uint8Array {
  const zlib = builtin(op, "node:zlib");
  try {
    const b = zlib.gunzipSync(bytes);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    throw new TensileError(`${op}: file ${name} is not a valid gzip stream (truncated or corrupt): ${(e as Error).message}`);
  }
}

/** Gunzip that works in browsers too (DecompressionStream), falling back to zlib. */
export async function gunzip(op: string, name: string, bytes: Uint8Array): Promise<Uint8Array> {
  if (hasFileSystem()) return gunzipSync(op, name, bytes);
  const DS = (globalThis as { DecompressionStream?: new (f: string) => TransformStream<Uint8Array, Uint8Array> }).DecompressionStream;
  if (!DS) throw new TensileError(`${op}: cannot decompress ${name}: no DecompressionStream in this environment`);
  try {
    const stream = new Blob([bytes.slice()]).stream().pipeThrough(new DS("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new TensileError(`${op}: file ${name} is not a valid gzip stream (truncated or corrupt): ${(e as Error).message}`);
  }
}

/** Absolute path of a file inside an installed npm package (Node module resolution from this file). */
export function resolvePackageFile(op: string, specifier: string): string {
  const mod = builtin(op, "node:module");
  try {
    return mod.createRequire(import.meta.url).resolve(specifier);
  } catch (e) {
    throw new TensileError(`${op}: cannot find ${specifier} (is the npm package installed?): ${(e as Error).message}`);
  }
}
