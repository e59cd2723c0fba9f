import { TensileError } from "../../errors.js";
import {
  KERNELS_SHARED_BASE64, KERNELS_SHARED_RELAXED_BASE64, KERNELS_SINGLE_BASE64, KERNELS_SINGLE_RELAXED_BASE64,
} from "./kernels.gen.js";

/**
 * The wasm runtime: one compiled kernel module, one linear memory, and the main thread's
 * instance. Memory layout (byte addresses):
 *
 *   [0, heapBase)           the module's static data (constants, math tables)
 *   [ctrl, ctrl + CTRL)     control area: argument block (shapes/strides the host passes to a
 *                           kernel), error slot, thread-sync words, per-thread job slots
 *   [heapStart, ...)        the storage pool (see memory.ts), grown on demand
 *
 * With SharedArrayBuffer available (Node, cross-origin-isolated pages) the memory is shared so
 * worker threads can run kernels on it; otherwise an unshared build of the same kernels is used.
 */

/** The kernel exports (assembly/index.ts). Byte addresses and sizes are plain numbers. */
export interface Kernels {
  initThread(scratch: number, errorSlot: number): void;
  heapBase(): number;
  scratchBytes(): number;
  zeroK(p: number, n: number): void;
  convertK(sd: number, dd: number, ndim: number, shape: number, strides: number, dst: number, src: number, e0: number, e1: number): void;
  transposeK(esize: number, rows: number, cols: number, dst: number, src: number, srs: number, scs: number, r0: number, r1: number): void;
  unaryK(op: number, dt: number, ndim: number, shape: number, strides: number, dst: number, src: number, e0: number, e1: number): void;
  binaryK(op: number, dt: number, ndim: number, shape: number, strides: number, dst: number, a: number, b: number, e0: number, e1: number): void;
  whereK(esize: number, ndim: number, shape: number, strides: number, dst: number, cond: number, a: number, b: number, e0: number, e1: number): void;
  reduceK(op: number, dt: number, keptNdim: number, keptShape: number, keptStrides: number, redNdim: number, redShape: number,
    redStrides: number, count: number, dst: number, src: number, o0: number, o1: number): void;
  sumColsF32K(redNdim: number, redShape: number, redStrides: number, count: number, dst: number, src: number, j0: number, j1: number): void;
  cumsumK(dt: number, ndim: number, shape: number, strides: number, dst: number, src: number, e0: number, e1: number): void;
  softmaxK(f64: number, log: number, n: number, inner: number, src: number, dst: number, q0: number, q1: number): void;
  softmaxBackwardK(f64: number, log: number, n: number, inner: number, g: number, y: number, dst: number, q0: number, q1: number): void;
  matmulF32K(a: number, sab: number, sam: number, sak: number, b: number, sbb: number, sbk: number, sbn: number, c: number,
    bias: number, sxb: number, sxm: number, sxn: number,
    M: number, N: number, K: number, b0: number, b1: number, i0: number, i1: number, j0: number, j1: number): void;
  matmulF32SharedK(a: number, sam: number, sak: number, b: number, sbk: number, sbn: number, c: number, bias: number, sxm: number, sxn: number,
    M: number, N: number, K: number, ctr: number, byRows: number, chunk: number): void;
  matmulK(dt: number, a: number, sab: number, sam: number, sak: number, b: number, sbb: number, sbk: number, sbn: number, c: number, beta: number,
    M: number, N: number, K: number, b0: number, b1: number, i0: number, i1: number, j0: number, j1: number): void;
  gatherK(esize: number, ndim: number, shape: number, strides: number, dst: number, index: number, x: number,
    axisStride: number, axisSize: number, e0: number, e1: number): void;
  scatterK(dt: number, accumulate: number, ndim: number, shape: number, strides: number, dst: number, index: number,
    src: number, axisStride: number, axisSize: number, e0: number, e1: number): void;
  im2colK(dt: number, geom: number, x: number, sn: number, sc: number, sh: number, sw: number, out: number, padValue: number, nc0: number, nc1: number): void;
  col2imK(dt: number, geom: number, cols: number, sn: number, sr: number, sl: number, out: number, nc0: number, nc1: number): void;
  maxPoolK(dt: number, geom: number, x: number, sp: number, sh: number, sw: number, vals: number, idx: number, p0: number, p1: number): void;
  maxPoolBackK(dt: number, g: number, idx: number, L: number, HW: number, out: number, p0: number, p1: number): void;
  sgdK(f64: number, p: number, g: number, buf: number, lr: number, momentum: number, dampening: number, wd: number,
    nesterov: number, maximize: number, first: number, e0: number, e1: number): void;
  adamK(f64: number, p: number, g: number, m: number, v: number, vmax: number, lr: number, beta1: number, beta2: number, eps: number,
    wd: number, decoupled: number, amsgrad: number, maximize: number, stepSize: number, bc2Sqrt: number, e0: number, e1: number): void;
}

