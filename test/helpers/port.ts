// Comparison helpers of the ported-program tests (test/port-*.test.ts): a fixture tensor spec as a
// Tensile tensor, and closeness to torch's numbers with a relative tolerance named in the message.
import assert from "node:assert/strict";
import * as T from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { type TensorSpec, decode } from "./fixtures.js";

/** A fixture tensor (torch's values, JSON-encoded) as a Tensile tensor, float64 unless it says otherwise. */
export const spec = (s: TensorSpec): Tensor => T.tensor(s.data.map(decode), { shape: s.shape, dtype: s.dtype ?? "float64" });

/** |got − want| ≤ atol + rtol·|want|, naming `what` and both values when not. */
export function close(what: string, got: number, want: number, rtol: number, atol = 0): void {
  assert.ok(Math.abs(got - want) <= atol + rtol * Math.abs(want), `${what}: got ${got}, torch ${want} (rtol ${rtol})`);
}

/** `close` element by element, after the shapes agree. */
export function closeTensor(what: string, got: Tensor, want: TensorSpec, rtol: number, atol = 0): void {
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  const g = got.dataSync(), w = want.data.map(decode);
  w.forEach((e, i) => close(`${what}[${i}]`, Number(g[i]), e, rtol, atol));
}

/** Arrays of numbers element by element within atol + rtol·|want|, after the lengths agree. */
export function assertNear(what: string, got: number[], want: number[], rtol: number, atol = 0): void {
  assert.equal(got.length, want.length, `${what}: length`);
  got.forEach((g, i) => {
    const w = want[i]!;
    if (!(Math.abs(g - w) <= atol + rtol * Math.abs(w))) assert.fail(`${what}[${i}]: got ${g}, torch ${w} (rtol ${rtol}, atol ${atol})`);
  });
}

/** Two tensors of the same shape and dtype, element by element as `assertNear`. */
export function assertTensorNear(what: string, got: Tensor, want: Tensor, rtol: number, atol: number): void {
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  assert.equal(got.dtype, want.dtype, `${what}: dtype`);
  assertNear(what, Array.from(got.dataSync(), Number), Array.from(want.dataSync(), Number), rtol, atol);
}
