// vmap consistency fuzzing (no torch needed): for random ops from Tensile's op table, random inDims
// (0, 1, -1, null per argument), outDims, batch sizes 1 and > 1, nested vmap, vmap of grad/jacrev and
// in-place ops, checks that vmap(f, {inDims, outDims})(X...) equals stack([f(x_b...)], outDim) where
// the slices x_b are made first (contiguous) and the batched inputs are stacked from them, and that
// what vmap refuses is refused with a TensileError that says "vmap" or names the op — never another
// exception or a silently different result. Inputs must be left as they were unless the op writes
// into a mapped argument on purpose (then the batched input must hold the loop's writes).
//   node --import tsx tools/fuzz/vmap-consistency.mts [--backend wasm] [--seed 1] [--count 2000] [--only NAME]
import * as TS from "../../src/index.js";

const T: any = TS;
const { func, F } = T;
const argv = process.argv.slice(2);
const opt = (k: string, d: string) => (argv.includes(k) ? argv[argv.indexOf(k) + 1]! : d);
const backend = opt("--backend", "reference");
const count = Number(opt("--count", "1000"));
const only = opt("--only", "");
let seed = Number(opt("--seed", "1"));
T.setBackend(backend);

const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const ri = (n: number) => Math.floor(rnd() * n);
const ch = <X,>(xs: readonly X[]): X => xs[ri(xs.length)]!;
const f64 = (shape: number[]) => T.randn(shape, { dtype: "float64" });
const pos = (shape: number[]) => T.rand(shape, { dtype: "float64" }).add(0.5);
const idx = (shape: number[], n: number) => T.randint(0, n, shape, { dtype: "int32" });

/** An op: argument makers (one slice each) and the function. `inplace`: writes into argument 0. */
interface Op { name: string; args: (() => any)[]; f: (...a: any[]) => any; inplace?: boolean; grad?: boolean }
const ops: (() => Op)[] = [];
const add = (name: string, mk: () => Omit<Op, "name">) => ops.push(() => ({ name, ...mk() }));

const un = ["exp", "tanh", "relu", "sigmoid", "abs", "neg", "sin", "square", "floor", "sign", "erf", "expm1"];
for (const u of un) add(u, () => ({ args: [() => f64([3, 4])], f: (x) => x[u]() }));
for (const b of ["add", "mul", "sub", "div", "maximum", "minimum", "atan2", "pow"])
  add(b, () => { const s = ch([[3, 4], [4], [1, 4], [3, 1]]); return { args: [() => pos([3, 4]), () => pos(s)], f: (x, y) => x[b](y) }; });
for (const r of ["sum", "mean", "amax", "amin", "logsumexp", "prod", "var", "std", "norm"])
  add(r, () => {
    const dim = ch([0, 1, -1, [0, 1]]), keep = rnd() < 0.5;
    const f = r === "norm" ? (x: any) => x.norm(2, dim, keep) : r === "logsumexp" ? (x: any) => x.logsumexp(dim, keep) : (x: any) => x[r](dim, keep);
    return { args: [() => f64([3, 4])], f: (r === "logsumexp" || r === "amax" || r === "amin") && Array.isArray(dim) ? (x: any) => x[r](dim, keep) : f };
  });
