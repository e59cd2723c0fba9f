// Elementwise maths (src/ops/math.ts) beyond the PyTorch fixtures of test/ops.test.ts: values the
// special functions take by exact identities, second derivatives through polygamma, integer paths
// and argument errors. Every expected value here is a mathematical identity.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as core from "../src/core.js";
import { TensileError, Tensor } from "../src/core.js";

const EULER_GAMMA = 0.5772156649015329;
const ZETA3 = 1.2020569031595942; // Apéry's constant ζ(3)
const backends = ["reference", "wasm"] as const;

function close(got: ArrayLike<number>, want: readonly number[], tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  want.forEach((w, i) => {
    const g = got[i]!;
    if (Number.isNaN(w)) assert.ok(Number.isNaN(g), `${what} [${i}]: ${g}, want NaN`);
    else if (!Number.isFinite(w)) assert.equal(g, w, `${what} [${i}]`);
    else assert.ok(Math.abs(g - w) <= tol * Math.max(1, Math.abs(w)), `${what} [${i}]: ${g}, want ${w}`);
  });
}

const f64 = (v: number[]): Tensor => core.tensor(v, { dtype: "float64" });

test("special functions at points where identities give their values, on every backend", () => {
  for (const b of backends)
    core.withBackend(b, () => {
      const tol = 1e-14;
      // ψ(1) = −γ, ψ(½) = −γ − 2 ln 2, ψ(x + 1) = ψ(x) + 1/x
      close(core.digamma(f64([1, 0.5, 3.5])).dataSync(), [-EULER_GAMMA, -EULER_GAMMA - 2 * Math.LN2, -EULER_GAMMA - 2 * Math.LN2 + 2 + 2 / 3 + 2 / 5], tol, `${b} digamma`);
      // ψ₁(1) = π²/6, ψ₁(½) = π²/2; ψ⁽²⁾(1) = −2ζ(3); ψ⁽³⁾(1) = 6ζ(4) = π⁴/15
      close(core.polygamma(1, f64([1, 0.5])).dataSync(), [Math.PI ** 2 / 6, Math.PI ** 2 / 2], tol, `${b} trigamma`);
      close(core.polygamma(2, f64([1])).dataSync(), [-2 * ZETA3], tol, `${b} polygamma(2)`);
      close(core.polygamma(3, f64([1])).dataSync(), [Math.PI ** 4 / 15], tol, `${b} polygamma(3)`);
      // log Γ(½) = log √π, log Γ(10) = log 9!, log |Γ(−½)| = log 2√π; poles at 0 and −1
      close(core.lgamma(f64([0.5, 10, -0.5, 0, -1])).dataSync(), [0.5 * Math.log(Math.PI), Math.log(362880), Math.log(2 * Math.sqrt(Math.PI)), Infinity, Infinity], tol, `${b} lgamma`);
      // erfinv inverts erf; erfc = 1 − erf and erfc(−x) = 2 − erfc(x)
      const xs = [-2.5, -0.3, 1e-5, 0.7, 2, 3.2];
      close(core.erfinv(core.erf(f64(xs))).dataSync(), xs, 1e-12, `${b} erfinv(erf(x))`);
      const e = core.erf(f64([0.1, 0.6])).dataSync();
      close(core.erfc(f64([0.1, 0.6])).dataSync(), [1 - e[0]!, 1 - e[1]!], tol, `${b} erfc small`);
      const t = core.erfc(f64([1.5, 4, 10])).dataSync();
      close(core.erfc(f64([-1.5, -4, -10])).dataSync(), [2 - t[0]!, 2 - t[1]!, 2 - t[2]!], tol, `${b} erfc reflection`);
      close(core.erfinv(f64([1, -1, 1.5, 0])).dataSync(), [Infinity, -Infinity, NaN, 0], 0, `${b} erfinv edges`);
    });
});

