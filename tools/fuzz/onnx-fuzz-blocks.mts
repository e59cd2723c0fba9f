// Block makers for the ONNX export fuzzer (onnx-fuzz.mts): each kind draws its options from its own
// sub-seed and the shape it gets (batch first), and returns a module, or null where it does not fit.
import { F, type Tensor, cat, linalg, nn, noGrad, randn, tensor, where } from "../../src/index.js";

// ---------------------------------------------------------------- random numbers

function rng(seed: number): () => number {
  let a = seed >>> 0 || 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
export interface R { int(lo: number, hi: number): number; pick<T>(xs: readonly T[]): T; chance(p: number): boolean; float(lo: number, hi: number): number }
export function mk(seed: number): R {
  const u = rng(seed);
  return {
    int: (lo, hi) => lo + Math.floor(u() * (hi - lo + 1)),
    pick: (xs) => xs[Math.floor(u() * xs.length)]!,
    chance: (p) => u() < p,
    float: (lo, hi) => Math.round((lo + u() * (hi - lo)) * 100) / 100,
  };
}

// ---------------------------------------------------------------- blocks

/** A block from a function of its input and its registered children (named for the repro). */
export class Fn extends nn.Module {
  constructor(readonly desc: string, private f: (x: Tensor, m: Fn) => Tensor, kids: Record<string, nn.Module> = {}) {
    super();
    for (const [k, v] of Object.entries(kids)) this.registerModule(k, v);
  }
  override forward(x: Tensor): Tensor {
    return this.f(x, this);
  }
  kid<M extends nn.Module>(name: string): M {
    return (this as unknown as Record<string, M>)[name]!;
  }
}
export const fn = (desc: string, f: (x: Tensor, m: Fn) => Tensor, kids: Record<string, nn.Module> = {}) => new Fn(desc, f, kids);
const wrap = (desc: string, m: nn.Module) => fn(desc, (x, s) => s.kid<nn.Module>("m").forward(x) as Tensor, { m });

/** shape: the input's, batch first. Returns a block, or null where the kind does not fit the shape. */
type Maker = (s: readonly number[], r: R) => nn.Module | null;

const nd = (s: readonly number[]) => s.length;
const C = (s: readonly number[]) => s[1]!;
const sp = (s: readonly number[]) => s.slice(2);
const divisors = (n: number) => Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);
export const fmt = (v: unknown) => JSON.stringify(v);
const anyDim = (s: readonly number[], r: R, from = 1) => r.int(from, nd(s) - 1) - (r.chance(0.3) ? nd(s) : 0);

function convMaker(d: 1 | 2 | 3, transposed: boolean): Maker {
  return (s, r) => {
    if (nd(s) !== d + 2) return null;
    const cin = C(s), groups = r.pick(divisors(cin).filter((g) => g <= 4));
    const cout = groups * r.int(1, 3);
    const k = Array.from({ length: d }, () => r.int(1, 3));
    const opts: Record<string, unknown> = { stride: r.chance(0.3) ? r.int(1, 2) : 1, dilation: r.chance(0.3) ? r.int(1, 2) : 1, groups, bias: r.chance(0.8) };
    if (transposed) {
      opts.padding = r.int(0, 1);
      if (r.chance(0.3)) opts.outputPadding = Math.min(r.int(0, 1), (opts.stride as number) - 1, (opts.dilation as number) - 1 >= 0 ? 1 : 0);
    } else {
      opts.padding = r.pick([0, 1, "same", "valid", 0, 1] as const);
      if (opts.padding === "same") opts.stride = 1;
      if (r.chance(0.15)) opts.paddingMode = r.pick(["reflect", "replicate", "circular"]);
    }
    const Ctor = transposed ? [nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d][d - 1]! : [nn.Conv1d, nn.Conv2d, nn.Conv3d][d - 1]!;
    const ks = r.chance(0.5) ? k : k[0]!;
    return wrap(`${Ctor.name}(${cin}, ${cout}, ${fmt(ks)}, ${fmt(opts)})`, new (Ctor as any)(cin, cout, ks, opts));
  };
}