add("max_dim", () => { const d = ri(2), k = rnd() < 0.5; return { args: [() => f64([3, 5])], f: (x) => x.max(d, k) }; });
add("argmax", () => ({ args: [() => f64([3, 5])], f: (x) => x.argmax(1) }));
add("matmul", () => { const s = ch([[4], [4, 2]]); return { args: [() => f64([3, 4]), () => f64(s)], f: (a, b) => a.matmul(b) }; });
add("bmm", () => ({ args: [() => f64([2, 3, 4]), () => f64([2, 4, 2])], f: (a, b) => a.bmm(b) }));
add("linear", () => ({ args: [() => f64([3, 4]), () => f64([2, 4]), () => f64([2])], f: (x, w, b) => F.linear(x, w, b) }));
add("conv1d", () => { const st = ch([1, 2]); return { args: [() => f64([1, 2, 7]), () => f64([3, 2, 3])], f: (x, w) => F.conv1d(x, w, null, { padding: 1, stride: st }) }; });
add("conv2d", () => { const p = ch([0, 1]); return { args: [() => f64([1, 2, 5, 5]), () => f64([2, 2, 3, 3])], f: (x, w) => F.conv2d(x, w, null, { padding: p }) }; });
add("maxPool2d", () => ({ args: [() => f64([2, 4, 4])], f: (x) => F.maxPool2d(x, 2) }));
add("avgPool1d", () => ({ args: [() => f64([2, 6])], f: (x) => F.avgPool1d(x, 2) }));
add("gather", () => ({ args: [() => f64([3, 4]), () => idx([3, 2], 4)], f: (x, i) => x.gather(1, i) }));
add("scatter", () => ({ args: [() => f64([3, 4]), () => idx([3, 1], 4), () => f64([3, 1])], f: (x, i, s) => x.scatter(1, i, s) }));
add("indexSelect", () => ({ args: [() => f64([3, 4]), () => idx([5], 3)], f: (x, i) => x.indexSelect(0, i) }));
add("index", () => { const a = ch([0, "1:", "::2"]), b = ch([":", 1, "1:3"]); return { args: [() => f64([3, 4])], f: (x) => x.index([a, b]) }; });
add("reshape", () => ({ args: [() => f64([3, 4])], f: (x) => x.reshape([2, 6]) }));
add("permute", () => ({ args: [() => f64([2, 3, 4])], f: (x) => x.permute([2, 0, 1]) }));
add("expand", () => ({ args: [() => f64([3, 1])], f: (x) => x.expand([3, 4]) }));
add("transpose", () => ({ args: [() => f64([3, 4])], f: (x) => x.transpose(0, 1) }));
add("flatten", () => ({ args: [() => f64([2, 3, 4])], f: (x) => x.flatten() }));
add("cat", () => ({ args: [() => f64([3, 4]), () => f64([2, 4])], f: (a, b) => T.cat([a, b], 0) }));
add("stack", () => { const d = ch([0, 1, -1]); return { args: [() => f64([3, 4]), () => f64([3, 4])], f: (a, b) => T.stack([a, b], d) }; });
add("split", () => ({ args: [() => f64([5, 4])], f: (x) => T.split(x, 2, 0) }));
add("chunk", () => ({ args: [() => f64([4, 6])], f: (x) => T.chunk(x, 3, 1) }));
add("softmax", () => { const d = ch([0, 1, -1]); return { args: [() => f64([3, 4])], f: (x) => x.softmax(d) }; });
add("logSoftmax", () => { const d = ch([0, 1, -1]); return { args: [() => f64([3, 4])], f: (x) => x.logSoftmax(d) }; });
for (const l of ["mseLoss", "l1Loss", "smoothL1Loss"])
  add(l, () => { const red = ch(["mean", "sum", "none"]); return { args: [() => f64([3, 4]), () => f64([3, 4])], f: (a, b) => F[l](a, b, { reduction: red }) }; });
