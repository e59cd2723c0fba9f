// ONNX export fuzzer: from a seed, builds random small models (Sequential chains of the layers
// exportOnnx knows, and small custom blocks: residual adds, concatenation, reshapes, permutes,
// slicing, elementwise tensor ops), exports each with io.exportOnnxBytes, runs the bytes in ONNX
// Runtime (onnxruntime-web, as test/helpers/onnx.ts does) at another batch size than the traced
// one, and compares with Tensile's own forward. A TensileError from the export is a refusal (fine
// when it names the op or layer); anything else that goes wrong is a finding: CRASH (the export
// threw something other than a TensileError), ORT_LOAD / ORT_RUN (the runtime refused the bytes),
// SHAPE / VALUE (a silent wrong result), BAD_REFUSAL (a TensileError that names nothing). Each
// finding is minimised by dropping blocks while it persists, and printed as its block list.
//
//   node --import tsx tools/fuzz/onnx-fuzz.mts [--seed 1] [--count 500] [--out FILE.jsonl] [--verbose]
//   node --import tsx tools/fuzz/onnx-fuzz.mts --seed 17 --count 1 --verbose     # one model, its blocks
//   node --import tsx tools/fuzz/onnx-fuzz.mts --only refuse                     # only blocks whose kind matches
//
// The blocks are in onnx-fuzz-blocks.mts. A model is a list of blocks, each (kind, sub-seed): a block draws its own options from its
// sub-seed and the shape it gets, so a list with blocks dropped still builds (minimisation).
import fs from "node:fs";
import * as ort from "onnxruntime-web";
import { type Tensor, TensileError, cat, io, manualSeed, nn, noGrad, randint, randn } from "../../src/index.js";
import { type Fn, KINDS, MAKERS, fmt, fn, mk } from "./onnx-fuzz-blocks.mts";

ort.env.wasm.numThreads = 1;

// ---------------------------------------------------------------- building a model

interface Spec { kind: string; seed: number }
interface Built { model: nn.Module; descs: string[]; shapes: number[][] }

const MAX_NUMEL = 3000;
function outShape(m: nn.Module, s: readonly number[]): number[] | null {
  try {
    const y = noGrad(() => m.forward(randn(...s))) as Tensor;
    if (!(y instanceof Object) || !("shape" in y) || y.ndim === 0 || y.numel() === 0 || y.numel() > MAX_NUMEL || y.ndim > 5 || y.dtype !== "float32") return null;
    return [...y.shape];
  } catch {
    return null;
  }
}