function poolMaker(d: 1 | 2 | 3, kind: "max" | "avg" | "amax" | "aavg"): Maker {
  return (s, r) => {
    if (nd(s) !== d + 2) return null;
    if (kind === "amax" || kind === "aavg") {
      const out = sp(s).map((n) => r.pick([1, ...divisors(n), Math.max(1, n - 1)]));
      const Ctor = kind === "amax" ? [nn.AdaptiveMaxPool1d, nn.AdaptiveMaxPool2d, nn.AdaptiveMaxPool3d][d - 1]! : [nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d][d - 1]!;
      const arg = d === 1 ? out[0] : out;
      return wrap(`${Ctor.name}(${fmt(arg)})`, new (Ctor as any)(arg));
    }
    const k = r.int(1, 3), stride = r.int(1, 2), padding = r.int(0, Math.floor(k / 2)), ceilMode = r.chance(0.4);
    if (sp(s).some((n) => n + 2 * padding < k)) return null;
    if (kind === "max") {
      const dilation = r.chance(0.2) ? 2 : 1;
      if (sp(s).some((n) => n + 2 * padding < dilation * (k - 1) + 1)) return null;
      const Ctor = [nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d][d - 1]!;
      const opts = { stride, padding, dilation, ceilMode };
      return wrap(`${Ctor.name}(${k}, ${fmt(opts)})`, new (Ctor as any)(k, opts));
    }
    const Ctor = [nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d][d - 1]!;
    const opts = { stride, padding, ceilMode, countIncludePad: r.chance(0.5) };
    return wrap(`${Ctor.name}(${k}, ${fmt(opts)})`, new (Ctor as any)(k, opts));
  };
}

const ACTIVATIONS: [string, () => nn.Module][] = [
  ["ReLU", () => new nn.ReLU()], ["Sigmoid", () => new nn.Sigmoid()], ["Tanh", () => new nn.Tanh()],
  ["LeakyReLU(0.13)", () => new nn.LeakyReLU(0.13)], ["ELU(0.7)", () => new nn.ELU(0.7)], ["SELU", () => new nn.SELU()],
  ["GELU", () => new nn.GELU()], ["GELU(tanh)", () => new nn.GELU("tanh")], ["SiLU", () => new nn.SiLU()], ["ReLU6", () => new nn.ReLU6()],
  ["Hardtanh(-0.5, 0.8)", () => new nn.Hardtanh(-0.5, 0.8)], ["Hardsigmoid", () => new nn.Hardsigmoid()], ["Hardswish", () => new nn.Hardswish()],
  ["Softsign", () => new nn.Softsign()], ["Mish", () => new nn.Mish()], ["CELU(1.3)", () => new nn.CELU(1.3)], ["Tanhshrink", () => new nn.Tanhshrink()],
  ["Hardshrink(0.3)", () => new nn.Hardshrink(0.3)], ["Softshrink(0.4)", () => new nn.Softshrink(0.4)], ["Threshold(0.1, -2)", () => new nn.Threshold(0.1, -2)],
  ["Softplus", () => new nn.Softplus()], ["Softplus(2, 1)", () => new nn.Softplus(2, 1)], ["LogSigmoid", () => new nn.LogSigmoid()],
  ["RReLU", () => new nn.RReLU()], ["Dropout(0.3)", () => new nn.Dropout(0.3)], ["AlphaDropout(0.2)", () => new nn.AlphaDropout(0.2)],
  ["Identity", () => new nn.Identity()], ["Dropout1d", () => new nn.Dropout1d(0.2)], ["FeatureAlphaDropout", () => new nn.FeatureAlphaDropout(0.2)],
];