add("crossEntropy", () => { const red = ch(["mean", "sum", "none"]); return { args: [() => f64([3, 5]), () => idx([3], 5)], f: (a, t) => F.crossEntropy(a, t, { reduction: red }) }; });
add("layerNorm", () => ({ args: [() => f64([3, 4]), () => f64([4]), () => f64([4])], f: (x, w, b) => F.layerNorm(x, [4], { weight: w, bias: b }) }));
add("groupNorm", () => ({ args: [() => f64([2, 4, 3])], f: (x) => F.groupNorm(x, 2) }));
add("batchNormTrain", () => ({ args: [() => f64([4, 3])], f: (x) => F.batchNorm(x, null, null, { training: true }) }));
add("normalize", () => ({ args: [() => f64([3, 4])], f: (x) => F.normalize(x, { dim: 1 }) }));
add("sort", () => { const d = ch([0, 1]), k = rnd() < 0.5; return { args: [() => f64([3, 5])], f: (x) => x.sort(d, k) }; });
add("topk", () => { const d = ch([0, 1]); return { args: [() => f64([3, 5])], f: (x) => x.topk(2, d) }; });
add("where", () => ({ args: [() => f64([3, 4]), () => f64([3, 4]), () => f64([4])], f: (c, a, b) => T.where(c.gt(0), a, b) }));
add("clamp", () => ({ args: [() => f64([3, 4])], f: (x) => x.clamp(-0.5, 0.5) }));
add("cumsum", () => { const d = ri(2); return { args: [() => f64([3, 4])], f: (x) => x.cumsum(d) }; });
// in place on a mapped argument (torch allows it: the batched tensor is written)
add("add_", () => { const s = ch([[3, 4], [4]]); return { args: [() => f64([3, 4]), () => f64(s)], f: (x, y) => x.add_(y), inplace: true }; });
add("mul_scalar_", () => ({ args: [() => f64([3, 4])], f: (x) => x.mul_(2), inplace: true }));
add("clamp_", () => ({ args: [() => f64([3, 4])], f: (x) => x.clamp_(-0.3, 0.3), inplace: true }));
add("index_put_", () => ({ args: [() => f64([3, 4]), () => f64([4])], f: (x, v) => { x.index([1]).copy_(v); return x; }, inplace: true }));
// transforms inside vmap: per-sample gradients, jacobians, nested vmap
add("grad", () => ({ args: [() => f64([4]), () => f64([4])], f: (x, y) => func.grad((a: any, b: any) => a.mul(b).sin().sum())(x, y), grad: true }));
add("grad_argnums", () => ({ args: [() => f64([3]), () => f64([3])], f: (x, y) => func.grad((a: any, b: any) => a.exp().mul(b.pow(2)).sum(), { argnums: [0, 1] })(x, y), grad: true }));
add("gradAndValue", () => ({ args: [() => f64([3])], f: (x) => func.gradAndValue((a: any) => a.tanh().pow(2).sum())(x), grad: true }));
add("jacrev", () => ({ args: [() => f64([3]), () => f64([2, 3])], f: (x, w) => func.jacrev((a: any) => w.matmul(a).tanh())(x), grad: true }));
add("jacfwd", () => ({ args: [() => f64([3])], f: (x) => func.jacfwd((a: any) => a.sin().mul(a.sum()))(x), grad: true }));
add("hessian", () => ({ args: [() => f64([3])], f: (x) => func.hessian((a: any) => a.pow(3).sum().add(a.prod()))(x), grad: true }));
add("vjp", () => ({ args: [() => f64([3]), () => f64([3])], f: (x, v) => func.vjp((a: any) => a.exp(), x)[1](v)[0], grad: true }));
add("jvp", () => ({ args: [() => f64([3]), () => f64([3])], f: (x, v) => func.jvp((a: any) => a.sin().mul(a), [x], [v])[1], grad: true }));
add("perSampleMLP", () => {
  const m = new T.nn.Sequential(new T.nn.Linear(3, 4), new T.nn.Tanh(), new T.nn.Linear(4, 2)).double();
  const params = Object.fromEntries(m.namedParameters());
  const loss = (ps: any, x: any, y: any) => F.crossEntropy(func.functionalCall(m, ps, [x.unsqueeze(0)]), y.unsqueeze(0));
  return { args: [() => f64([3]), () => idx([], 2)], f: (x, y) => func.grad(loss)(params, x, y), grad: true };
});
add("vmapNested", () => ({ args: [() => f64([4, 4]), () => f64([4])], f: (x, y) => func.vmap((r: any, s: any) => r.mul(s).sum(), { inDims: [1, null] })(x, y) }));
add("dictOut", () => ({ args: [() => f64([3]), () => f64([3])], f: (x, y) => ({ s: x.add(y), p: [x.mul(y), y.exp()] }) }));

