/**
 * Writes fixtures/safetensors/tensile-net.safetensors: the weights of the text's network
 * (fc1: 784 → 32, relu, fc2: 32 → 10) from closed formulas, saved by Tensile. The Python side
 * (tools/gen-safetensors-fixtures.py) reads the file with torch/numpy, checks every weight against
 * the same formulas and records PyTorch's logits; test/io-interop.test.ts rebuilds these bytes and
 * requires them to equal the committed file, so that check keeps applying.
 *
 *   node --import tsx tools/make-tensile-safetensors.ts && /usr/bin/python3 tools/gen-safetensors-fixtures.py
 *
 * Every value is a float64 quotient of small integers rounded once to float32, which numpy
 * reproduces exactly.
 */
import { tensor } from "../src/core.js";
import type { Tensor } from "../src/core.js";
import { saveBytes } from "../src/io/safetensors.js";

export const NET = { inFeatures: 784, hidden: 32, outFeatures: 10 };

function grid(rows: number, cols: number, f: (i: number, j: number) => number): Tensor {
  const a = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) a[i * cols + j] = f(i, j);
  return tensor(a, { shape: cols === 1 ? [rows] : [rows, cols] });
}

/** The formulas (mirrored in tools/gen-safetensors-fixtures.py). */
export function tensileNetStateDict(): Record<string, Tensor> {
  const { inFeatures: n, hidden: h, outFeatures: o } = NET;
  return {
    "fc1.weight": grid(h, n, (i, j) => (((i * 37 + j * 11) % 97) - 48) / 1000),
    "fc1.bias": grid(h, 1, (i) => (((i * 7) % 13) - 6) / 100),
    "fc2.weight": grid(o, h, (i, j) => (((i * 5 + j * 3) % 17) - 8) / 50),
    "fc2.bias": grid(o, 1, (i) => ((i % 5) - 2) / 10),
  };
}

/** Test inputs shared by both fixtures: x[n][j] = ((n·131 + j·29) mod 256) / 255, n < 4. */
export function fixtureInputs(count = 4): Tensor {
  return grid(count, NET.inFeatures, (i, j) => ((i * 131 + j * 29) % 256) / 255);
}

export function tensileNetBytes(): Uint8Array {
  return saveBytes(tensileNetStateDict(), { metadata: { format: "pt" } });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { writeFileSync } = await import("node:fs");
  const out = new URL("../fixtures/safetensors/tensile-net.safetensors", import.meta.url);
  const bytes = tensileNetBytes();
  writeFileSync(out, bytes);
  console.log(`wrote ${out.pathname} (${bytes.length} bytes)`);
}
