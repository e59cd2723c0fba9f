// Replays the cases tools/fuzz/gen.py wrote (with PyTorch's results) through Tensile and reports
// every difference: wrong values, shapes, dtypes and gradients, errors Tensile misses or throws
// where PyTorch succeeds, non-TensileError throws (crashes), inputs an out-of-place op modified,
// and canary tensors changed behind Tensile's back (memory corruption). See tools/fuzz/README.md.
//
//   node --import tsx tools/fuzz/replay.mts CASES.json [--backend wasm|reference] [--out FAILS.jsonl]
//        [--only ID] [--progress FILE]
import fs from "node:fs";
import * as TS from "../../src/index.js";
import { TensileError } from "../../src/errors.js";
import { callDist } from "./dist.mts";
import { callGrad2 } from "./grad2.mts";
import { callVision } from "./vision.mts";
import { callFunc } from "./func.mts";

const { tensor, F, setBackend } = TS as any;
type Tensor = any;

const argv = process.argv.slice(2);
const opt = (k: string, d?: string) => {
  const i = argv.indexOf(k);
  return i >= 0 ? argv[i + 1] : d;
};
const file = argv[0]!;
const backend = opt("--backend", "wasm")!;
const outFile = opt("--out");
const only = opt("--only");
const progress = opt("--progress");
setBackend(backend);

const dec = (v: any) => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v);
const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);

function makeBase(s: any): Tensor {
  const dtype = s.dtype === "index" ? "int32" : s.dtype;
  const data = s.data.map(dec);
  const arr =
    dtype === "float32" ? Float32Array.from(data) : dtype === "float64" ? Float64Array.from(data)
      : dtype === "int32" ? Int32Array.from(data) : data.map(Boolean);
  const t = tensor(arr, { shape: s.shape, dtype });
  if (s.grad) t.requiresGrad_(true);
  return t;
}

function applyViews(t: Tensor, views: any[]): Tensor {
  for (const v of views) {
    const [k, a, b, c] = v;
    if (k === "transpose") t = t.transpose(a, b);
    else if (k === "permute") t = t.permute(a);
    else if (k === "index") t = t.index(a);
    else if (k === "narrow") t = t.narrow(a, b, c);
    else if (k === "expand") t = t.expand(a);
    else if (k === "unfold") t = t.unfold(a, b, c);
    else if (k === "select") t = t.select(a, b);
    else if (k === "unsqueeze") t = t.unsqueeze(a);
    else if (k === "diagonal") t = t.diagonal(a, b, c);
    else if (k === "log_softmax") t = F.logSoftmax(t, a);
    else if (k === "complex") continue; // Tensile's complex values are the trailing-2 real layout
    else throw new Error("unknown view " + k);
  }
  return t;
}

function decArg(a: any, vals: Record<string, Tensor>, top = true): any {
  if (a === null) return top ? undefined : null;
  if (Array.isArray(a)) return a.map((x) => decArg(x, vals, false));
  if (typeof a === "object") {
    if ("$null" in a) return null;
    if ("$t" in a) return vals[a.$t];
    if ("$ts" in a) return a.$ts.map((n: string) => vals[n]);
    const o: any = {};
    for (const [k, v] of Object.entries(a)) o[camel(k)] = v === null ? undefined : decArg(v, vals, false);
    return o;
  }
  return dec(a);
}

// parameters of the module a "mod:NAME" call built, by input name (their gradients are compared)
let modParams: Record<string, Tensor> = {};

function callModule(spec: any, vals: Record<string, Tensor>): any {
  const Ctor = TS.nn[spec.fn.slice(4)];
  if (typeof Ctor !== "function") throw new MissingFn(spec.fn);
  const ctor = (spec.ctor ?? []).map((a: any) => decArg(a, vals));
  if (spec.ctor_kw && Object.keys(spec.ctor_kw).length) ctor.push(decArg(spec.ctor_kw, vals));
  let m = new Ctor(...ctor);
  if (spec.mdtype === "float64") m = m.double();
  const named = new Map<string, Tensor>([...m.namedParameters()] as [string, Tensor][]);
  TS.noGrad(() => {
    for (const [pname, iname] of Object.entries<string>(spec.params ?? {})) {
      const p = named.get(pname);
      if (!p) throw new Error(`module ${spec.fn} has no parameter ${pname}`);
      p.copy_(vals[iname]);
      modParams[iname] = p;
    }
  });
  if (spec.eval) m.eval();
  const args = (spec.args as any[]).map((a) => decArg(a, vals));
  const kw = spec.kw && Object.keys(spec.kw).length ? decArg(spec.kw, vals) : undefined;
  if (kw) args.push(kw);
  const pk = spec.pack;
  const R = TS.nn.utils.rnn;
  if (pk) args[0] = R.packPaddedSequence(args[0], pk.lengths, { batchFirst: pk.batch_first, enforceSorted: pk.enforce_sorted });
  for (let k = 1; k < (spec.repeat ?? 1); k++) m.forward(...args);
  let r = m.forward(...args);
  if (spec.bufs?.length) r = [...(Array.isArray(r) ? r : [r]), ...spec.bufs.map((b: string) => m.getBuffer(b).clone())];
  if (pk) {
    const [padded, lens] = R.padPackedSequence(r[0], { batchFirst: pk.batch_first });
    r = [padded, lens, ...r.slice(1)];
  }
  return r;
}

