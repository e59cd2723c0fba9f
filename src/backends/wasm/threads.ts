import { TensileError } from "../../errors.js";
import { allocPinned } from "./memory.js";
import {
  ERR_OFFSET, JOB_OFFSET, JOB_SLOT_F64, type Kernels, MAX_THREADS, PARALLEL_KERNELS, type ParallelKernel,
  type Runtime, SYNC_OFFSET, SYNC_WORDS, runtime,
} from "./runtime.js";

/**
 * A pool of worker threads running kernels on the shared wasm memory.
 *
 * Protocol (all in the control area's sync words, so no message passing per call):
 *   - a new worker instantiates the kernels on the shared memory and sets its `ready` word
 *     (1, or -1 if it could not start);
 *   - the caller writes each worker's job (kernel index, arguments) into the worker's slot and
 *     clears the worker's `taken` word, sets `pending` to the number of workers used, bumps each
 *     used worker's generation word and notifies it; then runs its own share (job 0) on the
 *     calling thread;
 *   - a worker spins for up to SPIN_MS, then blocks in Atomics.wait, on its generation word; woken,
 *     it takes its job by setting `taken` from 0 to 1 (compare-exchange), runs it, decrements
 *     `pending` and notifies when it reaches 0;
 *   - the caller, its share done, takes back every job no worker has taken yet (`taken` 0 → 2)
 *     and runs it itself — or drops it, for a shared kernel whose chunks are all claimed by then —
 *     decrementing `pending` for it. A worker that is asleep, or preempted, when the job comes
 *     then costs nothing: only jobs already running are waited for. A worker that finds its job
 *     taken goes back to waiting;
 *   - the caller spins for up to SPIN_MS, then blocks until `pending` is 0: Atomics.wait in Node
 *     (allowed on the main thread) and in workers; a spin on Atomics.load on a browser main
 *     thread, where Atomics.wait throws.
 * So every kernel call stays synchronous for the caller. Node waits (once, up to 10 s) for a new
 * worker to be ready; a browser page never blocks on that and uses workers once they are ready.
 * Workers are unref'd: they never keep a Node process alive. Without shared memory
 * (non-isolated pages) everything runs on the caller.
 */

/** How long a worker, and a Node caller waiting for workers, spins before it sleeps (ms). */
const SPIN_MS = 1;
const PENDING = 0;
const ERROR = 1;
const COUNTER = 2;
const GEN0 = 16;
const READY0 = 16 + MAX_THREADS;
const TAKEN0 = 16 + 2 * MAX_THREADS;

interface WorkerHandle {
  terminate(): unknown;
}