/** Shape-keeping (or shape-making) elementwise and reduction tensor ops. */
const TENSOR_OPS: [string, (s: readonly number[], r: R) => ((x: Tensor) => Tensor) | null][] = [
  ["exp", () => (x) => x.clamp(-4, 4).exp()],
  ["mul", (_s, r) => { const k = r.float(-2, 2); return (x) => x.mul(k); }],
  ["add", (_s, r) => { const k = r.float(-2, 2); return (x) => x.add(k).sub(x.mul(0.5)); }],
  ["div", () => (x) => x.div(x.abs().add(1))],
  ["abs-sqrt", () => (x) => x.abs().add(0.1).sqrt().neg()],
  ["log", () => (x) => x.abs().add(1).log()],
  ["pow", (_s, r) => { const p = r.pick([2, 3, 0.5]); return (x) => (p === 0.5 ? x.abs().pow(p) : x.pow(p)); }],
  ["pow-tensor", () => (x) => x.sigmoid().add(0.5).pow(x.tanh())],
  ["rsqrt", () => (x) => x.abs().add(1).rsqrt()],
  ["clamp", (_s, r) => { const lo = r.float(-1, 0), hi = r.float(0.1, 1.5); return r.chance(0.3) ? (x) => x.clamp(null as any, hi) : (x) => x.clamp(lo, hi); }],
  ["clampMin", () => (x) => x.clampMin(-0.2)],
  ["trig", (_s, r) => { const f = r.pick(["sin", "cos", "atan", "sinh", "asinh"] as const); return (x) => (x as any)[f]().add(x); }],
  ["erf", () => (x) => x.erf()],
  ["reciprocal", () => (x) => x.abs().add(1).reciprocal()],
  ["square", () => (x) => x.square()],
  ["maximum", () => (x) => x.maximum(x.mul(-0.5)).minimum(x.add(1))],
  ["F.relu", () => (x) => F.relu(x)],
  ["F.gelu", () => (x) => F.gelu(x)],
  ["F.silu", () => (x) => F.silu(x)],
  ["F.leakyRelu", () => (x) => F.leakyRelu(x, 0.3)],
  ["F.elu", () => (x) => F.elu(x, 0.5)],
  ["F.softplus", () => (x) => F.softplus(x)],
  ["F.hardtanh", () => (x) => F.hardtanh(x, -0.4, 0.6)],
  ["F.relu6", () => (x) => F.relu6(x)],
  ["F.hardswish", () => (x) => F.hardswish(x)],
  ["F.selu", () => (x) => F.selu(x)],
  ["F.logsigmoid", () => (x) => (F as any).logsigmoid(x)],
  ["F.mish", () => (x) => F.mish(x)],
  ["F.normalize", (s) => (nd(s) >= 2 ? (x) => F.normalize(x, { dim: 1 }) : null)],
  ["softmax", (s, r) => { const d = anyDim(s, r); return r.chance(0.5) ? (x) => x.softmax(d) : (x) => F.softmax(x, d); }],
  ["logSoftmax", (s, r) => { const d = anyDim(s, r); return (x) => x.logSoftmax(d); }],
  ["mean", (s, r) => { const d = anyDim(s, r), k = r.chance(0.5); return (x) => x.mean(d, k); }],
  ["mean-all-keep", (s) => (nd(s) >= 3 ? (x) => x.mean([1, 2], true) : null)],
  ["sum", (s, r) => { const d = anyDim(s, r), k = r.chance(0.5); return (x) => x.sum(d, k); }],
  ["amax", (s, r) => { const d = anyDim(s, r), k = r.chance(0.5); return (x) => x.amax(d, k); }],
  ["amin", (s, r) => { const d = anyDim(s, r); return (x) => x.amin(d, true); }],
  ["max-dim", (s, r) => { const d = anyDim(s, r), k = r.chance(0.5); return (x) => (x.max(d, k) as unknown as [Tensor, Tensor])[0]!; }],
  ["min-dim", (s, r) => { const d = anyDim(s, r); return (x) => (x.min(d) as unknown as [Tensor, Tensor])[0]!; }],
  ["var", (s, r) => { const d = anyDim(s, r); return (x) => x.var(d, { keepdim: true }).add(x); }],
  ["std", (s, r) => { const d = anyDim(s, r); return (x) => x.std(d, { keepdim: true }).add(x); }],
  ["logsumexp", (s, r) => { const d = anyDim(s, r); return (x) => x.logsumexp(d); }],
  ["prod", (s, r) => { const d = anyDim(s, r); return (x) => x.tanh().prod(d); }],
  ["norm", (s, r) => { const d = anyDim(s, r); return (x) => x.norm(2, d, true).add(x); }],
  ["transpose", (s, r) => (nd(s) >= 3 ? ((a, b) => (x: Tensor) => x.transpose(a, b))(r.int(1, nd(s) - 1), r.int(1, nd(s) - 1)) : null)],
  ["permute", (s, r) => {
    if (nd(s) < 3) return null;
    const rest = Array.from({ length: nd(s) - 1 }, (_, i) => i + 1).sort(() => r.float(0, 1) - 0.5);
    return (x) => x.permute(0, ...rest);
  }],
  ["flatten", (s, r) => { const a = r.int(1, nd(s) - 1); return (x) => x.flatten(a); }],
  ["flatten-mid", (s) => (nd(s) >= 4 ? (x) => x.flatten(1, 2) : null)],
  ["flatten-batch", (s) => (nd(s) >= 2 ? (x) => x.flatten(0, 1).mul(2).view(-1, ...s.slice(1)) : null)],
  ["view", (s) => (nd(s) >= 2 ? (x) => x.view(x.shape[0]!, -1) : null)],
  ["reshape-split", (s) => (nd(s) >= 2 && s[1]! % 2 === 0 ? (x) => x.reshape(x.shape[0]!, 2, s[1]! / 2, ...s.slice(2)) : null)],
  ["unflatten", (s) => (nd(s) >= 2 && s[1]! % 2 === 0 ? (x) => x.unflatten(1, [2, -1]) : null)],
  ["unsqueeze-squeeze", (s, r) => { const d = r.int(1, nd(s)); return (x) => x.unsqueeze(d).mul(2).squeeze(d); }],
  ["unsqueeze", (s, r) => { const d = r.int(1, nd(s)); return nd(s) < 5 ? (x) => x.unsqueeze(d) : null; }],
  // (x.squeeze() with no dim would squeeze a batch of 1 at run time: a tracing limit, as in PyTorch)
  ["squeeze-1", (s) => { const d = s.findIndex((v, i) => i > 0 && v === 1); return d > 0 ? (x) => x.squeeze(d) : null; }],
  ["expand", (s) => (nd(s) >= 2 && s[1] === 1 ? (x) => x.expand(-1, 3, ...s.slice(2)) : (x) => x.unsqueeze(1).expand(-1, 2, ...s.slice(1)).flatten(1, 2))],
  ["repeat", (s) => (nd(s) >= 2 ? (x) => x.repeat(1, 2, ...s.slice(2).map(() => 1)) : null)],
  ["narrow", (s, r) => {
    const d = r.int(1, nd(s) - 1), n = s[d]!, start = r.int(0, n - 1), len = r.int(1, n - start);
    return (x) => x.narrow(d, start, len);
  }],
  ["select", (s, r) => { const d = r.int(1, nd(s) - 1), i = r.int(-s[d]!, s[d]! - 1); return nd(s) >= 3 ? (x) => x.select(d, i) : null; }],
  ["index-step", (s, r) => {
    const d = r.int(1, nd(s) - 1), step = r.int(1, 3);
    return (x) => x.index([...Array(d).fill(":"), `::${step}`]);
  }],
  ["index-last", (s) => (nd(s) >= 3 ? (x) => x.index([":", -1]) : null)],
  ["index-newaxis", (s) => (nd(s) <= 4 ? (x) => x.index([":", null]) : null)],
  ["chunk-add", (s, r) => { const d = r.int(1, nd(s) - 1); return s[d]! % 2 === 0 ? (x) => { const [a, b] = x.chunk(2, d) as [Tensor, Tensor]; return a.add(b); } : null; }],
  ["split-cat", (s, r) => {
    const d = r.int(1, nd(s) - 1);
    return s[d]! >= 2 ? (x) => cat((x.split(1, d) as Tensor[]).reverse(), d) : null;
  }],
  ["flip", (s, r) => { const d = r.int(1, nd(s) - 1); return (x) => x.flip([d]); }],
  ["roll", (s, r) => { const d = r.int(1, nd(s) - 1); return (x) => x.roll(1, d); }],
  ["cumsum", (s, r) => { const d = r.int(1, nd(s) - 1); return (x) => x.cumsum(d); }],
  ["where-param", (s) => {
    const mask = randn(...s.slice(1)).gt(0);
    return (x) => where(mask, x, x.mul(-1));
  }],
  ["where-scalar", (s) => { const mask = randn(...s.slice(1)).gt(0); return (x) => where(mask, x, 0.5); }],
  ["where-input", () => (x) => where(x.gt(0), x, x.mul(0.1))],
  ["gt-mask", () => (x) => x.mul(x.gt(0.2).float())],
  ["argmax", (s) => (nd(s) >= 2 ? (x) => x.argmax(1).float() : null)],
  ["sort", (s) => (nd(s) >= 2 ? (x) => (x.sort(1) as unknown as [Tensor])[0]! : null)],
  ["topk", (s) => (nd(s) >= 2 && s[1]! >= 2 ? (x) => (x.topk(2, 1) as unknown as [Tensor])[0]! : null)],
  ["gather", (s) => (nd(s) === 2 ? (x) => x.gather(1, tensor(Int32Array.from({ length: s[1]! }, (_, i) => (i * 3) % s[1]!), { dtype: "int32" }).unsqueeze(0).expand(x.shape[0]!, -1)) : null)],
  ["indexSelect", (s) => (nd(s) >= 2 ? (x) => x.indexSelect(1, tensor(Int32Array.from([0, s[1]! - 1, 0]), { dtype: "int32" })) : null)],
  ["tril", (s) => (nd(s) >= 3 ? (x) => x.tril() : null)],
  ["matmul-self", (s) => (nd(s) >= 3 ? (x) => x.matmul(x.transpose(-1, -2)).div(4) : null)],
  ["bmm", (s) => (nd(s) === 3 ? (x) => x.bmm(x.transpose(1, 2)) : null)],
  ["double-cast", () => (x) => x.to("float64").mul(2).to("float32")],
  ["sign", () => (x) => x.sign().mul(x)],
  ["round", () => (x) => x.mul(3).round()],
  ["floor", () => (x) => x.mul(3).floor()],
  // comparisons and logical ops (traced as nodes), gather forms, more reductions and activations
  ["compare", (_s, r) => {
    const f = r.pick(["gt", "lt", "ge", "le", "eq", "ne"] as const), k = r.float(-0.5, 0.5);
    return (x) => x.mul((x.round() as any)[f](k > 0 ? x.flip(-1).round() : Math.round(k)).float().add(0.5));
  }],
  ["logical", (_s, r) => {
    const f = r.pick(["logicalAnd", "logicalOr", "logicalXor"] as const);
    return (x) => where((x.gt(0) as any)[f](x.abs().lt(0.7)).logicalNot(), x, x.mul(-2));
  }],
  ["isnan", () => (x) => { const y = x.log(); return where(y.isnan().logicalOr(y.isfinite().logicalNot()), 0.5, y); }],
  ["softplus-beta", (_s, r) => { const b = r.pick([0.5, 2, 3]), t = r.pick([1, 5, 20]); return (x) => F.softplus(x.mul(4), b, t); }],
  ["log1p", () => (x) => x.abs().log1p()],
  ["pow-neg", () => (x) => x.abs().add(1).pow(-2)],
  ["norm-p", (s, r) => { const d = anyDim(s, r), p = r.pick([0, 1, 3, Infinity, 0.5]); return (x) => x.norm(p, d, true).add(x); }],
  ["vectorNorm", (s, r) => { const d = anyDim(s, r), p = r.pick([1, 2, 4]); return (x) => x.div(linalg.vectorNorm(x, p, d, true).add(1)); }],
  ["prod-keep", (s, r) => { const d = anyDim(s, r); return (x) => x.tanh().prod(d, true).add(x); }],
  ["logsumexp-keep", (s, r) => { const d = anyDim(s, r); return (x) => x.mul(10).logsumexp(d, true).sub(x); }],
  ["cumsum-neg", () => (x) => x.cumsum(-1)],
  ["takeAlongDim", (s) => (nd(s) >= 2 ? (x) => x.takeAlongDim(tensor(Int32Array.from({ length: s.at(-1)! }, (_, i) => (i * 2 + 1) % s.at(-1)!), { dtype: "int32" }).reshape([...s.map(() => 1).slice(1), s.at(-1)!]), -1) : null)],
  ["clamp-tensor", (s) => (nd(s) >= 2 ? (x) => x.clamp(x.flip(-1).mul(0.5), x.abs().add(0.3)) : null)],
  ["pad-crop", (s, r) => {
    const mode = r.pick(["constant", "reflect", "replicate", "circular"] as const), n = s.at(-1)!;
    const pads = [r.int(-1, 2), r.int(-1, 2)];
    if (nd(s) < 3 || n + pads[0]! + pads[1]! < 1 || (mode === "reflect" && Math.max(...pads) >= n) || (mode === "circular" && Math.max(...pads) > n - 2)) return null;
    return (x) => F.pad(x, pads, mode, -0.5);
  }],
];

