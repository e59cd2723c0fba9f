// Every wasm primitive against the reference backend on random shapes (including size-0 dims and
// 0-d), with contiguous, transposed, sliced and broadcast operands, single- and multi-threaded.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { BINARY_OPS, type BinaryOp, type ReduceOp, UNARY_OPS, type UnaryOp } from "../src/backends/backend.js";
import { initWasm, setNumThreads, wasmKernels } from "../src/backends/wasm/index.js";
import { viaReference } from "../src/backends/wasm/fallback.js";
import { _setParallelThresholdScale } from "../src/backends/wasm/threads.js";
import type { DType } from "../src/tensor/dtype.js";
import {
  DTYPES, LAYOUTS, R, type Tol, W, assertClose, makePair, numel, pick, randomData, randomShape, readAll, rng, whole,
} from "./wasm-helpers.js";

// f32 transcendental ops run SIMD polynomials or f64 math different from V8's by an ulp or two
const TRANSCENDENTAL = new Set<string>(["exp", "expm1", "log", "log1p", "sin", "cos", "tanh", "sigmoid", "erf", "pow", "rsqrt",
  // AssemblyScript's Math (musl) against V8's, fdlibm's erfc against the reference's continued fraction
  "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "log2", "log10", "exp2", "erfc", "erfinv",
  "lgamma", "digamma", "trigamma", "atan2", "hypot", "zeta"]);
// gelu's f32 path forms 1 + erf(x/√2), which cancels below x ≈ −3 (as PyTorch's float kernel
// does): an absolute error of an ulp of 1 times |x|/2 on a result near 0
const ACTIVATIONS = new Set<string>(["gelu", "geluGrad", "silu", "siluGrad"]);
function tolFor(op: string, dtype: DType): Tol {
  if (ACTIVATIONS.has(op)) return dtype === "float32" ? { rtol: 2e-6, atol: 1e-6 } : { rtol: 1e-13, atol: 1e-13 };
  if (!TRANSCENDENTAL.has(op)) return {};
  return dtype === "float32" ? { rtol: 2e-6, atol: 1e-7 } : { rtol: 1e-13, atol: 1e-15 };
}

