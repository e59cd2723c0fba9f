/**
 * Tensile side of the torch.save interop fixtures: writes fixtures/torchsave/tensile-written.pt with
 * `saveTorchBytes`, from values that do not depend on the backend (the MLP and the optimizer state
 * are read from PyTorch's own fixtures, the rest are constants). PyTorch then checks it:
 *
 *   node --import tsx tools/make-tensile-torchsave.ts
 *   /usr/bin/python3 tools/check-torchsave-roundtrip.py fixtures/torchsave/tensile-written.pt \
 *       --json fixtures/torchsave/tensile-written-torch-check.json
 *
 * test/io-torchsave.test.ts rebuilds the bytes, requires them to equal the committed file (so
 * PyTorch's check still applies) and compares PyTorch's description with the values written.
 */
import { readFileSync } from "node:fs";
import { Tensor, arange, tensor } from "../src/core.js";
import { loadTorchBytes, saveTorchBytes, type TorchDict } from "../src/io/index.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/torchsave/${name}`, import.meta.url));

/** The object written: a checkpoint-like dict touching every JS → Python mapping. */
export function tensileWrittenObject(): Record<string, unknown> {
  const ckpt = loadTorchBytes<TorchDict>(fixture("checkpoint.pt"));
  const shared = tensor([0.25, -4]);
  const grid = arange(24, { dtype: "float64" }).reshape([2, 3, 1, 4]);
  return {
    model: loadTorchBytes(fixture("mlp.pt")),
    optimizer: ckpt.optimizer,
    epoch: 7,
    lr: 0.001,
    name: "tensile ✓",
    none: null,
    flags: [true, false],
    ints: [0, -1, 255, 256, 65535, 65536, -2147483648, 2147483647, 2 ** 40, -(2 ** 53) + 1],
    big: 2n ** 64n,
    floats: [0.5, -0, NaN, Infinity, -Infinity, 1e-300, 2 ** 60],
    tensors: {
      f32: tensor([[1.5, -2], [3.25, 1e-30]]),
      f64: tensor([Math.PI, -1e300], { dtype: "float64" }),
      i32: tensor([-2147483648, 0, 2147483647], { dtype: "int32" }),
      bool: tensor([[true], [false]]),
      scalar: tensor(-7.5),
      empty: tensor(new Float32Array(0), { shape: [0, 3] }),
      transposed: grid.permute([3, 1, 0, 2]),
      long: arange(1200, { dtype: "int32" }),
    },
    tied: [shared, shared],
    map: new Map<unknown, unknown>([[1, "one"], ["two", 2], [false, [1, 2, 3]]]),
    "0": "an object key that looks like an int is written as one",
    many: Array.from({ length: 1001 }, (_, i) => i % 7),
  } satisfies Record<string, unknown> & { tied: Tensor[] };
}

export function tensileWrittenBytes(): Uint8Array {
  return saveTorchBytes(tensileWrittenObject());
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { writeFileSync } = await import("node:fs");
  const out = new URL("../fixtures/torchsave/tensile-written.pt", import.meta.url);
  const bytes = tensileWrittenBytes();
  writeFileSync(out, bytes);
  console.log(`wrote ${out.pathname} (${bytes.length} bytes)`);
}