function call(spec: any, vals: Record<string, Tensor>): any {
  if (spec.fn.startsWith("mod:")) return callModule(spec, vals);
  if (spec.fn.startsWith("dist:")) return callDist(spec, vals);
  if (spec.fn === "grad2:") return callGrad2(spec, vals, call); // second-order gradients (fam_grad2.py)
  if (spec.fn.startsWith("tv:")) return callVision(spec, vals);
  if (spec.fn === "func:") return callFunc(spec, vals); // torch.func transforms (fam_func.py)
  const args = (spec.args as any[]).map((a) => decArg(a, vals));
  const kw = spec.kw && Object.keys(spec.kw).length ? decArg(spec.kw, vals) : undefined;
  if (kw) args.push(kw);
  const fn: string = spec.fn;
  if (/^(linalg|fft|nn|special)\./.test(fn)) {
    let obj: any = TS;
    for (const part of fn.split(".")) obj = obj?.[camel(part)];
    if (typeof obj !== "function") throw new MissingFn(fn);
    return obj(...args);
  }
  if (fn.startsWith("F.")) {
    const f = F[camel(fn.slice(2))];
    if (typeof f !== "function") throw new MissingFn(fn);
    return f(...args);
  }
  if (fn.startsWith("m.")) {
    const name = fn.slice(2).endsWith("_") ? camel(fn.slice(2, -1)) + "_" : camel(fn.slice(2));
    const self = args.shift();
    if (typeof self[name] !== "function") throw new MissingFn(fn);
    return self[name](...args);
  }
  const f = (TS as any)[camel(fn)];
  if (typeof f !== "function") throw new MissingFn(fn);
  return f(...args);
}

class MissingFn extends Error {}

function flat(r: any): any[] {
  if (Array.isArray(r)) return r.flatMap(flat);
  return [r];
}

function gradWeights(shape: number[], permuted: boolean, dtype: string): Tensor {
  const n = numel(shape);
  const vals = Array.from({ length: n }, (_, k) => (((k * 7) % 11) - 5) / 4);
  const data = dtype === "float64" ? Float64Array.from(vals) : Float32Array.from(vals);
  if (permuted && shape.length >= 2) {
    const rev = [...shape].reverse();
    return tensor(data, { shape: rev, dtype }).permute([...rev.keys()].reverse());
  }
  return tensor(data, { shape, dtype });
}

const readAll = (t: Tensor): any[] => Array.from(t.dataSync() as ArrayLike<any>);

function closeEnough(a: number[], b: number[], dtype: string): string | null {
  if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
  const f64 = dtype === "float64";
  let scale = 1;
  for (const v of b) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  const atol = (f64 ? 1e-9 : 3e-5) * scale;
  const rtol = f64 ? 1e-7 : 3e-4;
  for (let i = 0; i < a.length; i++) {
    const x = Number(a[i]), y = Number(b[i]);
    if (Number.isNaN(y) && Number.isNaN(x)) continue;
    if (Number.isNaN(y) !== Number.isNaN(x)) return `at flat ${i}: got ${x}, torch ${y}`;
    if (!Number.isFinite(y) || !Number.isFinite(x)) {
      if (x !== y) return `at flat ${i}: got ${x}, torch ${y}`;
      continue;
    }
    if (Math.abs(x - y) > atol + rtol * Math.abs(y)) return `at flat ${i}: got ${x}, torch ${y}`;
  }
  return null;
}

