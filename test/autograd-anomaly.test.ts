/**
 * autograd anomaly detection (torch.autograd.detect_anomaly / set_detect_anomaly). The program of
 * the first test is PyTorch's textbook case: sqrt at 0 has an infinite derivative, times the zero
 * gradient of `y * 0`, so sqrt's rule returns NaN. torch 1.13 on the same program:
 * "Function 'SqrtBackward0' returned nan values in its 0th output." plus a warning with the
 * forward call's traceback; with check_nan=False x.grad is [nan, 0]. On every backend.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as T from "../src/index.js";
import { Tensor, tensor, withBackend, type FunctionCtx } from "../src/core.js";
import { TensileError } from "../src/errors.js";
import { backendsUnderTest } from "./helpers/backends.js";

const { detectAnomaly, setDetectAnomaly, isAnomalyEnabled } = T.autograd;

/** The forward op of every test below is made on a line of this function, so the stack names it. */
function sqrtTimesZero(): { x: Tensor; loss: Tensor } {
  const x = tensor([0, 4], { requiresGrad: true });
  const y = x.sqrt(); // the op whose backward makes the NaN
  return { x, loss: y.mul(0).sum() };
}

function throwsWith(fn: () => unknown, ...parts: (string | RegExp)[]): Error {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof Error, "expected an error");
  for (const p of parts) {
    if (typeof p === "string") assert.ok(caught.message.includes(p), `message lacks ${JSON.stringify(p)}:\n${caught.message}`);
    else assert.match(caught.message, p);
  }
  return caught;
}

for (const backend of backendsUnderTest()) {
  describe(`autograd anomaly detection on ${backend.name}`, () => {
    test("off: the NaN reaches x.grad silently, as in PyTorch", () => withBackend(backend, () => {
      const { x, loss } = sqrtTimesZero();
      loss.backward();
      const g = x.grad!.dataSync();
      assert.ok(Number.isNaN(g[0]!) && g[1] === 0, `x.grad = [${[...g]}]`);
    }));

    test("on: backward throws at the op whose rule made the NaN, naming it, its input, and the forward call", () => withBackend(backend, () => {
      const e = detectAnomaly(() => {
        const { loss } = sqrtTimesZero();
        return throwsWith(() => loss.backward(), "Function 'sqrt' returned nan values in its 0th output",
          "the forward call of 'sqrt'", /sqrtTimesZero .*autograd-anomaly\.test\.ts/);
      });
      assert.ok(e instanceof TensileError);
      assert.equal(isAnomalyEnabled(), false, "detectAnomaly restores the setting");
    }));

    test("the NaN is caught where it first appears, not where it ends up", () => withBackend(backend, () => {
      // b = a², c = b / b with a = [0, 1]: div's rule gives its first input 1/b = [inf, 1] and its
      // second −b/b² = [NaN, −1]; mul's rule, which would pass the NaN on, never runs. torch 1.13:
      // "Function 'DivBackward0' returned nan values in its 1st output."
      const a = tensor([0, 1], { requiresGrad: true });
      setDetectAnomaly(true);
      try {
        const b = a.mul(a);
        const c = b.div(b);
        throwsWith(() => c.sum().backward(), "Function 'div' returned nan values in its 1st output (the gradient for its input 1)");
      } finally {
        setDetectAnomaly(false);
      }
    }));

    test("checkNan: false records the stacks but lets NaN through", () => withBackend(backend, () => {
      detectAnomaly(() => {
        const { x, loss } = sqrtTimesZero();
        loss.backward();
        assert.ok(Number.isNaN(x.grad!.dataSync()[0]!));
      }, { checkNan: false });
    }));

    test("an error thrown by a backward rule gets the forward call of its op", () => withBackend(backend, () => {
      class Fails extends T.autograd.Function {
        static override forward(_ctx: FunctionCtx, x: Tensor): Tensor {
          return x.mul(2);
        }
        static override backward(): Tensor {
          throw new TensileError("Fails.backward: broken on purpose");
        }
      }
      const x = tensor([1, 2], { requiresGrad: true });
      const plain = Fails.apply(x).sum();
      const e1 = throwsWith(() => plain.backward(), "Fails.backward: broken on purpose");
      assert.ok(!e1.message.includes("Anomaly detection"), "off: the error is untouched");
      detectAnomaly(() => {
        const y = Fails.apply(x).sum();
        const e = throwsWith(() => y.backward(), "Fails.backward: broken on purpose", "Anomaly detection: the forward call of",
          "autograd-anomaly.test.ts");
        assert.ok(e instanceof TensileError, "keeps its class");
        assert.equal((e as { cause?: unknown }).cause instanceof TensileError, true, "the original is the cause");
      });
    }));

    test("an op recorded while it was off is named as such; gradients are unchanged when nothing is NaN", () => withBackend(backend, () => {
      const { loss } = sqrtTimesZero();
      detectAnomaly(() => throwsWith(() => loss.backward(), "recorded while anomaly detection was off"));
      const x = tensor([1, 4], { requiresGrad: true });
      detectAnomaly(() => x.sqrt().mul(x).sum().backward());
      assert.deepEqual([...x.grad!.dataSync()], [1.5, 3]); // d(x^1.5)/dx = 1.5·√x
    }));

    test("detectAnomaly restores the setting after a throw, nests, and holds across an async function", async () => {
      assert.throws(() => detectAnomaly(() => {
        throw new Error("inner");
      }), /inner/);
      assert.equal(isAnomalyEnabled(), false);
      detectAnomaly(() => {
        detectAnomaly(() => assert.equal(isAnomalyEnabled(), true), { checkNan: false });
        assert.equal(isAnomalyEnabled(), true);
      });
      const p = detectAnomaly(async () => {
        await new Promise((r) => setTimeout(r, 1));
        return isAnomalyEnabled();
      });
      assert.equal(await p, true);
      assert.equal(isAnomalyEnabled(), false);
    });
  });
}
