/**
 * torchvision.utils.make_grid / save_image (`utils.makeGrid`, `utils.saveImage`, added for this
 * port: the DCGAN tutorial's img_list and the VAE example's sample images) against torchvision 0.14
 * and PIL (fixtures from tools/gen-port-generative-fixtures.py's `grid_cases`), on both backends.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { getBackend, setBackend, tensor } from "../src/core.js";
import * as utils from "../src/utils/index.js";
import type { MakeGridOptions } from "../src/utils/index.js";
import { backendsUnderTest } from "./helpers/backends.js";
import { gradcheck } from "./helpers/gradcheck.js";
import { assertThrowsTensile } from "./nn-helpers.js";
import { closeTo, fx, t64 } from "./port-generative-program.js";

const before = getBackend();
after(() => setBackend(before));
const grids = fx.grids;
const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The pixels of a PNG written by encodePng (8-bit, filter 0 on every row), for the comparison with PIL's. */
function pngPixels(png: Uint8Array): { width: number; height: number; channels: number; pixels: Uint8Array } {
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let at = 8, width = 0, height = 0, channels = 0;
  const idat: Uint8Array[] = [];
  while (at < png.length) {
    const len = dv.getUint32(at), type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const body = png.subarray(at + 8, at + 8 + len);
    if (type === "IHDR") [width, height, channels] = [dv.getUint32(at + 8), dv.getUint32(at + 12), ({ 0: 1, 2: 3, 6: 4 } as Record<number, number>)[body[9]!]!];
    if (type === "IDAT") idat.push(body);
    at += 12 + len;
  }
  const joined = new Uint8Array(idat.reduce((n, b) => n + b.length, 0));
  idat.reduce((o, b) => (joined.set(b, o), o + b.length), 0);
  const raw = inflateSync(joined);
  const stride = width * channels, pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    assert.equal(raw[y * (stride + 1)], 0, "filter byte");
    pixels.set(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)), y * stride);
  }
  return { width, height, channels, pixels };
}

for (const backend of backendsUnderTest()) {
  describe(`port generative: torchvision.utils.make_grid / save_image (${backend.name})`, () => {
    test("makeGrid matches torchvision on every option set (positional and options forms)", () => {
      setBackend(backend.name);
      for (const c of grids.cases) {
        const opts = Object.fromEntries(Object.entries(c.options).map(([k, v]) => [camel(k), v])) as MakeGridOptions;
        closeTo(utils.makeGrid(t64(c.input), opts), c.grid, 1e-12, c.name);
      }
      // positional, as torchvision's signature: make_grid(x, nrow, padding, normalize, value_range, scale_each, pad_value)
      const c = grids.cases.find((g) => g.name === "normalize, value range")!;
      closeTo(utils.makeGrid(t64(c.input), 3, 2, true, [0.2, 0.7]), c.grid, 1e-12, "positional");
      // a list of images is stacked first
      const d = grids.cases.find((g) => g.name === "defaults")!;
      const x = t64(d.input);
      closeTo(utils.makeGrid([x.select(0, 0), x.select(0, 1), x.select(0, 2)]), d.grid, 0, "list of images");
    });

    test("the tutorial's img_list grid: makeGrid(G(fixed_noise), {padding: 2, normalize: true}); differentiable", () => {
      setBackend(backend.name);
      closeTo(utils.makeGrid(t64(fx.gan.fixedTrain), { padding: 2, normalize: true }), fx.gan.grid, 1e-12, "img_list grid");
      const imgs = t64(fx.gan.fixedTrain).requiresGrad_();
      utils.makeGrid(imgs, { nrow: 4, padding: 1 }).sum().backward();
      // every pixel appears once per colour channel: the one-channel images are repeated into RGB
      assert.deepEqual([...new Set(Array.from(imgs.grad!.dataSync(), Number))], [3]);
    });

    test("saveImage writes the pixels torchvision's save_image writes (PIL), as RGB", () => {
      setBackend(backend.name);
      const s = grids.saveImage;
      const dir = mkdtempSync(join(tmpdir(), "tensile-grid-"));
      try {
        const path = join(dir, "samples.png");
        utils.saveImage(t64(s.input), path, { nrow: s.nrow });
        const png = pngPixels(new Uint8Array(readFileSync(path)));
        assert.equal(s.mode, "RGB");
        assert.deepEqual([png.width, png.height, png.channels], [...s.size, 3]);
        assert.deepEqual(Array.from(png.pixels), s.pixels.data);
        assert.deepEqual(utils.imagePng(t64(s.input), { nrow: s.nrow }), new Uint8Array(readFileSync(path)));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

describe("port generative: makeGrid / saveImage refusals", () => {
  test("bad arguments name the function and the value", () => {
    const x = tensor(new Float32Array(2 * 1 * 4 * 4), { shape: [2, 1, 4, 4] });
    assertThrowsTensile(() => utils.makeGrid(x, { nrow: 0 }), /^makeGrid: nrow must be a positive integer, got 0$/);
    assertThrowsTensile(() => utils.makeGrid(x, { padding: -1 }), /^makeGrid: padding must be an integer ≥ 0, got -1$/);
    assertThrowsTensile(() => utils.makeGrid(x, { normalize: true, valueRange: [0] as never }), /^makeGrid: valueRange has to be a pair \[min, max\]/);
    assertThrowsTensile(() => utils.makeGrid(x, { value_range: [0, 1] } as never), /^makeGrid: unknown option "value_range"/);
    assertThrowsTensile(() => utils.makeGrid(x.view(2, 1, 2, 2, 4)), /^makeGrid: expected images of shape \[B, C, H, W\], \[C, H, W\] or \[H, W\], got \[2, 1, 2, 2, 4\]$/);
    assertThrowsTensile(() => utils.makeGrid([x, 3] as never), /^makeGrid: tensor or list of tensors expected/);
    assertThrowsTensile(() => utils.imagePng(tensor(new Float32Array(2 * 2 * 4 * 4), { shape: [2, 2, 4, 4] })), /^saveImage: images need 1, 3 or 4 channels, got a grid of shape \[2, 8, 14\]$/);
  });
});

describe("port generative: makeGrid gradcheck", () => {
  test("float64 gradcheck: plain, and normalize with a valueRange", () => {
    const imgs = t64(grids.cases[2]!.input).narrow(0, 0, 3).narrow(2, 0, 3).narrow(3, 0, 4).contiguous();
    gradcheck((x) => utils.makeGrid(x, { nrow: 2, padding: 1, padValue: 0.5 }), imgs, "makeGrid");
    gradcheck((x) => utils.makeGrid(x, 2, 1, true, [0.2, 0.7]), t64(grids.cases[3]!.input).narrow(0, 0, 3).narrow(2, 0, 3), "makeGrid valueRange");
    // (normalize without valueRange reads the min and max as numbers, as torchvision's float(t.min()):
    // the range is a constant to autograd there, so finite differences would not agree, in torch either)
  });
});
