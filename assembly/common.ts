// Shared machinery for the kernels: per-thread scratch, JS-compatible dtype conversion, and the
// strided "odometer" that walks an n-d index space row by row.
//
// Every wasm instance (the main thread's and each worker's) has its own globals, so the odometer
// state and `scratch` below are per thread even though linear memory is shared.

/** Base of this thread's scratch area in linear memory (set once by initThread). */
export let scratch: usize = 0;
/** Scratch bytes reserved for the odometer's index array (64 dims × 4 bytes) before other uses. */
export const ODO_BYTES: usize = 256;
/** Shared error slot (i32 flag, i32 value), written by any thread when an index is out of range. */
export let errorSlot: usize = 0;

export function initThread(ptr: usize, errPtr: usize): void {
  scratch = ptr;
  errorSlot = errPtr;
}

export const ERR_BAD_INDEX = 1;
export const ERR_ZERO_DIVISION = 2;

/** Records a bad index (any thread may write; any one bad value will do for the message). */
export function reportBadIndex(value: i32): void {
  store<i32>(errorSlot, ERR_BAD_INDEX);
  store<i32>(errorSlot, value, 4);
}

/** Records an integer division by zero (the host raises it as PyTorch's ZeroDivisionError). */
export function reportZeroDivision(): void {
  store<i32>(errorSlot, ERR_ZERO_DIVISION);
}

// ---- dtype conversion with JavaScript's typed-array semantics ----
// The reference backend computes in JS numbers (f64) and stores into typed arrays, so the generic
// kernels compute in f64 and store exactly as a typed-array write would.

@inline export function ld<T>(p: usize): f64 {
  return <f64>load<T>(p);
}

/** ToInt32: NaN/±Infinity → 0, otherwise truncate and wrap modulo 2^32. */
@inline export function toInt32(v: f64): i32 {
  if (Math.abs(v) < 2147483648.0) return <i32>v;
  if (!isFinite(v)) return 0;
  return <i32><i64>(v % 4294967296.0);
}

@inline export function st<T>(p: usize, v: f64): void {
  if (isFloat<T>()) {
    store<T>(p, <T>v);
  } else if (sizeof<T>() == 1) {
    // bool: any non-zero value, NaN included, is true (as in PyTorch)
    store<u8>(p, v != 0 ? 1 : 0);
  } else {
    store<i32>(p, toInt32(v));
  }
}

// ---- odometer ----
// Walks elements [e0, e1) of a row-major index space `shape` (ndim ≥ 1 dims) for up to four
// operands at once. `strides` points at i32[4][ndim] byte strides, operand-major (0 = output).
// Usage:  odoStart(...); for (let n = odoRow(); n > 0; n = odoRow()) { row(n, q0, rs0, ...); odoAdvance(n); }

let oNdim: i32 = 0;
let oShape: usize = 0;
let oStrides: usize = 0;
let oRemain: i32 = 0;
/** Current row start of operands 0..3 (bytes). */
export let q0: usize = 0;
export let q1: usize = 0;
export let q2: usize = 0;
export let q3: usize = 0;
/** Byte strides of operands 0..3 along the innermost dim. */
export let rs0: i32 = 0;
export let rs1: i32 = 0;
export let rs2: i32 = 0;
export let rs3: i32 = 0;

@inline function stride(op: i32, d: i32): i32 {
  return load<i32>(oStrides + (<usize>(op * oNdim + d) << 2));
}

export function odoStart(ndim: i32, shape: usize, strides: usize, b0: usize, b1: usize, b2: usize, b3: usize, e0: i32, e1: i32): void {
  oNdim = ndim;
  oShape = shape;
  oStrides = strides;
  oRemain = e1 - e0;
  let rem = e0;
  for (let d = ndim - 1; d >= 0; d--) {
    const s = load<i32>(shape + (<usize>d << 2));
    const i = rem % s;
    rem = rem / s;
    store<i32>(scratch + (<usize>d << 2), i);
    b0 += <usize>(i * stride(0, d));
    b1 += <usize>(i * stride(1, d));
    b2 += <usize>(i * stride(2, d));
    b3 += <usize>(i * stride(3, d));
  }
  q0 = b0; q1 = b1; q2 = b2; q3 = b3;
  const last = ndim - 1;
  rs0 = stride(0, last); rs1 = stride(1, last); rs2 = stride(2, last); rs3 = stride(3, last);
}

/** Length of the next run along the innermost dim (0 when the range is exhausted). */
@inline export function odoRow(): i32 {
  if (oRemain <= 0) return 0;
  const last = oNdim - 1;
  return min(oRemain, load<i32>(oShape + (<usize>last << 2)) - load<i32>(scratch + (<usize>last << 2)));
}

/** Moves past a run of n elements (as returned by odoRow), carrying into outer dims. */
export function odoAdvance(n: i32): void {
  oRemain -= n;
  if (oRemain <= 0) return;
  let d = oNdim - 1;
  let i = load<i32>(scratch + (<usize>d << 2)) + n;
  q0 += <usize>(n * rs0); q1 += <usize>(n * rs1); q2 += <usize>(n * rs2); q3 += <usize>(n * rs3);
  let s = load<i32>(oShape + (<usize>d << 2));
  while (i == s && d > 0) {
    store<i32>(scratch + (<usize>d << 2), 0);
    q0 -= <usize>(s * stride(0, d)); q1 -= <usize>(s * stride(1, d));
    q2 -= <usize>(s * stride(2, d)); q3 -= <usize>(s * stride(3, d));
    d--;
    i = load<i32>(scratch + (<usize>d << 2)) + 1;
    q0 += <usize>stride(0, d); q1 += <usize>stride(1, d); q2 += <usize>stride(2, d); q3 += <usize>stride(3, d);
    s = load<i32>(oShape + (<usize>d << 2));
  }
  store<i32>(scratch + (<usize>d << 2), i);
}

// a·b + c per lane. With relaxed SIMD (the "relaxed" builds) one f32x4.relaxed_madd, which V8
// compiles to a fused multiply-add where the CPU has FMA: the 4×8 loop is bound by instruction
// issue, and halving its arithmetic instructions measured 22 → 30-35 GFLOP/s on one core here.
// The fused form rounds once instead of twice, so products differ from the plain build in the
// last bit; every thread of one process runs the same build, so results stay deterministic.
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}