// Two passes: one thread, then two threads with thresholds scaled down so every call splits.
for (const threads of [1, 2]) {
  describe(`wasm backend vs reference (${threads} thread${threads > 1 ? "s" : ""})`, () => {
    setNumThreads(threads);
    _setParallelThresholdScale(threads > 1 ? 1 / 65536 : 1);
    after(() => _setParallelThresholdScale(1));
    const seed = 1000 * threads;

    test("copy converts between every dtype pair over every layout", () => {
      const r = rng(seed + 1);
      for (let i = 0; i < 60; i++) {
        const from = pick(r, DTYPES), to = pick(r, DTYPES), shape = randomShape(r), layout = pick(r, LAYOUTS);
        const [w, ref] = makePair(r, from, shape, layout, { specials: true, lo: -300, hi: 300 });
        assertClose(readAll(W, W.copy(w, to), shape), readAll(R, R.copy(ref, to), shape), {}, `copy ${from}→${to} ${layout} [${shape}]`);
        assertClose(W.read(w), R.read(ref), {}, `read ${from} ${layout} [${shape}]`);
      }
    });

    test("copy of one value broadcast to a shape (a fill) in every dtype, ragged lengths included", () => {
      const r = rng(seed + 18);
      for (const dtype of DTYPES)
        for (const shape of [[1], [3], [4], [7], [16], [37], [5, 9], [2, 3, 33]]) {
          const [w, ref] = makePair(r, dtype, [1], "contiguous", { specials: true });
          // every stride 0: the kernel sees runs whose source stride is 0
          const view = <T extends { storage: unknown }>(v: T) => ({ ...v, shape, strides: shape.map(() => 0), offset: 0 });
          for (const to of DTYPES) {
            const got = readAll(W, W.copy(view(w) as never, to), shape), want = readAll(R, R.copy(view(ref) as never, to), shape);
            assertClose(got, want, {}, `fill ${dtype}→${to} [${shape}]`);
            assert.ok(Array.from(got).every((v) => Object.is(v, got[0])), `fill ${dtype}→${to} [${shape}]: one value throughout`);
          }
        }
    });

    test("unary ops, float dtypes and int/bool where they apply", () => {
      const r = rng(seed + 2);
      for (const op of UNARY_OPS) {
        for (const dtype of DTYPES) {
          const pred = op === "isnan" || op === "isfinite" || op === "logicalNot";
          const out: DType = pred ? "bool" : dtype === "bool" || dtype === "int32" ? "float32" : dtype;
          for (let i = 0; i < 4; i++) {
            const shape = randomShape(r), layout = pick(r, LAYOUTS);
            const [w, ref] = makePair(r, dtype, shape, layout, { specials: true });
            assertClose(readAll(W, W.unary(op as UnaryOp, w, out), shape), readAll(R, R.unary(op as UnaryOp, ref, out), shape),
              tolFor(op, out), `${op} ${dtype}→${out} ${layout} [${shape}]`);
          }
        }
      }
    });

    test("unary float32 SIMD paths on long contiguous runs, edge values included", () => {
      const r = rng(seed + 3);
      const n = 1031;
      const data = randomData(r, "float32", n, { specials: true, lo: -100, hi: 100 });
      // exp's and log's range ends: overflow, subnormal results, subnormal inputs
      data.set([88.5, 88.8, -87.5, -100, -104, 1e-40, 1e-45, 3e-39, 1e38, 1, 0.5], 0);
      // tanh's branch point (±0.625), ±0, tiny and saturating arguments
      data.set([0.625, -0.625, 0.6249999, -0.6250001, 0, -0, -1e-30, 9, -9.5, 20, 44.5, -45], 11);
      // erf's branch point (±0.921875), where it reaches ±1, and past its clamp at 4
      data.set([0.921875, -0.921875, 0.92187494, 3.9, -3.95, 4, 4.5, -1e-38], 23);
      const w = whole(W.fromArray(data), [n]), ref = whole(R.fromArray(data), [n]);
      for (const op of ["exp", "expm1", "log", "log1p", "sigmoid", "tanh", "erf", "relu", "sign", "abs", "neg", "sqrt", "reciprocal", "floor", "ceil", "round", "trunc", "isnan", "isfinite", "logicalNot", "gelu", "geluGrad", "silu", "siluGrad"] as const) {
        const out: DType = op === "isnan" || op === "isfinite" || op === "logicalNot" ? "bool" : "float32";
        assertClose(readAll(W, W.unary(op, w, out), [n]), readAll(R, R.unary(op, ref, out), [n]), tolFor(op, "float32"), op);
      }
    });

    test("binary ops with broadcasting, every dtype", () => {
      const r = rng(seed + 4);
      const boolOut = new Set<BinaryOp>(["eq", "ne", "lt", "le", "gt", "ge", "logicalAnd", "logicalOr", "logicalXor"]);
      for (const op of BINARY_OPS) {
        for (const dtype of DTYPES) {
          for (let i = 0; i < 4; i++) {
            const shape = randomShape(r);
            const divisor = (op === "div" || op === "floorDiv" || op === "remainder" || op === "fmod") && (dtype === "int32" || dtype === "bool");
            const [wa, ra] = makePair(r, dtype, shape, pick(r, LAYOUTS), { specials: true });
            const [wb, rb] = makePair(r, dtype, shape, pick(r, LAYOUTS), { specials: true, nonzero: divisor });
            const out: DType = boolOut.has(op) ? "bool" : dtype;
            assertClose(readAll(W, W.binary(op, wa, wb, shape, out), shape), readAll(R, R.binary(op, ra, rb, shape, out), shape),
              tolFor(op, dtype), `${op} ${dtype} [${shape}]`);
          }
        }
      }
    });

    test("binary float32 SIMD paths: same shape, scalar and row broadcast, comparisons to bool", () => {
      const r = rng(seed + 5);
      const [M, N] = [7, 133];
      const [wa, ra] = makePair(r, "float32", [M, N], "contiguous", { specials: true });
      const cases: [string, [number, number]][] = [["same", [N, 1]], ["row", [0, 1]], ["column", [1, 0]], ["scalar", [0, 0]]];
      for (const [name, strides] of cases) {
        const data = randomData(r, "float32", M * N, { specials: true });
        const wb = { storage: W.fromArray(data), shape: [M, N], strides, offset: 0 };
        const rb = { storage: R.fromArray(data), shape: [M, N], strides, offset: 0 };
        for (const op of ["add", "sub", "mul", "div", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge", "logicalAnd", "logicalXor"] as const) {
          const out: DType = ["add", "sub", "mul", "div", "maximum", "minimum"].includes(op) ? "float32" : "bool";
          for (const [x, y, u, v] of [[wa, wb, ra, rb], [wb, wa, rb, ra]] as const)
            assertClose(readAll(W, W.binary(op, x, y, [M, N], out), [M, N]), readAll(R, R.binary(op, u, v, [M, N], out), [M, N]), {}, `${op} ${name}`);
        }
      }
    });

    test("integer division by zero raises like the reference", () => {
      const a = whole(W.fromArray(new Int32Array([4, 5])), [2]), b = whole(W.fromArray(new Int32Array([2, 0])), [2]);
      for (const op of ["div", "floorDiv", "remainder", "fmod"] as const)
        assert.throws(() => W.binary(op, a, b, [2], "int32"), (e: Error) => e instanceof RangeError && e.message === "ZeroDivisionError");
    });

    test("where over broadcast operands", () => {
      const r = rng(seed + 6);
      for (let i = 0; i < 40; i++) {
        const dtype = pick(r, DTYPES), shape = randomShape(r);
        const [wc, rc] = makePair(r, pick(r, DTYPES), shape, pick(r, LAYOUTS), { specials: true });
        const [wa, ra] = makePair(r, dtype, shape, pick(r, LAYOUTS));
        const [wb, rb] = makePair(r, dtype, shape, pick(r, LAYOUTS));
        assertClose(readAll(W, W.where(wc, wa, wb, shape, dtype), shape), readAll(R, R.where(rc, ra, rb, shape, dtype), shape), {}, `where ${dtype} [${shape}]`);
      }
      // contiguous bool condition and 4-byte operands, b an array or a broadcast scalar (ReLU's
      // backward): the kernel's four-lane path and its tails, at offsets that are not 4-aligned
      for (const dtype of ["float32", "int32"] as const) {
        for (const n of [1, 3, 4, 5, 8, 17, 63, 64, 65, 301]) {
          for (const scalarB of [false, true]) {
            const [wc, rc] = makePair(r, "bool", [n], "contiguous");
            const [wa, ra] = makePair(r, dtype, [n + 1], "contiguous", { specials: true });
            const [wa1, ra1] = [{ ...wa, shape: [n], offset: 1 }, { ...ra, shape: [n], offset: 1 }];
            const [wb, rb] = scalarB
              ? (([w, q]) => [{ ...w, shape: [n], strides: [0] }, { ...q, shape: [n], strides: [0] }])(makePair(r, dtype, [1], "contiguous"))
              : makePair(r, dtype, [n], "contiguous");
            assertClose(readAll(W, W.where(wc, wa1, wb, [n], dtype), [n]), readAll(R, R.where(rc, ra1, rb, [n], dtype), [n]), {},
              `where ${dtype} n=${n} ${scalarB ? "scalar" : "array"} b`);
          }
        }
      }
    });

    test("reductions over random axes", () => {
      const r = rng(seed + 7);
      const ops: ReduceOp[] = ["sum", "prod", "max", "min", "argmax", "argmin", "any", "all"];
      for (let i = 0; i < 160; i++) {
        const op = pick(r, ops), dtype = pick(r, DTYPES), shape = randomShape(r, 4, 7), layout = pick(r, LAYOUTS);
        const axes = shape.map((_, d) => d).filter(() => r() < 0.5);
        // max/min/arg of an empty block have no value to compare (the engine rejects them first)
        if (["max", "min", "argmax", "argmin"].includes(op) && numel(axes.map((d) => shape[d]!)) === 0) continue;
        const [w, ref] = makePair(r, dtype, shape, layout, { specials: r() < 0.3, lo: -3, hi: 3 });
        const outShape = shape.filter((_, d) => !axes.includes(d));
        const tol = op === "sum" && dtype === "float32" ? { rtol: 1e-6, atol: 1e-6 } : op === "sum" && dtype === "float64" ? { rtol: 1e-12, atol: 1e-12 } : {};
        assertClose(readAll(W, W.reduce(op, w, axes), outShape), readAll(R, R.reduce(op, ref, axes), outShape), tol,
          `${op} ${dtype} ${layout} [${shape}] axes [${axes}]`);
      }
    });

    test("float32 row and column sums (softmax rows, bias gradients)", () => {
      const r = rng(seed + 8);
      for (const [shape, axes] of [[[64, 10], [1]], [[64, 500], [0]], [[3, 40, 37], [0, 1]], [[1000], [0]], [[5, 300, 2], [2]]] as [number[], number[]][]) {
        for (const layout of ["contiguous", "transposed"] as const) {
          const [w, ref] = makePair(r, "float32", shape, layout);
          const outShape = shape.filter((_, d) => !axes.includes(d));
          for (const op of ["sum", "max", "min", "argmax"] as const)
            assertClose(readAll(W, W.reduce(op, w, axes), outShape), readAll(R, R.reduce(op, ref, axes), outShape),
              { rtol: 1e-6, atol: 1e-5 }, `${op} ${layout} [${shape}] axes [${axes}]`);
        }
      }
    });

    test("cumsum along every axis", () => {
      const r = rng(seed + 9);
      for (let i = 0; i < 40; i++) {
        const dtype = pick(r, DTYPES), shape = randomShape(r), layout = pick(r, LAYOUTS);
        if (shape.length === 0) continue;
        const axis = Math.floor(r() * shape.length);
        const [w, ref] = makePair(r, dtype, shape, layout);
        const outDtype = dtype === "bool" ? "int32" : dtype;
        const got = readAll(W, W.cumsum(w, axis), shape), want = readAll(R, R.cumsum(ref, axis), shape);
        assert.equal(W.cumsum(w, axis).dtype, outDtype);
        assertClose(got, want, {}, `cumsum ${dtype} ${layout} [${shape}] axis ${axis}`);
      }
    });

    test("softmax and logSoftmax along every axis, with non-finite lines", () => {
      const r = rng(seed + 16);
      const shapes: number[][] = [[], [7], [3, 9], [2, 5, 6], [4, 3, 13], [2, 0, 3], [1, 33, 2], [37, 1]];
      for (let i = 0; i < 48; i++) {
        const dtype = pick(r, ["float32", "float64"] as const), shape = i < shapes.length * 2 ? shapes[i % shapes.length]! : randomShape(r);
        const axis = shape.length === 0 ? 0 : Math.floor(r() * shape.length);
        const layout = pick(r, LAYOUTS);
        const [w, ref] = makePair(r, dtype, shape, layout, { specials: true });
        for (const log of [false, true]) {
          const got = readAll(W, W.softmax!(w, axis, log), shape), want = readAll(R, R.softmax!(ref, axis, log), shape);
          assertClose(got, want, dtype === "float32" ? { rtol: 2e-6, atol: 1e-6 } : { rtol: 1e-12, atol: 1e-14 },
            `${log ? "logSoftmax" : "softmax"} ${dtype} ${layout} [${shape}] axis ${axis}`);
        }
      }
    });

    test("softmax and logSoftmax backward along every axis, g and y in any layout", () => {
      const r = rng(seed + 17);
      const shapes: number[][] = [[], [7], [3, 9], [2, 5, 6], [4, 3, 13], [2, 0, 3], [1, 33, 2], [37, 1], [2, 8, 11]];
      for (let i = 0; i < 54; i++) {
        const dtype = pick(r, ["float32", "float64"] as const), shape = i < shapes.length * 2 ? shapes[i % shapes.length]! : randomShape(r);
        const axis = shape.length === 0 ? 0 : Math.floor(r() * shape.length);
        const [wg, rg] = makePair(r, dtype, shape, pick(r, LAYOUTS));
        // y: any values in any layout (the kernel does not need a softmax output), and a real
        // forward output (contiguous)
        const [wy0, ry0] = makePair(r, dtype, shape, pick(r, LAYOUTS), { lo: -3, hi: 3 });
        const strides = shape.map((_, k) => shape.slice(k + 1).reduce((a, d) => a * d, 1));
        for (const log of [false, true]) {
          const [wy, ry] = r() < 0.5 ? [wy0, ry0] : [W.softmax!(wy0, axis, log), R.softmax!(ry0, axis, log)].map((st) => ({ storage: st, shape, strides, offset: 0 }) as never);
          const got = readAll(W, W.softmaxBackward!(wg, wy, axis, log), shape);
          const want = readAll(R, R.softmaxBackward!(rg, ry, axis, log), shape);
          assertClose(got, want, dtype === "float32" ? { rtol: 1e-5, atol: 1e-5 } : { rtol: 1e-12, atol: 1e-13 },
            `${log ? "logSoftmax" : "softmax"} backward ${dtype} [${shape}] axis ${axis}`);
        }
      }
    });

    test("matmul over layouts, batch broadcast and edge sizes", () => {
      const r = rng(seed + 10);
      const sizes = [0, 1, 3, 4, 5, 8, 9, 17, 33];
      for (let i = 0; i < 40; i++) {
        const dtype: DType = i < 28 ? "float32" : pick(r, ["float64", "int32"] as DType[]);
        const B = pick(r, [1, 2, 3]), M = pick(r, sizes), K = pick(r, sizes), N = pick(r, sizes);
        const [wa, ra] = makePair(r, dtype, [B, M, K], pick(r, ["contiguous", "transposed", "sliced"] as const), { lo: -3, hi: 3 });
        const layoutB = pick(r, ["contiguous", "transposed", "sliced", "broadcast"] as const);
        const [wb, rb] = makePair(r, dtype, [B, K, N], layoutB, { lo: -3, hi: 3 });
        const got = readAll(W, W.matmul(wa, wb), [B, M, N]), want = readAll(R, R.matmul(ra, rb), [B, M, N]);
        // float32 sums in a different order: allow K roundings of the largest partial sums
        assertClose(got, want, dtype === "float32" ? { rtol: 1e-5, atol: 1e-5 * Math.max(K, 1) } : {}, `matmul ${dtype} [${B},${M},${K}]x[${K},${N}] b:${layoutB}`);
      }
    });

    test("matmul at MLP shapes, all operand layouts", () => {
      const r = rng(seed + 11);
      for (const [M, K, N] of [[64, 784, 50], [40, 64, 500], [130, 300, 70]]) {
        for (const la of ["contiguous", "transposed"] as const)
          for (const lb of ["contiguous", "transposed"] as const) {
            const [wa, ra] = makePair(r, "float32", [1, M, K], la, { lo: -1, hi: 1 });
            const [wb, rb] = makePair(r, "float32", [1, K, N], lb, { lo: -1, hi: 1 });
            assertClose(readAll(W, W.matmul(wa, wb), [1, M, N]), readAll(R, R.matmul(ra, rb), [1, M, N]), { rtol: 1e-4, atol: 1e-4 }, `${M}x${K}x${N} ${la}/${lb}`);
          }
      }
    });

    test("matrix-vector products (one or two rows), every layout, with and without a bias", () => {
      const r = rng(seed + 12);
      for (const M of [1, 2])
        for (const [K, N] of [[1, 1], [5, 7], [16, 9], [17, 33], [12, 40], [13, 71], [31, 36], [784, 50]])
          for (const la of ["contiguous", "transposed", "sliced"] as const)
            for (const lb of ["contiguous", "transposed", "sliced", "broadcast"] as const) {
              const B = lb === "broadcast" ? 2 : 1;
              const [wa, ra] = makePair(r, "float32", [B, M, K], la, { lo: -1, hi: 1 });
              const [wb, rb] = makePair(r, "float32", [B, K, N], lb, { lo: -1, hi: 1 });
              const what = `${M}x${K}x${N} ${la}/${lb}`;
              const tol = { rtol: 1e-5, atol: 1e-5 * K };
              assertClose(readAll(W, W.matmul(wa, wb), [B, M, N]), readAll(R, R.matmul(ra, rb), [B, M, N]), tol, what);
              // bias broadcast along rows (nn.Linear): the product accumulates onto it
              const [wc, rc] = makePair(r, "float32", [N], "contiguous", { lo: -1, hi: 1 });
              const bias = (v: typeof wc) => ({ ...v, shape: [B, M, N], strides: [0, 0, 1], offset: v.offset });
              assertClose(readAll(W, W.matmul(wa, wb, bias(wc)), [B, M, N]), readAll(R, R.matmul(ra, rb, bias(rc)), [B, M, N]), tol, `${what} + bias`);
            }
    });

    test("classifier-head products (x·Wᵀ with a few columns), with and without a bias", () => {
      const r = rng(seed + 17);
      for (const M of [3, 4, 5, 64, 129])
        for (const K of [1, 3, 4, 7, 500])
          for (const N of [1, 2, 3, 4, 5, 10, 15, 16]) {
            const [wa, ra] = makePair(r, "float32", [1, M, K], "contiguous", { lo: -1, hi: 1 });
            const [wb, rb] = makePair(r, "float32", [1, K, N], "transposed", { lo: -1, hi: 1 });
            const tol = { rtol: 1e-5, atol: 1e-5 * K };
            const what = `${M}x${K}x${N} (B column-major)`;
            assertClose(readAll(W, W.matmul(wa, wb), [1, M, N]), readAll(R, R.matmul(ra, rb), [1, M, N]), tol, what);
            const [wc, rc] = makePair(r, "float32", [N], "contiguous", { lo: -1, hi: 1 });
            const bias = (v: typeof wc) => ({ ...v, shape: [1, M, N], strides: [0, 0, 1], offset: v.offset });
            assertClose(readAll(W, W.matmul(wa, wb, bias(wc)), [1, M, N]), readAll(R, R.matmul(ra, rb, bias(rc)), [1, M, N]), tol, `${what} + bias`);
          }
    });

    test("matmul with a bias on the blocked path: a row (nn.Linear), a column (conv2d), a full matrix, per batch", () => {
      const r = rng(seed + 16);
      for (const [B, M, K, N] of [[1, 64, 784, 50], [2, 13, 5, 21], [3, 9, 700, 17], [1, 130, 40, 70], [2, 7, 0, 9], [1, 4, 8, 8]]) {
        for (const kind of ["row", "column", "full", "batched"] as const) {
          for (const dtype of ["float32", "float64"] as const) {
            const [wa, ra] = makePair(r, dtype, [B, M, K], pick(r, ["contiguous", "transposed"] as const), { lo: -1, hi: 1 });
            const [wb, rb] = makePair(r, dtype, [B, K, N], pick(r, ["contiguous", "transposed"] as const), { lo: -1, hi: 1 });
            const [shape, strides] = {
              row: [[N], [0, 0, 1]], column: [[M], [0, 1, 0]], full: [[M, N], [0, N, 1]], batched: [[B, M, N], [M * N, N, 1]],
            }[kind] as [number[], number[]];
            // a float32 product may be given a float64 bias (converted first)
            const bdtype = dtype === "float32" && kind === "full" ? "float64" : dtype;
            const [wc, rc] = makePair(r, bdtype, shape, "contiguous", { lo: -2, hi: 2 });
            const bias = (v: typeof wc) => ({ ...v, shape: [B, M, N], strides, offset: v.offset });
            // the sums run in another order than the reference's (float64: the bias first)
            const tol = dtype === "float32" ? { rtol: 1e-5, atol: 1e-5 * Math.max(K, 1) } : { rtol: 1e-12, atol: 1e-12 * Math.max(K, 1) };
            assertClose(readAll(W, W.matmul(wa, wb, bias(wc)), [B, M, N]), readAll(R, R.matmul(ra, rb, bias(rc)), [B, M, N]), tol,
              `${dtype} [${B},${M},${K}]x[${K},${N}] + ${kind} bias (${bdtype})`);
          }
        }
      }
    });

    test("gather and scatter along every axis", () => {
      const r = rng(seed + 12);
      for (let i = 0; i < 50; i++) {
        const dtype = pick(r, DTYPES);
        const shape = randomShape(r, 3, 5).map((d) => Math.max(d, 1));
        if (shape.length === 0) continue;
        const axis = Math.floor(r() * shape.length);
        const ishape = shape.map((d, k) => (k === axis ? 1 + Math.floor(r() * 6) : 1 + Math.floor(r() * d)));
        const idx = new Int32Array(numel(ishape)).map(() => Math.floor(r() * shape[axis]!));
        const wi = whole(W.fromArray(idx), ishape), ri = whole(R.fromArray(idx), ishape);
        const [wx, rx] = makePair(r, dtype, shape, pick(r, LAYOUTS));
        assertClose(readAll(W, W.gather(wx, axis, wi), ishape), readAll(R, R.gather(rx, axis, ri), ishape), {}, `gather ${dtype} [${shape}] axis ${axis}`);
        const [ws, rs] = makePair(r, dtype, ishape, pick(r, LAYOUTS));
        for (const acc of dtype === "bool" ? [false] : [false, true])
          assertClose(readAll(W, W.scatter(wx, axis, wi, ws, acc), shape), readAll(R, R.scatter(rx, axis, ri, rs, acc), shape), {},
            `scatter${acc ? "Add" : ""} ${dtype} [${shape}] axis ${axis}`);
      }
    });

    test("the gather kernel rejects out-of-range indices", () => {
      // (the public backend gathers on host memory; the wasm kernel checks bounds itself)
      const x = whole(wasmKernels.fromArray(new Float32Array(6)), [2, 3]);
      const idx = whole(wasmKernels.fromArray(new Int32Array([0, 3])), [1, 2]);
      assert.throws(() => wasmKernels.gather(x, 1, idx), /index 3 is out of bounds for dimension 1 with size 3/);
    });

    test("the gather and scatter kernels on wasm storage match the reference", () => {
      const r = rng(seed + 16);
      const K = wasmKernels;
      for (let i = 0; i < 30; i++) {
        const dtype = pick(r, DTYPES);
        const shape = randomShape(r, 3, 5).map((d) => Math.max(d, 1));
        if (shape.length === 0) continue;
        const axis = Math.floor(r() * shape.length);
        const ishape = shape.map((d, k) => (k === axis ? 1 + Math.floor(r() * 6) : 1 + Math.floor(r() * d)));
        const idx = new Int32Array(numel(ishape)).map(() => Math.floor(r() * shape[axis]!));
        const data = randomData(r, dtype, numel(shape));
        const kx = whole(K.fromArray(data), shape), rx = whole(R.fromArray(data), shape);
        const ki = whole(K.fromArray(idx), ishape), ri = whole(R.fromArray(idx), ishape);
        assertClose(readAll(K, K.gather(kx, axis, ki), ishape), readAll(R, R.gather(rx, axis, ri), ishape), {}, `gather kernel ${dtype} [${shape}] axis ${axis}`);
        const sdata = randomData(r, dtype, numel(ishape));
        const ks = whole(K.fromArray(sdata), ishape), rs = whole(R.fromArray(sdata), ishape);
        assertClose(readAll(K, K.scatter(kx, axis, ki, ks, false), shape), readAll(R, R.scatter(rx, axis, ri, rs, false), shape), {}, `scatter kernel ${dtype}`);
      }
    });

    test("im2col and col2im with stride, padding, dilation, pad value", () => {
      const r = rng(seed + 13);
      for (let i = 0; i < 24; i++) {
        const dtype: DType = i % 4 === 3 ? "float64" : "float32";
        const [N, C, H, Wd] = [1 + Math.floor(r() * 2), 1 + Math.floor(r() * 3), 1 + Math.floor(r() * 9), 1 + Math.floor(r() * 9)];
        const p = {
          kernel: [1 + Math.floor(r() * 3), 1 + Math.floor(r() * 3)] as [number, number],
          stride: [1 + Math.floor(r() * 2), 1 + Math.floor(r() * 2)] as [number, number],
          padding: [Math.floor(r() * 2), Math.floor(r() * 2)] as [number, number],
          dilation: [1 + Math.floor(r() * 2), 1] as [number, number],
          padValue: pick(r, [0, -Infinity]),
        };
        const [wx, rx] = makePair(r, dtype, [N, C, H, Wd], pick(r, ["contiguous", "transposed", "sliced"] as const));
        const wc = W.im2col(wx, p), rc = R.im2col(rx, p);
        assert.equal(wc.length, rc.length);
        const L = rc.length / (N * C * p.kernel[0] * p.kernel[1]);
        const cshape = [N, C * p.kernel[0] * p.kernel[1], L];
        assertClose(readAll(W, wc, cshape), readAll(R, rc, cshape), {}, `im2col [${N},${C},${H},${Wd}] ${JSON.stringify(p)}`);
        if (p.padValue !== 0 || L === 0) continue;
        const [wcols, rcols] = makePair(r, dtype, cshape, pick(r, ["contiguous", "transposed"] as const));
        const os = [N, C, H, Wd] as const;
        assertClose(readAll(W, W.col2im(wcols, os, p), os), readAll(R, R.col2im(rcols, os, p), os), { rtol: 1e-6, atol: 1e-6 }, `col2im ${JSON.stringify(p)}`);
      }
      // stride-1 convolutions over contiguous rows and columns (the kernels' four-lane paths), rows
      // of 5 to 13 outputs so that runs have tails
      for (const dtype of ["float32", "float64"] as const) {
        for (const [H, Wd, k, pad] of [[9, 9, 3, 0], [13, 13, 3, 1], [6, 12, 2, 0], [8, 7, 3, 1]] as const) {
          const p = { kernel: [k, k] as [number, number], stride: [1, 1] as [number, number], padding: [pad, pad] as [number, number],
            dilation: [1, 1] as [number, number], padValue: 0 };
          const [wx, rx] = makePair(r, dtype, [2, 3, H, Wd], "contiguous");
          const wc = W.im2col(wx, p), rc = R.im2col(rx, p);
          const L = rc.length / (2 * 3 * k * k), cshape = [2, 3 * k * k, L];
          assertClose(readAll(W, wc, cshape), readAll(R, rc, cshape), {}, `im2col ${dtype} [2,3,${H},${Wd}] ${JSON.stringify(p)}`);
          const [wcols, rcols] = makePair(r, dtype, cshape, "contiguous");
          const os = [2, 3, H, Wd] as const;
          assertClose(readAll(W, W.col2im(wcols, os, p), os), readAll(R, R.col2im(rcols, os, p), os), { rtol: 1e-6, atol: 1e-6 },
            `col2im ${dtype} [2,3,${H},${Wd}] ${JSON.stringify(p)}`);
        }
      }
    });

    test("assign into strided destinations with broadcast sources and dtype conversion", () => {
      const r = rng(seed + 14);
      for (let i = 0; i < 40; i++) {
        const shape = randomShape(r), dd = pick(r, DTYPES), sd = pick(r, DTYPES);
        const [wd, rd] = makePair(r, dd, shape, pick(r, ["contiguous", "transposed", "sliced"] as const));
        const [wsrc, rsrc] = makePair(r, sd, shape, pick(r, LAYOUTS), { specials: true });
        W.assign(wd, wsrc);
        R.assign(rd, rsrc);
        const n = wd.storage.length;
        assertClose(readAll(W, wd.storage, [n]), readAll(R, rd.storage, [n]), {}, `assign ${sd}→${dd} [${shape}]`);
      }
      // overlapping: x[1:] = x[:-1] reads the old values (the reference, writing in place, smears x[0])
      const ws = W.fromArray(new Float32Array([1, 2, 3, 4, 5]));
      W.assign({ storage: ws, shape: [4], strides: [1], offset: 1 }, { storage: ws, shape: [4], strides: [1], offset: 0 });
      assert.deepEqual([...readAll(W, ws, [5])], [1, 1, 2, 3, 4]);
    });

    test("fused sgdStep and adamStep follow the reference rule", () => {
      const r = rng(seed + 15);
      for (const dtype of ["float32", "float64"] as const) {
        for (let i = 0; i < 12; i++) {
          const n = pick(r, [1, 3, 8, 37, 1000]);
          const mk = () => { const d = randomData(r, dtype, n); return [W.fromArray(d), R.fromArray(d)] as const; };
          // second moments are non-negative
          const vdata = randomData(r, dtype, n).map(Math.abs);
          const xdata = randomData(r, dtype, n).map(Math.abs);
          const tol = dtype === "float32" ? { rtol: 1e-5, atol: 1e-6 } : {};
          // every combination of SGD's options (the kernel has its own loops for some of them)
          for (let combo = 0; combo < 32; combo++) {
            const sgd = { lr: 0.1, momentum: combo & 1 ? 0.9 : 0, dampening: pick(r, [0, 0.1]), weightDecay: combo & 2 ? 0.01 : 0,
              nesterov: (combo & 4) !== 0, maximize: (combo & 8) !== 0, firstStep: (combo & 16) !== 0 };
            if (sgd.nesterov && !sgd.momentum) continue; // PyTorch refuses nesterov without momentum
            // fresh state per combination: one step each, so float32 rounding does not accumulate
            const [sp, sq] = mk(), [sg, sh] = mk(), [sb, sc] = mk();
            W.sgdStep(sp, sg, sgd.momentum ? sb : null, sgd);
            R.sgdStep(sq, sh, sgd.momentum ? sc : null, sgd);
            assertClose(readAll(W, sp, [n]), readAll(R, sq, [n]), tol, `sgd param ${dtype} n=${n} ${JSON.stringify(sgd)}`);
            assertClose(readAll(W, sb, [n]), readAll(R, sc, [n]), tol, `sgd momentum buffer ${dtype} n=${n} ${JSON.stringify(sgd)}`);
          }
          // every combination of Adam's options too (the kernel has its own loop for the common ones)
          for (let combo = 0; combo < 16; combo++) {
            const adam = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: combo & 1 ? 0.01 : 0, decoupledWeightDecay: (combo & 2) !== 0,
              amsgrad: (combo & 4) !== 0, maximize: (combo & 8) !== 0, step: 1 + Math.floor(r() * 5) };
            const [ap, aq] = mk(), [ag, ah] = mk(), [am, an] = mk();
            const [av, aw] = [W.fromArray(vdata), R.fromArray(vdata)], [ax, ay] = [W.fromArray(xdata), R.fromArray(xdata)];
            W.adamStep(ap, ag, am, av, adam.amsgrad ? ax : null, adam);
            R.adamStep(aq, ah, an, aw, adam.amsgrad ? ay : null, adam);
            for (const [a, b, name] of [[ap, aq, "param"], [am, an, "expAvg"], [av, aw, "expAvgSq"], [ax, ay, "maxExpAvgSq"]] as const)
              assertClose(readAll(W, a, [n]), readAll(R, b, [n]), tol, `adam ${name} ${dtype} ${JSON.stringify(adam)}`);
          }
        }
      }
    });
  });
}

