// A small float64 gradcheck for tests beyond the op table (which runs its own).
import assert from "node:assert/strict";
import * as T from "../../src/index.js";

/**
 * Central differences of sum(f(x)·w) against autograd, in float64 on the reference backend; w is a
 * fixed non-uniform weighting, so each output element counts. f gets a leaf that requires grad at
 * the perturbed points too (it may take a gradient itself: second derivatives).
 */
export function gradcheck(f: (x: T.Tensor) => T.Tensor, x0: T.Tensor, what: string): void {
  T.withBackend("reference", () => {
    const x = x0.detach().clone().requiresGrad_();
    const y = f(x);
    const w = T.tensor(Array.from({ length: y.numel() }, (_, i) => Math.sin(1 + i * 0.7)), { dtype: "float64" }).reshape(y.shape);
    y.mul(w).sum().backward();
    const analytic = x.grad!.dataSync();
    const base = Float64Array.from(x0.dataSync());
    const eps = 1e-6;
    for (let i = 0; i < base.length; i++) {
      const at = (v: number) => {
        const a = Float64Array.from(base);
        a[i] = v;
        return f(T.tensor(a, { shape: [...x0.shape] }).requiresGrad_()).detach().mul(w).sum().item();
      };
      const numeric = (at(base[i]! + eps) - at(base[i]! - eps)) / (2 * eps);
      assert.ok(Math.abs(analytic[i]! - numeric) <= 1e-5 + 1e-4 * Math.abs(numeric), `${what}: element ${i}: analytic ${analytic[i]}, numeric ${numeric}`);
    }
  });
}

/**
 * Second order: Σ(∂/∂x Σ f(x)·u)·v by autograd (createGraph), against central differences of the
 * first derivative, in float64 on the reference backend; x0 laid out as `shape` (1-D by default).
 */
export function gradgradcheck(f: (x: T.Tensor) => T.Tensor, x0: number[], what: string, shape: number[] = [x0.length]): void {
  T.withBackend("reference", () => {
    const f64 = (v: number[], rg = false) => T.tensor(v, { shape, dtype: "float64", requiresGrad: rg });
    const v = f64(x0.map((_, i) => Math.sin(2 + 0.5 * i)));
    const first = (x: T.Tensor, createGraph: boolean) => {
      const y = f(x);
      const u = T.tensor(Array.from({ length: y.numel() }, (_, i) => Math.cos(1 + i)), { dtype: "float64" }).reshape([...y.shape]);
      return T.grad(y.mul(u).sum(), [x], { createGraph })[0]!;
    };
    const x = f64(x0, true);
    const [analytic] = T.grad(first(x, true).mul(v).sum(), [x]);
    const eps = 1e-6;
    for (let i = 0; i < x0.length; i++) {
      const at = (d: number) => first(f64(x0.map((e, j) => (j === i ? e + d : e)), true), false).mul(v).sum().item();
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      const a = analytic!.dataSync()[i]!;
      assert.ok(Math.abs(a - numeric) <= 1e-5 + 1e-4 * Math.abs(numeric), `${what}: element ${i}: analytic ${a}, numeric ${numeric}`);
    }
  });
}