/** Kernels a worker may be asked to run, by index (the job protocol sends the index, not the name). */
export const PARALLEL_KERNELS = [
  "convertK", "transposeK", "unaryK", "binaryK", "whereK", "reduceK", "sumColsF32K", "cumsumK", "matmulF32K", "matmulF32SharedK", "matmulK",
  "gatherK", "scatterK", "im2colK", "col2imK", "sgdK", "adamK", "maxPoolK", "maxPoolBackK", "softmaxK",
  "softmaxBackwardK",
] as const satisfies readonly (keyof Kernels)[];
export type ParallelKernel = (typeof PARALLEL_KERNELS)[number];

export const MAX_THREADS = 64;
/** Control-area offsets relative to `ctrl`. */
export const ARGS_BYTES = 8192; // i32 shapes and strides for one kernel call
export const ERR_OFFSET = ARGS_BYTES; // i32 flag, i32 value
// i32 words: [0] pending, [1] error, [2] the chunk counter of a shared kernel (matmulF32SharedK),
// [16 + t] generation of worker t, [16 + MAX + t] its readiness, [16 + 2·MAX + t] who took its
// current job (0 nobody yet, 1 the worker, 2 the caller)
export const SYNC_OFFSET = ERR_OFFSET + 64;
export const SYNC_WORDS = 16 + 3 * MAX_THREADS;
export const JOB_OFFSET = SYNC_OFFSET + SYNC_WORDS * 4; // per thread: f64 [kernel index, argc, args...]
export const JOB_SLOT_F64 = 32;
export const CTRL_BYTES = JOB_OFFSET + MAX_THREADS * JOB_SLOT_F64 * 8;

export const PAGE = 65536;
const MAX_PAGES = 65536;

export interface Runtime {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly k: Kernels;
  readonly shared: boolean;
  /** Start of the control area and of the pool's heap. */
  readonly ctrl: number;
  readonly heapStart: number;
  /** Bytes of per-thread scratch (odometer, reduction chunks, GEMM packing). */
  readonly scratchBytes: number;
}

let rt: Runtime | null = null;
let pendingModule: WebAssembly.Module | null = null;

const sharedMemoryAvailable = (): boolean =>
  typeof SharedArrayBuffer !== "undefined" && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;

function decodeBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

// (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd)
const RELAXED_PROBE = [
  0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 8, 1, 0x60, 3, 0x7b, 0x7b, 0x7b, 1, 0x7b, 3, 2, 1, 0,
  10, 13, 1, 11, 0, 0x20, 0, 0x20, 1, 0x20, 2, 0xfd, 0x85, 0x02, 0x0b,
];

let relaxed: boolean | null = null;

/**
 * Whether the engine runs relaxed SIMD (Chrome ≥ 114, Firefox ≥ 145, Node ≥ 22; not Safari). Node 20
 * ships it behind `--experimental-wasm-relaxed-simd`: there the flag is set at run time before the
 * kernels compile (it only enables the standardised instructions Node 22 enables by default).
 * `TENSILE_WASM_RELAXED=0` in the environment keeps the plain SIMD build everywhere.
 */
export function relaxedSimd(): boolean {
  if (relaxed !== null) return relaxed;
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined>; getBuiltinModule?: (id: string) => unknown } }).process;
  if (proc?.env?.TENSILE_WASM_RELAXED === "0") return (relaxed = false);
  const probe = new Uint8Array(RELAXED_PROBE);
  relaxed = WebAssembly.validate(probe);
  if (!relaxed && proc?.getBuiltinModule) {
    try {
      (proc.getBuiltinModule("node:v8") as { setFlagsFromString(f: string): void }).setFlagsFromString("--experimental-wasm-relaxed-simd");
      relaxed = WebAssembly.validate(probe);
    } catch {
      relaxed = false;
    }
  }
  return relaxed;
}

type NodeProcess = {
  env?: Record<string, string | undefined>;
  execArgv?: string[];
  versions?: { v8?: string };
  getBuiltinModule?: (id: string) => unknown;
};

/** V8 flags set only while the kernels compile (see `optimizedCompile`), and their defaults. */
const COMPILE_FLAGS: ReadonlyArray<readonly [string, string]> = [
  ["--no-wasm-stack-checks", "--wasm-stack-checks"],
  ["--no-liftoff", "--liftoff"],
  ["--no-wasm-lazy-compilation", "--wasm-lazy-compilation"],
];

