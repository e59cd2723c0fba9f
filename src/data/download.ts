/**
 * Downloading dataset files through an injectable `fetch`, verified by MD5 and written atomically.
 * Tests pass a fake `fetch`; by default the global one is used.
 */
import { TensileError } from "../errors.js";
import { md5 } from "./md5.js";
import { fileExists, joinPath, writeFileAtomic } from "./node-fs.js";

/** The part of the WHATWG `fetch` the downloader uses. */
export type FetchLike = (url: string) => Promise<{
  ok: boolean;
  status: number;
  statusText?: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}>;

/** A file to fetch and its published MD5 checksum (lowercase hex). */
export interface Resource {
  filename: string;
  md5: string;
}

/** Throws unless `bytes` hash to `expected`; the message names the file and both checksums. */
export function checkMd5(op: string, name: string, bytes: Uint8Array, expected: string): void {
  const got = md5(bytes);
  if (got !== expected.toLowerCase())
    throw new TensileError(`${op}: checksum mismatch for ${name}: expected md5 ${expected.toLowerCase()}, got ${got} (the file is corrupt or incomplete)`);
}

/**
 * Fetches `url`, verifies its MD5 and returns the bytes. Errors name the URL and, for a bad
 * checksum, both checksums.
 */
export async function fetchVerified(op: string, url: string, expectedMd5: string, fetch?: FetchLike): Promise<Uint8Array> {
  const f = fetch ?? (globalThis as { fetch?: FetchLike }).fetch;
  if (!f) throw new TensileError(`${op}: no fetch available to download ${url}; pass options.fetch`);
  let bytes: Uint8Array;
  try {
    const res = await f(url);
    if (!res.ok) throw new TensileError(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`);
    bytes = new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    throw new TensileError(`${op}: download of ${url} failed: ${(e as Error).message}`);
  }
  checkMd5(op, url, bytes, expectedMd5);
  return bytes;
}

/**
 * Ensures every resource exists in `root`, downloading missing ones from the first mirror that
 * serves a file with the right checksum. Returns the paths of the files fetched.
 */
export async function downloadResources(
  op: string,
  root: string,
  resources: readonly Resource[],
  mirrors: readonly string[],
  fetch?: FetchLike,
): Promise<string[]> {
  const fetched: string[] = [];
  for (const r of resources) {
    const path = joinPath(root, r.filename);
    if (fileExists(path)) continue;
    const errors: string[] = [];
    let ok = false;
    for (const mirror of mirrors) {
      const url = mirror.endsWith("/") ? mirror + r.filename : `${mirror}/${r.filename}`;
      try {
        const bytes = await fetchVerified(op, url, r.md5, fetch);
        writeFileAtomic(op, path, bytes);
        fetched.push(path);
        ok = true;
        break;
      } catch (e) {
        errors.push((e as Error).message.replace(`${op}: `, ""));
      }
    }
    if (!ok) throw new TensileError(`${op}: could not download ${r.filename} into ${root}: ${errors.join("; ")}`);
  }
  return fetched;
}
