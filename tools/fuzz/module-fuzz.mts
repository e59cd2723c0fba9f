// Random-sequence tester of the nn.Module API, Tensile side: replays the cases written by
// tools/fuzz/module-fuzz.py (torch 1.13) and lists every difference in what an operation returned,
// the error it raised, or the tree's state after it (module/parameter/buffer/state-dict names,
// shapes, dtypes, sums, training and requiresGrad flags, which names share one parameter).
//
//   node --import tsx tools/fuzz/module-fuzz.mts CASES.json [--backend wasm|reference] [--only ID] [--out FAILS.jsonl]
//
// One line per difference: {id, step, op, kind, torch, tensile}. kind: VALUE (result or snapshot),
// MISSING_ERROR (torch raised, Tensile returned), SPURIOUS_ERROR (Tensile raised a TensileError),
// CRASH (a non-TensileError), MISSING_FN (Tensile has no such operation). After the first
// difference in a case the rest of its steps are skipped (the trees no longer agree).
import fs from "node:fs";
import * as TS from "../../src/index.js";
import { Parameter, Tensor, TensileError, arange, noGrad } from "../../src/core.js";

const nn = TS.nn;
type Module = TS.nn.Module;
type Spec = { k: string; a?: any[]; s?: any[]; c?: any[]; m?: any[] };

class Custom extends nn.Module {}

let counter = 0;
const nxt = () => ++counter;

function filled(shape: number[], base: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return arange(n).mul(0.125).add(base).reshape(shape);
}

function build(spec: Spec): Module {
  const k = spec.k;
  let m: Module;
  if (k === "Linear") m = new nn.Linear(spec.a![0], spec.a![1], spec.a![2]);
  else if (k === "Conv2d") m = new nn.Conv2d(spec.a![0], spec.a![1], spec.a![2], { bias: spec.a![3] });
  else if (k === "BatchNorm1d") m = new nn.BatchNorm1d(spec.a![0], { affine: spec.a![1], trackRunningStats: spec.a![2] });
  else if (k === "ReLU") m = new nn.ReLU();
  else if (k === "PList") return new nn.ParameterList(spec.s!.map((s: number[]) => new Parameter(filled(s, nxt()))));
  else if (k === "PDict") return new nn.ParameterDict(new Map(spec.s!.map(([key, s]: [string, number[]]) => [key, new Parameter(filled(s, nxt()))])));
  else if (k === "Seq") return new nn.Sequential(...spec.c!.map(build));
  else if (k === "MList") return new nn.ModuleList(spec.c!.map(build));
  else if (k === "MDict") return new nn.ModuleDict(new Map(spec.c!.map(([key, c]: [string, Spec]) => [key, build(c)])));
  else {
    const c = new Custom();
    for (const mem of spec.m!) {
      const [name, kind] = mem as [string, string];
      if (kind === "p") c.registerParameter(name, new Parameter(filled(mem[2], nxt())));
      else if (kind === "b") c.registerBuffer(name, filled(mem[2], nxt()), { persistent: mem[3] });
      else if (kind === "np") c.registerParameter(name, null);
      else if (kind === "nb") c.registerBuffer(name, null);
      else c.registerModule(name, build(mem[2]));
    }
    return c;
  }
  noGrad(() => {
    for (const p of m.parameters(false)) p.copy_(filled(p.shape, nxt()));
    for (const b of m.buffers(false)) if (b.dtype === "float32" || b.dtype === "float64") b.copy_(filled(b.shape, nxt()));
  });
  return m;
}

const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
const tsum = (t: Tensor) => r6(Number(t.detach().to("float64").sum().item()));
const tdesc = (t: Tensor | null | undefined) => (t ? [t.shape, t.dtype === "int32" ? "int" : t.dtype, tsum(t)] : null);
const cls = (m: unknown) => (m as object).constructor.name;

function idents(pairs: [string, unknown][]): number[] {
  const first = new Map<unknown, number>();
  return pairs.map(([, v], i) => {
    if (!first.has(v)) first.set(v, i);
    return first.get(v)!;
  });
}

