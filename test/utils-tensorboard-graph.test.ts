/**
 * SummaryWriter.addGraph, structurally against torch 1.13's graphs of the same two models
 * (fixtures/tensorboard.json's `graphs`, from tools/gen-tensorboard-fixtures.py): scopes, IO nodes,
 * shapes, parameters, op kinds, edges between scopes; torch's RunMetadata record byte for byte.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as T from "../src/index.js";
import { TensileError } from "../src/errors.js";
import { tracing } from "../src/autograd/trace.js";
import { type GraphNode, b64, decode, eventOf, f64, fixture, one, readRecords, tmpdir } from "./helpers/tensorboard.js";

const { SummaryWriter } = T.utils.tensorboard;

describe("SummaryWriter.addGraph", () => {
  const { nn } = T;
  class GraphNet extends nn.Module { // tools/gen-tensorboard-fixtures.py's GraphNet
    conv1 = new nn.Conv2d(1, 4, 3, { padding: 1 });
    bn = new nn.BatchNorm2d(4);
    relu = new nn.ReLU();
    conv2 = new nn.Conv2d(4, 4, 3, { padding: 1 });
    pool = new nn.MaxPool2d(2);
    fc = new nn.Linear(64, 10);
    override forward(x: T.Tensor): T.Tensor {
      let y = this.relu.forward(this.bn.forward(this.conv1.forward(x)));
      y = this.conv2.forward(y).add(y);
      return this.fc.forward((this.pool.forward(y) as T.Tensor).flatten(1));
    }
  }
  const models = { mlp: () => new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3)), cnn: () => new GraphNet() };
  const text = (b: unknown) => new TextDecoder().decode(b as Uint8Array);
  /** The events after the file-version one, and the GraphDef's nodes and producer, decoded field by field. */
  function written(file: string) {
    const records = readRecords(file).slice(1), events = records.map(eventOf);
    const g = decode(one(events[0]!, 4) as Uint8Array);
    const nodes = (g.get(1) ?? []).map((b): GraphNode => {
      const f = decode(b as Uint8Array);
      const attrs = (f.get(5) ?? []).map((e) => decode(e as Uint8Array)).map((e) => [text(one(e, 1)), decode(one(e, 2) as Uint8Array)] as const);
      const value = (k: string) => attrs.find(([key]) => key === k)?.[1];
      const shapes = value("_output_shapes") && decode(one(value("_output_shapes")!, 1) as Uint8Array).get(7);
      return {
        name: text(one(f, 1)), op: text(one(f, 2)), inputs: (f.get(3) ?? []).map(text), attr: text(one(value("attr")!, 2)), attrKeys: attrs.map(([k]) => k),
        shape: shapes ? (decode(shapes[0] as Uint8Array).get(2) ?? []).map((d) => Number(one(decode(d as Uint8Array), 1) ?? 0n)) : null, device: f.has(4) ? text(one(f, 4)) : undefined,
      };
    });
    return { records, events, nodes, producer: Number(one(decode(one(g, 4) as Uint8Array), 1)) };
  }
  function addGraph(model: T.nn.Module, input: T.Tensor | T.Tensor[], opts: { walltime?: number; verbose?: boolean } = {}) {
    const dir = tmpdir();
    try {
      const w = new SummaryWriter(dir);
      w.addGraph(model, input, opts);
      w.close();
      return written(w.filePath);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const scopeOf = (name: string) => name.slice(0, name.lastIndexOf("/"));
  const LEAF = new Set(["prim::GetAttr", "prim::Constant", "prim::ListConstruct"]);
  const ATEN: Record<string, string> = { "aten::linear": "linear", "aten::relu": "relu", "aten::_convolution": "conv2d", "aten::max_pool2d": "maxPool2d",
    "aten::add": "add", "aten::flatten": "reshape", "aten::batch_norm": "add" }; // BatchNorm2d in eval: Tensile's last op is an add

  test("torch 1.13's two events: the GraphDef (producer 22), then the RunMetadata record byte for byte", () => {
    const g = addGraph(models.mlp(), T.randn([2, 4]), { walltime: 3000.25 });
    assert.deepEqual(g.events.map((e) => [...e.keys()]), [[1, 4], [1, 8]]);
    assert.deepEqual(g.events.map((e) => f64(one(e, 1))), [3000.25, 3000.25]);
    assert.deepEqual(fixture.graphs.mlp.events, [["graph_def", "wall_time"], ["tagged_run_metadata", "wall_time"]]);
    assert.equal(b64(g.records[1]!), fixture.graphs.mlp.runMetadataRecord);
    assert.equal(g.producer, fixture.graphs.mlp.producer);
  });

  for (const arch of ["mlp", "cnn"] as const)
    test(`${arch}: inputs exist, scopes follow the module tree, IO nodes and shapes; scopes, parameters, op kinds and edges as torch's`, () => {
      const torch = fixture.graphs[arch];
      const model = models[arch]();
      const ours = addGraph(model, T.randn(torch.inputShape)).nodes;
      const names = new Set(ours.map((n) => n.name));
      assert.equal(names.size, ours.length, "names are unique");
      for (const n of ours) {
        for (const i of n.inputs) assert.ok(names.has(i), `${n.name}'s input ${i} is a node`);
        assert.deepEqual(n.attrKeys, ["attr", "_output_shapes"]);
        assert.equal(n.device, undefined);
      }
      // the module tree, as Class[name] boxes under the root's class
      const root = model.constructor.name;
      const tree = new Set(model.namedModules().map(([k, m]) => (k ? `${root}/${m.constructor.name}[${k}]` : root)));
      const opScopes = (ns: GraphNode[]) => new Set(ns.filter((n) => n.op !== "IO Node" && !LEAF.has(n.op)).map((n) => scopeOf(n.name)));
      assert.deepEqual([...opScopes(ours)].sort(), [...tree].filter((s) => s !== root || arch === "cnn").sort());
      assert.deepEqual([...opScopes(ours)].sort(), [...opScopes(torch.nodes)].sort());
      // IO nodes: first, with torch's shapes, the output fed from the same scope
      const io = (ns: GraphNode[]) => ns.filter((n) => n.op === "IO Node").map((n) => [n.name.split("/")[0], n.shape, n.attr, n.inputs.map(scopeOf)]);
      assert.deepEqual(io(ours), io(torch.nodes));
      assert.deepEqual(ours.slice(0, 2).map((n) => n.name), ["input/input.1", "output/output.1"]);
      // parameters: prim::GetAttr in their module's scope (torch nests them one level deeper: Linear[0]/weight/weight.1)
      const params = (ns: GraphNode[], depth: number) => ns.filter((n) => n.op === "prim::GetAttr").map((n) => `${n.name.split("/").slice(0, -depth).join("/")} ${n.attr}`).sort();
      assert.deepEqual(params(ours, 1), params(torch.nodes, 2));
      const state = model.stateDict();
      for (const n of ours.filter((n) => n.op === "prim::GetAttr"))
        assert.deepEqual(n.shape, state[n.name.split("/").slice(1).map((s) => /\[(.*)\]$/.exec(s)?.[1] ?? s).join(".")]!.shape, n.name);
      // each aten op of torch's: a node of the matching kind and output shape in the same scope, fed from the same scopes
      const byName = new Map(torch.nodes.map((n) => [n.name, n]));
      const edgeScopes = (n: GraphNode, all: Map<string, GraphNode>) => n.inputs.filter((i) => !LEAF.has(all.get(i)?.op ?? "")).map(scopeOf);
      const oursByName = new Map(ours.map((n) => [n.name, n]));
      for (const t of torch.nodes.filter((n) => n.op.startsWith("aten::"))) {
        const match = ours.filter((n) => scopeOf(n.name) === scopeOf(t.name) && n.op === ATEN[t.op] && JSON.stringify(n.shape) === JSON.stringify(t.shape));
        assert.ok(match.length, `${t.name} (${t.op}) has a ${ATEN[t.op]} node of shape ${JSON.stringify(t.shape)} in ${scopeOf(t.name)}`);
        if (t.op !== "aten::batch_norm") assert.ok(match.some((n) => edgeScopes(n, oursByName).join() === edgeScopes(t, byName).join()), `${t.name}'s inputs' scopes`);
      }
      // elsewhere than BatchNorm2d (one aten::batch_norm, eight Tensile ops) the same number of ops per scope
      const count = (ns: GraphNode[]) => ns.filter((n) => n.op !== "IO Node" && !LEAF.has(n.op) && !n.name.includes("BatchNorm2d")).length;
      assert.equal(count(ours), count(torch.nodes.filter((n) => n.op.startsWith("aten::"))));
    });

  test("several inputs and outputs, nested and reused modules, in-place ops, constants; verbose prints the nodes", () => {
    class Block extends nn.Module {
      fc = new nn.Linear(3, 3);
      override forward(x: T.Tensor) { return this.fc.forward(x).relu(); }
    }
    class Two extends nn.Module {
      enc = new nn.Sequential(new Block(), new Block());
      head = new nn.Linear(3, 2);
      override forward(a: T.Tensor, b: T.Tensor) {
        const h = this.enc.forward(a.add(b));
        const k = h.mul(T.ones([3])).clone();
        k.add_(T.full([1], 0.5));
        return [this.head.forward(h), this.head.forward(k), a];
      }
    }
    const lines: string[] = [];
    const log = console.log;
    console.log = (s: string) => void lines.push(s);
    let g;
    try {
      g = addGraph(new Two(), [T.randn([5, 3]), T.randn([5, 3])], { verbose: true });
    } finally {
      console.log = log;
    }
    const ns = g.nodes, names = new Set(ns.map((n) => n.name));
    assert.equal(lines.length, ns.length);
    assert.match(lines.find((l) => l.startsWith("output/output.1"))!, /^output\/output\.1 = IO Node\(Two\/Linear\[head\]\/linear\) : \[5, 2\]$/);
    for (const n of ns) for (const i of n.inputs) assert.ok(names.has(i), `${n.name}'s input ${i}`);
    assert.deepEqual(ns.filter((n) => n.op === "IO Node").map((n) => [n.name, n.inputs, n.shape]), [
      ["input/input.1", [], [5, 3]], ["input/input.2", [], [5, 3]],
      ["output/output.1", ["Two/Linear[head]/linear"], [5, 2]], ["output/output.2", ["Two/Linear[head]/linear.1"], [5, 2]], ["output/output.3", ["input/input.1"], [5, 3]],
    ]);
    assert.ok(names.has("Two/Sequential[enc]/Block[1]/Linear[fc]/linear"), "nested scopes");
    assert.ok(names.has("Two/Sequential[enc]/Block[1]/relu"), "an op of Block's own forward, in Block's box");
    // the head's weight: one node, used by both calls; the in-place add_ feeds the second call
    const head = ns.filter((n) => n.name.startsWith("Two/Linear[head]/linear"));
    assert.deepEqual(head.map((n) => n.inputs[1]), ["Two/Linear[head]/weight", "Two/Linear[head]/weight"]);
    const inplace = ns.find((n) => n.name === head[1]!.inputs[0])!;
    assert.equal(scopeOf(inplace.name), "Two");
    assert.ok(inplace.inputs.some((i) => ns.find((n) => n.name === i)?.attr === "{ value : 0.5}"), `${inplace.name} adds the constant 0.5`);
  });

  test("errors name the call and the value; a failed call leaves the writer, the model and the tracer as they were", () => {
    const dir = tmpdir();
    try {
      const w = new SummaryWriter(dir);
      const err = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: unknown) => e instanceof TensileError && re.test(e.message));
      const mlp = models.mlp();
      mlp.train();
      mlp.modules()[2]!.eval();
      class Bad extends nn.Module {
        fc = new nn.Linear(4, 4);
        override forward(x: T.Tensor) { this.fc.forward(x); throw new Error("boom"); }
      }
      class NotATensor extends nn.Module { override forward() { return 3; } }
      err(() => w.addGraph({ forward: () => 1 } as never, T.randn([2, 4])), /addGraph: model must be an nn.Module, got/);
      err(() => w.addGraph(mlp, 5 as never), /addGraph: inputToModel must be a Tensor or an array of Tensors, got 5/);
      err(() => w.addGraph(mlp, [T.randn([2, 4]), [1]] as never), /addGraph: inputToModel must be a Tensor or an array of Tensors/);
      err(() => w.addGraph(mlp, T.randn([2, 4]), { walltime: NaN }), /addGraph: walltime must be a finite number/);
      err(() => w.addGraph(new Bad(), T.randn([2, 4])), /addGraph: Bad\.forward threw on inputs of shape \[2, 4\]: boom/);
      err(() => w.addGraph(mlp, T.randn([2, 5])), /addGraph: Sequential\.forward threw on inputs of shape \[2, 5\]: .*linear/);
      err(() => w.addGraph(new NotATensor(), []), /addGraph: NotATensor\.forward must return a Tensor or an array of Tensors, got 3/);
      assert.equal(tracing.current, null);
      assert.deepEqual(mlp.modules().map((m) => m.training), [true, true, false, true]);
      assert.equal(mlp.forward(T.randn([2, 4])).shape.join(), "2,3", "no hook left behind");
      w.addScalar("after", 1, 3, 10);
      w.close();
      const recs = readRecords(w.filePath);
      assert.deepEqual(recs.map((r) => [...eventOf(r).keys()]), [[1, 3], [1, 2, 5]], "only the version and the scalar: nothing of the failed graphs");
      err(() => w.addGraph(mlp, T.randn([2, 4])), /closed/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
