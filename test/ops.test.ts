/**
 * The op table: every sample of fixtures/ops.json, ops-nn.json and ops-fft.json (PyTorch 1.13 values)
 * runs on every registered backend — forward against PyTorch, backward against PyTorch — and, on the
 * reference backend in float64, through a finite-difference gradcheck.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as core from "../src/core.js";
import { Tensor, getBackend, listBackends, noGrad } from "../src/core.js";
import { fft, linalg, nn, special } from "../src/index.js";
import { type Sample, assertClose, buildArgs, loadFixture, makeTensor } from "./helpers/fixtures.js";
import { backendsUnderTest } from "./helpers/backends.js";
import { liveStorageCount } from "../src/backends/wasm/index.js";

const F = nn.functional as unknown as Record<string, (...a: unknown[]) => unknown>;
const ops = core as unknown as Record<string, (...a: unknown[]) => unknown>;
const linalgOps = linalg as unknown as Record<string, (...a: unknown[]) => unknown>;
const specialOps = special as unknown as Record<string, (...a: unknown[]) => unknown>;
const fftOps = fft as unknown as Record<string, (...a: unknown[]) => unknown>;

function lookup(op: string): (...a: unknown[]) => unknown {
  // In-place methods (add_, copy_, ...) exist only on Tensor.
  if (op.endsWith("_")) return (...a: unknown[]) => (a[0] as unknown as Record<string, (...b: unknown[]) => unknown>)[op]!(...a.slice(1));
  const fn = op.startsWith("F.") ? F[op.slice(2)] : op.startsWith("linalg.") ? linalgOps[op.slice(7)] : op.startsWith("special.") ? specialOps[op.slice(8)]
    : op.startsWith("fft.") ? fftOps[op.slice(4)] : ops[op];
  // Methods PyTorch has only on Tensor (x.unfold, x.viewAs, x.newZeros): called on args[0].
  const method = (Tensor.prototype as unknown as Record<string, unknown>)[op];
  if (typeof fn !== "function" && !op.startsWith("F.") && typeof method === "function")
    return (...a: unknown[]) => (method as (...b: unknown[]) => unknown).apply(a[0], a.slice(1));
  if (typeof fn !== "function") throw new Error(`op ${op} is not implemented`);
  return fn;
}

const outputsOf = (r: unknown): Tensor[] => (r instanceof Tensor ? [r] : (r as Tensor[]));

function runForwardBackward(s: Sample): void {
  const leaves: Tensor[] = [];
  const args = buildArgs(s.args, leaves);
  const outs = outputsOf(lookup(s.op)(...args));
  const rtol = s.rtol ?? 1e-5, atol = s.atol ?? 1e-6;
  assert.equal(outs.length, s.outputs.length, `${s.name}: number of outputs`);
  outs.forEach((o, i) => assertClose(`${s.name} output ${i}`, o, s.outputs[i]!, rtol, atol));
  for (const c of s.checkArgsAfter ?? []) assertClose(`${s.name} arg ${c.arg} after call`, args[c.arg] as Tensor, c, rtol, atol);
  if (s.gradOutput) {
    const g = makeTensor(s.gradOutput as never, () => outs[0]!.dtype).value;
    outs[0]!.backward(g);
    leaves.forEach((leaf, i) => {
      const want = s.grads[i];
      if (!want) return;
      assert.ok(leaf.grad, `${s.name}: input ${i} got no gradient`);
      assertClose(`${s.name} grad ${i}`, leaf.grad!, { ...want, dtype: undefined }, rtol * 10, atol * 10);
    });
  }
}

/** Central differences in float64: compares d(sum(out·gOut))/d(input) with autograd's. */
function gradcheck(s: Sample): void {
  const to64 = (d: core.DType): core.DType => (d === "float32" ? "float64" : d);
  const leaves: Tensor[] = [];
  const args = buildArgs(s.args, leaves, to64);
  if (leaves.length === 0) return;
  const fn = lookup(s.op);
  const gOut = makeTensor(s.gradOutput as never, () => "float64").value;
  const objective = (): number => noGrad(() => outputsOf(fn(...args))[0]!.to("float64").mul(gOut).sum().item());
  const out0 = outputsOf(fn(...args))[0]!;
  out0.to("float64").mul(gOut).sum().backward();
  const eps = 1e-6;
  for (const leaf of leaves) {
    const analytic = leaf.grad ? leaf.grad.dataSync() : new Float64Array(leaf.numel());
    const base = leaf.dataSync();
    for (let i = 0; i < base.length; i++) {
      const set = (v: number) => noGrad(() => {
        const a = Float64Array.from(base as Float64Array);
        a[i] = v;
        leaf.copy_(core.tensor(a, { shape: [...leaf.shape] }));
      });
      set(base[i]! + eps);
      const up = objective();
      set(base[i]! - eps);
      const down = objective();
      set(base[i]!);
      const numeric = (up - down) / (2 * eps);
      const a = Number(analytic[i]);
      assert.ok(Math.abs(a - numeric) <= 1e-5 + 1e-4 * Math.abs(numeric),
        `${s.name}: gradcheck element ${i}: analytic ${a} vs numeric ${numeric}`);
    }
  }
}