function snapshot(root: Module) {
  const params = root.namedParameters();
  return {
    modules: root.namedModules().map(([n, m]) => [n, cls(m), m.training]),
    params: params.map(([n, p]) => [n, tdesc(p), p.requiresGrad]),
    pids: idents(params),
    buffers: root.namedBuffers().map(([n, b]) => [n, tdesc(b)]),
    sd: Object.keys(root.stateDict({ keepVars: true })),
  };
}

class Missing extends Error {}
const need = (obj: any, name: string) => {
  if (typeof obj[name] !== "function") throw new Missing(`${cls(obj)}.${name}`);
  return obj[name].bind(obj);
};

function seqOp(s: any, op: any): unknown {
  const { act, i, j } = op;
  if (act === "index") return cls(s.at(i));
  if (act === "slice") {
    const t = s.slice(i ?? undefined, j ?? undefined);
    return [cls(t), t.namedChildren().map(([k, v]: [string, Module]) => [k, cls(v)])];
  }
  if (act === "len") return s.length;
  if (act === "append") return void s.append(build(op.spec));
  if (act === "extend") return void s.extend([build(op.spec), new nn.ReLU()]);
  if (act === "insert") return void s.insert(i, build(op.spec));
  if (act === "pop") return cls(need(s, "pop")(i));
  if (act === "del") return void need(s, "delete")(i);
  if (act === "setitem") return void need(s, "set")(i, build(op.spec));
  if (act === "add") {
    const t = need(s, "concat")(new nn.Sequential(new nn.ReLU()));
    return t.namedChildren().map(([k, v]: [string, Module]) => [k, cls(v)]);
  }
  return [...s].map(cls);
}

