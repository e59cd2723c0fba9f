/**
 * autograd.graph and Node.nextFunctions: the structure PyTorch's grad_fn.next_functions has for the
 * same expressions (torch 1.13: (a*b + a).sum() → SumBackward0((AddBackward0((MulBackward0(
 * (AccumulateGrad, AccumulateGrad)), AccumulateGrad))); an input without grad is None), the text
 * tree and the DOT graph of a small network, shared subgraphs, and a deep graph without recursion.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as T from "../src/index.js";
import { Tensor, tensor } from "../src/core.js";
import { TensileError } from "../src/errors.js";

const { AccumulateGrad } = T.autograd;
const { printGraph, toDot } = T.autograd.graph;

type Fn = { name: string; nextFunctions?: readonly [Fn | null, number][] };
const show = (n: Fn | null): string =>
  n === null ? "None" : n.nextFunctions ? `${n.name}(${n.nextFunctions.map(([m, i]) => `${show(m)}:${i}`).join(", ")})` : n.name;

describe("autograd.graph", () => {
  test("nextFunctions has PyTorch's structure: op nodes, one AccumulateGrad per leaf, null without grad", () => {
    const a = tensor([1, 2], { requiresGrad: true }), b = tensor([3, 4], { requiresGrad: true }), c = tensor([5, 6]);
    const y = a.mul(b).add(a).sum();
    assert.equal(show(y.gradFn), "sum(add(mul(AccumulateGrad:0, AccumulateGrad:0):0, AccumulateGrad:0):0)");
    const add = y.gradFn!.nextFunctions[0]![0] as unknown as Fn & { nextFunctions: [Fn, number][] };
    const accA1 = (add.nextFunctions[0]![0] as unknown as { nextFunctions: [InstanceType<typeof AccumulateGrad>, number][] }).nextFunctions[0]![0];
    const accA2 = add.nextFunctions[1]![0] as InstanceType<typeof AccumulateGrad>;
    assert.ok(accA1 instanceof AccumulateGrad);
    assert.equal(accA1, accA2, "one accumulator per leaf, as PyTorch's");
    assert.equal(accA1.variable, a);
    assert.equal(show(a.mul(c).gradFn), "mul(AccumulateGrad:0, None:0)");
    assert.equal(show(a.mul(2).gradFn), "mul(AccumulateGrad:0, None:0)", "a scalar operand is a constant input, as in PyTorch");
  });

  test("printGraph of a small network: ops with shapes, named leaves, the data left out", () => {
    T.manualSeed(0);
    const { nn } = T;
    const model = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Linear(3, 2));
    const loss = model.forward(T.randn([5, 4])).pow(2).mean();
    assert.equal(printGraph(loss, { params: model.namedParameters() }), [
      "div → []", // mean is recorded as sum, then div
      "└─ sum → []",
      "   └─ pow → [5, 2]",
      "      └─ linear → [5, 2]",
      "         ├─ relu → [5, 3]",
      "         │  └─ linear → [5, 3]",
      "         │     ├─ 0.weight [3, 4] (leaf, AccumulateGrad)",
      "         │     └─ 0.bias [3] (leaf, AccumulateGrad)",
      "         ├─ 2.weight [2, 3] (leaf, AccumulateGrad)",
      "         └─ 2.bias [2] (leaf, AccumulateGrad)",
    ].join("\n"));
    const unnamed = printGraph(loss);
    assert.match(unnamed, /├─ leaf \[3, 4\] \(leaf, AccumulateGrad\)/);
  });

  test("a subgraph used twice is printed once, then pointed to; dtypes other than float32 are shown", () => {
    const a = tensor([1, 2], { requiresGrad: true, dtype: "float64" });
    const h = a.mul(2);
    const z = h.add(h.mul(h)).sum();
    assert.equal(printGraph(z, { params: { a } }), [
      "sum → [] float64",
      "└─ add → [2] float64",
      "   ├─ mul → [2] float64  #1",
      "   │  └─ a [2] float64 (leaf, AccumulateGrad)",
      "   └─ mul → [2] float64",
      "      ├─ mul → [2] float64  (#1, shown above)",
      "      └─ mul → [2] float64  (#1, shown above)",
    ].join("\n"));
  });

  test("toDot: one node per op and leaf, one edge per use, torchviz's colours", () => {
    T.manualSeed(1);
    const { nn } = T;
    const model = new nn.Sequential(new nn.Linear(4, 3), new nn.Tanh());
    const out = model.forward(T.randn([2, 4])).sum();
    const dot = toDot(out, { params: model.namedParameters() });
    assert.match(dot, /^digraph \{\n/);
    assert.ok(dot.endsWith("}\n"));
    const nodes = [...dot.matchAll(/^ {2}(n\d+) \[label="([^"]*)" fillcolor=(\w+)\]$/gm)].map((m) => [m[1], m[2], m[3]]);
    const edges = [...dot.matchAll(/^ {2}(n\d+) -> (n\d+)$/gm)].map((m) => [m[1], m[2]]);
    assert.deepEqual(nodes.map((n) => [n[1], n[2]]).sort(), [
      ["0.bias\\n[3]", "lightblue"], ["0.weight\\n[3, 4]", "lightblue"], ["linear\\n[2, 3]", "lightgrey"],
      ["sum\\n[]", "darkolivegreen1"], ["tanh\\n[2, 3]", "lightgrey"],
    ]);
    assert.equal(edges.length, 4);
    const declared = new Set(nodes.map((n) => n[0]));
    assert.ok(edges.every(([from, to]) => declared.has(from) && declared.has(to)));
  });

  test("deep graphs: printed to maxDepth, and in full without recursion; bad input is refused", () => {
    let x: Tensor = tensor([1], { requiresGrad: true });
    for (let i = 0; i < 3000; i++) x = x.mul(1);
    const lines = printGraph(x).split("\n");
    assert.equal(lines.length, 102, "the root, 100 levels, and the summary line");
    assert.match(lines.at(-1)!, /└─ … \(deeper than maxDepth 100: not shown\)$/);
    assert.equal(printGraph(x, { maxDepth: Infinity }).split("\n").length, 3001);
    assert.equal(printGraph(x, { maxDepth: 0 }).split("\n").length, 2);
    assert.equal((toDot(x).match(/ -> /g) ?? []).length, 3000);
    assert.throws(() => printGraph(x, { maxDepth: -1 }), /maxDepth must be ≥ 0/);
    assert.throws(() => printGraph(5 as never), (e: unknown) => e instanceof TensileError && /printGraph: expected a Tensor/.test(e.message));
  });
});
