/**
 * Module backward hooks (register_full_backward_hook): what the hook receives, when it runs, and
 * replacing gradInput — the structure PyTorch 1.13 gives (checked with /usr/bin/python3: for
 * forward(x, s, y) returning (x*s + y, x.sum()), gradInput = (x's grad, None, …) and gradOutput =
 * (ones, None)), and gradients from the chain rule.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as T from "../src/index.js";
import { Tensor, manualSeed, noGrad, ones, randn, tensor } from "../src/core.js";

const { nn } = T;
type G = (Tensor | null)[];

function close(what: string, a: Tensor | null | undefined, b: Tensor, tol = 1e-6): void {
  assert.ok(a, `${what}: missing`);
  assert.deepEqual(a.shape, b.shape, `${what}: shape`);
  const x = a.dataSync(), y = b.dataSync();
  for (let i = 0; i < x.length; i++) assert.ok(Math.abs(Number(x[i]) - Number(y[i])) <= tol, `${what}[${i}]: ${x[i]} vs ${y[i]}`);
}

class Mix extends nn.Module {
  override forward(x: Tensor, s: number, y: Tensor): Tensor[] {
    return [x.mul(s).add(y), x.sum()];
  }
}

test("the hook gets one gradient per argument and per output, null where none flows", () => {
  const m = new Mix();
  const log: [G, G][] = [];
  m.registerFullBackwardHook((_mod, gi, go) => void log.push([gi, go]));
  const x = ones([2], { requiresGrad: true }), y = ones([2]);
  const [a] = m.forward(x, 3, y);
  assert.equal(log.length, 0, "nothing runs before backward");
  a!.sum().backward();
  assert.equal(log.length, 1);
  const [gi, go] = log[0]!;
  assert.equal(gi.length, 3);
  close("gradInput[0]", gi[0], tensor([3, 3]));
  assert.equal(gi[1], null, "a number argument");
  assert.equal(gi[2], null, "a tensor argument that does not require grad");
  assert.equal(go.length, 2);
  close("gradOutput[0]", go[0], tensor([1, 1]));
  assert.equal(go[1], null, "no gradient flowed into the second output");
  close("x.grad", x.grad, tensor([3, 3]));
});

test("with no argument requiring grad the hook runs once the output's gradient is known", () => {
  manualSeed(0);
  const l = new nn.Linear(2, 1);
  const log: [G, G][] = [];
  l.registerFullBackwardHook((_m, gi, go) => void log.push([gi, go]));
  l.forward(ones([1, 2])).sum().backward();
  assert.equal(log.length, 1);
  assert.deepEqual(log[0]![0], [null]);
  close("gradOutput", log[0]![1][0], tensor([[1]]));
  close("weight grad unchanged by the hook", l.weight.grad, tensor([[1, 1]]));
});

test("a returned array replaces gradInput; parameter gradients are untouched", () => {
  manualSeed(1);
  const l = new nn.Linear(2, 1);
  l.registerFullBackwardHook((_m, gi) => [gi[0]!.mul(2)]);
  const x = ones([1, 2], { requiresGrad: true });
  l.forward(x).sum().backward();
  close("x.grad is twice W", x.grad, l.weight.detach().mul(2));
  close("weight grad is x", l.weight.grad, tensor([[1, 1]]));
  const bad = new nn.Linear(2, 1);
  bad.registerFullBackwardHook(() => [ones([3])]);
  assert.throws(() => bad.forward(randn([1, 2], { requiresGrad: true })).sum().backward(),
    (e: unknown) => e instanceof T.TensileError && /^Linear backward hook: gradient 0 has shape \[3\], expected \[1, 2\]/.test(e.message));
  const bad2 = new nn.Linear(2, 1);
  bad2.registerFullBackwardHook(() => 5 as never);
  assert.throws(() => bad2.forward(randn([1, 2], { requiresGrad: true })).sum().backward(),
    (e: unknown) => e instanceof T.TensileError && /^Linear backward hook: returned 5; expected an array of 1 gradients/.test(e.message));
  assert.throws(() => l.registerFullBackwardHook(3 as never), (e: unknown) => e instanceof T.TensileError && /^Linear.registerFullBackwardHook: expected a function/.test(e.message));
});

test("a hook on a hidden layer sees the gradient at its output and input (Grad-CAM's use)", () => {
  manualSeed(2);
  const conv = new nn.Conv2d(1, 3, 3, { padding: 1 });
  const model = new nn.Sequential(new nn.Conv2d(1, 1, 3, { padding: 1 }), new nn.Tanh(), conv, new nn.ReLU(), new nn.Flatten(), new nn.Linear(3 * 5 * 5, 4));
  const x = randn([2, 1, 5, 5]);
  let seen: [G, G] | null = null;
  const h = conv.registerFullBackwardHook((_m, gi, go) => void (seen = [gi, go]));
  model.forward(x).select(1, 2).sum().backward();
  h.remove();
  // the same gradients from retained intermediates of a plain run
  model.zeroGrad();
  const a = model.at(1).forward(model.at(0).forward(x)) as Tensor;
  a.retainGrad();
  const c = conv.forward(a) as Tensor;
  c.retainGrad();
  let y = c;
  for (const i of [3, 4, 5]) y = model.at(i).forward(y) as Tensor;
  y.select(1, 2).sum().backward();
  assert.ok(seen);
  const [gi, go] = seen as [G, G];
  close("gradOutput", go[0], c.grad!, 1e-6);
  close("gradInput", gi[0], a.grad!, 1e-6);
});

test("hooks run again on a second backward through a retained graph; not at all under noGrad or once removed", () => {
  manualSeed(3);
  const l = new nn.Linear(3, 2);
  let n = 0;
  const h = l.registerFullBackwardHook(() => void n++);
  const x = randn([4, 3], { requiresGrad: true });
  const out = l.forward(x).sum();
  out.backward(undefined, { retainGraph: true });
  out.backward();
  assert.equal(n, 2);
  const y = noGrad(() => l.forward(x));
  assert.equal(y.gradFn, null);
  h.remove();
  l.forward(x).sum().backward();
  assert.equal(n, 2);
  assert.notEqual(l.forward(x).gradFn?.name, "BackwardHookFunctionBackward", "no wrapper once removed");
});