/** One block for spec on shape s; compound kinds build from sub-specs drawn from the block's seed. */
function makeBlock(spec: Spec, s: readonly number[], depth = 0): { m: nn.Module; desc: string; out: number[] } | null {
  const r = mk(spec.seed);
  if (spec.kind === "residual" || spec.kind === "branchCat" || spec.kind === "twoPath") {
    if (depth > 1) return null;
    const sub = (): { m: nn.Module; desc: string; out: number[] } | null => {
      for (let i = 0; i < 8; i++) {
        const k = r.pick(KINDS.filter((x) => !["residual", "branchCat", "twoPath", "recurrent", "mha", "encoder"].includes(x) || r.chance(0.3)));
        const b = makeBlock({ kind: k, seed: r.int(0, 2 ** 31) }, s, depth + 1);
        if (b) return b;
      }
      return null;
    };
    const a = sub();
    if (!a) return null;
    if (spec.kind === "residual") {
      if (a.out.join() !== s.join()) return null;
      const scale = r.pick([1, 0.5, -1]);
      const m = fn(`x + ${scale}·[${a.desc}](x)`, (x, self) => x.add(self.kid<nn.Module>("a").forward(x) as Tensor, { alpha: scale } as any), { a: a.m });
      const out = outShape(m, s);
      return out ? { m, desc: m.desc, out } : null;
    }
    const b = sub();
    if (!b || a.out.length !== b.out.length) return null;
    if (spec.kind === "twoPath") {
      if (a.out.join() !== b.out.join() && !a.out.every((v, i) => v === b.out[i] || v === 1 || b.out[i] === 1)) return null;
      const op = r.pick(["mul", "sub", "maximum", "add"] as const);
      const m = fn(`[${a.desc}](x).${op}([${b.desc}](x))`, (x, self) => (self.kid<nn.Module>("a").forward(x) as any)[op](self.kid<nn.Module>("b").forward(x)), { a: a.m, b: b.m });
      const out = outShape(m, s);
      return out ? { m, desc: m.desc, out } : null;
    }
    const dims = a.out.map((_, d) => d).filter((d) => d > 0 && a.out.every((v, i) => i === d || v === b.out[i]));
    if (!dims.length) return null;
    const d = r.pick(dims) - (r.chance(0.3) ? a.out.length : 0);
    const m = fn(`cat([[${a.desc}](x), [${b.desc}](x)], ${d})`, (x, self) => cat([self.kid<nn.Module>("a").forward(x) as Tensor, self.kid<nn.Module>("b").forward(x) as Tensor], d), { a: a.m, b: b.m });
    const out = outShape(m, s);
    return out ? { m, desc: m.desc, out } : null;
  }
  let m: nn.Module | null;
  try {
    m = MAKERS[spec.kind]!(s, r);
  } catch {
    return null;
  }
  if (!m) return null;
  m.eval();
  const out = outShape(m, s);
  if (!out) return null;
  return { m, desc: (m as Fn).desc, out };
}

interface Case { seed: number; input: number[]; batch: [number, number]; embed: number | null; specs: Spec[]; max: number; dynamic: "batch" | "none" | "axes" | "spatial" }

function drawCase(seed: number, only: string | null): Case {
  const r = mk(seed * 7919 + 13);
  const rank = r.pick([2, 3, 3, 4, 4, 5]);
  const shape = [0, ...Array.from({ length: rank - 1 }, () => r.pick([1, 2, 3, 4, 5, 6, 7]))];
  if (rank === 5) for (let i = 1; i < 5; i++) shape[i] = Math.min(shape[i]!, 4);
  const b1 = r.pick([1, 2, 3]);
  const b2 = r.pick([1, 2, 4, 5].filter((b) => b !== b1));
  const embed = rank === 3 && r.chance(0.15) ? r.int(3, 9) : null;
  const n = 14, max = r.int(1, 5); // candidates, of which the first `max` that fit are used
  const pool = only ? KINDS.filter((k) => k.includes(only)) : KINDS;
  const specs = Array.from({ length: n }, () => ({ kind: r.pick(only && r.chance(0.5) ? pool : KINDS), seed: r.int(0, 2 ** 31) }));
  const dynamic = r.pick(["batch", "batch", "batch", "none", "axes", "spatial"] as const);
  return { seed, input: shape, batch: [b1, b2], embed, specs, max, dynamic };
}

/** The model for a case; blocks that do not fit the shape they get are skipped. */
function build(c: Case): Built & { used: Spec[] } {
  manualSeed(c.seed);
  const mods: nn.Module[] = [], descs: string[] = [], shapes: number[][] = [], used: Spec[] = [];
  let s = [c.batch[0], ...c.input.slice(1)];
  if (c.embed !== null) {
    const e = new nn.Embedding(c.embed, s[2]!);
    mods.push(fn(`Embedding(${c.embed}, ${s[2]})`, (x, self) => self.kid<nn.Embedding>("e").forward(x), { e }));
    descs.push(`Embedding(${c.embed}, ${s[2]}) on int32 [N, ${s[1]}]`);
  }
  shapes.push([...s]);
  for (const spec of c.specs) {
    if (used.length >= c.max) break;
    const b = makeBlock(spec, s);
    if (!b) continue;
    mods.push(b.m);
    descs.push(`${b.desc}  → ${fmt(b.out.slice(1))}`);
    used.push(spec);
    s = b.out;
    shapes.push(s);
  }
  const model = new nn.Sequential(...mods);
  model.eval();
  return { model, descs, shapes, used };
}