test("alloc is zero-filled and fromArray/read round-trip every dtype", () => {
  for (const dtype of DTYPES) {
    const s = W.alloc(dtype, 37);
    assert.ok(readAll(W, s, [37]).every((v) => v === 0));
    const data = randomData(rng(7), dtype, 37);
    assert.deepEqual(readAll(W, W.fromArray(data), [37]), data);
  }
  assert.deepEqual([...W.read({ storage: W.fromArray(new Float32Array([5])), shape: [], strides: [], offset: 0 })], [5]);
  assert.equal(W.read(whole(W.alloc("float32", 0), [0, 3])).length, 0);
});

test("the reference fallback runs a kernel on copies and warns once per kernel", (t) => {
  const warn = t.mock.method(console, "warn", () => {});
  const data = new Float32Array([0, 1, -2, 3, 4, 5]);
  // The fallback works at the kernel level, on wasm-resident storage.
  const v = { storage: wasmKernels.fromArray(data), shape: [3, 2], strides: [1, 3], offset: 0 };
  const run = () => viaReference("testKernel", [v], (ref, [x]) => ref.unary("exp", x!, "float32"));
  const got = readAll(wasmKernels, run(), [3, 2]);
  run();
  assert.equal(warn.mock.callCount(), 1);
  assert.match(String(warn.mock.calls[0]!.arguments[0]), /testKernel/);
  assertClose(got, readAll(R, R.unary("exp", { ...v, storage: R.fromArray(data) }, "float32"), [3, 2]), {}, "fallback exp");
});