// Plain JavaScript, valid as a CommonJS script, an ES module and a browser worker.
const workerSource = `
"use strict";
function serve(d) {
  const sync = new Int32Array(d.memory.buffer, d.syncByte, d.syncWords);
  const GEN = ${GEN0} + d.id, READY = ${READY0} + d.id, TAKEN = ${TAKEN0} + d.id;
  let fns, job;
  try {
    const ex = new WebAssembly.Instance(d.module, { env: { memory: d.memory } }).exports;
    ex.initThread(d.scratch, d.errorSlot);
    fns = d.names.map((n) => ex[n]);
    job = new Float64Array(d.memory.buffer, d.jobByte + d.id * d.slotF64 * 8, d.slotF64);
  } catch (e) {
    Atomics.store(sync, READY, -1);
    Atomics.notify(sync, READY);
    return;
  }
  Atomics.store(sync, READY, 1);
  Atomics.notify(sync, READY);
  let gen = 0; // the host resets the word to 0 before spawning, so an early job is not missed
  // The clock, looked up once: in Node each read of the global \`performance\` goes through a lazy
  // getter.
  const clock = typeof performance === "object" ? performance : Date;
  const now = () => clock.now();
  for (;;) {
    // Spin a little before sleeping: in a training loop the next job comes within a millisecond
    // or two, and waking a sleeping thread costs tens to hundreds of microseconds on a VM.
    // (The clock is read every 64 polls: Node's performance.now() checks its receiver's brand on
    // each call, which was most of the loop.)
    if (Atomics.load(sync, GEN) === gen) {
      const t0 = now();
      spin: for (;;) {
        for (let i = 0; i < 64; i++) if (Atomics.load(sync, GEN) !== gen) break spin;
        if (now() - t0 >= ${SPIN_MS}) break;
      }
    }
    // Run a job only when the generation really moved: Atomics.wait may return without a new job
    // (an interrupt, a stale wake-up). Running the last job again would decrement "pending" twice,
    // leaving it at -1 and the caller waiting forever — which hung a ResNet training run once.
    let next;
    while ((next = Atomics.load(sync, GEN)) === gen) Atomics.wait(sync, GEN, gen);
    gen = next;
    if (gen < 0) return;
    // Take the job, unless the caller got to it first: a caller that finishes its own share before
    // this worker started takes the job back (see parallel), and then it is not this worker's.
    // The slot is read only after taking it, so a worker that slept through a job taken back and
    // takes the next one (its word cleared again) runs that one, with its arguments.
    if (Atomics.compareExchange(sync, TAKEN, 0, 1) !== 0) continue;
    try {
      const argc = job[1];
      const args = new Array(argc);
      for (let i = 0; i < argc; i++) args[i] = job[2 + i];
      fns[job[0]](...args);
    } catch (e) {
      Atomics.store(sync, ${ERROR}, 1);
    }
    if (Atomics.sub(sync, ${PENDING}, 1) === 1) Atomics.notify(sync, ${PENDING});
  }
}
const wt = typeof process === "object" && process.getBuiltinModule ? process.getBuiltinModule("node:worker_threads")
  : typeof require === "function" ? require("node:worker_threads") : null;
if (wt && wt.workerData) serve(wt.workerData);
else self.onmessage = (e) => serve(e.data);
`;

type NodeWorkerThreads = { Worker: new (src: string, opts: object) => WorkerHandle & { unref(): void } };
type NodeProcess = { getBuiltinModule?: (id: string) => unknown; versions?: { node?: string } };

const nodeProcess = (globalThis as { process?: NodeProcess }).process;
const isNode = typeof nodeProcess?.versions?.node === "string";

function defaultThreads(): number {
  if (isNode) {
    const os = nodeProcess?.getBuiltinModule?.("node:os") as { availableParallelism?: () => number; cpus(): unknown[] } | undefined;
    if (os) return os.availableParallelism?.() ?? os.cpus().length;
  }
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
}

let numThreads = 0; // 0 = not decided yet
const workers: WorkerHandle[] = [];
const workerScratch: number[] = [];
let mainReady = false;
let canBlock: boolean | null = null;

/** The main thread's kernels, with its scratch area assigned on first use. */
export function kernels(): Kernels {
  const r = runtime();
  if (!mainReady) {
    r.k.initThread(allocPinned(r.scratchBytes), r.ctrl + ERR_OFFSET);
    mainReady = true;
  }
  return r.k;
}

let supported: boolean | null = null;
function threadsSupported(r: Runtime): boolean {
  if (supported === null) {
    if (!r.shared) supported = false;
    else if (isNode) supported = !!nodeProcess?.getBuiltinModule?.("node:worker_threads");
    else supported = typeof Worker !== "undefined" && typeof Blob !== "undefined";
  }
  return supported;
}

function disableThreads(why: string): void {
  supported = false;
  console.warn(`tensile: wasm worker threads unavailable (${why}); running single-threaded`);
}