// ---------------------------------------------------------------- running one case

type Verdict = { cls: "OK" | "REFUSED" | "SKIP" | "CRASH" | "ORT_LOAD" | "ORT_RUN" | "SHAPE" | "VALUE" | "BAD_REFUSAL"; msg: string };

function inputFor(c: Case, batch: number, gen: number, longer = false): Tensor {
  manualSeed(c.seed * 31 + gen);
  const shape = [batch, ...c.input.slice(1)];
  if (longer) shape[shape.length - 1]! += 1;
  if (c.embed !== null) return randint(0, c.embed, shape.slice(0, 2), { dtype: "int32" });
  return randn(...shape);
}

async function runCase(c: Case, specs: Spec[]): Promise<Verdict> {
  const { model, used } = build({ ...c, specs });
  if (used.length === 0) return { cls: "SKIP", msg: "no block fits" };
  const example = inputFor(c, c.batch[0], 1);
  const runBatch = c.dynamic === "none" ? c.batch[0] : c.batch[1];
  const x = inputFor(c, runBatch, 2, c.dynamic === "spatial");
  let want: Tensor;
  try {
    want = noGrad(() => model.forward(x)) as Tensor;
    noGrad(() => model.forward(example));
  } catch (e) {
    return { cls: "SKIP", msg: `forward: ${(e as Error).message}` };
  }
  let bytes: Uint8Array;
  const all = [0, 1, 2, 3, 4, 5];
  const opts = c.dynamic === "none" ? { dynamicBatch: false } : c.dynamic === "axes" ? { dynamicAxes: { input: [0], output: [0] } }
    : c.dynamic === "spatial" ? { dynamicAxes: { input: [0, c.embed !== null ? 1 : c.input.length - 1], output: all } } : {};
  try {
    bytes = io.exportOnnxBytes(model, example, opts);
  } catch (e) {
    if (e instanceof TensileError) {
      const m = e.message;
      return /^exportOnnx: /.test(m) ? { cls: "REFUSED", msg: m } : { cls: "BAD_REFUSAL", msg: m };
    }
    return { cls: "CRASH", msg: `${(e as Error).name}: ${(e as Error).message}\n${(e as Error).stack?.split("\n").slice(1, 4).join("\n")}` };
  }
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes);
  } catch (e) {
    return { cls: "ORT_LOAD", msg: String((e as Error).message ?? e).slice(0, 400) };
  }
  const feed = x.dtype === "int32"
    ? new ort.Tensor("int32", Int32Array.from(x.dataSync() as Int32Array), [...x.shape])
    : new ort.Tensor("float32", Float32Array.from(x.dataSync() as Float32Array), [...x.shape]);
  let got: ort.Tensor;
  try {
    got = (await session.run({ input: feed })).output!;
  } catch (e) {
    return { cls: "ORT_RUN", msg: String((e as Error).message ?? e).slice(0, 400) };
  } finally {
    await session.release();
  }
  if (got.dims.join() !== want.shape.join()) return { cls: "SHAPE", msg: `ONNX ${fmt(got.dims)} vs Tensile ${fmt(want.shape)}` };
  const w = want.dataSync() as Float32Array, g = got.data as Float32Array;
  if (process.env.ONNX_FUZZ_SELFTEST) g[g.length >> 1]! += 0.01; // the comparison must catch this
  let worst = 0, at = -1;
  const scale = w.reduce((m, v) => Math.max(m, Number.isFinite(v) ? Math.abs(v) : 0), 0);
  for (let i = 0; i < w.length; i++) {
    const a = Number(g[i]), b = w[i]!;
    if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) continue;
    const err = Math.abs(a - b) / (1e-3 + 1e-3 * Math.abs(b) + 1e-4 * scale);
    if (!(err <= worst)) { worst = Number.isNaN(err) ? Infinity : err; at = i; }
  }
  if (worst > 1) return { cls: "VALUE", msg: `worst at ${at}: ONNX ${g[at]} vs Tensile ${w[at]} (${w.length} values)` };
  return { cls: "OK", msg: "" };
}