export const MAKERS: Record<string, Maker> = {
  conv1d: convMaker(1, false), conv2d: convMaker(2, false), conv3d: convMaker(3, false),
  convT1d: convMaker(1, true), convT2d: convMaker(2, true), convT3d: convMaker(3, true),
  max1d: poolMaker(1, "max"), max2d: poolMaker(2, "max"), max3d: poolMaker(3, "max"),
  avg1d: poolMaker(1, "avg"), avg2d: poolMaker(2, "avg"), avg3d: poolMaker(3, "avg"),
  amax1d: poolMaker(1, "amax"), amax2d: poolMaker(2, "amax"), amax3d: poolMaker(3, "amax"),
  aavg1d: poolMaker(1, "aavg"), aavg2d: poolMaker(2, "aavg"), aavg3d: poolMaker(3, "aavg"),
  linear: (s, r) => {
    const out = r.int(1, 9);
    return wrap(`Linear(${s.at(-1)}, ${out}, bias ${true})`, new nn.Linear(s.at(-1)!, out, r.chance(0.8)));
  },
  activation: (s, r) => {
    const [name, make] = r.pick(ACTIVATIONS);
    return wrap(name, make());
  },
  prelu: (s, r) => {
    const n = nd(s) >= 2 && r.chance(0.6) ? C(s) : 1;
    return wrap(`PReLU(${n})`, new nn.PReLU(n, 0.3));
  },
  softmaxLayer: (s, r) => {
    const d = anyDim(s, r);
    const [nm, m] = r.pick([["Softmax", () => new nn.Softmax(d)], ["LogSoftmax", () => new nn.LogSoftmax(d)], ["Softmin", () => new nn.Softmin(d)]] as const);
    return wrap(`${nm}(${d})`, m());
  },
  glu: (s, r) => { const d = anyDim(s, r); return s.at(d)! % 2 === 0 ? wrap(`GLU(${d})`, new nn.GLU(d)) : null; },
  tensorOp: (s, r) => {
    for (let i = 0; i < 6; i++) {
      const [name, make] = r.pick(TENSOR_OPS);
      const f = make(s, r);
      if (f) return fn(name, f);
    }
    return null;
  },
  batchNorm: (s, r) => {
    if (nd(s) < 2 || nd(s) > 5) return null;
    const Ctor = nd(s) <= 3 ? nn.BatchNorm1d : nd(s) === 4 ? nn.BatchNorm2d : nn.BatchNorm3d;
    const opts = { affine: r.chance(0.7), eps: r.pick([1e-5, 1e-3]), momentum: 0.5 };
    const m = new (Ctor as any)(C(s), opts);
    warm(m, s);
    return wrap(`${Ctor.name}(${C(s)}, ${fmt(opts)}) with learned running stats`, m);
  },
  instanceNorm: (s, r) => {
    if (nd(s) < 3 || nd(s) > 5) return null;
    const Ctor = [nn.InstanceNorm1d, nn.InstanceNorm2d, nn.InstanceNorm3d][nd(s) - 3]!;
    const opts = { affine: r.chance(0.5), trackRunningStats: r.chance(0.3) };
    if (sp(s).reduce((a, b) => a * b, 1) < 2) return null;
    const m = new (Ctor as any)(C(s), opts);
    if (opts.trackRunningStats) warm(m, s);
    return wrap(`${Ctor.name}(${C(s)}, ${fmt(opts)})`, m);
  },
  layerNorm: (s, r) => {
    const k = r.int(1, Math.min(2, nd(s) - 1));
    const shape = s.slice(-k);
    const opts = { elementwiseAffine: r.chance(0.7), bias: r.chance(0.8), eps: 1e-5 };
    const m = new nn.LayerNorm(shape, opts as any);
    randomize(m);
    return wrap(`LayerNorm(${fmt(shape)}, ${fmt(opts)})`, m);
  },
  groupNorm: (s, r) => {
    if (nd(s) < 3) return null;
    const G = r.pick(divisors(C(s)));
    const affine = r.chance(0.7);
    const m = new nn.GroupNorm(G, C(s), { affine } as any);
    randomize(m);
    return wrap(`GroupNorm(${G}, ${C(s)}, affine ${affine})`, m);
  },
  lrn: (s, r) => (nd(s) >= 3 ? ((size) => wrap(`LocalResponseNorm(${size})`, new nn.LocalResponseNorm(size)))(r.pick([1, 2, 3, 5])) : null),
  pixelShuffle: (s, r) => {
    if (nd(s) !== 4) return null;
    if (C(s) % 4 === 0 && r.chance(0.6)) return wrap("PixelShuffle(2)", new nn.PixelShuffle(2));
    if (s[2]! % 2 === 0 && s[3]! % 2 === 0) return wrap("PixelUnshuffle(2)", new nn.PixelUnshuffle(2));
    return null;
  },
  pad: (s, r) => {
    const d = nd(s) - 2;
    if (d < 1 || d > 3) return null;
    const mode = r.pick(["zero", "constant", "reflect", "replicate", "circular"]);
    const pads = Array.from({ length: 2 * d }, () => r.int(0, 2));
    if (mode === "reflect" && pads.some((p, i) => p >= sp(s)[d - 1 - Math.floor(i / 2)]!)) return null;
    if (mode === "zero") return d === 2 ? wrap(`ZeroPad2d(${fmt(pads)})`, new nn.ZeroPad2d(pads as any)) : null;
    const name = { constant: "ConstantPad", reflect: "ReflectionPad", replicate: "ReplicationPad", circular: "CircularPad" }[mode] + `${d}d`;
    const Ctor = (nn as any)[name];
    if (!Ctor) return null;
    return wrap(`${name}(${fmt(pads)})`, mode === "constant" ? new Ctor(pads, 0.7) : new Ctor(pads));
  },
  fpad: (s, r) => {
    const mode = r.pick(["constant", "reflect", "replicate", "circular"]);
    const pads = [r.int(0, 2), r.int(0, 2)];
    if (nd(s) < 3 || (mode === "reflect" && Math.max(...pads) >= s.at(-1)!)) return null;
    return fn(`F.pad(x, ${fmt(pads)}, ${mode})`, (x) => F.pad(x, pads, mode as any, 0.25));
  },
  upsample: (s, r) => {
    const d = nd(s) - 2;
    if (d < 1 || d > 3) return null;
    const mode = r.pick(["nearest", "nearest-exact", ["linear", "bilinear", "trilinear"][d - 1]!, d === 2 ? "bicubic" : "nearest", "area"]);
    const opts: Record<string, unknown> = { mode };
    if (r.chance(0.5)) opts.scaleFactor = r.pick([2, 1.5, 0.5, 3, 1.7]);
    else opts.size = d === 1 ? r.int(1, 7) : sp(s).map(() => r.int(1, 7));
    if (mode !== "nearest" && mode !== "nearest-exact" && mode !== "area" && r.chance(0.4)) opts.alignCorners = true;
    if (opts.scaleFactor && r.chance(0.2)) opts.recomputeScaleFactor = true;
    return wrap(`Upsample(${fmt(opts)})`, new nn.Upsample(opts as any));
  },
  interpolate: (s, r) => {
    const d = nd(s) - 2;
    if (d < 1 || d > 3) return null;
    const mode = r.pick(["nearest", ["linear", "bilinear", "trilinear"][d - 1]!, "nearest-exact"]);
    const opts: Record<string, unknown> = { mode };
    if (r.chance(0.5)) opts.scaleFactor = r.pick([2, 0.5, 1.5]);
    else opts.size = sp(s).map(() => r.int(1, 6));
    if (mode !== "nearest" && mode !== "nearest-exact" && r.chance(0.3)) opts.alignCorners = true;
    return fn(`F.interpolate(x, ${fmt(opts)})`, (x) => F.interpolate(x, opts as any));
  },
  fpool: (s, r) => {
    const kernel = r.int(1, 2);
    if (nd(s) === 4) {
      const which = r.pick(["maxPool2d", "avgPool2d", "adaptiveAvgPool2d", "adaptiveMaxPool2d", "lpPool2d"]);
      if (which === "maxPool2d") return fn(`F.maxPool2d(x, ${kernel}, ceilMode)`, (x) => F.maxPool2d(x, kernel, { ceilMode: true }));
      if (which === "avgPool2d") return fn(`F.avgPool2d(x, ${kernel}, {stride: 1, padding: ${kernel >> 1}})`, (x) => F.avgPool2d(x, kernel, { stride: 1, padding: kernel >> 1 }));
      if (which === "adaptiveAvgPool2d") return fn("F.adaptiveAvgPool2d(x, [1, 2])", (x) => F.adaptiveAvgPool2d(x, [1, s[3]! % 2 === 0 ? 2 : 1]));
      if (which === "adaptiveMaxPool2d") return fn("F.adaptiveMaxPool2d(x, 1)", (x) => F.adaptiveMaxPool2d(x, 1) as Tensor);
      return fn("F.lpPool2d(x, 2, 1)", (x) => F.lpPool2d(x, 2, 1));
    }
    if (nd(s) === 3) return r.chance(0.5) ? fn(`F.maxPool1d(x, ${kernel})`, (x) => F.maxPool1d(x, kernel)) : fn("F.avgPool1d(x, 2)", (x) => F.avgPool1d(x, Math.min(2, s[2]!)));
    if (nd(s) === 5) return fn("F.adaptiveAvgPool3d(x, 1)", (x) => F.adaptiveAvgPool3d(x, [1, 1, 1]));
    return null;
  },
  flattenLayer: (s, r) => (nd(s) >= 3 ? ((a, b) => wrap(`Flatten(${a}, ${b})`, new nn.Flatten(a, b)))(r.int(1, nd(s) - 2), r.pick([-1, nd(s) - 2])) : null),
  unflattenLayer: (s) => (nd(s) >= 2 && s[1]! % 3 === 0 ? wrap(`Unflatten(1, [3, ${s[1]! / 3}])`, new nn.Unflatten(1, [3, s[1]! / 3])) : null),
  dropout2d: (s) => (nd(s) === 4 ? wrap("Dropout2d", new nn.Dropout2d(0.3)) : nd(s) === 5 ? wrap("Dropout3d", new nn.Dropout3d(0.3)) : null),
  softmax2d: (s) => (nd(s) === 4 ? wrap("Softmax2d", new nn.Softmax2d()) : null),
  recurrent: (s, r) => {
    if (nd(s) !== 3) return null;
    const kind = r.pick(["LSTM", "GRU", "RNN"] as const);
    const opts: Record<string, unknown> = { numLayers: r.int(1, 2), bidirectional: r.chance(0.5), batchFirst: r.chance(0.5), bias: r.chance(0.8) };
    if (kind === "RNN") opts.nonlinearity = r.pick(["tanh", "relu"]);
    const H = r.int(1, 5), F_ = s[2]!;
    const m = new (nn as any)[kind](F_, H, opts);
    const out = r.pick(["output", "h_n", "both"]);
    const withH0 = r.chance(0.2);
    const D = opts.bidirectional ? 2 : 1, Lr = opts.numLayers as number;
    return fn(`${kind}(${F_}, ${H}, ${fmt(opts)}) → ${out}${withH0 ? ", h0 from the input" : ""}`, (x, self) => {
      const rnn = self.kid<any>("m");
      // [N, T, F] in; time-major layers get it transposed
      const xin = opts.batchFirst ? x : x.transpose(0, 1);
      let args: unknown[] = [xin];
      if (withH0) {
        const h0 = x.mean(1).narrow(1, 0, 1).unsqueeze(0).expand(D * Lr, -1, H).contiguous();
        args = [xin, kind === "LSTM" ? [h0, h0.mul(0.5)] : h0];
      }
      const [y, st] = rnn.forward(...args) as [Tensor, Tensor | [Tensor, Tensor]];
      const yb = opts.batchFirst ? y : y.transpose(0, 1);
      const h = (Array.isArray(st) ? st[0]! : st).transpose(0, 1).flatten(1);
      if (out === "output") return yb;
      if (out === "h_n") return h;
      return yb.sum(1).add(h.sum(1, true));
    }, { m });
  },
  mha: (s, r) => {
    if (nd(s) !== 3) return null;
    const E = s[2]!, heads = r.pick(divisors(E).filter((d) => d <= 4));
    const opts = { batchFirst: r.chance(0.5), bias: r.chance(0.8), addBiasKv: r.chance(0.15), addZeroAttn: r.chance(0.15) };
    const m = new nn.MultiheadAttention(E, heads, opts);
    const causal = r.chance(0.3) ? nn.Transformer.generateSquareSubsequentMask(s[1]!) : null;
    const avg = r.chance(0.5);
    return fn(`MultiheadAttention(${E}, ${heads}, ${fmt(opts)})${causal ? " causal mask" : ""}${avg ? "" : " + weights"}`, (x, self) => {
      const xin = opts.batchFirst ? x : x.transpose(0, 1);
      const [y, w] = self.kid<nn.MultiheadAttention>("m").forward(xin, xin, xin, { attnMask: causal, needWeights: !avg } as any);
      const yb = opts.batchFirst ? y : y.transpose(0, 1);
      return w ? yb.add(w.sum(-1, true)) : yb;
    }, { m });
  },
  encoder: (s, r) => {
    if (nd(s) !== 3) return null;
    const E = s[2]!, heads = r.pick(divisors(E).filter((d) => d <= 3));
    const opts = { dimFeedforward: r.int(2, 8), dropout: 0.1, activation: r.pick(["relu", "gelu"]), batchFirst: r.chance(0.5), normFirst: r.chance(0.5) };
    const m = new nn.TransformerEncoderLayer(E, heads, opts as any);
    const causal = r.chance(0.3) ? nn.Transformer.generateSquareSubsequentMask(s[1]!) : null;
    return fn(`TransformerEncoderLayer(${E}, ${heads}, ${fmt(opts)})${causal ? " causal" : ""}`, (x, self) => {
      const xin = opts.batchFirst ? x : x.transpose(0, 1);
      const y = self.kid<nn.TransformerEncoderLayer>("m").forward(xin, { srcMask: causal });
      return opts.batchFirst ? y : y.transpose(0, 1);
    }, { m });
  },
  toSeq: (s) => (nd(s) === 2 ? wrap("Unflatten(1, [n, 1])", new nn.Unflatten(1, [s[1]!, 1])) : nd(s) === 4 ? fn("x.flatten(2).transpose(1, 2)", (x) => x.flatten(2).transpose(1, 2)) : null),
  toImage: (s, r) => (nd(s) === 2 ? fn("x.view(N, C, h, w)", ((c) => (x: Tensor) => x.view(-1, c, 1, s[1]! / c))(r.pick(divisors(s[1]!)))) : null),
  matmulParam: (s, r) => {
    const out = r.int(1, 6), lin = new nn.Linear(s.at(-1)!, out);
    const how = r.pick(["matmul", "F.linear", "mm-t"]);
    return fn(`${how} with a ${out}×${s.at(-1)} parameter`, (x, self) => {
      const l = self.kid<nn.Linear>("l");
      if (how === "matmul") return x.matmul(l.weight.t());
      if (how === "F.linear") return F.linear(x, l.weight, l.bias);
      return x.matmul(l.weight.transpose(0, 1)).add(l.bias!);
    }, { l: lin });
  },
  addParam: (s) => {
    const lin = new nn.Linear(1, s.at(-1)!);
    return fn(`x + bias[${s.at(-1)}] and x * bias`, (x, self) => x.add(self.kid<nn.Linear>("l").bias!).mul(self.kid<nn.Linear>("l").weight.view(-1)), { l: lin });
  },
  // compound blocks: built from other blocks (see `compound`)
  residual: () => null, branchCat: () => null, twoPath: () => null,
};

export const KINDS = Object.keys(MAKERS);

export function randomize(m: nn.Module): void {
  noGrad(() => {
    for (const p of m.parameters()) p.copy_(randn(...p.shape).mul(0.3).add(p.detach()));
  });
}
/** Batch-norm style running statistics other than 0 / 1, from a few training steps. */
function warm(m: nn.Module, s: readonly number[]): void {
  randomize(m);
  m.train();
  noGrad(() => {
    for (let i = 0; i < 2; i++) m.forward(randn(Math.max(2, s[0]!), ...s.slice(1)).mul(1.5).add(0.3));
  });
  m.eval();
}

