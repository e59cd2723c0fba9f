// In-place ops under autograd: recorded as PyTorch records them (values and gradients against
// PyTorch, fixtures/core-script.json "inplace"), refused with an error naming the op where this
// engine cannot record them, and checked at backward by version counters. On every backend.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, describe, test } from "node:test";
import { type Tensor, getBackend, nn, noGrad, ones, optim, setBackend, tensor, zeros } from "../src/index.js";
import { assertThrowsTensile } from "./nn-helpers.js";
import { backendsUnderTest } from "./helpers/backends.js";

const fx = JSON.parse(readFileSync(new URL("../fixtures/core-script.json", import.meta.url), "utf8")).inplace;

function close(got: Tensor | null | undefined, want: number[], what: string): void {
  assert.ok(got, `${what}: missing`);
  const g = Array.from(got.dataSync(), Number);
  assert.equal(g.length, want.length, what);
  g.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) <= 1e-5 * Math.max(1, Math.abs(want[i]!)), `${what}[${i}]: ${v} vs PyTorch ${want[i]}`));
}

const leaf = (v: number[] | number[][]) => tensor(v, { requiresGrad: true });

const before = getBackend().name;
after(() => setBackend(before));

for (const backend of backendsUnderTest()) {
  describe(`in-place ops under autograd (${backend.name})`, () => {
    test("a residual `out += identity`, a chain of in-place ops and relu_ give PyTorch's values and gradients", () => {
      setBackend(backend.name);
      const x = leaf([[0.5, 1.2, 0.3], [0.2, -0.1, 0.7]]);
      const w = leaf([[0.3, 0.2, -0.4], [0.1, 0.5, 0.1], [0.6, -0.1, 0.2]]);
      const s = leaf([1.5, 2.5, 0.75]);
      const t1 = leaf([[0.2, 0.4, -0.6], [1.0, -2.5, 0.3]]);
      const t2 = leaf([0.5, 1.5, 2.0]);
      const r = x.matmul(w);
      r.add_(x);
      r.mul_(2).sub_(0.25);
      r.div_(s);
      r.addcmul_(t1, t2, { value: 0.5 });
      r.clamp_(-4, 1.5);
      r.relu_();
      assert.equal(r.gradFn?.name, "relu", "r is rebound to its last op");
      const loss = r.mul(r).sum();
      loss.backward();
      close(r, fx.chain.out, "out");
      close(loss, [fx.chain.loss], "loss");
      close(x.grad, fx.chain.x_grad, "x.grad");
      close(w.grad, fx.chain.w_grad, "w.grad");
      close(s.grad, fx.chain.s_grad, "s.grad");
      close(t1.grad, fx.chain.t1_grad, "t1.grad");
      close(t2.grad, fx.chain.t2_grad, "t2.grad");
    });

    test("values that require grad written into a plain buffer carry their gradient (copy_, mul_, add_, maskedFill_)", () => {
      setBackend(backend.name);
      const h = leaf([0.3, -0.8, 1.2]);
      const m = leaf([2.0, 0.5, -1.0]);
      const buf = zeros([3]);
      buf.copy_(h);
      assert.ok(buf.requiresGrad && !buf.isLeaf, "the buffer joined the graph");
      buf.mul_(m);
      buf.add_(h, { alpha: 3 });
      buf.maskedFill_(tensor([false, true, false]), 0.5);
      buf.mul(tensor([1, 2, 3])).sum().backward();
      close(buf, fx.buffer.buf, "buf");
      close(h.grad, fx.buffer.h_grad, "h.grad");
      close(m.grad, fx.buffer.m_grad, "m.grad");
    });

    test("fill_ and zero_ on an op's output pass a zero gradient back and keep requiresGrad", () => {
      setBackend(backend.name);
      const a = leaf([1, 2, 3]);
      const y = a.mul(3);
      y.zero_();
      const z = a.mul(2);
      z.fill_(4);
      assert.equal(y.requiresGrad, fx.fill.y_requires_grad);
      y.sum().add(z.sum()).add(a.sum()).backward();
      close(a.grad, fx.fill.a_grad, "a.grad");
    });

    test("writing a tensor a backward rule reads fails at backward with PyTorch's message", () => {
      setBackend(backend.name);
      const e = leaf([0.1, 0.2]);
      const ye = e.exp(); // exp's rule reads its output
      ye.add_(1);
      assert.throws(() => ye.sum().backward(), (err: Error) => err.message.startsWith(`backward: ${fx.saved_modified}`) && /exp's backward/.test(err.message));
      // an optimizer step between forward and backward writes the weight that the input's gradient
      // reads (x·Wᵀ: dx = g·W); with an input that needs no gradient nothing reads W, as in PyTorch
      for (const fused of [true, false]) {
        const lin = new nn.Linear(3, 2);
        const opt = new optim.SGD(lin.parameters(), { lr: 0.1, fused });
        const x = leaf([[1, 2, 3]]);
        const out = lin.forward(x).sum();
        const plain = lin.forward(tensor([[1, 2, 3]])).sum();
        out.backward(undefined, { retainGraph: true });
        opt.step();
        assert.throws(() => out.backward(), /modified by an inplace operation: a float32 tensor of shape \[2, 3\] that linear.s backward reads is at version \d+; expected version \d+ instead/);
        plain.backward();
      }
      // a write under noGrad is still a write
      const q = leaf([1, 2]);
      const sq = q.mul(q);
      noGrad(() => q.mul_(10));
      assert.throws(() => sq.sum().backward(), /modified by an inplace operation/);
    });

    test("what this engine cannot record is refused, naming the op, before anything is written", () => {
      setBackend(backend.name);
      const x = leaf([1, 2, 3, 4]);
      assert.throws(() => x.add_(1), /^TensileError: add_: a leaf Variable that requires grad is being used in an in-place operation/);
      // part of a storage: PyTorch would rewrite the base's history
      const buf = zeros([4]);
      assert.throws(() => buf.narrow(0, 1, 2).copy_(x.narrow(0, 0, 2)), /^TensileError: copy_: autograd can record an in-place op only on a whole tensor/);
      assert.deepEqual(Array.from(buf.dataSync()), [0, 0, 0, 0], "nothing written");
      // a tensor a recorded op already took as input
      const y = x.mul(2);
      const z = y.mul(3);
      assert.throws(() => y.add_(1), /^TensileError: add_: this tensor \(float32 \[4\]\) was already used as an input by an op autograd recorded/);
      assert.deepEqual(Array.from(y.dataSync()), [2, 4, 6, 8], "nothing written");
      z.sum().backward();
      assert.deepEqual(Array.from(x.grad!.dataSync()), [6, 6, 6, 6]);
    });

    test("a tensor sharing memory with one an in-place op rebound is refused by later ops, not used with a stale graph", () => {
      setBackend(backend.name);
      const x = leaf([1, 2, 3, 4]);
      const y = x.mul(2);
      const v = y.reshape([2, 2]); // a whole view of y's storage
      v.mul_(10); // y's values change, y's graph does not know
      assert.throws(() => y.sum(), /^TensileError: sum: an input \(float32 \[4\]\) shares memory with a tensor that an in-place op recorded by autograd modified/);
      // v itself, views taken after the write and detached copies are fine
      v.reshape([4]).sum().backward();
      assert.deepEqual(Array.from(x.grad!.dataSync()), [20, 20, 20, 20]);
      assert.deepEqual(Array.from(y.detach().mul(1).dataSync()), [20, 40, 60, 80]);
    });

    test("writes nothing differentiable flows through work anywhere, views included, as before", () => {
      setBackend(backend.name);
      const buf = zeros([2, 3]);
      buf.narrow(1, 1, 2).fill_(5);
      buf.index([0]).add_(1);
      assert.deepEqual(Array.from(buf.dataSync()), [1, 6, 6, 0, 5, 5]);
      const x = leaf([1, 2]);
      const y = x.mul(2);
      y.detach().add_(1); // outside the graph (shares y's memory, as in PyTorch)
      noGrad(() => y.add_(1)); // PyTorch allows this too
      assert.deepEqual(Array.from(y.dataSync()), [4, 6]);
      y.sum().backward(); // mul's rule for x reads only the scalar 2
      assert.deepEqual(Array.from(x.grad!.dataSync()), [2, 2]);
    });

    test("nn.ReLU({inplace: true}) overwrites its input and trains like nn.ReLU()", () => {
      setBackend(backend.name);
      const relu = new nn.ReLU({ inplace: true });
      assert.equal(String(relu), "ReLU(inplace=True)");
      assert.equal(String(new nn.ReLU()), "ReLU()");
      const make = (inplace: boolean) => {
        const lin = new nn.Linear(3, 4);
        const lin2 = new nn.Linear(4, 1);
        noGrad(() => {
          lin.weight.copy_(tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6], [-0.7, 0.8, 0.9], [0.2, 0.1, -0.3]]));
          lin2.weight.copy_(tensor([[0.5, -0.5, 0.25, 1]]));
          lin.bias!.copy_(tensor([0.1, -0.1, 0.2, -0.3]));
          lin2.bias!.fill_(0);
        });
        const act = new nn.ReLU({ inplace });
        return { lin, act, model: new nn.Sequential(lin, act, lin2) };
      };
      const a = make(true), b = make(false);
      const input = tensor([[1, -1, 2], [0.5, 0.25, -1]]);
      const h = a.lin.forward(input);
      const r = a.act.forward(h);
      assert.equal(r, h, "the same tensor object, overwritten");
      for (const m of [a, b]) m.model.forward(input).sum().backward();
      close(a.lin.weight.grad, Array.from(b.lin.weight.grad!.dataSync(), Number), "weight grad, inplace vs not");
    });
  });
}

