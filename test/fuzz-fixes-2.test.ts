// Regressions found by the second differential-fuzzing pass (tools/fuzz/ families linalg, loss, seq,
// fft; /tmp/report-fuzz2.md). Expected values are torch 1.13's, computed with Debian's torch on this
// machine (the scripts are in the comments), on every backend.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as T from "../src/index.js";
import { gradcheck } from "./helpers/gradcheck.js";
import { backendsUnderTest } from "./helpers/backends.js";

const { tensor, F } = T;
const forEachBackend = (fn: (name: string) => void) => {
  for (const b of backendsUnderTest()) T.withBackend(b, () => fn(b.name));
};
const f64 = (data: number[], shape: number[]) => tensor(data, { shape, dtype: "float64" });

/** Elementwise equality within 1e-12 (relative), NaN equal to NaN, ±inf exactly. */
function near(what: string, got: T.Tensor, want: number[]): void {
  const g = Array.from(got.dataSync() as Float64Array);
  assert.equal(g.length, want.length, `${what}: length`);
  g.forEach((v, i) => {
    const w = want[i]!;
    if (Number.isNaN(w)) assert.ok(Number.isNaN(v), `${what}[${i}]: got ${v}, torch NaN`);
    else if (!Number.isFinite(w)) assert.equal(v, w, `${what}[${i}]: got ${v}, torch ${w}`);
    else assert.ok(Math.abs(v - w) <= 1e-12 + 1e-10 * Math.abs(w), `${what}[${i}]: got ${v}, torch ${w}`);
  });
}

// ---- nll_loss / cross_entropy: an ignored element whose input is NaN/±inf contributes 0 ----
// torch 1.13:
//   x = torch.tensor([[1., nan, 3.], [1., 2., 3.]], dtype=torch.float64); t = torch.tensor([1, 0])
//   F.nll_loss(x, t, reduction='none', ignore_index=1)                          -> [0, -1]
//   F.cross_entropy(x, t, reduction='none', ignore_index=1, label_smoothing=0.1) -> [0, 2.307605964444380]
//   F.cross_entropy(x, t, ignore_index=1, label_smoothing=0.1)                  -> 2.307605964444380
//   x3 = [[[1., inf], [0.5, nan], [3., -1.]]] (float64), t3 = [[2, -100]], w = [1., 2., 0.5]
//   F.cross_entropy(x3, t3, weight=w) -> 0.196734096919617, x3.grad (of the loss) as below
//   F.cross_entropy(x3, t3, weight=w, reduction='sum', label_smoothing=0.2) -> 0.591264928049091
//   F.nll_loss(x3, t3, weight=w, reduction='none') -> [[-1.5, 0]], grad of its sum [0, 0, 0, 0, -0.5, 0]
test("nllLoss / crossEntropy: ignored elements with NaN or inf inputs give 0, as torch 1.13 (was NaN)", () => {
  forEachBackend((name) => {
    const x = f64([1, NaN, 3, 1, 2, 3], [2, 3]);
    const t = tensor([1, 0]);
    near(`${name} nllLoss none`, F.nllLoss(x, t, { reduction: "none", ignoreIndex: 1 }), [0, -1]);
    near(`${name} crossEntropy none ls`, F.crossEntropy(x, t, { reduction: "none", ignoreIndex: 1, labelSmoothing: 0.1 }),
      [0, 2.30760596444438]);
    near(`${name} crossEntropy mean ls`, F.crossEntropy(x, t, { ignoreIndex: 1, labelSmoothing: 0.1 }), [2.30760596444438]);

    const x3 = () => f64([1, Infinity, 0.5, NaN, 3, -1], [1, 3, 2]).requiresGrad_();
    const t3 = tensor([[2, -100]]);
    const w = f64([1, 2, 0.5], [3]);
    let a = x3();
    let l = F.crossEntropy(a, t3, { weight: w });
    near(`${name} crossEntropy 3-D weighted`, l, [0.196734096919617]);
    l.backward();
    near(`${name} crossEntropy 3-D grad`, a.grad!, [0.11116562230242114, NaN, 0.06742535823245292, NaN, -0.1785909805348741, NaN]);
    a = x3();
    l = F.crossEntropy(a, t3, { weight: w, reduction: "sum", labelSmoothing: 0.2 });
    near(`${name} crossEntropy 3-D ls sum`, l, [0.591264928049091]);
    l.backward();
    near(`${name} crossEntropy 3-D ls grad`, a.grad!, [0.00373822745820005, NaN, -0.09063060645277982, NaN, 0.0868923789945797, NaN]);
    a = x3();
    l = F.nllLoss(a, t3, { weight: w, reduction: "none" });
    near(`${name} nllLoss 3-D none`, l, [-1.5, 0]);
    l.sum().backward();
    near(`${name} nllLoss 3-D grad`, a.grad!, [0, 0, 0, 0, -0.5, 0]);
  });
  // the gradient of the composed (N-D, label-smoothed) path with ignored elements
  const t = tensor([[2, 0], [1, 2]]);
  gradcheck((x) => F.crossEntropy(x, t, { ignoreIndex: 0, labelSmoothing: 0.3, weight: f64([1, 2, 0.5], [3]) }),
    f64([0.3, -1, 2, 0.5, 1.5, -0.2, 0.1, 0.7, -0.4, 1.1, 0.9, -2], [2, 3, 2]), "crossEntropy ignoreIndex + labelSmoothing");
  gradcheck((x) => F.nllLoss(x, t, { ignoreIndex: 2, reduction: "none" }),
    f64([0.3, -1, 2, 0.5, 1.5, -0.2, 0.1, 0.7, -0.4, 1.1, 0.9, -2], [2, 3, 2]), "nllLoss ignoreIndex");
});