function run(root: Module, op: any): unknown {
  const k = op.op;
  const sub = (p: string) => root.getSubmodule(p);
  if (k === "named_modules") return root.namedModules(op.prefix, op.dedup).map(([n, m]) => [n, cls(m)]);
  if (k === "named_parameters" || k === "named_buffers") {
    const pairs = k === "named_parameters" ? root.namedParameters(op.prefix, op.recurse, op.dedup) : root.namedBuffers(op.prefix, op.recurse, op.dedup);
    return pairs.map(([n, t]) => [n, tdesc(t)]);
  }
  if (k === "named_children") return sub(op.path).namedChildren().map(([n]) => n);
  if (k === "state_dict") {
    const sd = root.stateDict({ keepVars: op.keep_vars });
    const ps = new Set<unknown>(root.parameters());
    return Object.entries(sd).map(([key, v]) => [key, tdesc(v), v instanceof Parameter, ps.has(v)]);
  }
  if (k === "load") {
    const sd: Record<string, Tensor> = {};
    for (const [key, v] of Object.entries(root.stateDict())) sd[key] = v.detach().mul(2).add(1);
    for (const [m, key] of op.muts) {
      if (m === "drop") delete sd[key];
      else if (m === "extra") sd[key] = TS.ones([2]);
      else if (m === "shape" && key in sd) sd[key] = TS.ones([...sd[key]!.shape, 2]);
    }
    const res = root.loadStateDict(sd, { strict: op.strict });
    return { missing: res.missingKeys, unexpected: res.unexpectedKeys };
  }
  if (k === "train") return void sub(op.path).train(op.mode), null;
  if (k === "requires_grad") return void sub(op.path).requiresGrad_(op.flag), null;
  if (k === "zero_grad") {
    const ps = root.parameters().filter((p) => p.requiresGrad);
    if (ps.length) ps.map((p, i) => p.mul(i + 1).sum()).reduce((a, b) => a.add(b)).backward();
    sub(op.path).zeroGrad(op.set_to_none);
    return root.namedParameters().map(([n, p]) => [n, p.grad === null ? null : tsum(p.grad)]);
  }
  if (k === "apply") {
    const seen: string[] = [];
    sub(op.path).apply((m) => void seen.push(cls(m)));
    return seen;
  }
  if (k === "to64") return void sub(op.path).double(), null;
  if (k === "repr") return sub(op.path).toString();
  if (k === "deepcopy") {
    const m = sub(op.path);
    const c = nn.deepcopy(m);
    const orig = new Set<unknown>(m.parameters());
    return { snap: snapshot(c), shared_with_orig: c.parameters().some((p) => orig.has(p)) };
  }
  if (k === "get") {
    if (op.kind === "m") return cls(root.getSubmodule(op.target));
    if (op.kind === "p") return tdesc(root.getParameter(op.target));
    return tdesc(root.getBuffer(op.target));
  }
  if (k === "register") {
    const m = sub(op.path);
    const { name, kind } = op;
    if (kind === "p") m.registerParameter(name, new Parameter(filled(op.shape, 0.5)));
    else if (kind === "b" || kind === "bn") m.registerBuffer(name, filled(op.shape, 0.25), { persistent: kind === "b" });
    else if (kind === "np") m.registerParameter(name, null);
    else if (kind === "nb") m.registerBuffer(name, null);
    else m.addModule(name, new nn.ReLU());
    return null;
  }
  if (k === "tie") {
    const p = root.getParameter(op.src);
    const m = sub(op.path) as any;
    if (m.namedParameters("", false).some(([n]: [string]) => n === op.name) || Object.getOwnPropertyDescriptor(m, op.name)?.enumerable) m[op.name] = p;
    else m.registerParameter(op.name, p);
    return null;
  }
  if (k === "share") return void sub(op.path).addModule(op.name, sub(op.src)), null;
  if (k === "delattr") {
    delete (sub(op.path) as any)[op.name];
    return null;
  }
  if (k === "seq" || k === "mlist") return seqOp(sub(op.path), op) ?? null;
  if (k === "mdict") {
    const d = sub(op.path) as TS.nn.ModuleDict;
    const { act, key } = op;
    if (act === "keys") return d.keys();
    if (act === "items") return d.entries().map(([kk, v]) => [kk, cls(v)]);
    if (act === "values") return d.values().map(cls);
    if (act === "update") return void d.update({ [key]: build(op.spec) }), null;
    if (act === "pop") return cls(d.pop(key));
    if (act === "clear") return void d.clear(), null;
    if (act === "del") return void d.pop(key), null; // Python's `del d[key]`
    if (act === "set") return void d.set(key, build(op.spec)), null;
    if (act === "get") return cls(d.get(key));
    if (act === "len") return d.size;
    return d.has(key);
  }
  if (k === "plist") {
    const pl = sub(op.path) as TS.nn.ParameterList;
    const { act } = op;
    if (act === "index") return tdesc(pl.at(op.i));
    if (act === "len") return pl.length;
    if (act === "append") return void pl.append(new Parameter(filled(op.shape, 0.75))), null;
    if (act === "extend") return void pl.extend([new Parameter(filled(op.shape, 0.75)), new Parameter(filled(op.shape, 1.75))]), null;
    if (act === "setitem") return void pl.set(op.i, new Parameter(filled(op.shape, 0.375))), null;
    if (act === "iter") return [...pl].map(tdesc);
    return pl.toString();
  }
  if (k === "pdict") {
    const pd = sub(op.path) as TS.nn.ParameterDict;
    const { act, key } = op;
    if (act === "keys") return pd.keys();
    if (act === "values") return pd.values().map(tdesc);
    if (act === "set") return void pd.set(key, new Parameter(filled(op.shape, 0.625))), null;
    if (act === "get") return tdesc(pd.get(key));
    if (act === "pop") return tdesc(pd.pop(key));
    if (act === "clear") return void pd.clear(), null;
    if (act === "update") return void pd.update(new Map([[key, new Parameter(filled(op.shape, 0.875))], ["zz", new Parameter(filled([2], 1.0))]])), null;
    if (act === "len") return pd.size;
    if (act === "contains") return pd.has(key);
    if (act === "del") return void pd.pop(key), null;
    return pd.toString();
  }
  if (k === "hooks") {
    const lin = sub(op.path) as TS.nn.Linear;
    if (!(lin.weight instanceof Tensor)) throw new TensileError("harness: the Linear's weight was removed");
    const calls: string[] = [];
    const hs: Record<string, TS.nn.RemovableHandle> = {};
    const all: TS.nn.RemovableHandle[] = [];
    if (op.pre) all.push((hs.pre = lin.registerForwardPreHook((_m, args) => (calls.push("pre"), op.pre === "scale" ? [(args[0] as Tensor).mul(2)] : undefined))));
    if (op.pre2) all.push(lin.registerForwardPreHook(() => void calls.push("pre2")));
    if (op.post) all.push((hs.post = lin.registerForwardHook((_m, _a, out) => (calls.push("post"), op.post === "add" ? (out as Tensor).add(1) : undefined))));
    if (op.remove && hs[op.remove]) hs[op.remove]!.remove();
    const n = lin.inFeatures;
    const x = arange(2 * n).to(lin.weight.dtype).mul(0.25).sub(0.5).reshape([2, n]);
    const y = lin.forward(x);
    for (const h of all) h.remove();
    return { calls, y: tdesc(y) };
  }
  if (k === "backward_hooks") {
    if (op.path === null) root.addModule("bh", build(op.spec));
    const s = sub(op.path ?? "bh") as TS.nn.Sequential;
    const order: unknown[] = [];
    const hs = [...s].map((c, i) =>
      c.registerFullBackwardHook((_m, gi, go) => void order.push([i, gi.map((g) => (g === null ? null : tsum(g))), go.map((g) => (g === null ? null : tsum(g)))])));
    const first = s.at(0) as any;
    const nIn = cls(first) === "Linear" ? first.inFeatures : 2;
    const dt = s.parameters()[0]?.dtype ?? "float32";
    const x = arange(2 * nIn).to(dt).mul(0.25).sub(0.5).reshape([2, nIn]).requiresGrad_(true);
    try {
      (s.forward(x) as Tensor).sum().backward();
    } finally {
      for (const h of hs) h.remove();
    }
    return order;
  }
  throw new Missing(k);
}