const files = ["ops.json", "ops-nn.json", "ops-fft.json"];
for (const file of files) {
  const { samples } = loadFixture(file);
  for (const backend of backendsUnderTest()) {
    describe(`${file} on ${backend.name}`, () => {
      for (const s of samples)
        test(s.name, () => {
          // Leak check: every wasm kernel call must give its workspace blocks back.
          const before = liveStorageCount();
          core.withBackend(backend, () => runForwardBackward(s));
          assert.equal(liveStorageCount(), before, `${s.name}: wasm workspace blocks leaked`);
        });
    });
  }
  describe(`${file} gradcheck (float64, reference)`, () => {
    for (const s of samples)
      if (s.gradOutput && s.gradcheck !== false) test(s.name, () => core.withBackend("reference", () => gradcheck(s)));
  });
}

test("softmax and logSoftmax backward: the wasm kernel, the reference kernel, the composed form and createGraph agree", () => {
  const ref = getBackend("reference");
  let kernelCalls = 0;
  // the reference backend, counting its backward kernel's calls; and one without either primitive
  const counted = { ...ref, name: "reference-counted", softmaxBackward: (...a: Parameters<NonNullable<typeof ref.softmaxBackward>>) => (kernelCalls++, ref.softmaxBackward!(...a)) };
  const composed = { ...ref, name: "reference-composed", softmax: undefined, softmaxBackward: undefined };
  const shape = [3, 7, 6];
  const data = Array.from({ length: 126 }, (_, i) => 5 * Math.sin(i * 1.3));
  const gdata = Array.from({ length: 126 }, (_, i) => Math.cos(i * 0.7) + (i % 5 === 0 ? 3 : 0));
  for (const dtype of ["float32", "float64"] as const)
    for (const dim of [0, 1, 2])
      for (const log of [false, true]) {
        const label = `${dtype} dim ${dim} ${log ? "logSoftmax" : "softmax"}`;
        const grads: [string, ArrayLike<number>][] = [];
        for (const b of [getBackend("wasm"), counted, composed])
          for (const createGraph of [false, true])
            core.withBackend(b, () => {
              const x = core.tensor(data, { dtype, requiresGrad: true }).reshape(shape);
              const y = log ? x.logSoftmax(dim) : x.softmax(dim);
              const before = kernelCalls;
              const [gx] = core.grad([y], [x], { gradOutputs: [core.tensor(gdata, { dtype }).reshape(shape)], createGraph });
              if (b === counted) assert.equal(kernelCalls - before, createGraph ? 0 : 1, `${label}: kernel calls with createGraph ${createGraph}`);
              // under createGraph the gradient is differentiable (built from ops), without it a leaf
              assert.equal(gx!.requiresGrad, createGraph, label);
              grads.push([`${b.name}${createGraph ? " createGraph" : ""}`, gx!.dataSync()]);
            });
        const [, want] = grads[0]!;
        for (const [name, got] of grads.slice(1))
          Array.from(got, (v, i) => assert.ok(Math.abs(v - want[i]!) <= (dtype === "float32" ? 2e-6 : 1e-12) * Math.max(1, Math.abs(want[i]!)),
            `${label} element ${i}: wasm kernel ${want[i]}, ${name} ${v}`));
      }
  // second derivatives go through the composed backward on every backend
  for (const b of [getBackend("wasm"), ref])
    core.withBackend(b, () => {
      const x = core.tensor([0.5, -1, 2, 0.25], { dtype: "float64", requiresGrad: true });
      const [g1] = core.grad([x.logSoftmax(0).mul(core.tensor([1, 2, 3, 4], { dtype: "float64" })).sum()], [x], { createGraph: true });
      const [g2] = core.grad([g1!.pow(2).sum()], [x]);
      // d/dx Σ (w − e^y·Σw)² with y = logSoftmax(x), Σw = 10: by hand, 2·Σ_k (w_k − 10 p_k)·(−10 p_k (δ_ki − p_i))
      const p = [0.5, -1, 2, 0.25].map(Math.exp), z = p.reduce((a, v) => a + v, 0);
      const q = p.map((v) => v / z), w = [1, 2, 3, 4];
      const want = q.map((_, i) => q.reduce((acc, qk, k) => acc + 2 * (w[k]! - 10 * qk) * -10 * qk * ((k === i ? 1 : 0) - q[i]!), 0));
      g2!.dataSync().forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-12, `${b.name} second derivative ${i}: ${v}, by hand ${want[i]}`));
    });
});

