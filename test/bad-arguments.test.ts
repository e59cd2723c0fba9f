// Bad input gets a TensileError naming the op, never a TypeError from deep inside: every Tensor
// method, every nn.functional function, every nn layer constructor and the creation functions are
// called with arguments of the wrong kind (a string, an object, a fraction, an array of the wrong
// thing) where JavaScript callers without types could pass them. Whatever throws must be a
// TensileError whose message starts with something naming the call.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as T from "../src/index.js";

const JUNK: readonly unknown[] = ["a", {}, 1.5, [T.ones([1])], NaN, null];

function probe(name: string, call: (junk: unknown) => unknown, failures: string[]): void {
  for (const j of JUNK) {
    try {
      call(j);
    } catch (e) {
      const why = e instanceof T.TensileError ? (/^[A-Za-z_][A-Za-z0-9_.]*[:( ]/.test(e.message) ? null : "does not start with the op") : `${(e as Error).constructor.name}`;
      if (why) failures.push(`${name}(${typeof j === "object" ? JSON.stringify(j)?.slice(0, 20) : String(j)}): ${why}: ${(e as Error).message.slice(0, 100)}`);
    }
  }
}

test("Tensor methods given arguments of the wrong kind throw a TensileError naming the op", () => {
  const failures: string[] = [];
  const proto = T.Tensor.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const skip = new Set(["constructor", "dispose", "toString", "backward", "registerHook", "uniform_", "normal_"]);
  let methods = 0;
  for (const name of Object.getOwnPropertyNames(T.Tensor.prototype)) {
    const d = Object.getOwnPropertyDescriptor(T.Tensor.prototype, name)!;
    if (skip.has(name) || name.startsWith("_") || typeof d.value !== "function") continue;
    methods++;
    probe(`x.${name}`, (j) => proto[name]!.call(T.randn([2, 3]), j), failures);
    probe(`x.${name}(0, ·)`, (j) => proto[name]!.call(T.randn([2, 3]), 0, j), failures);
  }
  assert.ok(methods > 100, `only ${methods} methods found`);
  assert.deepEqual(failures, []);
});

test("nn.functional functions, layer constructors and creation functions likewise", () => {
  const failures: string[] = [];
  const x = () => T.randn([1, 2, 4, 4]);
  let fns = 0;
  for (const [name, fn] of Object.entries(T.F)) {
    if (typeof fn !== "function") continue;
    fns++;
    const f = fn as (...a: unknown[]) => unknown;
    probe(`F.${name}`, (j) => f(j), failures);
    probe(`F.${name}(x, ·)`, (j) => f(x(), j), failures);
    probe(`F.${name}(x, x, ·)`, (j) => f(x(), x(), j), failures);
  }
  for (const [name, C] of Object.entries(T.nn)) {
    if (typeof C !== "function" || !/^[A-Z]/.test(name)) continue;
    fns++;
    const K = C as new (...a: unknown[]) => unknown;
    probe(`nn.${name}`, (j) => new K(j), failures);
    probe(`nn.${name}(2, ·)`, (j) => new K(2, j), failures);
  }
  const core = T as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const name of ["tensor", "zeros", "ones", "full", "rand", "randn", "arange", "linspace", "eye", "randint", "randperm", "cat", "stack", "where", "matmul", "softmax", "sum", "mean", "reshape", "permute"]) {
    fns++;
    probe(name, (j) => core[name]!(j), failures);
    probe(`${name}(x, ·)`, (j) => core[name]!(x(), j), failures);
  }
  assert.ok(fns > 100, `only ${fns} functions found`);
  assert.deepEqual(failures, []);
});

test("null where an options object goes means no options, as {} does", () => {
  const a = T.tensor([1, 2, 3], { dtype: "float32" }), b = T.tensor([0, 2, 5], { dtype: "float32" });
  const same = (x: T.Tensor, y: T.Tensor, what: string) => assert.deepEqual(Array.from(x.dataSync()), Array.from(y.dataSync()), what);
  const none = null as never;
  same(T.F.mseLoss(a, b, none), T.F.mseLoss(a, b, {}), "F.mseLoss");
  same(new T.nn.MSELoss(none).forward(a, b), new T.nn.MSELoss().forward(a, b), "nn.MSELoss");
  same(new T.nn.CrossEntropyLoss(none).forward(T.ones([2, 3]), T.tensor([0, 2])), new T.nn.CrossEntropyLoss().forward(T.ones([2, 3]), T.tensor([0, 2])), "nn.CrossEntropyLoss");
  same(T.zeros([2], none), T.zeros([2]), "zeros");
  same(T.arange(3, none), T.arange(3), "arange");
  same(T.eye(2, none), T.eye(2), "eye");
  same(T.isclose(a, b, none), T.isclose(a, b), "isclose");
  assert.equal(new T.nn.BatchNorm2d(3, none).eps, 1e-5);
  assert.equal(new T.nn.GELU(none).approximate, "none");
  assert.equal(new T.nn.Linear(2, 3, none).bias !== null, true);
  const m = new T.nn.Linear(2, 3);
  assert.deepEqual(Object.keys(m.stateDict(none)), ["weight", "bias"]);
  m.loadStateDict(m.stateDict(), none);
  const opt = new T.optim.Adam(m.parameters(), none);
  assert.equal(opt.paramGroups[0]!.lr, 0.001);
  opt.zeroGrad(none);
  const loader = new T.data.DataLoader(new T.data.TensorDataset(a), none);
  assert.equal([...loader].length, 3);
  T.nn.init.kaimingUniform_(m.weight, none);
  T.nn.init.uniform_(m.weight, none);
});

test("packed-sequence utilities and ONNX export given arguments of the wrong kind throw a TensileError naming the call", () => {
  const failures: string[] = [];
  const R = T.nn.utils.rnn as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const name of ["padSequence", "packPaddedSequence", "packSequence", "padPackedSequence"]) {
    probe(`${name}`, (j) => R[name]!(j), failures);
    probe(`${name}(x, ·)`, (j) => R[name]!(T.randn([4, 2, 3]), j), failures);
    probe(`${name}(x, [3, 2], ·)`, (j) => R[name]!(T.randn([4, 2, 3]), [3, 2], j), failures);
  }
  const lstm = new T.nn.LSTM(3, 2);
  probe("lstm.forward(packed, ·)", (j) => lstm.forward(T.nn.utils.rnn.packPaddedSequence(T.randn([4, 2, 3]), [3, 2]), j as never), failures);
  probe("io.exportOnnxBytes", (j) => T.io.exportOnnxBytes(j as never, T.randn(2, 3)), failures);
  probe("io.exportOnnxBytes(m, ·)", (j) => T.io.exportOnnxBytes(new T.nn.Linear(3, 2), j as never), failures);
  probe("io.exportOnnxBytes(m, x, ·)", (j) => T.io.exportOnnxBytes(new T.nn.Linear(3, 2), T.randn(2, 3), j as never), failures);
  assert.deepEqual(failures, []);
});