// ---- comparison ----

/**
 * Torch 1.13's load_state_dict quirks, not Tensile bugs (tools/fuzz/README.md): a plain dict has no
 * `_metadata`, so BatchNorm fills a missing `num_batches_tracked` (version < 2); a 1-d tensor loads
 * into a 0-d parameter by taking its first element (0.3-era compatibility); a key whose first
 * component past a module's prefix names one of its parameters (`"w.zz"`) is never reported.
 */
function knownLoad(kind: string | null, op: any, got: any): string | null {
  const t = op.out;
  if (kind === "SPURIOUS_ERROR") {
    const errs = String(got.msg).split("\n\t").slice(1);
    const quirk = (e: string) => /in current model is \[\]\.$/.test(e) || /^Missing key\(s\) in state_dict: ("[^"]*num_batches_tracked"(, )?)+\.$/.test(e)
      || (e.startsWith("Unexpected key(s)") && !op.strict);
    if (errs.length && errs.every(quirk)) return "KNOWN_LOAD_QUIRK";
    if (errs.every((e) => quirk(e) || e.startsWith("Unexpected key(s)"))) return "KNOWN_LOAD_QUIRK";
  }
  if (kind === "VALUE" && t && got && !("error" in t) && !("error" in got)) {
    const miss = got.missing.filter((k: string) => t.missing.includes(k) || !k.endsWith("num_batches_tracked"));
    const unexp = got.unexpected.filter((k: string) => t.unexpected.includes(k));
    if (same(miss, t.missing) && same(unexp, t.unexpected)) return "KNOWN_LOAD_QUIRK";
  }
  return null;
}

function same(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "number") return Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(a));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a), kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => same((a as any)[k], (b as any)[k]));
  }
  return a === b || (a === null && b === undefined) || (a === undefined && b === null);
}

