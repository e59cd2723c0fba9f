/**
 * nn.Module's extra state (`getExtraState` / `setExtraState` and the `_extra_state` state-dict key),
 * load-state-dict post hooks, `type`, `toEmpty`, `shareMemory`, `registerBackwardHook`, and the lr
 * schedulers' `printLr`. The expected keys, orders and messages are PyTorch 1.13's: checked with
 * torch (`Net` below as a torch module: state_dict keys
 * ['a.weight', 'a.bias', 'a._extra_state', 'bn.weight', 'bn.bias', 'bn.running_mean',
 * 'bn.running_var', 'bn.num_batches_tracked']; a missing `a._extra_state` is a strict error and is
 * reported with strict=False; an `_extra_state` key for a module without set_extra_state is
 * unexpected; a post hook that clears missing_keys avoids the strict error; `type(torch.float64)`
 * casts num_batches_tracked too).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type Tensor, nn, optim, tensor, withBackend } from "../src/index.js";
import { backendsUnderTest } from "./helpers/backends.js";
import { assertThrowsTensile } from "./nn-helpers.js";

class WithExtra extends nn.Linear {
  counter = 3;
  override getExtraState(): unknown {
    return { counter: this.counter };
  }
  override setExtraState(state: unknown): void {
    this.counter = (state as { counter: number }).counter;
  }
}
class Net extends nn.Module {
  a = new WithExtra(2, 2);
  bn = new nn.BatchNorm1d(2);
  override forward(x: Tensor): Tensor {
    return this.bn.forward(this.a.forward(x));
  }
}
const KEYS = ["a.weight", "a.bias", "a._extra_state", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked"];
const values = (t: Tensor) => Array.from(t.contiguous().dataSync(), Number);

describe("extra state", () => {
  test("stateDict holds prefix + '_extra_state' after the module's own tensors; loadStateDict hands it to setExtraState", () => {
    const n = new Net();
    const sd = n.stateDict();
    assert.deepEqual(Object.keys(sd), KEYS);
    assert.deepEqual(sd["a._extra_state"], { counter: 3 });
    (sd as Record<string, unknown>)["a._extra_state"] = { counter: 9 };
    const m = new Net();
    assert.deepEqual(m.loadStateDict(sd), { missingKeys: [], unexpectedKeys: [] });
    assert.equal(m.a.counter, 9);
    const root = new WithExtra(1, 1);
    assert.deepEqual(Object.keys(root.stateDict()), ["weight", "bias", "_extra_state"]);
  });

  test("strict mode accounts for the extra-state key as PyTorch", () => {
    const sd = new Net().stateDict();
    delete sd["a._extra_state"];
    assertThrowsTensile(() => new Net().loadStateDict(sd), /Error\(s\) in loading state_dict for Net:\n\tMissing key\(s\) in state_dict: "a\._extra_state"\./);
    assert.deepEqual(new Net().loadStateDict(sd, { strict: false }), { missingKeys: ["a._extra_state"], unexpectedKeys: [] });
    const sd2 = new Net().stateDict();
    (sd2 as Record<string, unknown>)["bn._extra_state"] = 1;
    assertThrowsTensile(() => new Net().loadStateDict(sd2), /Unexpected key\(s\) in state_dict: "bn\._extra_state"\./);
  });

  test("the base getExtraState / setExtraState throw", () => {
    assertThrowsTensile(() => new nn.Linear(1, 1).getExtraState(), /Linear\.getExtraState: reached a code path that should never be called/);
    assertThrowsTensile(() => new nn.Linear(1, 1).setExtraState({}), /Linear\.setExtraState: reached a code path/);
  });
});

describe("registerLoadStateDictPostHook", () => {
  test("hooks run after loading, children first, and may clear the keys strict mode checks", () => {
    const m = new Net();
    const calls: [string, string[]][] = [];
    m.registerLoadStateDictPostHook((mod, keys) => {
      assert.equal(mod, m);
      calls.push(["net", [...keys.missingKeys]]);
      keys.missingKeys.length = 0;
    });
    const h = m.a.registerLoadStateDictPostHook((_mod, keys) => void calls.push(["a", [...keys.missingKeys]]));
    const src = new Net();
    src.bn.getBuffer("running_mean")!.fill_(5);
    const sd = src.stateDict();
    delete sd["bn.bias"];
    assert.deepEqual(m.loadStateDict(sd), { missingKeys: [], unexpectedKeys: [] });
    assert.deepEqual(calls.map(([w]) => w), ["a", "net"]);
    assert.deepEqual(calls[1]![1], ["bn.bias"]);
    assert.deepEqual(values(m.bn.getBuffer("running_mean")!), [5, 5], "loaded before the hooks ran");
    h.remove();
    calls.length = 0;
    m.loadStateDict(sd);
    assert.deepEqual(calls.map(([w]) => w), ["net"]);
  });

  test("without a hook that clears them, strict errors still throw; a hook must return nothing", () => {
    const m = new Net();
    m.registerLoadStateDictPostHook(() => undefined);
    const sd = new Net().stateDict();
    delete sd["bn.bias"];
    assertThrowsTensile(() => m.loadStateDict(sd), /Missing key\(s\) in state_dict: "bn\.bias"/);
    const k = new nn.Linear(1, 1);
    k.registerLoadStateDictPostHook((() => 1) as unknown as () => void);
    assertThrowsTensile(() => k.loadStateDict(new nn.Linear(1, 1).stateDict()), /loadStateDict: a load_state_dict post hook of Linear returned a value/);
    assertThrowsTensile(() => k.registerLoadStateDictPostHook(3 as never), /Linear\.registerLoadStateDictPostHook: expected a function, got number/);
    const bad = new Net().stateDict();
    bad["a.weight"] = tensor([1]);
    assertThrowsTensile(() => m.loadStateDict(bad), /size mismatch for a\.weight/);
  });
});

for (const backend of backendsUnderTest()) {
  describe(`type, toEmpty, shareMemory, registerBackwardHook on ${backend.name}`, () => {
    test("type(dtype) casts parameters and every buffer, integer ones too (PyTorch's Module.type)", () => withBackend(backend, () => {
      const m = new Net();
      assert.equal(m.type("float64"), m);
      assert.equal(m.a.weight.dtype, "float64");
      assert.equal(m.bn.getBuffer("running_var")!.dtype, "float64");
      assert.equal(m.bn.getBuffer("num_batches_tracked")!.dtype, "float64");
      assert.ok(m.a.weight.requiresGrad);
      assertThrowsTensile(() => new nn.Linear(1, 1).type("int32"), /Module\.type: cannot cast parameter "weight" of Linear to int32/);
      assertThrowsTensile(() => new nn.Linear(1, 1).type("float16" as never), /Module\.type: invalid type float16/);
    }));

    test("toEmpty re-allocates parameters and buffers zero-filled on the same backend", () => withBackend(backend, () => {
      const m = new Net();
      m.bn.getBuffer("running_var")!.fill_(3);
      const w = m.a.weight;
      assert.equal(m.toEmpty(), m);
      assert.notEqual(m.a.weight, w);
      assert.ok(m.a.weight.requiresGrad);
      assert.equal(m.a.weight.backend, backend);
      assert.deepEqual([...m.a.weight.shape], [2, 2]);
      assert.deepEqual(values(m.a.weight), [0, 0, 0, 0]);
      assert.deepEqual(values(m.bn.getBuffer("running_var")!), [0, 0]);
      assert.deepEqual(values(w), values(w), "the old tensor is untouched");
      assert.equal(new nn.Linear(1, 1).toEmpty({ device: "cpu" }).weight.dtype, "float32");
      assertThrowsTensile(() => new nn.Linear(1, 1).toEmpty({ device: "cuda" }));
      assert.equal(m.shareMemory(), m);
    }));

    test("registerBackwardHook is registerFullBackwardHook", () => withBackend(backend, () => {
      const l = new nn.Linear(2, 1);
      const seen: number[] = [];
      const h = l.registerBackwardHook((_m, gi, go) => void seen.push(gi.length, go.length));
      const x = tensor([[1, 2]], { requiresGrad: true });
      l.forward(x).sum().backward();
      assert.deepEqual(seen, [1, 1]);
      h.remove();
      l.forward(x).sum().backward();
      assert.deepEqual(seen, [1, 1]);
      assertThrowsTensile(() => l.registerBackwardHook(null as never), /Linear\.registerBackwardHook: expected a function/);
    }));
  });
}

describe("lr schedulers: printLr", () => {
  test("prints PyTorch's lines, with and without an epoch, only when verbose", () => {
    const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 0.1 });
    const lines: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => void lines.push(a.join(" "));
    try {
      const s = new optim.lrScheduler.StepLR(opt, { stepSize: 1, gamma: 0.5, verbose: true });
      s.printLr(true, 0, 0.1);
      s.printLr(true, 1, 1.5e-5, 3);
      s.printLr(true, 0, 0.25, 3.5);
      s.printLr(false, 0, 0.1);
      opt.step();
      s.step();
    } finally {
      console.log = log;
    }
    assert.deepEqual(lines, [
      "Adjusting learning rate of group 0 to 1.0000e-01.", // the constructor's initial step
      "Adjusting learning rate of group 0 to 1.0000e-01.",
      "Epoch 00003: adjusting learning rate of group 1 to 1.5000e-05.",
      "Epoch 3.50: adjusting learning rate of group 0 to 2.5000e-01.",
      "Adjusting learning rate of group 0 to 5.0000e-02.",
    ]);
  });
});