test("initWasm resolves in Node and is idempotent", async () => {
  await initWasm();
  await initWasm();
  assert.equal(readAll(W, W.fromArray(new Int32Array([7])), [1])[0], 7);
});

test("float32 exp, tanh, erf, expm1 and log1p stay within a few ulp of the reference over dense sweeps", () => {
  // the reference computes in f64 and rounds once: as good as correctly rounded here
  const n = 120_001;
  const ulp = (w: number) => {
    const f = new Float32Array([Math.abs(w) || 1e-45]);
    const u = new Uint32Array(f.buffer);
    const a = f[0]!;
    u[0]! += 1;
    return f[0]! - a;
  };
  const sweeps = [
    ["exp", -87, 88, 2], ["tanh", -10, 10, 2], ["erf", -5, 5, 3],
    ["expm1", -20, 20, 3], ["expm1", -0.01, 0.01, 3], ["log1p", -0.999, 50, 3], ["log1p", -0.01, 0.01, 3],
  ] as const;
  for (const [op, lo, hi, most] of sweeps) {
    const x = Float32Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
    const got = readAll(W, W.unary(op, whole(W.fromArray(x), [n]), "float32"), [n]);
    const want = readAll(R, R.unary(op, whole(R.fromArray(x), [n]), "float32"), [n]);
    let worst = 0, at = 0;
    for (let i = 0; i < n; i++) {
      const e = Math.abs(got[i]! - want[i]!) / ulp(want[i]!);
      if (!(e <= worst)) [worst, at] = [e, x[i]!];
    }
    assert.ok(worst <= most, `${op} over [${lo}, ${hi}]: ${worst} ulp at x = ${at} (at most ${most})`);
  }
});

test("float32 unary kernels give a value the same result in the vector lanes and in a run's last 1–3 elements", () => {
  // as PyTorch's vectorized loops: the tail goes through the same vector code (it went through the
  // scalar f64 path, so [a, b, c, d, a] could come out with two different values for a)
  const v = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i * 1.7) * 4 + (i % 5) * 0.3);
  for (const op of ["exp", "expm1", "log", "tanh", "sigmoid", "erf", "gelu", "silu"] as const) {
    for (const tail of [1, 2, 3]) {
      const n = 64 + tail, x = new Float32Array(n);
      x.set(v);
      x.set(v.subarray(0, tail), 64);
      const input = op === "log" ? x.map(Math.abs) : x;
      const y = readAll(W, W.unary(op, whole(W.fromArray(input), [n]), "float32"), [n]);
      for (let k = 0; k < tail; k++) assert.equal(y[64 + k], y[k], `${op}: element ${k} ${y[k]} but its copy at ${64 + k} gives ${y[64 + k]}`);
    }
  }
});