/**
 * Sets how many threads kernels may use (the caller's included); default: the available cores.
 * Lowering it leaves the extra workers parked (blocked in Atomics.wait, costing nothing) for reuse.
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new TensileError(`setNumThreads: expected a positive integer, got ${n}`);
  numThreads = Math.min(n, MAX_THREADS);
}

/** Threads kernels may use: 1 where shared memory or workers are unavailable. */
export function getNumThreads(): number {
  if (numThreads === 0) numThreads = Math.max(1, Math.min(defaultThreads(), MAX_THREADS));
  return threadsSupported(runtime()) ? numThreads : 1;
}

function syncWords(r: Runtime): Int32Array {
  return new Int32Array(r.memory.buffer, r.ctrl + SYNC_OFFSET, SYNC_WORDS);
}

function spawn(r: Runtime, id: number): WorkerHandle {
  workerScratch[id] ??= allocPinned(r.scratchBytes);
  const data = {
    module: r.module, memory: r.memory, id, scratch: workerScratch[id], errorSlot: r.ctrl + ERR_OFFSET,
    names: PARALLEL_KERNELS, syncByte: r.ctrl + SYNC_OFFSET, syncWords: SYNC_WORDS, jobByte: r.ctrl + JOB_OFFSET, slotF64: JOB_SLOT_F64,
  };
  const sync = syncWords(r);
  Atomics.store(sync, GEN0 + id, 0);
  Atomics.store(sync, READY0 + id, 0);
  if (isNode) {
    const wt = nodeProcess!.getBuiltinModule!("node:worker_threads") as NodeWorkerThreads;
    // execArgv []: the worker is plain JavaScript and needs none of the parent's loaders or flags
    const w = new wt.Worker(workerSource, { eval: true, workerData: data, execArgv: [] });
    w.unref();
    return w;
  }
  const url = URL.createObjectURL(new Blob([workerSource], { type: "text/javascript" }));
  const w = new Worker(url);
  w.postMessage(data);
  return w;
}

/** Starts workers up to `n` (Node: waits until they are ready); returns how many are ready. */
function ensureWorkers(r: Runtime, n: number): number {
  const sync = syncWords(r);
  // (workers are never stopped, so a worker index is never reused by a second thread)
  while (workers.length < n && threadsSupported(r)) {
    const id = workers.length;
    workers.push(spawn(r, id));
    if (!isNode) break; // a page never blocks on a worker's start; it is used once ready
    const deadline = Date.now() + 10_000;
    while (Atomics.load(sync, READY0 + id) === 0 && Date.now() < deadline) Atomics.wait(sync, READY0 + id, 0, 100);
    if (Atomics.load(sync, READY0 + id) !== 1) {
      void workers.pop()!.terminate();
      disableThreads(`worker ${id} did not start`);
    }
  }
  let ready = 0;
  while (ready < workers.length && Atomics.load(sync, READY0 + ready) === 1) ready++;
  return ready;
}

/** The spin loops' clock, looked up once (in Node the global `performance` is a lazy getter). */
const clock: { now(): number } = typeof performance === "object" ? performance : Date;

function waitForWorkers(sync: Int32Array): void {
  if (canBlock === null) {
    try {
      Atomics.wait(sync, ERROR, 12345, 0);
      canBlock = true;
    } catch {
      canBlock = false;
    }
  }
  // spin first (see the worker loop), then sleep
  const t0 = clock.now();
  spin: for (;;) {
    for (let i = 0; i < 64; i++) if (Atomics.load(sync, PENDING) === 0) break spin;
    if (clock.now() - t0 >= SPIN_MS) break;
  }
  for (;;) {
    const p = Atomics.load(sync, PENDING);
    if (p === 0) return;
    if (p < 0) {
      Atomics.store(sync, PENDING, 0); // leave the pool usable for the next call
      throw new TensileError("wasm backend: the thread pool's job count went negative (internal error)");
    }
    if (canBlock) Atomics.wait(sync, PENDING, p);
  }
}

/**
 * Starts the worker pool for the current thread count and resolves once every worker is ready
 * (or one failed, or `timeoutMs` passed), with the number ready. In Node workers start blocking
 * on first use anyway; a browser page starts a Worker only when its main thread returns to the
 * event loop, so a page awaits this (through `initWasm`) before a synchronous training loop, or
 * the loop would run without its threads.
 */