const args = process.argv.slice(2);
const opt = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const file = args[0]!;
TS.setBackend?.((opt("--backend") ?? "wasm") as any);
const only = opt("--only");
const outFile = opt("--out");
const cases = JSON.parse(fs.readFileSync(file, "utf8")).cases as any[];
const lines: string[] = [];
let nOps = 0;
for (const c of cases) {
  if (only && c.id !== only) continue;
  counter = 0;
  const root = build(c.tree);
  for (const [step, op] of c.ops.entries()) {
    nOps++;
    const tErr = op.out && typeof op.out === "object" && "error" in op.out;
    let got: unknown;
    let kind: string | null = null;
    // a null slot has no kind in Tensile (a None parameter and a None module are both `null`)
    const nullSlot = (op.op === "share" || op.op === "register") && (() => {
      try {
        return Object.getOwnPropertyDescriptor(root.getSubmodule(op.path), op.name)?.value === null;
      } catch {
        return false;
      }
    })();
    try {
      got = run(root, op) ?? null;
      if (tErr) kind = "MISSING_ERROR";
      else if (!same(op.out, got)) kind = "VALUE";
    } catch (e) {
      if (e instanceof Missing) kind = "MISSING_FN";
      else if (!(e instanceof TensileError)) kind = "CRASH";
      else if (!tErr) kind = "SPURIOUS_ERROR";
      got = { error: (e as Error).constructor.name, msg: String((e as Error).message).slice(0, 400) };
    }
    if (op.op === "load") kind = knownLoad(kind, op, got) ?? kind;
    if (kind === "MISSING_ERROR" && nullSlot) kind = "KNOWN_NULL_SLOT";
    // Tensile promotes mixed float dtypes in matmul, torch refuses them ("benign-permissive" in tools/fuzz/README.md)
    if (kind === "MISSING_ERROR" && /must have the same dtype|expected scalar type/.test(op.out.msg)) kind = "KNOWN_DTYPE_PROMOTION";
    // known: torch 1.13's ModuleList.insert past the end stores key str(index) (a gap), Tensile refuses it
    if (kind === "SPURIOUS_ERROR" && op.op === "mlist" && op.act === "insert" && op.i > 0) kind = "KNOWN_MLIST_INSERT";
    // known: torch 1.13's ModuleList.insert with a negative index raises KeyError; Tensile inserts as list.insert
    if (kind === "MISSING_ERROR" && op.op === "mlist" && op.act === "insert" && op.i < 0) kind = "KNOWN_MLIST_INSERT";
    if (!kind) {
      const s = snapshot(root);
      if (!same(op.snap, s)) {
        // known: torch copies the entries it can before raising, Tensile copies nothing when loading fails;
        // torch 1.13's ModuleList.insert with a negative index leaves a gap in the keys
        // torch 1.13 casts in place, so a parameter tied outside the cast module is cast there too; Tensile replaces it
        const splitTie = op.op === "to64" && op.path !== "" && s.params.length === op.snap.params.length + 1;
        kind = tErr && op.op === "load" ? "KNOWN_LOAD_ATOMIC" : op.op === "mlist" && op.act === "insert" && op.i < 0 ? "KNOWN_MLIST_INSERT"
          : splitTie ? "KNOWN_TO_TIE_OUTSIDE" : "SNAPSHOT";
        const keys = Object.keys(s).filter((key) => !same(op.snap[key], (s as any)[key]));
        got = Object.fromEntries(keys.map((key) => [key, (s as any)[key]]));
        op.out = Object.fromEntries(keys.map((key) => [key, op.snap[key]]));
      }
    }
    if (kind || (tErr && args.includes("--errors"))) {
      const { snap: _s, out, ...rest } = op;
      lines.push(JSON.stringify({ id: c.id, step, kind: kind ?? "BOTH_ERROR", op: rest, torch: out, tensile: got }));
      if (kind && kind !== "KNOWN_LOAD_QUIRK") break; // the trees may no longer agree
      if (kind === "KNOWN_LOAD_QUIRK" && !same(op.snap, snapshot(root))) break;
    }
  }
}
if (outFile) fs.writeFileSync(outFile, lines.join("\n") + (lines.length ? "\n" : ""));
else for (const l of lines) console.log(l);
const counts: Record<string, number> = {};
for (const l of lines) {
  const j = JSON.parse(l);
  const key = `${j.kind} ${j.op.op}${j.op.act ? "." + j.op.act : ""}`;
  counts[key] = (counts[key] ?? 0) + 1;
}
console.error(`${cases.length} cases, ${nOps} ops replayed; differences:`, counts);