test("pow by a scalar 2 or 3 (computed as products) matches pow's values, specials and gradients on every backend", () => {
  const xs = [0, -0, 1.5, -2.25, 3e-20, 1e20, -7, Infinity, -Infinity, NaN, 0.1, 123.456];
  for (const b of [getBackend("wasm"), getBackend("reference")])
    for (const dtype of ["float32", "float64"] as const)
      for (const n of [2, 3] as const)
        core.withBackend(b, () => {
          const x = core.tensor(xs, { dtype, requiresGrad: true });
          const y = x.pow(n);
          y.sum().backward();
          const got = y.dataSync(), grad = x.grad!.dataSync();
          const round = dtype === "float32" ? Math.fround : (v: number) => v;
          xs.forEach((v, i) => {
            const want = round(Math.pow(round(v), n));
            const what = `${b.name} ${dtype} ${v}^${n}`;
            if (Number.isNaN(want)) assert.ok(Number.isNaN(got[i]!), `${what}: ${got[i]}`);
            else if (n === 2 || !Number.isFinite(want) || want === 0) assert.ok(Object.is(got[i], want), `${what}: ${got[i]}, pow ${want}`);
            // x·x·x rounds twice: within an ulp or so of pow's once-rounded value
            else assert.ok(Math.abs(got[i]! - want) <= (dtype === "float32" ? 2.4e-7 : 4.5e-16) * Math.abs(want), `${what}: ${got[i]}, pow ${want}`);
            const dwant = round(n * Math.pow(round(v), n - 1));
            if (Number.isFinite(dwant)) assert.ok(Math.abs(grad[i]! - dwant) <= 1e-6 * Math.abs(dwant), `${what} gradient: ${grad[i]}, ${dwant}`);
          });
          // integer tensors keep pow's integer kernel
          assert.deepEqual([...core.tensor([2, -3], { dtype: "int32" }).pow(n).dataSync()], [2 ** n, (-3) ** n]);
        });
});

// torch functions with no Tensor method (torch.hstack, torch.meshgrid, torch.logspace, ...)
const functionOnly = [
  "hstack", "vstack", "rowStack", "dstack", "columnStack", "atleast1d", "atleast2d", "atleast3d", "meshgrid",
  "cartesianProd", "blockDiag", "combinations", "trilIndices", "triuIndices", "logspace", "emptyLike",
  // reductions and linear algebra (torch.var_mean, torch.searchsorted, torch.cdist, ...)
  "varMean", "stdMean", "searchsorted", "bucketize", "tensordot", "cdist",
  // window functions (creation functions, as torch.hann_window ...)
  "hannWindow", "hammingWindow", "bartlettWindow", "blackmanWindow", "kaiserWindow",
  // torch.trapezoid, torch.cumulative_trapezoid, torch.chain_matmul have no Tensor method
  "trapezoid", "trapz", "cumulativeTrapezoid", "chainMatmul",
  // torch.vander, torch.gradient, torch.broadcast_tensors, torch.concat, torch.scalar_tensor (ops/tensor-api.ts)
  "vander", "gradient", "broadcastTensors", "concat", "concatenate", "scalarTensor",
  // torch.pdist and torch.isin have no Tensor method in torch 1.13
  "pdist", "isin",
  // torch.lu_unpack, torch.nuclear_norm, torch.frobenius_norm, torch.lobpcg have no Tensor method in torch 1.13
  "luUnpack", "nuclearNorm", "frobeniusNorm", "lobpcg",
];
test("every op of the signature list has a method on Tensor", () => {
  const { samples } = loadFixture("ops.json");
  const missing = [...new Set(samples.map((s) => s.op))].filter(
    (op) => !["cat", "stack", "where", "var", "einsum", ...functionOnly].includes(op) && !op.startsWith("linalg.") && !op.startsWith("special.") && typeof (Tensor.prototype as unknown as Record<string, unknown>)[op] !== "function" && op !== "var",
  );
  assert.deepEqual(missing, []);
  assert.ok(listBackends().includes("reference") && getBackend("reference"));
});

