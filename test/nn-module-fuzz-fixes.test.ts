/**
 * Regressions found by the nn.Module random-sequence tester (tools/fuzz/module-fuzz.py +
 * module-fuzz.mts, tools/fuzz/README.md "Modules"): registering a parameter, module or buffer over
 * an attribute of another kind is refused as in PyTorch; `double()` keeps tied parameters (and a
 * buffer held twice) tied; `seq.slice(i, j)` keeps the children's keys; `insert` with a negative
 * index inserts as Python's list.insert. Values from tools/gen-module-fuzz-fixes-fixtures.py
 * (fixtures/module-fuzz-fixes.json), every backend.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Parameter, TensileError, type Tensor, arange, nn, noGrad, ones, tensor, zeros, withBackend } from "../src/index.js";
import { backendsUnderTest } from "./helpers/backends.js";

const fx = JSON.parse(readFileSync(new URL("../fixtures/module-fuzz-fixes.json", import.meta.url), "utf8"));
const cls = (m: object) => m.constructor.name;

function holder(): nn.Module {
  const m = new nn.Module();
  m.registerModule("c", new nn.Linear(2, 2));
  m.registerParameter("p", new Parameter(ones([2])));
  m.registerBuffer("b", zeros([2]));
  return m;
}

for (const backend of backendsUnderTest()) {
  describe(`nn.Module fuzz fixes on ${backend.name}`, () => {
    test("registering over an attribute of another kind is refused, as PyTorch's KeyError", () => withBackend(backend, () => {
      for (const c of fx.registration) {
        const m = holder();
        const run = () => {
          if (c.kind === "param") m.registerParameter(c.name, new Parameter(ones([3])));
          else if (c.kind === "module") m.registerModule(c.name, new nn.ReLU());
          else m.registerBuffer(c.name, ones([3]));
        };
        const what = `${c.kind} over "${c.name}"`;
        if (c.error) {
          assert.throws(run, (e: unknown) => e instanceof TensileError && e.message.includes(`attribute "${c.name}" already exists`), what);
        } else {
          run();
          assert.deepEqual(Object.keys(m.stateDict()), c.state, what);
        }
      }
    }));

    test("double() keeps parameters tied inside the module, and a shared buffer shared", () => withBackend(backend, () => {
      const want = fx.tiedDouble;
      const m = new nn.Module();
      const lin = new nn.Linear(2, 2), lin2 = new nn.Linear(2, 2);
      m.registerModule("lin", lin);
      m.registerModule("lin2", lin2);
      lin2.weight = lin.weight;
      const buf = arange(3).to("float32");
      m.registerBuffer("buf", buf);
      lin.registerBuffer("same", buf, { persistent: false });
      m.double();
      const named = m.namedParameters();
      assert.deepEqual(named.map(([n]) => n), want.names);
      assert.deepEqual(named.map(([, p]) => p.dtype), want.dtypes);
      assert.equal(lin.weight === lin2.weight, want.tied);
      assert.deepEqual(Object.keys(m.stateDict()), want.sd);
      assert.equal(m.getBuffer("buf")!.dtype, want.buf.dtype);
      assert.deepEqual(Array.from(m.getBuffer("buf")!.toArray() as number[]), want.buf.data);
      assert.equal(m.getBuffer("buf"), lin.getBuffer("same")); // one tensor, as before the cast
    }));

    test("slice keeps the children's keys (seq[i:j] is a Sequential over an OrderedDict)", () => withBackend(backend, () => {
      const s = new nn.Sequential(new nn.Linear(1, 1), new nn.ReLU(), new nn.Tanh(), new nn.Sigmoid());
      for (const [range, want] of Object.entries(fx.sequential.slices) as [string, [string, string][]][]) {
        const [i, j] = range.split(":").map((v) => (v === "None" ? undefined : Number(v)));
        const t = s.slice(i, j);
        assert.ok(t instanceof nn.Sequential);
        assert.deepEqual(t.namedChildren().map(([k, v]) => [k, cls(v)]), want, range);
      }
    }));

    test("insert with a negative index inserts before that element, as list.insert", () => withBackend(backend, () => {
      for (const [idx, want] of Object.entries(fx.sequential.insert) as [string, [string, string][]][]) {
        const s = new nn.Sequential(new nn.Linear(1, 1), new nn.ReLU(), new nn.Tanh(), new nn.Sigmoid());
        s.insert(Number(idx), new nn.ELU());
        assert.deepEqual(s.namedChildren().map(([k, v]) => [k, cls(v)]), want, `Sequential.insert(${idx})`);
        const l = new nn.ModuleList([new nn.Linear(1, 1), new nn.ReLU(), new nn.Tanh(), new nn.Sigmoid()]);
        l.insert(Number(idx), new nn.ELU());
        assert.deepEqual(l.namedChildren().map(([k, v]) => [k, cls(v)]), want, `ModuleList.insert(${idx})`);
      }
      for (const idx of Object.keys(fx.sequential.insertBad)) {
        const s = new nn.Sequential(new nn.Linear(1, 1), new nn.ReLU(), new nn.Tanh(), new nn.Sigmoid());
        assert.throws(() => s.insert(Number(idx), new nn.ELU()), /Sequential.insert: index -?\d+ is out of range for length 4/);
      }
    }));

    test("Sequential pop/delete/set/concat and ModuleList set/delete/slice, as del/setitem/+ in PyTorch", () => withBackend(backend, () => {
      const want = fx.containers;
      const names = (m: nn.Module) => m.namedChildren().map(([k, v]) => [k, cls(v)]);
      const mk = () => new nn.Sequential(new nn.Linear(1, 1), new nn.ReLU(), new nn.Tanh(), new nn.Sigmoid());
      let s = mk();
      assert.equal(cls(s.pop(1)), want.popped);
      assert.deepEqual(names(s), want.afterPop);
      assert.deepEqual(names(mk().delete(-1)), want.afterDel);
      assert.deepEqual(names(mk().set(-2, new nn.ELU())), want.afterSet);
      assert.deepEqual(names(mk().concat(new nn.Sequential(new nn.ELU()))), want.concat);
      s = new nn.Sequential(new Map<string, nn.Module>([["conv", new nn.Linear(1, 1)], ["act", new nn.ReLU()], ["out", new nn.Tanh()]]));
      assert.deepEqual(names(s.set(1, new nn.ELU())), want.namedSet);
      assert.deepEqual(names(s.delete(0)), want.namedDel);
      const l = new nn.ModuleList([new nn.Linear(1, 1), new nn.ReLU(), new nn.Tanh()]);
      assert.deepEqual(names(l.set(-1, new nn.ELU())), want.listSet);
      assert.deepEqual(names(l.slice(1)), want.listSlice);
      assert.deepEqual(names(l.delete(0)), want.listDel);
      assert.throws(() => mk().pop(4), /Sequential.pop: index 4 is out of range for length 4/);
      assert.throws(() => mk().set(-5, new nn.ELU()), /Sequential.set: index -5 is out of range for length 4/);
      assert.throws(() => l.delete(2), /ModuleList.delete: index 2 is out of range for length 2/);
      assert.throws(() => mk().concat(new nn.ReLU() as unknown as nn.Sequential), /Sequential.concat: add operator supports only objects of Sequential class/);
    }));

    test("unexpected keys come in PyTorch's order (by reporting module, pre-order), strict or not", () => withBackend(backend, () => {
      const want = fx.unexpectedOrder;
      const m = new nn.Module();
      m.registerModule("a", new nn.Linear(1, 1));
      m.registerModule("b", new nn.Sequential(new nn.Linear(1, 1)));
      const own = m.stateDict();
      const sd = new Map<string, Tensor>(want.given.map((k: string) => [k, own[k] ?? ones([1])]));
      assert.deepEqual(m.loadStateDict(sd, { strict: false }).unexpectedKeys, want.unexpected);
      const line = want.strictMsg.split("\n\t")[1].trim();
      assert.throws(() => m.loadStateDict(sd), (e: unknown) => e instanceof TensileError && e.message.includes(line));
    }));

    test("double() casts the parameters' grads too", () => withBackend(backend, () => {
      const want = fx.doubleGrad;
      const lin = new nn.Linear(2, 1);
      noGrad(() => {
        lin.weight.copy_(tensor([[0.5, -0.25]]));
        lin.bias!.fill_(0.125);
      });
      (lin.forward(tensor(want.x.data).reshape(want.x.shape)) as Tensor).pow(2).sum().backward();
      lin.double();
      for (const [g, w] of [[lin.weight.grad, want.weightGrad], [lin.bias!.grad, want.biasGrad]] as const) {
        assert.ok(g, "grad kept");
        assert.equal(g.dtype, w.dtype);
        assert.deepEqual(g.shape, w.shape);
        assert.deepEqual(Array.from(g.toArray() as number[]).flat(), w.data);
      }
    }));
  });
}