test("an in-place op whose result is of a higher kind than the tensor is refused, as PyTorch refuses the cast", () => {
  const i = () => tensor([1, 2]); // int32
  const refused = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: unknown) => e instanceof Error && re.test(e.message));
  refused(() => i().add_(1.5), /^add_: result type float32 can't be cast to the desired output type int32/);
  refused(() => i().div_(2), /^div_: result type float32 can't be cast to the desired output type int32/);
  refused(() => i().clamp_(0.5), /^clamp_: result type float32/);
  refused(() => tensor([true, false]).add_(1), /^add_: result type int32 can't be cast to the desired output type bool/);
  refused(() => i().mul_(tensor([0.5, 1], { dtype: "float64" })), /^mul_: result type float64/);
  // within a kind, and for ops whose value is cast by definition, the result is written (PyTorch's values)
  assert.deepEqual(Array.from(i().mul_(2).dataSync()), [2, 4]);
  assert.deepEqual(Array.from(i().fill_(1.5).dataSync()), [1, 1]);
  assert.deepEqual(Array.from(i().maskedFill_(tensor([true, false]), 1.5).dataSync()), [1, 2]);
  assert.deepEqual(Array.from(i().copy_(tensor([1.5, 2.5])).dataSync()), [1, 2]);
  assert.deepEqual(Array.from(tensor([1, 1], { dtype: "float32" }).add_(tensor([0.5, 1], { dtype: "float64" })).dataSync()), [1.5, 2]);
  // under autograd too
  const x = tensor([1, 2], { dtype: "float32", requiresGrad: true }).mul(1);
  assert.deepEqual(Array.from(x.add_(tensor([1, 1], { dtype: "float64" })).dataSync()), [2, 3]);
});

test("fill_, uniform_ and normal_ refuse values torch refuses instead of filling NaN or a reversed range", () => {
  const x = zeros([3]);
  assertThrowsTensile(() => x.fill_("a" as never), /^fill_: value must be a number or a 0-dim tensor, got "a"/);
  assertThrowsTensile(() => x.fill_(ones([2]) as never), /^fill_: value must be a number or a 0-dim tensor, got a tensor of shape \[2\]/);
  assertThrowsTensile(() => x.uniform_(NaN, 1), /^uniform_: from must be a finite number, got NaN/);
  assertThrowsTensile(() => x.uniform_(0, Infinity), /^uniform_: to must be a finite number/);
  assertThrowsTensile(() => x.uniform_(2, 1), /^uniform_: expects to return a \[from, to\) range, but found from=2 > to=1/);
  assertThrowsTensile(() => x.normal_(0, NaN), /^normal_: expects std >= 0.0, but found std NaN/);
  assertThrowsTensile(() => x.normal_(NaN, 1), /^normal_: mean must be a number/);
  assert.deepEqual([...x.dataSync()], [0, 0, 0]);
  // a 0-d tensor value, with its gradient: the sum of the gradients of the filled elements (as torch)
  const v = tensor(1.5, { requiresGrad: true });
  const y = zeros([3]).mul(1);
  y.fill_(v);
  y.mul(tensor([1, 2, 3])).sum().backward();
  assert.equal(v.grad!.item(), 6);
  assert.deepEqual([...y.dataSync()], [1.5, 1.5, 1.5]);
  assert.deepEqual([...x.uniform_(1, 1).dataSync()], [1, 1, 1]);
});
