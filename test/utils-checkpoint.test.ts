/**
 * utils.checkpoint / checkpointSequential (torch.utils.checkpoint): the recomputed backward must give
 * exactly the gradients of the plain forward — for arguments and for parameters reached through
 * modules, with dropout (the random state is replayed), several outputs, double backward and
 * backward({inputs}) — on every backend, while the graph keeps far fewer saved activations.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as T from "../src/index.js";
import { Tensor, getRngState, manualSeed, randn, withBackend } from "../src/core.js";
import { backendsUnderTest } from "./helpers/backends.js";

const { nn, utils } = T;

function assertSame(what: string, a: Tensor | null, b: Tensor | null, tol = 1e-6): void {
  assert.ok(a && b, `${what}: missing gradient (${a ? "ok" : "null"} vs ${b ? "ok" : "null"})`);
  assert.deepEqual(a.shape, b.shape, `${what}: shape`);
  const x = a.dataSync(), y = b.dataSync();
  for (let i = 0; i < x.length; i++)
    assert.ok(Math.abs(Number(x[i]) - Number(y[i])) <= tol * (1 + Math.abs(Number(y[i]))), `${what}[${i}]: ${x[i]} vs ${y[i]}`);
}

function net(): T.nn.Sequential {
  manualSeed(7);
  return new nn.Sequential(
    new nn.Linear(6, 16), new nn.Tanh(), new nn.Dropout(0.5),
    new nn.Linear(16, 16), new nn.ReLU(), new nn.Dropout(0.3),
    new nn.Linear(16, 16), new nn.GELU(),
    new nn.Linear(16, 3),
  );
}

/** Bytes of the tensors a graph keeps for its backward rules (saved tensors and internals), each storage once. */
function savedBytes(root: Tensor): number {
  const storages = new Set<unknown>();
  let bytes = 0;
  const seen = new Set<Tensor>();
  const stack = [root];
  while (stack.length) {
    const t = stack.pop()!;
    if (seen.has(t) || !t.gradFn) continue;
    seen.add(t);
    const node = t.gradFn as unknown as { inputs: (Tensor | null)[]; saved: Tensor[] | null; internals: Tensor[] | null };
    for (const s of [...(node.saved ?? []), ...(node.internals ?? [])]) {
      if (s.isLeaf || storages.has(s.storage)) continue; // parameters and inputs are not activations
      storages.add(s.storage);
      bytes += s.numel() * 4;
    }
    for (const i of node.inputs) if (i) stack.push(i);
  }
  return bytes;
}

for (const backend of backendsUnderTest()) {
  describe(`utils.checkpoint on ${backend.name}`, () => {
    test("checkpointSequential gives the plain forward's loss and gradients, dropout included", () => withBackend(backend, () => {
      const model = net();
      const x = randn([5, 6], { requiresGrad: true });
      const run = (ckpt: boolean) => {
        model.zeroGrad();
        x.grad = null;
        manualSeed(123);
        const y = ckpt ? utils.checkpointSequential(model, 3, x) : (model.forward(x) as Tensor);
        const loss = y.pow(2).sum();
        const after = getRngState();
        loss.backward();
        return { loss: loss.item(), gx: x.grad, gs: model.parameters().map((p) => p.grad), after, afterBackward: getRngState() };
      };
      const plain = run(false), ck = run(true);
      assert.ok(Math.abs(plain.loss - ck.loss) <= 1e-6 * Math.abs(plain.loss));
      assertSame("input grad", ck.gx, plain.gx);
      ck.gs.forEach((g, i) => assertSame(`param ${i} grad`, g, plain.gs[i]!));
      assert.deepEqual(ck.after, plain.after, "the forward advances the generator as the plain forward does");
      assert.deepEqual(ck.afterBackward, ck.after, "the recomputation leaves the generator where the forward left it");
    }));

    test("parameters get gradients when no argument requires grad; several outputs; arrays of tensors", () => withBackend(backend, () => {
      manualSeed(3);
      const lin = new nn.Linear(4, 4);
      const x = randn([2, 4]);
      const h = randn([2, 4], { requiresGrad: true });
      const fn = (a: Tensor, pair: Tensor[]) => [lin.forward(a).tanh().mul(pair[0]!), lin.forward(pair[0]!).sigmoid()];
      const go = (ckpt: boolean) => {
        lin.zeroGrad();
        h.grad = null;
        const [u, v] = ckpt ? utils.checkpoint(fn, x, [h]) : fn(x, [h]);
        u!.sum().add(v!.mul(v!).sum()).backward();
        return [lin.weight.grad, lin.bias!.grad, h.grad];
      };
      const plain = go(false), ck = go(true);
      ck.forEach((g, i) => assertSame(`grad ${i}`, g, plain[i]!));

      lin.zeroGrad();
      utils.checkpoint((a: Tensor) => lin.forward(a), x).sum().backward();
      assert.ok(lin.weight.grad, "a module's weight gets its gradient through the checkpoint");
    }));

    test("double backward through a checkpoint (a gradient penalty) matches the plain graph", () => withBackend(backend, () => {
      manualSeed(5);
      const lin1 = new nn.Linear(3, 8), lin2 = new nn.Linear(8, 1);
      const f = (a: Tensor) => lin2.forward(lin1.forward(a).tanh());
      const x = randn([4, 3], { requiresGrad: true });
      const go = (ckpt: boolean) => {
        lin1.zeroGrad();
        lin2.zeroGrad();
        const y = ckpt ? utils.checkpoint(f, x) : f(x);
        const [gx] = T.grad(y.sum(), x, { createGraph: true });
        gx!.pow(2).sum().backward();
        return [lin1.weight.grad, lin2.weight.grad];
      };
      const plain = go(false), ck = go(true);
      ck.forEach((g, i) => assertSame(`second-order grad ${i}`, g, plain[i]!, 1e-5));
    }));

    test("backward({inputs}) through a checkpoint fills only the asked gradients", () => withBackend(backend, () => {
      manualSeed(9);
      const lin = new nn.Linear(3, 3);
      const x = randn([2, 3], { requiresGrad: true });
      utils.checkpoint((a: Tensor) => lin.forward(a).relu(), x).sum().backward(undefined, { inputs: [x] });
      assert.ok(x.grad, "x got its gradient");
      assert.equal(lin.weight.grad, null, "the weight was not asked for");
      const expected = T.grad(lin.forward(x).relu().sum(), x)[0]!;
      assertSame("x grad", x.grad, expected);
    }));
  });
}