test("elementary functions: exact values and no overflow where the naive formula has it", () => {
  for (const b of backends)
    core.withBackend(b, () => {
      close(core.log2(f64([8, 0.25])).dataSync(), [3, -2], 0, `${b} log2`);
      close(core.log10(f64([1000, 1e-5])).dataSync(), [3, -5], 1e-15, `${b} log10`);
      close(core.exp2(f64([10, -3])).dataSync(), [1024, 0.125], 0, `${b} exp2`);
      close(core.atan2(f64([1, 1, -1, 0]), f64([-1, 1, 0, -2])).dataSync(), [(3 * Math.PI) / 4, Math.PI / 4, -Math.PI / 2, Math.PI], 1e-15, `${b} atan2`);
      close(core.hypot(f64([3, 3e200, 3e-200]), f64([4, 4e200, 4e-200])).dataSync(), [5, 5e200, 5e-200], 1e-15, `${b} hypot`);
      close(core.sinc(f64([0, 0.5, 1])).dataSync(), [1, 2 / Math.PI, 0], 1e-15, `${b} sinc`);
      close(core.logaddexp(f64([1000, -Infinity]), f64([1000, -Infinity])).dataSync(), [1000 + Math.LN2, -Infinity], 1e-15, `${b} logaddexp`);
      close(core.logaddexp2(f64([3]), f64([3])).dataSync(), [4], 1e-15, `${b} logaddexp2`);
      // fmod takes the dividend's sign, remainder the divisor's
      close(core.fmod(f64([-5.5, 5.5]), 2).dataSync(), [-1.5, 1.5], 0, `${b} fmod`);
      assert.deepEqual([...core.fmod(core.tensor([-7, 7], { dtype: "int32" }), 3).dataSync()], [-1, 1]);
      assert.throws(() => core.fmod(core.tensor([1, 2], { dtype: "int32" }), 0), (e: Error) => e instanceof TensileError && /^fmod: integer division by zero/.test(e.message));
      // PyTorch's two-sided lerp is exact at both ends
      const a = f64([0.1, -3.3]), c = f64([1e8, 0.7]);
      assert.deepEqual([...core.lerp(a, c, 1).dataSync()], [...c.dataSync()]);
      assert.deepEqual([...core.lerp(a, c, 0).dataSync()], [...a.dataSync()]);
    });
});

test("second derivatives go through polygamma: d²/dx² log Γ = ψ₁, d²/dx² ψ = ψ⁽²⁾", () => {
  for (const b of backends)
    core.withBackend(b, () => {
      const x = f64([1, 0.5]).requiresGrad_();
      const [g1] = core.grad([core.lgamma(x).sum()], [x], { createGraph: true });
      close(g1!.dataSync(), [-EULER_GAMMA, -EULER_GAMMA - 2 * Math.LN2], 1e-14, `${b} lgamma'`);
      const [g2] = core.grad([g1!.sum()], [x], { createGraph: true });
      close(g2!.dataSync(), [Math.PI ** 2 / 6, Math.PI ** 2 / 2], 1e-14, `${b} lgamma''`);
      const [g3] = core.grad([g2!.sum()], [x]);
      close(g3!.dataSync().slice(0, 1), [-2 * ZETA3], 1e-13, `${b} lgamma'''`);
    });
});

test("argument errors name the op", () => {
  const x = core.randn([2, 3]);
  const cases: [string, () => unknown][] = [
    ["polygamma", () => core.polygamma(-1, x)],
    ["polygamma", () => core.polygamma(1.5, x)],
    ["polygamma", () => x.polygamma("2" as never)],
    ["frac", () => core.frac(core.tensor([1, 2], { dtype: "int32" }))],
    ["lerp", () => core.lerp(x, 1 as never, 0.5)],
    ["lerp", () => core.lerp(x, x, "0.5" as never)],
    ["nanToNum", () => x.nanToNum("a" as never)],
    ["nanToNum", () => x.nanToNum(0, {} as never)],
    ["logit", () => x.logit("a" as never)],
    ["clampMin", () => x.clampMin(null as never)],
    ["atan2", () => core.atan2(x, "a" as never)],
    ["floatPower", () => core.floatPower(x, [1] as never)],
  ];
  for (const [name, call] of cases)
    assert.throws(call, (e: Error) => e instanceof TensileError && e.message.startsWith(`${name}: `), name);
});

test("predicates and aliases: isinf family, signbit, integer inputs", () => {
  const x = core.tensor([-Infinity, -0, 0, Infinity, NaN, -2]);
  assert.deepEqual([...core.isinf(x).dataSync()], [1, 0, 0, 1, 0, 0]);
  assert.deepEqual([...core.isposinf(x).dataSync()], [0, 0, 0, 1, 0, 0]);
  assert.deepEqual([...core.isneginf(x).dataSync()], [1, 0, 0, 0, 0, 0]);
  assert.deepEqual([...core.signbit(x.index(["0:4"])).dataSync()], [1, 1, 0, 0]);
  const i = core.tensor([-2, 0, 3], { dtype: "int32" });
  assert.deepEqual([...core.isinf(i).dataSync()], [0, 0, 0]);
  assert.deepEqual([...core.signbit(i).dataSync()], [1, 0, 0]);
  assert.equal(core.trunc(i), i); // integers pass through, as floor does
  assert.equal(core.square(i).dtype, "int32");
  assert.equal(core.floatPower(i, 2).dtype, "float64");
  assert.deepEqual([...core.nanToNum(x).dataSync()], [-3.4028234663852886e38, -0, 0, 3.4028234663852886e38, 0, -2]);
});
