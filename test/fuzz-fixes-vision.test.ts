// Regression tests for the bugs the image-transform differential-fuzzing pass found (tools/fuzz/ family
// vision, torchvision 0.14; /tmp/report-fuzzvision.md): `transforms.centerCrop` rounded its offset
// half-up (torchvision: Python's round, halves to even), `transforms.resize` / `gaussianBlur` on int32
// (uint8) images went through x / 255 and back (torchvision works on the bytes, so results that land on
// a half rounded the other way), `functional.adjustSharpness` / `gaussianBlur` built float64 images'
// kernels in float32, and `transforms.pad` accepted reflect pads as long as the side. Expected values
// are torchvision's, in fixtures/fuzz-fixes-vision.json (tools/gen-fuzz-fixes-vision-fixtures.py), on
// every backend.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import * as T from "../src/index.js";
import { type TensorSpec, assertClose, makeTensor } from "./helpers/fixtures.js";
import { gradcheck } from "./helpers/gradcheck.js";
import { backendsUnderTest } from "./helpers/backends.js";

/* eslint-disable @typescript-eslint/no-explicit-any */
const fx = JSON.parse(readFileSync(fileURLToPath(new URL("../fixtures/fuzz-fixes-vision.json", import.meta.url)), "utf8")) as any;
const TR = T.data.transforms;
const TF = TR.functional;
const forEachBackend = (fn: (name: string) => void) => {
  for (const b of backendsUnderTest()) T.withBackend(b, () => fn(b.name));
};
const load = (spec: TensorSpec) => makeTensor(spec).leaf;
const exact = (what: string, got: unknown, spec: TensorSpec) => {
  assert.ok(got instanceof T.Tensor, `${what}: not a tensor`);
  assertClose(what, got, spec, 0, 0);
};

test("transforms.centerCrop: offsets round halves to even, too-small sides pad first (torchvision's center_crop)", () => {
  forEachBackend((b) => {
    for (const c of fx.centerCrop) exact(`${b} centerCrop [${c.x.shape}] to [${c.size}]`, TR.centerCrop(c.size)(load(c.x)), c.out);
    // the float functional form agrees
    for (const c of fx.centerCrop) {
      const x = load(c.x).to("float32");
      exact(`${b} F.centerCrop [${c.x.shape}] to [${c.size}]`, TF.centerCrop(x, c.size).to("int32"), c.out);
    }
  });
});

test("transforms.resize on int32 (uint8) images: the bytes are resampled and rounded as torchvision's uint8 kernel", () => {
  assert.ok(fx.resizeU8.some((c: any) => c.detourDiffers > 0), "the fixture must hold results the x / 255 detour rounds differently");
  forEachBackend((b) => {
    for (const c of fx.resizeU8) {
      const y = TR.resize(c.size, { interpolation: c.mode, antialias: c.antialias })(load(c.x));
      const what = `${b} resize [${c.x.shape}] to [${c.size}] ${c.mode}${c.antialias ? " antialias" : ""}`;
      exact(what, y, c.out);
      // the float32 values before rounding: bit for bit for the plain linear and nearest kernels (PyTorch's
      // fma(lo, w0, w1·hi), λ from a double coordinate); bicubic and antialias sum their taps in another order
      const tol = c.mode === "bicubic" || c.antialias ? 2e-6 : 0;
      assertClose(`${what} (float)`, TF.resize(load(c.x).to("float32"), c.size, { interpolation: c.mode, antialias: c.antialias }), c.float, tol, tol ? 2e-4 : 0);
    }
  });
});

test("transforms.gaussianBlur on int32 (uint8) images: blurred on the byte scale and rounded", () => {
  forEachBackend((b) => {
    for (const c of fx.blurU8)
      exact(`${b} gaussianBlur [${c.x.shape}] k=${c.kernel} σ=${c.sigma}`, TR.gaussianBlur(c.kernel, c.sigma)(load(c.x)), c.out);
  });
});

test("adjustSharpness and gaussianBlur on float64 images use float64 kernels (torchvision casts before the outer product)", () => {
  forEachBackend((b) => {
    const x = load(fx.float64Kernels.x);
    for (const [f, out] of Object.entries<TensorSpec>(fx.float64Kernels.sharpness))
      assertClose(`${b} adjustSharpness ${f}`, TF.adjustSharpness(x, Number(f)), out, 1e-13, 1e-15);
    for (const c of fx.float64Kernels.blur)
      assertClose(`${b} gaussianBlur k=${c.kernel} σ=${c.sigma}`, TF.gaussianBlur(x, c.kernel, c.sigma), c.out, c.rtol, 1e-15);
  });
});

test("adjustSharpness, gaussianBlur and bilinear resize: float64 gradcheck", () => {
  const x0 = T.tensor(Array.from({ length: 5 * 6 }, (_, i) => 0.5 + 0.4 * Math.sin(i * 1.3)), { dtype: "float64" }).reshape([1, 5, 6]);
  gradcheck((x) => TF.adjustSharpness(x, 1.7), x0, "adjustSharpness");
  gradcheck((x) => TF.gaussianBlur(x, [3, 5], [0.8, 1.3]), x0, "gaussianBlur");
  gradcheck((x) => TF.resize(x, [7, 4], { interpolation: "bilinear" }), x0, "resize bilinear (w0·lo + w1·hi)");
});

test("transforms.pad refuses reflect pads as long as the side, as torch's reflection pad", () => {
  const p = fx.padReflect;
  assert.match(p.tooWide.error, /Padding size should be less than the corresponding input dimension/);
  forEachBackend((b) => {
    const x = load(p.x);
    exact(`${b} pad reflect ${p.ok.padding}`, TR.pad(p.ok.padding, { paddingMode: "reflect" })(x), p.ok.out);
    for (const k of ["tooWide", "tooTall"])
      assert.throws(() => TR.pad(p[k].padding, { paddingMode: "reflect" })(x),
        (e: unknown) => e instanceof T.TensileError && /^pad: padding size should be less than the corresponding input dimension, got padding \[/.test(e.message), `${b} ${k}`);
  });
});