/** Drops blocks (one at a time, then the embedding) while the case still fails the same way. */
async function minimise(c: Case, specs: Spec[], cls: string): Promise<Spec[]> {
  let cur = specs;
  for (let changed = true; changed;) {
    changed = false;
    for (let i = 0; i < cur.length && cur.length > 1; i++) {
      const cand = cur.filter((_, j) => j !== i);
      const { used } = build({ ...c, specs: cand });
      if (used.length !== cand.length) continue;
      const v = await runCase(c, cand);
      if (v.cls === cls) {
        cur = cand;
        changed = true;
        i--;
      }
    }
  }
  return cur;
}

// ---------------------------------------------------------------- main

const argv = process.argv.slice(2);
const arg = (k: string, d: string | null = null) => {
  const i = argv.indexOf(k);
  return i >= 0 ? argv[i + 1]! : d;
};
const first = Number(arg("--seed", "1")), count = Number(arg("--count", "200"));
const only = arg("--only"), out = arg("--out"), verbose = argv.includes("--verbose");
const counts: Record<string, number> = {};
const refusals: Record<string, number> = {};
const refusalSeeds: Record<string, number[]> = {};
const skips: Record<string, number> = {};
const findings: Record<string, unknown>[] = [];
const t0 = Date.now();
for (let seed = first; seed < first + count; seed++) {
  const c = drawCase(seed, only);
  const { used, descs } = build(c);
  const v = await runCase(c, used);
  counts[v.cls] = (counts[v.cls] ?? 0) + 1;
  if (v.cls === "REFUSED") {
    const key = v.msg.replace(/\d+/g, "#").replace(/\[[^\]]*\]/g, "[…]").slice(0, 110);
    refusals[key] = (refusals[key] ?? 0) + 1;
    (refusalSeeds[key] ??= []).push(seed);
  }
  if (v.cls === "SKIP") skips[v.msg.slice(0, 60)] = (skips[v.msg.slice(0, 60)] ?? 0) + 1;
  if (verbose) console.log(`seed ${seed} ${v.cls} input ${fmt(c.input.slice(1))} batch ${c.batch} ${c.dynamic}${c.embed ? ` embed ${c.embed}` : ""}\n  ${descs.join("\n  ")}\n  ${v.msg}`);
  if (!["OK", "REFUSED", "SKIP"].includes(v.cls)) {
    const small = await minimise(c, used, v.cls);
    const mb = build({ ...c, specs: small });
    const mv = await runCase(c, small);
    const f = { seed, cls: v.cls, msg: mv.msg, input: c.input.slice(1), batch: c.batch, dynamic: c.dynamic, embed: c.embed, blocks: mb.descs, specs: small };
    findings.push(f);
    console.log(`\n${v.cls} seed ${seed}: input [N, ${c.input.slice(1).join(", ")}] traced at N=${c.batch[0]}, run at ${c.dynamic === "none" ? c.batch[0] : c.batch[1]} (${c.dynamic})${c.embed ? `, embedding of ${c.embed}` : ""}\n  ${mb.descs.join("\n  ")}\n  ${mv.msg}`);
    if (out) fs.appendFileSync(out, JSON.stringify(f) + "\n");
  }
}
console.log(`\n${count} models (seeds ${first}…${first + count - 1}) in ${((Date.now() - t0) / 1000).toFixed(0)} s:`, counts);
console.log("skipped (the model's own forward failed, or no block fitted):", Object.entries(skips).sort((a, b) => b[1] - a[1]).slice(0, 8));
console.log("refusals:");
for (const [k, n] of Object.entries(refusals).sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(4)}  ${k}  (seeds ${refusalSeeds[k]!.slice(0, 4).join(", ")})`);