test("the checkpointed graph keeps a fraction of the plain graph's saved activations", () => {
  manualSeed(1);
  const layers: T.nn.Module[] = [];
  for (let i = 0; i < 64; i++) layers.push(new nn.Linear(64, 64), new nn.Tanh());
  const model = new nn.Sequential(...layers);
  const x = randn([32, 64], { requiresGrad: true });
  const plain = savedBytes((model.forward(x) as Tensor).sum());
  const ck = savedBytes(utils.checkpointSequential(model, 8, x).sum());
  // 128 layers in 8 segments: the 7 checkpointed segments keep only their inputs, the last one (8
  // Linear + Tanh pairs) its activations as usual — 15 activations against the plain graph's 64.
  const act = 32 * 64 * 4;
  assert.equal(plain, 64 * act);
  assert.equal(ck, 15 * act);
});

test("checkpoint errors name the call: not a function, a captured non-leaf, a changed recomputation", () => {
  const isTensile = (re: RegExp) => (e: unknown) => e instanceof T.TensileError && re.test(e.message);
  assert.throws(() => utils.checkpoint(42 as never, randn([2]) as never), isTensile(/^checkpoint: expected a function/));
  const w = randn([2], { requiresGrad: true });
  const captured = w.mul(2);
  assert.throws(() => utils.checkpoint((a: Tensor) => a.mul(captured), randn([2], { requiresGrad: true })),
    isTensile(/^checkpoint: the function reads a tensor of shape \[2\] that requires grad and was computed outside it/));
  let n = 2;
  const y = utils.checkpoint((a: Tensor) => a.repeat(n), w);
  n = 3;
  assert.throws(() => y.sum().backward(), isTensile(/^checkpoint: recomputing the function during backward gave outputs of other shapes/));
  assert.throws(() => utils.checkpoint(((a: Tensor) => a.shape) as never, w as never), isTensile(/^checkpoint: the function must return a Tensor/));
  assert.throws(() => utils.checkpointSequential(new nn.Sequential(new nn.ReLU()), 0, w), isTensile(/^checkpointSequential: segments must be a positive integer/));
  assert.throws(() => utils.checkpointSequential([3 as never], 1, w), isTensile(/^checkpointSequential: expected modules or functions/));
});

test("checkpoint without grad mode, or with { preserveRngState: false }, runs the function as is", () => {
  const x = randn([3], { requiresGrad: true });
  const y = T.noGrad(() => utils.checkpoint((a: Tensor) => a.exp(), x));
  assert.equal(y.gradFn, null);
  const z = utils.checkpoint((a: Tensor) => a.exp(), x, { preserveRngState: false });
  z.sum().backward();
  assertSame("exp grad", x.grad, x.detach().exp());
});