// ---- F.embedding ignored scaleGradByFreq (options or PyTorch's 6th positional argument) ----
// torch 1.13:
//   w = torch.tensor([[1., 2.], [3., 4.], [5., 6.]], dtype=torch.float64, requires_grad=True)
//   i = torch.tensor([[0, 2, 0], [1, 0, 2]]); g = torch.arange(12.).reshape(2, 3, 2)
//   F.embedding(i, w, padding_idx=1, scale_grad_by_freq=True).backward(g) -> w.grad below (first)
//   F.embedding(i, w, None, None, 2.0, True).backward(g)                  -> w.grad below (second)
// (no gradcheck: a frequency-scaled gradient is by design not the derivative of the lookup)
test("F.embedding scaleGradByFreq divides each row's gradient by its index's count, as torch 1.13", () => {
  forEachBackend((name) => {
    const i = tensor([[0, 2, 0], [1, 0, 2]]);
    const g = T.arange(12).to("float64").reshape([2, 3, 2]);
    let w = f64([1, 2, 3, 4, 5, 6], [3, 2]).requiresGrad_();
    const out = F.embedding(i, w, { paddingIdx: 1, scaleGradByFreq: true });
    near(`${name} values`, out, [1, 2, 5, 6, 1, 2, 3, 4, 1, 2, 5, 6]);
    out.backward(g);
    near(`${name} paddingIdx + scaleGradByFreq`, w.grad!, [4, 5, 0, 0, 6, 7]);
    w = f64([1, 2, 3, 4, 5, 6], [3, 2]).requiresGrad_();
    F.embedding(i, w, null, null, 2, true).backward(g);
    near(`${name} positional`, w.grad!, [4, 5, 6, 7, 6, 7]);
  });
});

// ---- the reference backend's matmul skipped zero entries of A, so 0·inf and 0·NaN gave 0 ----
// (seen as a finite out_proj gradient of MultiheadAttention where a fully masked row's output was
// NaN and the output gradient 0). torch 1.13:
//   torch.tensor([[0., 1.]]) @ torch.tensor([[inf, 2.], [1., nan]])  -> [[nan, nan]]
//   (float64) torch.tensor([[0., 1.]]) @ torch.tensor([[inf, 2.], [1., 3.]]) -> [[nan, 3.]]
//   w = [[1., 2.]] (float64); F.linear([[nan, 1.], [2., 3.]], w).backward([[0.], [1.]]) -> w.grad [[nan, 3.]]
test("matmul: a zero times inf or NaN is NaN on every backend, as torch 1.13", () => {
  forEachBackend((name) => {
    const a = tensor([[0, 1]]);
    near(`${name} float32`, a.matmul(tensor([[Infinity, 2], [1, NaN]])).double(), [NaN, NaN]);
    near(`${name} float64`, f64([0, 1], [1, 2]).matmul(f64([Infinity, 2, 1, 3], [2, 2])), [NaN, 3]);
    // the weight gradient of a linear layer whose input row is NaN, with a zero output gradient there
    const w = f64([1, 2], [1, 2]).requiresGrad_();
    F.linear(f64([NaN, 1, 2, 3], [2, 2]), w).backward(f64([0, 1], [2, 1]));
    near(`${name} linear weight grad`, w.grad!, [NaN, 3]);
  });
});