export async function startThreads(timeoutMs = 10_000): Promise<number> {
  const r = runtime();
  const want = getNumThreads() - 1;
  if (want <= 0 || !threadsSupported(r)) return 0;
  if (isNode) return ensureWorkers(r, want);
  while (workers.length < want) workers.push(spawn(r, workers.length));
  const sync = syncWords(r);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let ready = 0;
    let failed = false;
    for (let i = 0; i < workers.length; i++) {
      const st = Atomics.load(sync, READY0 + i);
      if (st === 1) ready++;
      else if (st === -1) failed = true;
    }
    if (ready >= want || failed || Date.now() > deadline) return ready;
    await new Promise((res) => setTimeout(res, 5));
  }
}

/** Worker threads ready to run kernels, and jobs handed to them so far. */
export function threadStats(): { workersReady: number; jobsOnWorkers: number } {
  if (!threadsSupported(runtime())) return { workersReady: 0, jobsOnWorkers: dispatched };
  const sync = syncWords(runtime());
  let ready = 0;
  while (ready < workers.length && Atomics.load(sync, READY0 + ready) === 1) ready++;
  return { workersReady: ready, jobsOnWorkers: dispatched - takenBack };
}

let workScale = 1;
let dispatched = 0;
let takenBack = 0;
/** When the last call that used workers returned (the spin loops' clock). */
let lastJoin = -Infinity;

/**
 * Whether the workers are probably still spinning after their last job, so a new job reaches
 * them at once. A sleeping worker on this VM took 0.3–1.3 ms to wake (a halted vCPU), which
 * costs more than splitting a sub-millisecond kernel saves; kernels whose split only pays against
 * awake workers use a lower threshold only while this holds. Half the spin, since a worker that
 * finished early started spinning before the caller returned.
 */
export function workersAwake(): boolean {
  return clock.now() - lastJoin < SPIN_MS / 2;
}

/** @internal Wakes every worker without giving it a job (tests: a stray wake-up must be harmless). */
export function _nudgeWorkers(): void {
  const sync = syncWords(runtime());
  for (let w = 0; w < workers.length; w++) Atomics.notify(sync, GEN0 + w);
}

/** @internal The pool's count of outstanding worker jobs (0 between calls). */
export const _pendingJobs = (): number => Atomics.load(syncWords(runtime()), PENDING);

/** @internal Claims made on the chunk counter by the last shared kernel (its chunks + one failed claim per thread). */
export const _chunkClaims = (): number => Atomics.load(syncWords(runtime()), COUNTER);

/** @internal Jobs handed to worker threads so far, whoever ran them (tests check the splitting). */
export const _workerJobs = (): number => dispatched;

let lateWorkers = false;

/**
 * @internal Tests: workers are told of each job only after the caller has taken every job back,
 * as if they had all been asleep or preempted; each must then find its job taken and leave it.
 */
export function _setLateWorkers(on: boolean): void {
  lateWorkers = on;
}

/** @internal Jobs handed to workers that the caller took back and ran (or dropped) itself. */
export const _takenBackJobs = (): number => takenBack;

/** @internal Scales every "worth a thread" threshold (tests use a tiny scale so small calls split). */
export function _setParallelThresholdScale(scale: number): void {
  workScale = scale;
}

/** How many threads a call of about `work` element-operations should use (≥ minPerThread each). */
export function threadsFor(work: number, minPerThread: number): number {
  const t = getNumThreads();
  if (t <= 1) return 1;
  const want = Math.max(1, Math.min(t, Math.floor(work / (minPerThread * workScale))));
  if (want === 1) return 1;
  return Math.min(want, 1 + ensureWorkers(runtime(), t - 1));
}

/**
 * Runs `kernel` once per job, job 0 on the calling thread and the rest on workers (which
 * threadsFor has started), returning when all are done. Each job is the kernel's argument list.
 */
