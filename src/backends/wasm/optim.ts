import { TensileError } from "../../errors.js";
import type { AdamStepOptions, SgdStepOptions, Storage } from "../backend.js";
import { checkSameLength } from "./elementwise.js";
import type { WasmStorage } from "./memory.js";
import { parallel, splitRange, threadsFor, workersAwake } from "./threads.js";

/** Fused optimizer steps (see assembly/optim.ts for the update rules). */

// Elements per thread below which a step stays on the calling thread. With the workers awake (as
// they are right after a training step's split products) an update splits profitably far sooner
// than other elementwise kernels: SGD on two threads was faster from ~64 K elements and Adam (a
// square root and two divisions per element) from ~16 K. A sleeping worker takes longer to wake
// than such a step takes, so then the general threshold applies.
const SGD_MIN_PER_THREAD = 1 << 15;
const ADAM_MIN_PER_THREAD = 1 << 13;
const COLD_MIN_PER_THREAD = 1 << 18;

function floatKind(op: string, s: Storage): number {
  if (s.dtype === "float32") return 0;
  if (s.dtype === "float64") return 1;
  throw new TensileError(`${op}: expected float32 or float64 parameters, got ${s.dtype}`);
}

function sameDType(op: string, ...s: Storage[]): void {
  if (s.some((x) => x.dtype !== s[0]!.dtype)) throw new TensileError(`${op}: parameter and state dtypes differ (${s.map((x) => x.dtype).join(", ")})`);
}

const ranges = (n: number, minPerThread: number): [number, number][] =>
  splitRange(n, threadsFor(n, workersAwake() ? minPerThread : COLD_MIN_PER_THREAD), 16);

export function sgdStep(param: Storage, grad: Storage, buf: Storage | null, o: SgdStepOptions): void {
  const p = param as WasmStorage, g = grad as WasmStorage, b = buf as WasmStorage | null;
  const f64 = floatKind("sgdStep", p);
  sameDType("sgdStep", p, g, ...(b ? [b] : []));
  checkSameLength("sgdStep", p, g, ...(b ? [b] : []));
  // without a buffer the rule has no momentum term (the reference backend's reading too)
  const momentum = b ? o.momentum : 0;
  parallel("sgdK", ranges(p.length, SGD_MIN_PER_THREAD).map(([e0, e1]) => [f64, p.ptr, g.ptr, b ? b.ptr : 0, o.lr, momentum, o.dampening, o.weightDecay,
    +o.nesterov, +o.maximize, +o.firstStep, e0, e1]));
}

export function adamStep(param: Storage, grad: Storage, expAvg: Storage, expAvgSq: Storage, maxExpAvgSq: Storage | null, o: AdamStepOptions): void {
  const p = param as WasmStorage, g = grad as WasmStorage, m = expAvg as WasmStorage, v = expAvgSq as WasmStorage;
  const vm = maxExpAvgSq as WasmStorage | null;
  const f64 = floatKind("adamStep", p);
  const all = [p, g, m, v, ...(vm ? [vm] : [])];
  sameDType("adamStep", ...all);
  checkSameLength("adamStep", ...all);
  const stepSize = o.lr / (1 - Math.pow(o.beta1, o.step));
  const bc2Sqrt = Math.sqrt(1 - Math.pow(o.beta2, o.step));
  parallel("adamK", ranges(p.length, ADAM_MIN_PER_THREAD).map(([e0, e1]) => [f64, p.ptr, g.ptr, m.ptr, v.ptr, vm ? vm.ptr : 0, o.lr, o.beta1, o.beta2, o.eps,
    o.weightDecay, +o.decoupledWeightDecay, +(o.amsgrad && vm !== null), +o.maximize, stepSize, bc2Sqrt, e0, e1]));
}