test("softmax and logSoftmax: the wasm kernel, the reference kernel and the composed form agree, and lines with NaN or ±Infinity are NaN as in PyTorch", () => {
  const ref = getBackend("reference");
  // a backend without the optional softmax primitive: softmax/logSoftmax compose core ops
  const composed = { ...ref, name: "reference-composed", softmax: undefined, softmaxBackward: undefined };
  const backends = [getBackend("wasm"), ref, composed];
  const I = Infinity;
  // PyTorch 1.13: softmax/log_softmax of each row; null = NaN throughout
  const rows: [number[], number[] | null, number[] | null][] = [
    [[1, NaN, 3], null, null],
    [[I, 1, 2], null, null],
    [[-I, -I, -I], null, null],
    [[I, -I, 1], null, null],
    [[-I, 0, 0], [0, 0.5, 0.5], [-I, -Math.LN2, -Math.LN2]],
    [[1e4, -1e4, 0], [1, 0, 0], [0, -2e4, -1e4]],
  ];
  for (const dtype of ["float32", "float64"] as const)
    for (const b of backends)
      for (const columns of [false, true])
        core.withBackend(b, () => {
          // rows: each line contiguous (dim 1 of [6, 3]); columns: the same lines down dim 0 of a
          // [3, 6] tensor, which the wasm kernel takes four lines to a vector (and two alone)
          const R = rows.length;
          const x = columns
            ? core.tensor([0, 1, 2].flatMap((k) => rows.map(([r]) => r[k]!)), { dtype }).reshape([3, R])
            : core.tensor(rows.flatMap(([r]) => r), { dtype }).reshape([R, 3]);
          const dim = columns ? 0 : 1;
          for (const log of [false, true]) {
            const y = (log ? x.logSoftmax(dim) : x.softmax(dim)).dataSync();
            rows.forEach(([, sm, lsm], i) => {
              const want = log ? lsm : sm;
              for (let k = 0; k < 3; k++) {
                const v = y[columns ? k * R + i : i * 3 + k]!;
                const what = `${b.name} ${dtype}${columns ? " (down columns)" : ""} ${log ? "logSoftmax" : "softmax"} line ${i}, element ${k}`;
                if (want === null) assert.ok(Number.isNaN(v), `${what}: ${v}, PyTorch NaN`);
                else assert.ok(v === want[k] || Math.abs(v - want[k]!) <= 1e-6 * Math.max(1, Math.abs(want[k]!)), `${what}: ${v}, PyTorch ${want[k]}`);
              }
            });
          }
        });
  // random lines along every axis, some 4-wide groups and ragged ones: the three agree
  const shape = [3, 7, 6];
  const data = Array.from({ length: 3 * 7 * 6 }, (_, i) => 6 * Math.sin(i * 1.7));
  for (const dtype of ["float32", "float64"] as const)
    for (const dim of [0, 1, 2, -1])
      for (const log of [false, true]) {
        const [w, r, c] = backends.map((b) => core.withBackend(b, () => {
          const x = core.tensor(data, { dtype }).reshape(shape);
          return (log ? x.logSoftmax(dim) : x.softmax(dim)).dataSync();
        }));
        for (const [other, name] of [[r!, "reference"], [c!, "composed"]] as const)
          w!.forEach((v, i) => assert.ok(Math.abs(v - other[i]!) <= (dtype === "float32" ? 2e-6 : 1e-12) * Math.max(1, Math.abs(other[i]!)),
            `${dtype} dim ${dim} ${log ? "logSoftmax" : "softmax"} element ${i}: wasm ${v}, ${name} ${other[i]}`));
      }
});
