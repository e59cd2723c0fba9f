// The Tensile side of the fuzz family "dist" (tools/fuzz/fam_dist.py): builds the distribution a case
// describes and calls one method, property or klDivergence. tools/fuzz/replay.mts calls `callDist` for
// every call whose fn starts with "dist:"; the format is in fam_dist.py's docstring. PyTorch's
// `D.Cls(*args, **kw, validate_args=v)` becomes `new D.Cls(...args, { ...camelKw, validateArgs: v })`,
// which is Tensile's constructor shape for every class (options last).
import * as TS from "../../src/index.js";
import { lowRankMultivariateNormalDraw } from "../../src/distributions/low-rank.js";
import { expRelaxedCategoricalDraw, logitRelaxedBernoulliDraw } from "../../src/distributions/relaxed.js";

const D = (TS as any).distributions;
const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const dec = (v: any) => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v);

function conv(a: any, vals: Record<string, any>): any {
  if (Array.isArray(a)) return a.map((x) => conv(x, vals));
  if (a !== null && typeof a === "object") {
    if ("$t" in a) return vals[a.$t];
    if ("$d" in a) return buildDist(a.$d, vals);
    if ("$tf" in a) {
      const s = a.$tf;
      const C = D.transforms[s.name + "Transform"] ?? D[s.name + "Transform"];
      if (typeof C !== "function") throw new Error(`missing transform ${s.name}Transform`);
      const kw = s.kw && Object.keys(s.kw).length ? [camelKw(s.kw, vals)] : [];
      const t = new C(...(s.args ?? []).map((x: any) => conv(x, vals)), ...kw);
      return s.inv ? t.inv : t;
    }
    return camelKw(a, vals);
  }
  return dec(a);
}

function camelKw(kw: Record<string, any>, vals: Record<string, any>): Record<string, any> {
  const o: Record<string, any> = {};
  for (const [k, v] of Object.entries(kw)) o[camel(k)] = conv(v, vals);
  return o;
}

export function buildDist(s: any, vals: Record<string, any>): any {
  const C = D[s.cls];
  if (typeof C !== "function") throw new Error(`missing distribution ${s.cls}`);
  return new C(...s.args.map((a: any) => conv(a, vals)), { ...camelKw(s.kw ?? {}, vals), validateArgs: s.v });
}

export function callDist(spec: any, vals: Record<string, any>): any {
  const m: string = spec.fn.slice(5);
  let d = buildDist(spec.d, vals);
  if (spec.expand) d = d.expand(spec.expand);
  if (m === "kl") return D.klDivergence(d, buildDist(spec.q, vals));
  if (m === "rsample_at") {
    // the draw at the case's noise (PyTorch's own rsample fed the same noise on the torch side)
    const u = vals[spec.noise];
    if (d instanceof D.LowRankMultivariateNormal) return lowRankMultivariateNormalDraw(d, u);
    const base = d.baseDist;
    let x = base instanceof D.LogitRelaxedBernoulli ? logitRelaxedBernoulliDraw(base, u) : expRelaxedCategoricalDraw(base, u);
    for (const t of d.transforms) x = t.forward(x);
    return x;
  }
  const name = camel(m);
  if (!(name in d)) throw new Error(`missing ${spec.d.cls}.${name}`);
  const a = d[name];
  return typeof a === "function" ? a.call(d, ...(spec.args ?? []).map((x: any) => conv(x, vals))) : a;
}
