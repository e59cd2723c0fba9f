// The integer and bit ops, copysign ... mvlgamma, torch.special and the window functions beyond the
// op table (fixtures/ops.json checks them against PyTorch 1.13): bad input, the cases the fixtures
// route around (PyTorch 1.13's undefined or wrong results), float64 accuracy against mpmath, and
// second derivatives.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  Tensor, TensileError, bartlettWindow, bitwiseAnd, bitwiseLeftShift, bitwiseNot, bitwiseOr, bitwiseRightShift, bitwiseXor,
  blackmanWindow, copysign, frexp, gcd, grad, hammingWindow, hannWindow, i0, kaiserWindow, lcm, ldexp, mvlgamma, nextafter,
  positive, special, tensor, withBackend,
} from "../src/index.js";

const i32 = (v: number[]) => tensor(v, { dtype: "int32" });
const f32 = (v: number[]) => tensor(v, { dtype: "float32" });
const f64 = (v: number[]) => tensor(v, { dtype: "float64" });
const arr = (t: Tensor) => Array.from(t.dataSync(), Number);

function throwsTensile(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof TensileError && pattern.test(e.message), String(pattern));
}

for (const backend of ["reference", "wasm"] as const) {
  describe(`ops-special on ${backend}`, () => {
    const on = (fn: () => void) => () => withBackend(backend, fn);

    test("integer ops refuse floats (and gcd, lcm and the shifts refuse bools), naming the op and the dtypes", on(() => {
      const x = f32([1, 2]), n = i32([1, 2]), b = tensor([true, false]);
      for (const [name, f] of [["gcd", gcd], ["lcm", lcm], ["bitwiseAnd", bitwiseAnd], ["bitwiseOr", bitwiseOr], ["bitwiseXor", bitwiseXor],
        ["bitwiseLeftShift", bitwiseLeftShift], ["bitwiseRightShift", bitwiseRightShift]] as const) {
        throwsTensile(() => f(x, n), new RegExp(`^${name}: .*float32`));
        throwsTensile(() => f(n, 2.5), new RegExp(`^${name}: .*float32`));
        throwsTensile(() => f(2, 3), new RegExp(`^${name}: `)); // two numbers: no tensor
        throwsTensile(() => f(n, "a" as never), new RegExp(`^${name}: `));
      }
      for (const [name, f] of [["gcd", gcd], ["lcm", lcm], ["bitwiseLeftShift", bitwiseLeftShift], ["bitwiseRightShift", bitwiseRightShift]] as const)
        throwsTensile(() => f(b, b), new RegExp(`^${name}: .*bool`));
      throwsTensile(() => bitwiseNot(x), /^bitwiseNot: .*float32/);
      throwsTensile(() => gcd(i32([1, 2]), i32([1, 2, 3])), /^gcd: .*\[2\].*\[3\]|^gcd: /);
    }));

    test("bool bitwise ops are the logical ones; bool with int32 promotes", on(() => {
      const a = tensor([true, true, false, false]), b = tensor([true, false, true, false]);
      assert.deepEqual(arr(bitwiseAnd(a, b)), [1, 0, 0, 0]);
      assert.equal(bitwiseXor(a, b).dtype, "bool");
      assert.deepEqual(arr(bitwiseOr(a, b)), [1, 1, 1, 0]);
      assert.deepEqual(arr(bitwiseNot(a)), [0, 0, 1, 1]);
      const m = bitwiseOr(a, i32([4, 4, 4, 4]));
      assert.equal(m.dtype, "int32");
      assert.deepEqual(arr(m), [5, 5, 4, 4]);
    }));

    test("shift counts outside [0, 31] give 0 (left) or the sign fill (right), not PyTorch 1.13's count mod 32", on(() => {
      const x = i32([1, -1, -8, 1 << 30, -(2 ** 31), 7]);
      for (const s of [32, 33, 40, -1, 1000]) {
        assert.deepEqual(arr(bitwiseLeftShift(x, s)), [0, 0, 0, 0, 0, 0], `<< ${s}`);
        assert.deepEqual(arr(bitwiseRightShift(x, s)), [0, -1, -1, 0, -1, 0], `>> ${s}`);
      }
      assert.deepEqual(arr(bitwiseLeftShift(x, 31)), [-(2 ** 31), -(2 ** 31), 0, 0, 0, -(2 ** 31)]);
      assert.deepEqual(arr(bitwiseLeftShift(3, i32([0, 1, 4]))), [3, 6, 48]);
    }));

    test("gcd and lcm follow C's int32 arithmetic at the edges, as PyTorch 1.13", on(() => {
      // torch.gcd(tensor([-2**31, -2**31, 0]), tensor([6, 0, 0])) and torch.lcm(46341, 46343) (overflow wraps)
      assert.deepEqual(arr(gcd(i32([-(2 ** 31), -(2 ** 31), 0]), i32([6, 0, 0]))), [-2, -(2 ** 31), 0]);
      assert.deepEqual(arr(lcm(i32([2 ** 20, 46341, 0]), i32([2 ** 15 + 1, 46343, 5]))), [1048576, 2147386333, 0]);
      assert.deepEqual(arr(gcd(i32([12, -18]), 8)), [4, 2]);
      assert.deepEqual(arr(i32([12, -18]).lcm(i32([8]))), [24, 72]);
    }));

    test("float ops: bad input", on(() => {
      throwsTensile(() => nextafter(i32([1]), i32([2])), /^nextafter: .*int32/);
      throwsTensile(() => frexp(i32([1])), /^frexp: .*floating-point/);
      throwsTensile(() => positive(tensor([true])), /^positive: .*bool/);
      throwsTensile(() => ldexp(f32([1]), "a" as never), /^ldexp: /);
      throwsTensile(() => copysign(f32([1, 2]), f32([1, 2, 3])), /^copysign: /);
      throwsTensile(() => mvlgamma(f32([3]), 0), /^mvlgamma: p has to be greater than or equal to 1, got 0/);
      throwsTensile(() => mvlgamma(f32([3]), 1.5), /^mvlgamma: expected p to be an integer, got 1.5/);
      throwsTensile(() => special.multigammaln(f32([3]), -2), /^special\.multigammaln: p has to be/);
      throwsTensile(() => i0("x" as never), /^i0: input must be a Tensor/);
      throwsTensile(() => special.erfcx(null as never), /^special\.erfcx: input must be a Tensor/);
      throwsTensile(() => special.round(f32([1]), { decimals: 0.5 }), /^special\.round: expected decimals to be an integer/);
      throwsTensile(() => special.round(i32([1]), { decimals: 2 }), /^special\.round: decimals needs a floating-point tensor/);
      throwsTensile(() => special.softmax(f32([1]), 0, { dtype: "int32" }), /^special\.softmax: expected dtype to be float32 or float64/);
    }));

    test("zeta: backward through x is an error (as in PyTorch), through q works", on(() => {
      const x = f64([2.5, 3]), q = f64([1.5, 2]);
      x.requiresGrad = true;
      q.requiresGrad = true;
      throwsTensile(() => special.zeta(x, q).sum().backward(), /^special\.zeta: the derivative with respect to x/);
      const q2 = f64([1.5, 2]);
      q2.requiresGrad = true;
      special.zeta(f64([2.5, 3]), q2).sum().backward();
      // d/dq ζ(x, q) = −x·ζ(x + 1, q)
      const want = arr(special.zeta(f64([3.5, 4]), f64([1.5, 2]))).map((v, i) => -[2.5, 3][i]! * v);
      arr(q2.grad!).forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-14, `${v} vs ${want[i]}`));
    }));

    test("gammainc, gammaincc: backward through a is an error (as in PyTorch), through x is the gamma density", on(() => {
      for (const [name, f] of [["gammainc", special.gammainc], ["gammaincc", special.gammaincc]] as const) {
        const a = f64([2.5, 1]), x = f64([1.5, 3]);
        a.requiresGrad = true;
        x.requiresGrad = true;
        throwsTensile(() => f(a, x).sum().backward(), new RegExp(`^special\\.${name}: the derivative with respect to a \\(the first argument\\) is not implemented`));
        const x2 = f64([1.5, 3]);
        x2.requiresGrad = true;
        f(f64([2.5, 1]), x2).sum().backward();
        // ∂P/∂x = x^(a−1)e^(−x)/Γ(a): Γ(2.5) = 3√π/4, Γ(1) = 1
        const want = [Math.sqrt(1.5) * 1.5 * Math.exp(-1.5) / (0.75 * Math.sqrt(Math.PI)), Math.exp(-3)].map((v) => (name === "gammainc" ? v : -v));
        arr(x2.grad!).forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-14, `${name}: ${v} vs ${want[i]}`));
      }
      // mpmath: P(2.5, 1.5) = 0.3000141641213725
      assert.ok(Math.abs(arr(special.gammainc(2.5, f64([1.5])))[0]! - 0.3000141641213725) < 1e-15);
      assert.ok(Math.abs(arr(special.gammaincc(f64([2.5]), 1.5))[0]! - 0.6999858358786275) < 1e-15);
      throwsTensile(() => special.gammainc(i32([1, 2]), i32([1, 2])), /^special\.gammainc: not implemented for int32 operands/);
      throwsTensile(() => special.gammaincc(i32([1, 2]), 2), /^special\.gammaincc: not implemented for int32/);
      throwsTensile(() => special.gammainc(f32([1, 2]), f32([1, 2, 3])), /^special\.gammainc: /);
      throwsTensile(() => special.gammainc(f32([1]), "a" as never), /^special\.gammainc: /);
      assert.equal(special.gammainc(i32([1, 2]), f32([1, 2])).dtype, "float32");
    }));

    test("the Bessel functions and polynomials are constants to autograd, as in PyTorch 1.13", on(() => {
      const x = f64([0.5, 1.5]);
      x.requiresGrad = true;
      const fns = special as unknown as Record<string, (...a: unknown[]) => Tensor>;
      for (const name of ["airyAi", "besselJ0", "besselJ1", "besselY0", "besselY1", "modifiedBesselI0", "modifiedBesselI1", "modifiedBesselK0",
        "modifiedBesselK1", "scaledModifiedBesselK0", "scaledModifiedBesselK1", "sphericalBesselJ0"]) {
        const y = fns[name]!(x);
        assert.equal(y.requiresGrad, false, name);
        assert.throws(() => y.sum().backward(), TensileError, name);
      }
      for (const name of ["chebyshevPolynomialT", "chebyshevPolynomialU", "chebyshevPolynomialV", "chebyshevPolynomialW", "shiftedChebyshevPolynomialT",
        "shiftedChebyshevPolynomialU", "shiftedChebyshevPolynomialV", "shiftedChebyshevPolynomialW", "hermitePolynomialH", "hermitePolynomialHe",
        "laguerrePolynomialL", "legendrePolynomialP"]) {
        const n = f64([2, 3]);
        n.requiresGrad = true;
        assert.equal(fns[name]!(x, n).requiresGrad, false, name);
        assert.equal(fns[name]!(x, 3).requiresGrad, false, name);
        throwsTensile(() => fns[name]!(0.5, 3), new RegExp(`^special\\.${name}: expected x or n to be a Tensor, got 0\\.5 and 3|^special\\.${name}: expected x or n to be a Tensor`));
        throwsTensile(() => fns[name]!(x, "a"), new RegExp(`^special\\.${name}: `));
        throwsTensile(() => fns[name]!(f64([1, 2]), f64([1, 2, 3])), new RegExp(`^special\\.${name}: `));
      }
      throwsTensile(() => special.besselJ0("x" as never), /^special\.besselJ0: input must be a Tensor/);
      // int inputs promote to float32, float64 stays
      assert.equal(special.modifiedBesselK0(i32([1, 2])).dtype, "float32");
      assert.equal(special.hermitePolynomialH(i32([1, 2]), 3).dtype, "float32");
      assert.equal(special.legendrePolynomialP(f32([0.5]), f64([2])).dtype, "float64");
    }));

    test("polynomials: huge degrees stay fast (trigonometric forms, early NaN) and truncate like PyTorch's int64 cast", on(() => {
      assert.deepEqual(arr(special.chebyshevPolynomialT(f64([0.5, 2, 3]), 1e9)).map((v) => Number.isNaN(v) ? "NaN" : Math.round(v * 1e6) / 1e6),
        [Math.round(Math.cos(1e9 * Math.acos(0.5)) * 1e6) / 1e6, "NaN", "NaN"]);
      assert.deepEqual(arr(special.hermitePolynomialH(f64([1, 1, 1, 1]), f64([2.9, -0.5, NaN, 1e19]))), [2, 1, 0, 0]);
    }));

    test("J0, J1, Y0, Y1 and Ai in float64 against mpmath: absolute error below 1e-12 (PyTorch 1.13's kernels err by up to 3e-6)", on(() => {
      const ref: Record<string, [number, number][]> = {
        besselJ0: [[-20, 0.16702466434058316], [-5.5, -0.006843869417819197], [2.4048, 1.3268284301171568e-05], [11.9, 0.025049441699589645], [12.1, 0.06966677360680731], [40, 0.00736689058423729]],
        besselJ1: [[-20, -0.06683312417585005], [-7.01, 0.001677306998936163], [3.8, 0.0128210029267317], [11.9, -0.22898324966192404], [12.1, -0.2157489733769248], [40, 0.126038318037585]],
        besselY0: [[0.01, -3.005455637083646], [0.9, 0.005628306635205559], [7.1, 0.004181793191711063], [11.9, -0.22983321394337505], [12.1, -0.2184383805509255], [40, 0.12593641705826092]],
        besselY1: [[0.01, -63.67859628206065], [2.2, 0.0014877892897633682], [5.4, 0.010127266682499378], [11.9, -0.03471149833403061], [12.1, -0.07873693145139575], [40, -0.005793505821549633]],
        airyAi: [[-20, -0.1764061270779847], [-7.01, 0.19192549157490055], [-6.99, 0.17650718858113895], [-2.3, 0.02670633305735697], [0, 0.3550280538878172], [0.99, 0.13689065924593272], [1.01, 0.13370770246895858], [5, 0.00010834442813607442], [20, 1.6916728686705404e-27]],
      };
      const fns = special as unknown as Record<string, (x: Tensor) => Tensor>;
      for (const [name, pts] of Object.entries(ref)) {
        const got = arr(fns[name]!(f64(pts.map((p) => p[0]))));
        pts.forEach(([x, want], i) => {
          const err = Math.abs(got[i]! - want);
          assert.ok(err < 1e-12 * Math.max(1, Math.abs(want)) && (Math.abs(want) > 1e-20 || Math.abs(got[i]! / want - 1) < 1e-12),
            `special.${name}(${x}) = ${got[i]}, mpmath ${want} (error ${err})`);
        });
      }
    }));

    test("frexp: named fields, exact bits, and the mantissa gradient 2^−e even where PyTorch's float32 exp2 overflows", on(() => {
      const x = f64([1e300, 5e-324, -3, 0]);
      x.requiresGrad = true;
      const r = frexp(x);
      assert.equal(r.mantissa, r[0]);
      assert.equal(r.exponent, r[1]);
      assert.equal(r.exponent.dtype, "int32");
      assert.deepEqual(arr(r.exponent), [997, -1073, 2, 0]);
      arr(r.mantissa).forEach((m, i) => assert.equal(m * 2 ** arr(r.exponent)[i]!, [1e300, 5e-324, -3, 0][i]));
      r.mantissa.sum().backward();
      assert.deepEqual(arr(x.grad!), [2 ** -997, Infinity, 0.25, 1]);
      const [m, e] = f32([3e38, 1e-45]).frexp();
      assert.deepEqual([arr(m)[0], arr(e)], [Math.fround(3e38) / 2 ** 128, [128, -148]]);
    }));

    test("nextafter steps one ulp in the dtype, copysign reads the sign of −0", on(() => {
      assert.deepEqual(arr(nextafter(f64([1, 0, -0]), f64([2, -1, 1]))), [1 + 2 ** -52, -Number.MIN_VALUE, Number.MIN_VALUE]);
      assert.deepEqual(arr(f32([1]).nextafter(0)), [1 - 2 ** -24]);
      const c = copysign(f32([1, 2, 3]), f32([-0, 0, -Infinity]));
      assert.deepEqual(arr(c), [-1, 2, -3]);
      assert.equal(copysign(i32([1, -2]), -1).dtype, "float32");
    }));

    test("ldexp computes 2^e in the result's dtype (PyTorch 1.13: in float32, ∞ from e = 128)", on(() => {
      const y = ldexp(f64([1.5, 1]), i32([200, -1074]));
      assert.deepEqual(arr(y), [1.5 * 2 ** 200, 2 ** -1074]);
      assert.equal(ldexp(i32([3]), 2).dtype, "float32");
      assert.deepEqual(arr(f32([3]).ldexp(i32([2]))), [12]);
    }));

    test("ndtr is accurate in the lower tail (PyTorch 1.13's ½(1 + erf) gives 0 from x ≈ −8.3)", on(() => {
      const [a, b] = arr(special.ndtr(f64([-10, -37])));
      assert.ok(Math.abs(a! / 7.619853024160525e-24 - 1) < 1e-14, String(a));
      assert.ok(Math.abs(b! / 5.725571222524577e-300 - 1) < 1e-14, String(b));
      assert.ok(Math.abs(arr(special.ndtr(f32([-10])))[0]! / 7.6198530e-24 - 1) < 1e-6);
    }));

    test("float64 accuracy against mpmath (50 digits): relative error below 1e-14", on(() => {
      const ref: Record<string, [number, number][]> = {
        erfcx: [[-26.5, 1.924553162418569e305], [-10, 5.376234283632271e43], [-3, 16205.988853999586], [-0.5, 1.952360489182557], [0, 1], [0.3, 0.7345993345676551], [0.99, 0.4303312130641483], [1, 0.427583576155807], [1.7, 0.2916632970753435], [5, 0.11070463773306863], [12, 0.04685422101489376], [49.9, 0.011304135492993413], [50.1, 0.011259027200185286], [1000, 0.0005641893014533876], [1e9, 5.641895835477563e-10]],
        logNdtr: [[-10000, -50000010.12927891], [-200, -20006.21728089819], [-38, -726.5572160188201], [-5, -15.064998393988725], [-1.0001, -1.8411741625414106], [-0.9999, -1.8408691354861395], [0, -0.6931471805599453], [3, -0.0013508099647481938], [8, -6.220960574271786e-16], [30, -4.906713927148187e-198]],
        ndtri: [[1e-300, -37.0470962993612], [1e-50, -14.933337534788489], [1e-16, -8.222082216130435], [0.01, -2.326347874040841], [0.134, -1.1076800921478003], [0.136, -1.0984684203398627], [0.5, 0], [0.8, 0.8416212335729144], [0.99, 2.3263478740408408], [0.999999999999999, 7.941444487415978]],
        ndtr: [[-37, 5.725571222524577e-300], [-10, 7.619853024160525e-24], [-1.5, 0.06680720126885807], [-0.5, 0.3085375387259869], [0.7, 0.758036347776927], [1.5, 0.9331927987311419], [6, 0.9999999990134123], [9, 1]],
        i0e: [[-700, 0.015081295651531358], [-30, 0.0731459464822373], [-8, 0.14343178185685032], [-1e-5, 0.9999900000749996], [0, 1], [2, 0.30850832255367105], [7.999, 0.14344107205089568], [8.001, 0.14342249347357044], [100000, 0.0012615678379767768]],
        i1: [[-300, -4.468381385036955e128], [-8.5, -641.6199025400667], [-1, -0.565159103992485], [1e-10, 5e-11], [0.5, 0.2578943053908963], [7.9, 363.8539440845084], [20, 42454973.38512777], [700, 1.5285003902339006e302]],
        i1e: [[-1e6, -0.0003989421307980308], [-40, -0.062482229074442064], [-8, -0.13414249329269817], [-1e-8, -4.99999995e-9], [3, 0.19682671329730086], [9, 0.1272249839358912], [150, 0.032491896388848945]],
        i0: [[-500, 2.504809476570078e215], [-8, 427.5641157218048], [-0.1, 1.0025015629340956], [0, 1], [3, 4.8807925858650245], [8.0001, 427.60410492344266], [60, 5.894077055609801e24], [700, 1.5295933476718737e302]],
      };
      const fns = special as unknown as Record<string, (x: Tensor) => Tensor>;
      for (const [name, pts] of Object.entries(ref)) {
        const got = arr(fns[name]!(f64(pts.map((p) => p[0]))));
        pts.forEach(([x, want], i) => {
          const err = want === 0 ? Math.abs(got[i]!) : Math.abs(got[i]! / want - 1);
          assert.ok(err < 1e-14, `special.${name}(${x}) = ${got[i]}, mpmath ${want} (relative error ${err})`);
        });
      }
    }));

    test("second derivatives (createGraph) of the Bessel functions and erfcx match their closed forms", on(() => {
      const xs = [-2.5, -0.3, 0.7, 3];
      // i0'' = i1' = i0 − i1/x;  erfcx'' = 2·erfcx + 2x·erfcx'
      const x = f64(xs);
      x.requiresGrad = true;
      const [g1] = grad([i0(x).sum()], [x], { createGraph: true });
      const [g2] = grad([g1!.sum()], [x]);
      const I0 = arr(i0(f64(xs))), I1 = arr(special.i1(f64(xs)));
      arr(g2!).forEach((v, i) => assert.ok(Math.abs(v - (I0[i]! - I1[i]! / xs[i]!)) < 1e-12, `i0'' at ${xs[i]}`));
      const y = f64(xs);
      y.requiresGrad = true;
      const [h1] = grad([special.erfcx(y).sum()], [y], { createGraph: true });
      const [h2] = grad([h1!.sum()], [y]);
      const E = arr(special.erfcx(f64(xs))), E1 = arr(h1!);
      arr(h2!).forEach((v, i) => assert.ok(Math.abs(v - (2 * E[i]! + 2 * xs[i]! * E1[i]!)) < 1e-10 * Math.max(1, Math.abs(v)), `erfcx'' at ${xs[i]}`));
    }));

    test("window functions: bad arguments", on(() => {
      for (const [name, f] of [["hannWindow", hannWindow], ["hammingWindow", hammingWindow], ["bartlettWindow", bartlettWindow],
        ["blackmanWindow", blackmanWindow], ["kaiserWindow", kaiserWindow]] as const) {
        throwsTensile(() => f(-1), new RegExp(`^${name}: requires non-negative windowLength, got windowLength=-1`));
        throwsTensile(() => f(2.5), new RegExp(`^${name}: expected windowLength to be an integer, got 2.5`));
        throwsTensile(() => f(4, { dtype: "int32" }), new RegExp(`^${name}: expects floating point dtypes, got int32`));
        throwsTensile(() => f(4, { periodic: "yes" as never }), new RegExp(`^${name}: expected periodic to be a boolean`));
        throwsTensile(() => f(4, "a" as never), new RegExp(`^${name}: `));
        assert.deepEqual(arr(f(4, null)), arr(f(4)));
        assert.equal(f(3, { dtype: "float64", requiresGrad: true }).requiresGrad, true);
      }
      throwsTensile(() => hammingWindow(4, { alpha: "x" as never }), /^hammingWindow: expected alpha to be a number/);
      throwsTensile(() => kaiserWindow(4, { beta: "x" as never }), /^kaiserWindow: expected beta to be a number/);
    }));

    test("Tensor methods match the functions", on(() => {
      const a = i32([12, -7, 5]), b = i32([18, 3, -1]);
      assert.deepEqual(arr(a.gcd(b)), arr(gcd(a, b)));
      assert.deepEqual(arr(a.bitwiseAnd(b)), [12 & 18, -7 & 3, 5 & -1]);
      assert.deepEqual(arr(a.bitwiseOr(b)), [12 | 18, -7 | 3, 5 | -1]);
      assert.deepEqual(arr(a.bitwiseXor(b)), [12 ^ 18, -7 ^ 3, 5 ^ -1]);
      assert.deepEqual(arr(a.bitwiseNot()), [~12, ~-7, ~5]);
      assert.deepEqual(arr(a.bitwiseLeftShift(2)), [48, -28, 20]);
      assert.deepEqual(arr(a.bitwiseRightShift(1)), [6, -4, 2]);
      const x = f64([0.5, -2]);
      assert.equal(x.positive(), x);
      assert.deepEqual(arr(x.copysign(-1)), [-0.5, -2]);
      assert.deepEqual(arr(x.i0()), arr(i0(x)));
      assert.deepEqual(arr(f64([3, 4]).mvlgamma(2)), arr(special.multigammaln(f64([3, 4]), 2)));
    }));
  });
}
