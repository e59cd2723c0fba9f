/**
 * nn.Module: state discovery (keys, order, dedup) and printing against PyTorch (fixtures/nn-module.json),
 * loadStateDict errors, modes, grads, hooks, summary.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Parameter, Tensor, full, manualSeed, ones, randn, tensor, zeros } from "../src/core.js";
import * as nn from "../src/nn/index.js";
import { assertThrowsTensile, loadNnFixture } from "./nn-helpers.js";

class Net extends nn.Module {
  fc1 = new nn.Linear(784, 500);
  relu = new nn.ReLU();
  fc2 = new nn.Linear(500, 10);
  override forward(x: Tensor): Tensor {
    return this.fc2.forward(this.relu.forward(this.fc1.forward(x)));
  }
}
class SeqInCustom extends nn.Module {
  features = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 8), new nn.Dropout(0.1));
  head = new nn.Linear(8, 2, { bias: false });
  override forward(x: Tensor): Tensor {
    return this.head.forward(this.features.forward(x));
  }
}
class WithModuleList extends nn.Module {
  layers = new nn.ModuleList(Array.from({ length: 3 }, () => new nn.Linear(3, 3)));
  out = new nn.Linear(3, 1);
}
class WithModuleDict extends nn.Module {
  heads = new nn.ModuleDict({ cls: new nn.Linear(4, 3), box: new nn.Linear(4, 4) });
  emb = new nn.Embedding(10, 4, { paddingIdx: 0 });
}
class WithBuffers extends nn.Module {
  scale = new Parameter(ones([3]));
  fc = new nn.Linear(3, 3);
  notState = zeros([3]); // a plain tensor property is not state, as in PyTorch
  alsoNotState = [new nn.Linear(2, 2)]; // nor is a plain array of modules
  constructor() {
    super();
    this.registerBuffer("running_mean", zeros([3]));
    this.registerBuffer("cache", zeros([3]), { persistent: false });
    this.registerBuffer("num_batches_tracked", tensor(0));
  }
}
class Shared extends nn.Module {
  a = new nn.Linear(2, 2);
  b = this.a;
  c = new nn.Sequential(this.a, new nn.ReLU());
}
const namedSequential = (): nn.Sequential =>
  new nn.Sequential({ fc: new nn.Linear(2, 2), act: new nn.Tanh(), block: new nn.Sequential(new nn.Linear(2, 2), new nn.Sigmoid()) });

const builders: Record<string, () => nn.Module> = {
  Net: () => new Net(),
  SeqInCustom: () => new SeqInCustom(),
  WithModuleList: () => new WithModuleList(),
  WithModuleDict: () => new WithModuleDict(),
  WithBuffers: () => new WithBuffers(),
  Shared: () => new Shared(),
  NamedSequential: namedSequential,
  "CrossEntropyLoss(weight)": () => new nn.CrossEntropyLoss({ weight: ones([3]) }),
  "BCEWithLogitsLoss(pos_weight)": () => new nn.BCEWithLogitsLoss({ posWeight: ones([3]) }),
};

const reprBuilders: Record<string, () => nn.Module> = {
  "Linear(3, 4, bias=False)": () => new nn.Linear(3, 4, false),
  "Bilinear(2, 3, 4)": () => new nn.Bilinear(2, 3, 4),
  "LeakyReLU(0.2)": () => new nn.LeakyReLU(0.2),
  "LeakyReLU(1e-05)": () => new nn.LeakyReLU(1e-5),
  "ELU()": () => new nn.ELU(),
  "GELU('tanh')": () => new nn.GELU("tanh"),
  "Softplus()": () => new nn.Softplus(),
  "Softmax(dim=1)": () => new nn.Softmax(1),
  "Softmax()": () => new nn.Softmax(),
  "LogSoftmax(dim=-1)": () => new nn.LogSoftmax(-1),
  "Dropout(0.25)": () => new nn.Dropout(0.25),
  "AlphaDropout(0.1)": () => new nn.AlphaDropout(0.1),
  "Flatten()": () => new nn.Flatten(),
  "Unflatten(1, (2, 5))": () => new nn.Unflatten(1, [2, 5]),
  "Unflatten(0, (7,))": () => new nn.Unflatten(0, [7]),
  "Embedding(10, 3, padding_idx=0)": () => new nn.Embedding(10, 3, 0),
  "Embedding(10, 3, max_norm=1.0)": () => new nn.Embedding(10, 3, { maxNorm: 1 }),
  "Identity()": () => new nn.Identity(),
  "Hardtanh()": () => new nn.Hardtanh(),
  "SELU()": () => new nn.SELU(),
  "SiLU()": () => new nn.SiLU(),
  "CrossEntropyLoss()": () => new nn.CrossEntropyLoss(),
  "MSELoss()": () => new nn.MSELoss(),
  "KLDivLoss()": () => new nn.KLDivLoss(),
  "ModuleList(Linear(2, 2) x2, ReLU())": () => new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2), new nn.ReLU()]),
  "ModuleDict(a=ReLU(), b=Sequential(Tanh()))": () => new nn.ModuleDict({ a: new nn.ReLU(), b: new nn.Sequential(new nn.Tanh()) }),
};

interface Structure {
  name: string;
  stateDict: [string, number[]][];
  namedParameters: string[];
  namedBuffers: string[];
  namedModules: string[];
  namedChildren: string[];
  numParameters: number;
  repr: string;
}
const fx = loadNnFixture<{ structures: Structure[]; reprs: [string, string][] }>("nn-module.json");

describe("state discovery matches PyTorch", () => {
  for (const s of fx.structures) {
    test(s.name, () => {
      const build = builders[s.name];
      assert.ok(build, `no builder for ${s.name}`);
      const m = build();
      const sd = m.stateDict();
      assert.deepEqual(Object.entries(sd).map(([k, t]) => [k, [...t.shape]]), s.stateDict, "stateDict keys and shapes");
      assert.deepEqual(m.namedParameters().map(([k]) => k), s.namedParameters, "namedParameters");
      assert.deepEqual(m.namedBuffers().map(([k]) => k), s.namedBuffers, "namedBuffers");
      assert.deepEqual(m.namedModules().map(([k]) => k), s.namedModules, "namedModules");
      assert.deepEqual(m.namedChildren().map(([k]) => k), s.namedChildren, "namedChildren");
      assert.equal(m.parameters().reduce((a, p) => a + p.numel(), 0), s.numParameters, "parameter count");
      assert.equal(String(m), s.repr, "toString");
    });
  }
});

test("toString of single layers matches PyTorch's repr", () => {
  for (const [name, repr] of fx.reprs) {
    const build = reprBuilders[name];
    assert.ok(build, `no builder for ${name}`);
    assert.equal(String(build()), repr, name);
  }
});

test("stateDict values share storage with the module; keepVars returns the parameters", () => {
  const m = new nn.Linear(2, 2);
  const sd = m.stateDict();
  assert.equal(sd["weight"]!.requiresGrad, false);
  m.loadStateDict({ weight: ones([2, 2]), bias: zeros([2]) });
  assert.deepEqual(sd["weight"]!.toArray(), [[1, 1], [1, 1]]);
  assert.equal(m.stateDict({ keepVars: true })["weight"], m.weight);
});

describe("loadStateDict", () => {
  test("copies values in place, keeping parameter identity", () => {
    manualSeed(0);
    const a = new SeqInCustom();
    const b = new SeqInCustom();
    const w = b.head.weight;
    const res = b.loadStateDict(a.stateDict());
    assert.deepEqual(res, { missingKeys: [], unexpectedKeys: [] });
    assert.equal(b.head.weight, w);
    for (const [k, t] of Object.entries(a.stateDict())) assert.deepEqual(b.stateDict()[k]!.toArray(), t.toArray(), k);
  });

  test("accepts a Map and loads buffers; non-persistent buffers are neither saved nor expected", () => {
    const m = new WithBuffers();
    const sd = new Map(Object.entries(m.stateDict()));
    sd.set("running_mean", tensor([1, 2, 3]));
    m.loadStateDict(sd);
    assert.deepEqual(m.getBuffer("running_mean")!.toArray(), [1, 2, 3]);
    assert.ok(!("cache" in m.stateDict()));
  });

  test("strict: lists every missing and unexpected key", () => {
    const m = new Net();
    const sd = m.stateDict();
    delete sd["fc2.weight"];
    delete sd["fc2.bias"];
    sd["fc3.weight"] = zeros([1]);
    assertThrowsTensile(
      () => m.loadStateDict(sd),
      /loadStateDict: Error\(s\) in loading state_dict for Net/,
      /Missing key\(s\) in state_dict: "fc2.weight", "fc2.bias"\./,
      /Unexpected key\(s\) in state_dict: "fc3.weight"\./,
    );
  });

  test("shape mismatches name every key and both shapes, even with strict: false; nothing is copied", () => {
    const m = new Net();
    const before = m.fc2.bias!.toArray();
    const sd = m.stateDict();
    sd["fc1.weight"] = zeros([400, 784]);
    sd["fc1.bias"] = zeros([400]);
    sd["fc2.bias"] = ones([10]);
    for (const strict of [true, false])
      assertThrowsTensile(
        () => m.loadStateDict(sd, { strict }),
        /size mismatch for fc1\.weight: copying a param with shape \[400, 784\] from checkpoint, the shape in current model is \[500, 784\]/,
        /size mismatch for fc1\.bias: .*\[400\].*\[500\]/,
      );
    assert.deepEqual(m.fc2.bias!.toArray(), before);
  });

  test("strict: false returns the missing and unexpected keys and loads the rest", () => {
    const m = new Net();
    const res = m.loadStateDict({ "fc1.bias": ones([500]), extra: zeros([2]) }, { strict: false });
    assert.deepEqual(res.missingKeys, ["fc1.weight", "fc2.weight", "fc2.bias"]);
    assert.deepEqual(res.unexpectedKeys, ["extra"]);
    assert.equal(m.fc1.bias!.sum().item(), 500);
  });
});

test("train() / eval() reach every descendant and drive dropout", () => {
  const m = new SeqInCustom();
  assert.equal(m.eval(), m);
  assert.ok(m.modules().every((x) => x.training === false));
  const x = ones([2, 4]);
  assert.deepEqual(m.forward(x).toArray(), m.forward(x).toArray());
  m.train();
  assert.ok(m.modules().every((x) => x.training === true));
  assertThrowsTensile(() => m.train("yes" as never), /boolean/);
});

test("zeroGrad sets grads to null (PyTorch 2 default) or zeroes them with setToNone = false", () => {
  const m = new SeqInCustom();
  m.forward(randn([3, 4])).sum().backward();
  assert.ok(m.parameters().every((p) => p.grad !== null));
  m.zeroGrad(false);
  assert.ok(m.parameters().every((p) => p.grad!.abs().sum().item() === 0));
  m.zeroGrad();
  assert.ok(m.parameters().every((p) => p.grad === null));
});

test("requiresGrad_(false) freezes every parameter", () => {
  const m = new Net().requiresGrad_(false);
  assert.ok(m.parameters().every((p) => !p.requiresGrad));
  assert.equal(m.forward(randn([1, 784])).requiresGrad, false);
});

test("apply visits children before their parent", () => {
  const seen: string[] = [];
  new SeqInCustom().apply((m) => seen.push(m.constructor.name));
  assert.deepEqual(seen, ["Linear", "ReLU", "Linear", "Dropout", "Sequential", "Linear", "SeqInCustom"]);
});

describe("forward hooks", () => {
  test("pre-hooks can replace arguments, hooks can replace outputs, handles remove them", () => {
    const lin = new nn.Linear(2, 2);
    const calls: string[] = [];
    const h1 = lin.registerForwardPreHook((_m, args) => {
      calls.push("pre");
      return [(args[0] as Tensor).mul(0)];
    });
    const h2 = lin.registerForwardHook((_m, _args, out) => {
      calls.push("post");
      return (out as Tensor).add(1);
    });
    const y = lin.forward(ones([1, 2]));
    assert.deepEqual(calls, ["pre", "post"]);
    assert.deepEqual(y.toArray(), lin.bias!.add(1).unsqueeze(0).toArray());
    h1.remove();
    h2.remove();
    h2.remove(); // idempotent
    assert.deepEqual(lin.forward(zeros([1, 2])).toArray(), [lin.bias!.toArray()]);
    assert.equal(calls.length, 2);
  });

  test("hooks fire on children called from a parent's forward", () => {
    const m = new Net();
    const seen: [string, number[]][] = [];
    for (const [name, mod] of m.namedChildren()) mod.registerForwardHook((_m, _a, out) => void seen.push([name, [...(out as Tensor).shape]]));
    m.forward(randn([2, 784]));
    assert.deepEqual(seen, [["fc1", [2, 500]], ["relu", [2, 500]], ["fc2", [2, 10]]]);
  });

  test("a module without forward throws", () => {
    assertThrowsTensile(() => new nn.Module().forward(), /Module: module is missing the required "forward" function/);
  });
});

describe("registration", () => {
  test("registerBuffer / registerParameter / registerModule validate names and values", () => {
    const m = new nn.Module();
    assertThrowsTensile(() => m.registerBuffer("a.b", zeros([1])), /can't contain "\."/);
    assertThrowsTensile(() => m.registerBuffer("", zeros([1])), /can't be empty/);
    assertThrowsTensile(() => m.registerBuffer("x", 3 as never), /Tensor or null expected/);
    assertThrowsTensile(() => m.registerParameter("p", zeros([1]) as never), /Parameter or null expected/);
    assertThrowsTensile(() => m.registerModule("forward", new nn.ReLU()), /attribute "forward" already exists/);
    m.registerParameter("in_proj_weight", new Parameter(zeros([2])));
    m.registerModule("out_proj", new nn.Linear(2, 2));
    m.registerBuffer("w", null);
    assert.deepEqual(Object.keys(m.stateDict()), ["in_proj_weight", "out_proj.weight", "out_proj.bias"]);
    assert.equal(m.getBuffer("w"), null);
  });

  test("a buffer reads and assigns as an attribute, as self.pe in PyTorch", () => {
    class Pos extends nn.Module {
      declare pe: Tensor;
      field: Tensor | undefined = undefined;
      constructor() {
        super();
        this.registerBuffer("pe", ones([2]));
        this.registerBuffer("field", zeros([1]));
        this.registerBuffer("scratch", zeros([1]), { persistent: false });
      }
      get computed(): number {
        return 1;
      }
      override forward(x: Tensor) {
        return x.add(this.pe);
      }
    }
    const m = new Pos();
    assert.deepEqual(m.forward(zeros([2])).toArray(), [1, 1]);
    assert.equal(m.pe, m.getBuffer("pe"));
    assert.equal(m.field, m.getBuffer("field"), "a declared field becomes the buffer");
    m.pe = full([2], 5);
    assert.deepEqual(m.getBuffer("pe")!.toArray(), [5, 5], "assignment replaces the buffer");
    assert.deepEqual(Object.keys(m.stateDict()), ["pe", "field"]);
    (m as unknown as { scratch: Tensor }).scratch = ones([3]);
    assert.deepEqual(Object.keys(m.stateDict()), ["pe", "field"], "a non-persistent buffer stays non-persistent");
    assert.deepEqual([...m.getBuffer("scratch")!.shape], [3]);
    m.loadStateDict({ pe: full([2], 7), field: ones([1]) });
    assert.deepEqual(m.pe.toArray(), [7, 7]);
    assert.ok(!Object.keys(m).includes("pe"), "not an enumerable property");
    // a name the class defines is left alone (the buffer is still state)
    m.registerBuffer("computed", ones([1]));
    assert.equal(m.computed, 1);
    assert.deepEqual(Object.keys(m.stateDict()), ["pe", "field", "computed"]);
    assertThrowsTensile(() => ((m as unknown as { pe: number }).pe = 3), /Tensor or null expected/);
  });

  test("getSubmodule / getParameter / getBuffer follow dotted paths", () => {
    const m = new SeqInCustom();
    assert.equal(m.getSubmodule("features.2"), m.features[2]);
    assert.equal(m.getSubmodule(""), m);
    assert.equal(m.getParameter("head.weight"), m.head.weight);
    assertThrowsTensile(() => m.getSubmodule("features.9"), /Sequential has no submodule "9"/);
    assertThrowsTensile(() => m.getParameter("head.bias"), /Linear has no parameter "bias"/);
    const b = new WithBuffers();
    assert.deepEqual(b.getBuffer("running_mean")!.shape, [3]);
    assertThrowsTensile(() => b.getBuffer("fc.running_mean"), /Linear has no buffer "running_mean"/);
  });

  test("to('float64') casts parameters and buffers", () => {
    const m = new WithBuffers().double();
    assert.ok(m.parameters().every((p) => p.dtype === "float64" && p instanceof Parameter && p.requiresGrad));
    assert.equal(m.getBuffer("running_mean")!.dtype, "float64");
    assert.equal(m.getBuffer("num_batches_tracked")!.dtype, "int32");
    assert.equal(m.fc.forward(ones([1, 3], { dtype: "float64" })).dtype, "float64");
  });
});

test("summary tabulates output shapes and parameter counts and restores modes", () => {
  const m = new SeqInCustom();
  const s = nn.summary(m, [2, 4]);
  assert.deepEqual(
    s.rows.map((r) => [r.name, r.type, r.outputShapes, r.params]),
    [
      ["features", "Sequential", [[2, 8]], 0],
      ["features.0", "Linear", [[2, 8]], 4 * 8 + 8],
      ["features.1", "ReLU", [[2, 8]], 0],
      ["features.2", "Linear", [[2, 8]], 8 * 8 + 8],
      ["features.3", "Dropout", [[2, 8]], 0],
      ["head", "Linear", [[2, 2]], 16],
    ],
  );
  assert.equal(s.totalParams, m.parameters().reduce((a, p) => a + p.numel(), 0));
  assert.equal(s.trainableParams, s.totalParams);
  assert.ok(m.modules().every((x) => x.training));
  const text = String(s);
  assert.match(text, /features\.0 \(Linear\)\s+\[2, 8\]\s+40/);
  assert.match(text, /Total params: 128/);
  m.head.requiresGrad_(false);
  assert.equal(nn.summary(m, [1, 4]).nonTrainableParams, 16);
  // The hooks were removed: later calls add no rows.
  m.forward(ones([1, 4]));
  assert.equal(s.rows.length, 6);
  const e = nn.summary(new nn.Sequential(new nn.Embedding(5, 2)), [3], { dtypes: ["int32"] });
  assert.deepEqual(e.rows.map((r) => [r.name, r.outputShapes, r.params]), [["0", [[3, 2]], 10]]);
});

test("Module.to: a dtype casts floating parameters; 'cpu' is a no-op; other devices are a clear error", () => {
  const m = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Linear(3, 1));
  assert.equal(m.to("cpu"), m);
  assert.equal(m.to("float64"), m);
  assert.ok([...m.parameters()].every((p) => p.dtype === "float64"));
  assert.equal(m.forward(ones([4, 2], { dtype: "float64" })).dtype, "float64");
  assertThrowsTensile(() => m.to("cuda" as never), /^Module\.to: Tensile computes on the CPU .* no 'cuda' device/);
});