export function parallel(kernel: ParallelKernel, jobs: readonly (readonly number[])[], shared = false): void {
  const k = kernels();
  const fn = k[kernel] as (...args: number[]) => void;
  if (jobs.length === 0) return;
  if (jobs.length === 1) {
    fn(...jobs[0]!);
    return;
  }
  const r = runtime();
  const sync = syncWords(r);
  const index = PARALLEL_KERNELS.indexOf(kernel);
  const nw = jobs.length - 1;
  if (ensureWorkers(r, nw) < nw) {
    // fewer workers than jobs (threads just got disabled): run them all here
    for (const j of jobs) fn(...j);
    return;
  }
  if (jobs.some((args) => args.length + 2 > JOB_SLOT_F64)) throw new TensileError(`wasm backend: too many arguments for ${kernel}`);
  // `pending` is set before any `taken` word is cleared: a worker still on its way to an earlier
  // job that the caller took back may take this one as soon as its word is 0, and its decrement
  // must count against this call.
  Atomics.store(sync, ERROR, 0);
  Atomics.store(sync, PENDING, nw);
  const slots = new Float64Array(r.memory.buffer, r.ctrl + JOB_OFFSET, MAX_THREADS * JOB_SLOT_F64);
  for (let w = 0; w < nw; w++) {
    const args = jobs[w + 1]!;
    const base = w * JOB_SLOT_F64;
    slots[base] = index;
    slots[base + 1] = args.length;
    for (let i = 0; i < args.length; i++) slots[base + 2 + i] = args[i]!;
    Atomics.store(sync, TAKEN0 + w, 0);
  }
  dispatched += nw;
  const late = lateWorkers;
  if (!late) wakeWorkers(sync, nw);
  let mainError: unknown = null;
  try {
    fn(...jobs[0]!);
  } catch (e) {
    mainError = e;
  }
  // Take back the jobs no worker has started: waiting for a thread that is asleep or preempted
  // would cost more than running its share here. A shared kernel's chunks are all claimed once
  // the caller's job returns, so its copies are dropped instead.
  for (let w = 0; w < nw; w++) {
    if (Atomics.compareExchange(sync, TAKEN0 + w, 0, 2) !== 0) continue;
    takenBack++;
    if (!shared && !mainError) {
      try {
        fn(...jobs[w + 1]!);
      } catch (e) {
        mainError = e;
      }
    }
    Atomics.sub(sync, PENDING, 1);
  }
  if (late) wakeWorkers(sync, nw);
  waitForWorkers(sync);
  lastJoin = clock.now();
  if (mainError) throw mainError;
  if (Atomics.load(sync, ERROR) !== 0) throw new TensileError(`wasm backend: kernel ${kernel} failed on a worker thread`);
}

/** Bumps and notifies the generation words of workers 0 .. n-1: each has a new job. */
function wakeWorkers(sync: Int32Array, n: number): void {
  for (let w = 0; w < n; w++) {
    Atomics.add(sync, GEN0 + w, 1);
    Atomics.notify(sync, GEN0 + w);
  }
}

/** Address of the chunk counter a shared kernel's threads claim work from, zeroed for a new call. */
export function chunkCounter(): number {
  const r = runtime();
  Atomics.store(syncWords(r), COUNTER, 0);
  return r.ctrl + SYNC_OFFSET + COUNTER * 4;
}

/** Splits [0, total) into `parts` contiguous ranges whose starts are multiples of `quantum`. */
export function splitRange(total: number, parts: number, quantum = 1): [number, number][] {
  const out: [number, number][] = [];
  const units = Math.ceil(total / quantum);
  let start = 0;
  for (let p = 0; p < parts; p++) {
    const end = Math.min(total, Math.round((units * (p + 1)) / parts) * quantum);
    if (end > start) out.push([start, end]);
    start = Math.max(start, end);
  }
  return out;
}
