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