function compare(got: any, exp: any, what: string, issues: string[], kind: string) {
  if (exp === null || exp === undefined) {
    return;
  }
  if ("scalar" in exp) {
    const g = got instanceof Object && typeof got.item === "function" ? got.item() : got;
    const e = dec(exp.scalar);
    if (!(g === e || (Number.isNaN(g) && Number.isNaN(e)) || Math.abs(Number(g) - Number(e)) <= 1e-5 * Math.max(1, Math.abs(Number(e)))))
      issues.push(`${kind} ${what}: scalar got ${g}, torch ${e}`);
    return;
  }
  if (!got || typeof got.dataSync !== "function") {
    issues.push(`${kind} ${what}: not a tensor (${typeof got}: ${String(got).slice(0, 60)})`);
    return;
  }
  const gs = [...got.shape];
  if (JSON.stringify(gs) !== JSON.stringify(exp.shape)) {
    issues.push(`SHAPE ${what}: got [${gs}], torch [${exp.shape}]`);
    return;
  }
  if (got.dtype !== exp.dtype) issues.push(`DTYPE ${what}: got ${got.dtype}, torch ${exp.tdtype}`);
  const data = readAll(got).map((v) => (typeof v === "boolean" ? Number(v) : Number(v)));
  const ref = exp.data.map((v: any) => (typeof v === "boolean" ? Number(v) : Number(dec(v))));
  const isF = exp.dtype.startsWith("float");
  if (isF) {
    const m = closeEnough(data, ref, got.dtype === "float64" && exp.dtype === "float64" ? "float64" : "float32");
    if (m) issues.push(`${kind} ${what}: ${m}`);
  } else {
    for (let i = 0; i < ref.length; i++)
      if (data[i] !== ref[i]) {
        issues.push(`${kind} ${what}: at flat ${i}: got ${data[i]}, torch ${ref[i]}`);
        break;
      }
  }
}

// Canaries: tensors made at start whose values must never change (wasm memory corruption).
const canaries: [Tensor, number[]][] = [];
for (let k = 0; k < 4; k++) {
  const n = [7, 64, 1000, 5000][k]!;
  const vals = Array.from({ length: n }, (_, i) => ((i * 13 + k) % 97) / 8);
  canaries.push([tensor(Float32Array.from(vals), { shape: [n] }).mul(1), vals]);
}
function checkCanaries(): string | null {
  // a backend left in a bad state computes wrong results afterwards (seen on wasm)
  const sum = readAll(tensor(Float32Array.from([1, 2, 3])).add(tensor(Float32Array.from([10, 20, 30]))));
  if (sum.join() !== "11,22,33") return `backend poisoned: [1,2,3] + [10,20,30] = [${sum}]`;
  for (const [t, v] of canaries) {
    const d = readAll(t);
    for (let i = 0; i < v.length; i++) if (d[i] !== v[i]) return `canary of ${v.length} changed at ${i}: ${d[i]} vs ${v[i]}`;
  }
  return null;
}

interface Fail { id: string; backend: string; cls: string; issues: string[]; call: string; error?: string; torchError?: string; special?: boolean }

function describe(c: any): string {
  const ins = Object.entries(c.inputs)
    .map(([n, s]: [string, any]) => `${n}:${s.dtype}[${s.shape}]${s.views?.length ? JSON.stringify(s.views) : ""}${s.grad ? "g" : ""}`)
    .join(" ");
  const cl = c.ts ?? c.call;
  return `${cl.fn}(${JSON.stringify(cl.args)}${cl.kw && Object.keys(cl.kw).length ? ", " + JSON.stringify(cl.kw) : ""}) ${ins}`;
}