/**
 * Runs `compile` (of the kernels) with V8's optimizing compiler only and without loop stack
 * checks, then puts the flags back — in Node only, where V8's flags can be set at run time.
 *
 * V8 puts a stack check (a load, a compare and a branch) on every wasm loop's back edge, so that a
 * running loop can be interrupted. In the GEMM micro-kernel, whose loop body is 8 FMAs and 6
 * loads, those µops cost ~9% of the MLP's training epoch (five interleaved pairs of epochs here,
 * every pair faster without). Every loop in the kernels is bounded, so nothing needs to interrupt
 * one. But the flag is process-wide: left set, it would leave any other wasm module in the process
 * uninterruptible. So the kernels are compiled eagerly with TurboFan (no Liftoff, no lazy
 * compilation: all their code exists when the compile returns, none is made later under the
 * restored flags) and the three flags go back to V8's defaults. Only on the V8 line this was
 * checked with (Node 20's 11.3: flags change between versions); skipped when the process was
 * started with any of them (the defaults may not be its settings) and with
 * `TENSILE_WASM_STACK_CHECKS=1`; browsers keep the checks.
 */
function optimizedCompile<T>(compile: () => T): T {
  const proc = (globalThis as { process?: NodeProcess }).process;
  const setFlags = optimizeFlagsSetter(proc);
  if (!setFlags) return compile();
  for (const [on] of COMPILE_FLAGS) setFlags(on);
  const restore = () => {
    for (const [, off] of COMPILE_FLAGS) setFlags(off);
  };
  let result: T;
  try {
    result = compile();
  } catch (e) {
    restore();
    throw e;
  }
  if (result instanceof Promise) return result.finally(restore) as T;
  restore();
  return result;
}

function optimizeFlagsSetter(proc: NodeProcess | undefined): ((flag: string) => void) | null {
  if (!proc?.getBuiltinModule || proc.env?.TENSILE_WASM_STACK_CHECKS === "1") return null;
  if (!(proc.versions?.v8 ?? "").startsWith("11.3.")) return null;
  const given = [...(proc.execArgv ?? []), ...(proc.env?.NODE_OPTIONS ?? "").split(/\s+/)];
  const names = COMPILE_FLAGS.flatMap(([on, off]) => [on, off]).map((f) => f.replace(/^--/, "").replace(/_/g, "-"));
  if (given.some((a) => names.includes(a.replace(/^--/, "").replace(/_/g, "-").split("=")[0]!))) return null;
  try {
    const v8 = proc.getBuiltinModule("node:v8") as { setFlagsFromString(f: string): void };
    return (flag) => v8.setFlagsFromString(flag);
  } catch {
    return null;
  }
}

function wasmBytes(shared: boolean): Uint8Array {
  const r = relaxedSimd();
  return decodeBase64(
    shared ? (r ? KERNELS_SHARED_RELAXED_BASE64 : KERNELS_SHARED_BASE64) : r ? KERNELS_SINGLE_RELAXED_BASE64 : KERNELS_SINGLE_BASE64,
  );
}

function start(module: WebAssembly.Module, shared: boolean): Runtime {
  const memory = new WebAssembly.Memory({ initial: 64, maximum: MAX_PAGES, shared } as WebAssembly.MemoryDescriptor);
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const k = instance.exports as unknown as Kernels;
  const ctrl = align(k.heapBase(), 64);
  const heapStart = align(ctrl + CTRL_BYTES, 64);
  return { module, memory, k, shared, ctrl, heapStart, scratchBytes: align(k.scratchBytes(), 64) };
}

export const align = (n: number, a: number): number => Math.ceil(n / a) * a;

/**
 * Compiles the kernels asynchronously. Needed once in browsers (whose main thread refuses to
 * compile large modules synchronously); in Node the backend initialises itself on first use.
 */
export async function initWasm(): Promise<void> {
  if (rt || pendingModule) return;
  const shared = sharedMemoryAvailable();
  const bytes = wasmBytes(shared);
  pendingModule = await optimizedCompile(() => WebAssembly.compile(bytes as BufferSource));
}

/** The runtime, compiling and instantiating synchronously on first use unless initWasm() ran. */
export function runtime(): Runtime {
  if (rt) return rt;
  const shared = sharedMemoryAvailable();
  let module = pendingModule;
  if (!module) {
    try {
      const bytes = wasmBytes(shared);
      module = optimizedCompile(() => new WebAssembly.Module(bytes as BufferSource));
    } catch (e) {
      throw new TensileError(`wasm backend: could not compile the kernels synchronously (${(e as Error).message}); in a browser, call \`await initWasm()\` before using the wasm backend`);
    }
  }
  rt = start(module, shared);
  return rt;
}

/** Grows linear memory to at least `bytes`; returns false when the 4 GiB wasm32 limit is reached. */
export function ensureMemory(r: Runtime, bytes: number): boolean {
  const have = r.memory.buffer.byteLength;
  if (bytes <= have) return true;
  // Grow by at least 1/8 of the current size so a growing workload does not grow page by page.
  const want = Math.max(Math.ceil((bytes - have) / PAGE), Math.ceil(have / PAGE / 8));
  const pages = Math.min(want, MAX_PAGES - have / PAGE);
  if (have + pages * PAGE < bytes) return false;
  try {
    r.memory.grow(pages);
  } catch {
    return false;
  }
  return true;
}
