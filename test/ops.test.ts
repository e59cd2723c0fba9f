/**
 * The op table: every sample of fixtures/ops.json and fixtures/ops-nn.json (PyTorch 1.13 values)
 * runs on every registered backend — forward against PyTorch, backward against PyTorch — and, on the
 * reference backend in float64, through a finite-difference gradcheck.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as core from "../src/core.js";
import { Tensor, getBackend, listBackends, noGrad } from "../src/core.js";
import { nn } from "../src/index.js";
import { type Sample, assertClose, buildArgs, loadFixture, makeTensor } from "./helpers/fixtures.js";
import { backendsUnderTest } from "./helpers/backends.js";
import { liveStorageCount } from "../src/backends/wasm/index.js";

const F = nn.functional as unknown as Record<string, (...a: unknown[]) => unknown>;
const ops = core as unknown as Record<string, (...a: unknown[]) => unknown>;

function lookup(op: string): (...a: unknown[]) => unknown {
  // In-place methods (add_, copy_, ...) exist only on Tensor.
  if (op.endsWith("_")) return (...a: unknown[]) => (a[0] as unknown as Record<string, (...b: unknown[]) => unknown>)[op]!(...a.slice(1));
  const fn = op.startsWith("F.") ? F[op.slice(2)] : ops[op];
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

const files = ["ops.json", "ops-nn.json"];
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

test("every op of the signature list has a method on Tensor", () => {
  const { samples } = loadFixture("ops.json");
  const missing = [...new Set(samples.map((s) => s.op))].filter(
    (op) => !["cat", "stack", "where", "var"].includes(op) && typeof (Tensor.prototype as unknown as Record<string, unknown>)[op] !== "function" && op !== "var",
  );
  assert.deepEqual(missing, []);
  assert.ok(listBackends().includes("reference") && getBackend("reference"));
});