function runCase(c: any): Fail | null {
  const issues: string[] = [];
  const special = Object.values<any>(c.inputs).some((s) => s.data.some((v: any) => typeof v === "string"));
  const mk = (cls: string, extra: Partial<Fail> = {}): Fail => ({ id: c.id, backend, cls, issues, call: describe(c), special, ...extra });
  const bases: Record<string, Tensor> = {};
  const vals: Record<string, Tensor> = {};
  let result: any;
  modParams = {};
  try {
    for (const [n, s] of Object.entries<any>(c.inputs)) {
      bases[n] = makeBase(s);
      vals[n] = applyViews(bases[n], s.views ?? []);
    }
  } catch (e) {
    return mk("HARNESS", { error: String(e) });
  }
  try {
    result = call(c.ts ?? c.call, vals);
  } catch (e) {
    if (e instanceof MissingFn) return mk("MISSING_FN", { error: e.message });
    const te = e instanceof TensileError;
    if (c.error) {
      if (!te) return mk("CRASH_ON_BAD_INPUT", { error: `${(e as Error)?.name}: ${(e as Error)?.message}`, torchError: c.error });
      return null;
    }
    return mk(te ? "SPURIOUS_ERROR" : "CRASH", { error: `${(e as Error)?.name}: ${(e as Error)?.message?.slice(0, 300)}` });
  }
  const outs = flat(result);
  for (const n of c.after ?? []) outs.push(n.startsWith("^") ? bases[n.slice(1)] : vals[n]);
  if (c.error) return mk("MISSING_ERROR", { torchError: c.error });
  try {
    if (outs.length !== c.out.length) issues.push(`COUNT: ${outs.length} outputs, torch ${c.out.length}`);
    else outs.forEach((o, i) => compare(o, c.out[i], `out${i}`, issues, "VALUE"));
  } catch (e) {
    issues.push(`READ_CRASH: ${String(e).slice(0, 200)}`);
  }
  // inputs of out-of-place ops must be unchanged
  if (!(c.after?.length) && !c.call.fn.endsWith("_")) {
    for (const [n, s] of Object.entries<any>(c.inputs)) {
      const d = readAll(bases[n]).map(Number);
      const e = s.data.map((v: any) => Number(dec(v)));
      for (let i = 0; i < e.length; i++)
        if (!(d[i] === e[i] || (Number.isNaN(d[i]) && Number.isNaN(e[i])))) {
          issues.push(`INPUT_MUTATED ${n} at ${i}: ${d[i]} vs ${e[i]}`);
          break;
        }
    }
  }
  // gradients
  const leaves = Object.entries<any>(c.inputs).filter(([n, s]) => (s.grad && s.dtype !== "index") || modParams[n]).map(([n]) => n);
  if (leaves.length && (c.grads || c.grad_error)) {
    const nAfter = (c.after ?? []).length;
    const fouts = outs.slice(0, outs.length - nAfter).filter((o) => o && o.requiresGrad && String(o.dtype).startsWith("float"));
    try {
      if (fouts.length === 1) fouts[0].backward(gradWeights([...fouts[0].shape], !!c.gnc, fouts[0].dtype));
      else if (fouts.length > 1) {
        let loss: Tensor | null = null;
        for (const o of fouts) {
          const t = o.mul(gradWeights([...o.shape], false, o.dtype)).sum();
          loss = loss ? loss.add(t) : t;
        }
        loss.backward();
      }
      if (c.grads) {
        for (const n of leaves) {
          const exp = c.grads[n];
          const g = modParams[n] ? modParams[n].grad : bases[n].grad;
          if (exp === null || exp === undefined) {
            if (g && readAll(g).some((v: number) => v !== 0)) issues.push(`GRAD ${n}: torch has none, Tensile non-zero`);
            continue;
          }
          if (!g) {
            if (exp.data.some((v: any) => Number(dec(v)) !== 0)) issues.push(`GRAD ${n}: Tensile has none`);
            continue;
          }
          compare(g, exp, `grad ${n}`, issues, "GRAD");
        }
      }
    } catch (e) {
      if (!c.grad_error) issues.push(`GRAD_ERROR: ${(e as Error)?.name}: ${(e as Error)?.message?.slice(0, 300)}`);
    }
  }
  const can = checkCanaries();
  if (can) issues.push("CORRUPTION " + can);
  if (!issues.length) return null;
  const cls = issues.some((s) => s.startsWith("CORRUPTION")) ? "CORRUPTION"
    : issues.some((s) => s.startsWith("INPUT_MUTATED")) ? "INPUT_MUTATED"
    : issues.some((s) => s.startsWith("VALUE") || s.startsWith("SHAPE") || s.startsWith("COUNT")) ? "WRONG_VALUE"
    : issues.some((s) => s.startsWith("GRAD_ERROR")) ? "GRAD_ERROR"
    : issues.some((s) => s.startsWith("GRAD")) ? "WRONG_GRAD" : "DTYPE";
  return mk(cls);
}

const cases = JSON.parse(fs.readFileSync(file, "utf8"));
const fails: Fail[] = [];
const counts: Record<string, number> = {};
for (const c of cases) {
  if (only && c.id !== only) continue;
  if (progress) fs.writeFileSync(progress, c.id);
  let f: Fail | null;
  try {
    f = runCase(c);
  } catch (e) {
    f = { id: c.id, backend, cls: "HARNESS", issues: [], call: describe(c), error: String(e) };
  }
  if (f) {
    fails.push(f);
    counts[f.cls] = (counts[f.cls] ?? 0) + 1;
    if (only) console.log(JSON.stringify(f, null, 1));
  }
}
if (outFile) fs.writeFileSync(outFile, fails.map((f) => JSON.stringify(f)).join("\n") + (fails.length ? "\n" : ""));
console.log(`${file} [${backend}]: ${cases.length} cases, ${fails.length} differences ${JSON.stringify(counts)}`);
process.exit(0);