const kinds = new Map<string, number>();
const fails: string[] = [];
const note = (k: string) => kinds.set(k, (kinds.get(k) ?? 0) + 1);

function insertDim(parts: any[], d: number | null): any {
  return d === null ? parts[0] : T.stack(parts, d);
}
function close(a: any, b: any): string | null {
  if (!(a instanceof T.Tensor) || !(b instanceof T.Tensor)) return `not tensors: ${typeof a} ${typeof b}`;
  if (a.shape.join() !== b.shape.join()) return `shape ${a.shape} vs ${b.shape}`;
  if (a.dtype !== b.dtype) return `dtype ${a.dtype} vs ${b.dtype}`;
  const x = a.reshape(-1).toArray() as number[], y = b.reshape(-1).toArray() as number[];
  for (let i = 0; i < x.length; i++) {
    const u = Number(x[i]), v = Number(y[i]);
    if (!(Math.abs(u - v) <= 1e-9 * (1 + Math.abs(v))) && !(Number.isNaN(u) && Number.isNaN(v))) return `[${i}] ${u} vs ${v}`;
  }
  return null;
}
const flat = (t: any) => func.treeFlatten(t);

for (let c = 0; c < count; c++) {
  const op = ch(ops)();
  if (only && op.name !== only) continue;
  const id = `${op.name}#${c}`;
  try {
    const B = ch([1, 2, 3]);
    const n = op.args.length;
    const slices = Array.from({ length: B }, () => op.args.map((mk) => mk()));
    // inDims: at least one mapped; in place ops keep argument 0 mapped (torch refuses writes of batched values into unmapped tensors)
    let dims: (number | null)[];
    do dims = op.args.map((_, j) => ch<number | null>([0, 1, -1, null, 0]));
    while (dims.every((d) => d === null) || (op.inplace && dims[0] === null));
    dims = dims.map((d, j) => (d === null ? null : Math.min(d === -1 ? slices[0]![j]!.ndim : d, slices[0]![j]!.ndim)));
    const batched = op.args.map((_, j) => (dims[j] === null ? slices[0]![j] : insertDim(slices.map((s) => s[j]), dims[j]!)));
    // an unmapped argument: every slice sees the same value
    for (const s of slices) op.args.forEach((_, j) => { if (dims[j] === null) s[j] = batched[j]; });
    const inDims = rnd() < 0.2 && dims.every((d) => d === dims[0]) ? dims[0] : dims;
    const useNested = !op.inplace && rnd() < 0.15;
    const before = batched.map((b: any) => (b instanceof T.Tensor ? b.clone() : b));
    // reference: the loop over contiguous slices (copies for in-place ops)
    const refOuts = slices.map((s) => op.f(...s.map((a: any, j: number) => (op.inplace && j === 0 ? a.clone() : dims[j] === null && a instanceof T.Tensor ? a.clone() : a))));
    const [l0, spec0] = flat(refOuts[0]);
    const od = l0.map(() => ch([0, 1, -1, 0]));
    const refLeaves = l0.map((_: any, i: number) => {
      const parts = refOuts.map((o) => flat(o)[0][i]);
      const nd = parts[0].ndim + 1;
      const d = od[i] < 0 ? od[i] + nd : Math.min(od[i], nd - 1);
      return T.stack(parts, d);
    });
    // one number for a single-tensor output, else a tree of dims (clamped to the output's rank)
    const outDimsFixed = l0.length === 1 && l0[0] === refOuts[0] ? (od[0] < 0 ? od[0] : Math.min(od[0], l0[0].ndim)) : func.treeUnflatten(spec0, od.map((d: number, i: number) => (d < 0 ? d : Math.min(d, l0[i].ndim))));
    let got: any;
    if (useNested && B > 1 && dims.every((d) => d === null || d === 0)) {
      // vmap of vmap over [B1, B2] = [1, B] / the batch split in two: vmap(vmap(f)) on X.unsqueeze(0)
      const inner = func.vmap(op.f, { inDims: dims, outDims: outDimsFixed });
      const outer = func.vmap(inner, { inDims: dims, outDims: 0 });
      got = outer(...batched.map((b: any, j: number) => (dims[j] === null ? b : b.unsqueeze(0))));
      got = func.treeUnflatten(flat(got)[1], flat(got)[0].map((t: any) => t.squeeze(0)));
      note("nested");
    } else got = func.vmap(op.f, { inDims, outDims: outDimsFixed })(...batched);
    const [gl, gspec] = flat(got);
    if (JSON.stringify(gspec) !== JSON.stringify(spec0)) throw new Error(`structure ${JSON.stringify(gspec)} vs ${JSON.stringify(spec0)}`);
    gl.forEach((g: any, i: number) => {
      const e = close(g, refLeaves[i]);
      if (e) throw new Error(`output leaf ${i}: ${e}`);
    });
    batched.forEach((b: any, j: number) => {
      if (!(b instanceof T.Tensor)) return;
      if (op.inplace && j === 0) {
        const want = insertDim(slices.map((s, k) => { const v = s[0].clone(); op.f(v, ...s.slice(1)); return v; }), dims[0]!);
        const e = close(b, want);
        if (e) throw new Error(`in-place result in the batched input: ${e}`);
      } else if (close(b, before[j])) throw new Error(`input ${j} was mutated`);
    });
    note("ok");
  } catch (e: any) {
    const tensile = e instanceof T.TensileError;
    note(tensile ? "TensileError" : "FAIL");
    if (!tensile || !/vmap|\w+:/.test(e.message)) fails.push(`${id}: ${tensile ? "TensileError" : e?.constructor?.name}: ${e?.message?.slice(0, 300)}`);
    else fails.push(`${id}: (refused) ${e.message.slice(0, 200)}`);
  }
}
// what must be refused with a TensileError that says vmap (never a silently different result)
const X = () => f64([3, 4]), Y = () => f64([4]);
const refusals: [string, () => unknown][] = [
  ["in-place into an unmapped input", () => func.vmap((a: any, b: any) => b.add_(a), { inDims: [0, null] })(X(), Y())],
  ["in-place of an unbatched value into an unmapped input", () => func.vmap((a: any, b: any) => { b.mul_(2); return a; }, { inDims: [0, null] })(X(), Y())],
  ["in-place into a mapped input expanded along the mapped dim", () => func.vmap((a: any) => a.mul_(2))(Y().expand([3, 4]))],
  ["nested in-place into the outer slice unmapped inside", () => func.vmap((x: any) => func.vmap((a: any, b: any) => b.add_(a), { inDims: [0, null] })(X(), x))(X())],
  ["randomness error", () => func.vmap((a: any) => a.add(T.randn([4])))(X())],
  ["dropout in randomness error", () => func.vmap((a: any) => F.dropout(a, 0.5, true))(X())],
  ["mismatched sizes", () => func.vmap((a: any, b: any) => a.add(b))(X(), f64([2, 4]))],
  ["non-tensor output", () => func.vmap((a: any) => a.sum().item())(X())],
  ["inDims out of range", () => func.vmap((a: any) => a, { inDims: 2 })(X())],
  ["outDims out of range", () => func.vmap((a: any) => a, { outDims: 3 })(X())],
  ["inDims count", () => func.vmap((a: any) => a, { inDims: [0, 0] })(X())],
  ["no mapped input", () => func.vmap((a: any) => a, { inDims: null })(X())],
];
for (const [what, f] of refusals) {
  try {
    f();
    fails.push(`refusal "${what}": returned`);
    note("MISSING_ERROR");
  } catch (e: any) {
    if (e instanceof T.TensileError && /vmap/.test(e.message)) note("refused");
    else { fails.push(`refusal "${what}": ${e?.constructor?.name}: ${e?.message}`); note("BAD_ERROR"); }
  }
}
console.log(`backend ${backend}: ${count} cases`, Object.fromEntries(kinds));
for (const f of fails.slice(0, 60)) console.log(f);