// ---- linalg.qr's gradient for a wide matrix (m < n) was refused ("not implemented") ----
// torch 1.13:
//   A = torch.tensor([[2., 1., -1., .5], [.5, -1.5, 1., 2.]], dtype=torch.float64, requires_grad=True)
//   Q, R = torch.linalg.qr(A); ((Q * wq).sum() + (R * wr).sum()).backward()   -> A.grad (first below)
//   Q, R = torch.linalg.qr(A, 'complete'); (R * wr).sum().backward()          -> A.grad (second)
//   wq = [[.3, -.2], [.7, .1]], wr = [[1., -.5, .25, 2.], [.5, 1.5, -1., .75]]
test("linalg.qr of a wide matrix is differentiable (reduced and complete), as torch 1.13", () => {
  const Adata = [2, 1, -1, 0.5, 0.5, -1.5, 1, 2];
  const wq = f64([0.3, -0.2, 0.7, 0.1], [2, 2]);
  const wr = f64([1, -0.5, 0.25, 2, 0.5, 1.5, -1, 0.75], [2, 4]);
  forEachBackend((name) => {
    let A = f64(Adata, [2, 4]).requiresGrad_();
    let [Q, R] = T.linalg.qr(A);
    Q!.mul(wq).sum().add(R!.mul(wr).sum()).backward();
    near(`${name} reduced`, A.grad!, [-0.07704072795271788, 0.1212678125181666, -5.551115123125783e-17, -2.122186719067914,
      -3.81494271380679, 1.5764815627361644, -1.0307764064044151, 0.24253562503633297].map((v) => (Math.abs(v) < 1e-15 ? 0 : v)));
    A = f64(Adata, [2, 4]).requiresGrad_();
    [Q, R] = T.linalg.qr(A, "complete");
    R!.mul(wr).sum().backward();
    near(`${name} complete`, A.grad!, [-0.12840121325452947, 0.1212678125181666, 0, -2.122186719067914,
      -3.6095007725995436, 1.5764815627361644, -1.0307764064044151, 0.24253562503633297]);
  });
  gradcheck((a) => { const [q, r] = T.linalg.qr(a); return T.cat([q.reshape([-1]), r.reshape([-1])]); },
    f64([2, 1, -1, 0.5, 0.25, 0.5, -1.5, 1, 2, -0.75, 1, 0.5, 0.75, -1, 1.5], [3, 5]), "qr wide");
  gradcheck((a) => { const [q, r] = T.linalg.qr(a); return T.cat([q.reshape([-1]), r.reshape([-1])]); },
    f64([2, 1, -1, 0.5, 0.5, -1.5, 1, 2, 1, 0.5, -0.25, 1.5, 0.5, 0.75, -1, 1], [2, 2, 4]), "qr wide batched");
  // still refused where PyTorch refuses: mode "complete" with m > n
  assert.throws(() => T.linalg.qr(f64([1, 2, 3, 4, 5, 7], [3, 2]).requiresGrad_(), "complete")[1].sum().backward(),
    (e: unknown) => e instanceof T.TensileError && /mode "complete" with m > n/.test(e.message));
});

// ---- linalg.vectorNorm with a negative ord over no elements returned inf ----
// torch 1.13: torch.linalg.vector_norm(torch.zeros(3, 0), -1) -> "linalg.vector_norm cannot compute the
// -1 norm on an empty tensor because the operation does not have an identity"; with dim=1: "... on the
// dimension 1because this dimension is empty ..."; dim=0 -> an empty result; ord 0/1/2 -> 0
test("linalg.vectorNorm refuses a negative or infinite ord over an empty dim, as torch 1.13", () => {
  forEachBackend(() => {
    const z = T.zeros([3, 0]);
    for (const ord of [-1, -0.5, Infinity, -Infinity]) {
      assert.throws(() => T.linalg.vectorNorm(z, ord), (e: unknown) => e instanceof T.TensileError &&
        new RegExp(`cannot compute the ${ord} norm on an empty tensor because the operation does not have an identity`).test(e.message));
      assert.throws(() => T.linalg.vectorNorm(z, ord, 1), (e: unknown) => e instanceof T.TensileError &&
        /on the dimension 1 because this dimension is empty/.test(e.message));
      assert.deepEqual(T.linalg.vectorNorm(z, ord, 0).shape, [0]);
    }
    near("ord 1 on empty", T.linalg.vectorNorm(z, 1).double(), [0]);
    near("ord 2 on an empty dim", T.linalg.vectorNorm(z, 2, 1).double(), [0, 0, 0]);
  });
});

// ---- crossEntropy of [N, C] logits (the one-pass form): a row with a +inf logit gave inf, not NaN ----
// torch 1.13:
//   x = torch.tensor([[1., inf, 2.], [-inf, -inf, -inf], [0., -inf, 1.], [0., -inf, 1.]], dtype=torch.float64)
//   F.cross_entropy(x, torch.tensor([0, 1, 1, 2]), reduction='none') -> [nan, nan, inf, 0.31326168751822286]
//   and the gradient of its sum -> below; reduction='mean' -> nan
test("crossEntropy: a +inf logit makes its row NaN (value and gradient), as torch 1.13's log_softmax", () => {
  const data = [1, Infinity, 2, -Infinity, -Infinity, -Infinity, 0, -Infinity, 1, 0, -Infinity, 1];
  const t = tensor([0, 1, 1, 2]);
  forEachBackend((name) => {
    for (const shape of [[4, 3], [4, 3, 1]]) {
      const x = f64(data, shape).requiresGrad_();
      const tt = shape.length === 2 ? t : t.reshape([4, 1]);
      const l = F.crossEntropy(x, tt, { reduction: "none" });
      near(`${name} [${shape}] values`, l, [NaN, NaN, Infinity, 0.31326168751822286]);
      l.sum().backward();
      near(`${name} [${shape}] grad`, x.grad!, [NaN, NaN, NaN, NaN, NaN, NaN, 0.2689414213699951, -1, 0.7310585786300049,
        0.2689414213699951, 0, -0.2689414213699951]);
      near(`${name} [${shape}] mean`, F.crossEntropy(f64(data, shape), tt), [NaN]);
    }
  });
});
