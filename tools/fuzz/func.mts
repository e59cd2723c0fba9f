// The Tensile side of the fuzz family "func" (tools/fuzz/fam_func.py): builds f(a, b) from the case's
// steps and output tree, applies the transform (jacrev, jacfwd, hessian, grad, vjp, jvp, vmap of
// one of the first four, or functionalCall + grad of a module), checks the result's tree structure against torch's
// (call.struct: "T" a tensor, arrays for tuples/lists, {d: {...}} for dicts) and returns the leaves.
import * as TS from "../../src/index.js";

const T: any = TS;
const { func, F } = T;

function step(s: any[], v: any[]): any {
  const [op, i] = s;
  const x = v[i], y = s.length > 2 ? v[s[2]] : null;
  switch (op) {
    case "sin": return x.sin();
    case "tanh": return x.tanh();
    case "sigmoid": return x.sigmoid();
    case "square": return x.mul(x);
    case "softplus": return F.softplus(x);
    case "cos": return x.cos();
    case "exp_t": return x.tanh().exp();
    case "cumsum": return x.cumsum(-1);
    case "flip": return x.flip([-1]);
    case "softmax": return x.softmax(-1);
    case "log_softmax": return x.logSoftmax(-1);
    case "neg": return x.neg();
    case "mul": return x.mul(y);
    case "add": return x.add(y);
    case "sub": return x.sub(y);
    case "div_s": return x.div(y.mul(y).add(1));
    case "atan2": return T.atan2(x, y.add(3));
    case "lerp": return T.lerp(x, y, 0.3);
    case "sum": return x.sum();
    case "mean": return x.mean();
    case "logsumexp": return x.reshape([-1]).logsumexp(0);
    case "norm": return x.mul(x).add(1).sum().sqrt();
  }
  throw new Error(`func.mts: unknown step ${op}`);
}

const build = (t: any, v: any[]): any =>
  Array.isArray(t) ? t.map((c) => build(c, v)) : "t" in t ? v[t.t] : Object.fromEntries(Object.entries(t.d).map(([k, c]) => [k, build(c, v)]));

function struct(x: any): any {
  if (x instanceof T.Tensor) return "T";
  if (Array.isArray(x)) return x.map(struct);
  if (x && typeof x === "object") return { d: Object.fromEntries(Object.entries(x).map(([k, c]) => [k, struct(c)])) };
  throw new Error(`func.mts: unexpected result leaf ${String(x)}`);
}

function finish(call: any, r: any): any[] {
  const got = JSON.stringify(struct(r)), want = JSON.stringify(call.struct);
  if (got !== want) throw new Error(`result structure ${got}, torch's ${want}`);
  return func.treeFlatten(r)[0];
}

const FC: Record<string, string> = { "0.weight": "w1", "0.bias": "b1", "2.weight": "w2", "2.bias": "b2", rm: "rm" };

function fcall(call: any, vals: Record<string, any>): any[] {
  const m = new T.nn.Sequential(new T.nn.Linear(3, 4), new T.nn.Tanh(), new T.nn.Linear(4, 2)).double();
  m.registerBuffer("rm", vals.rm.clone());
  T.noGrad(() => { for (const [k, nm] of Object.entries(FC)) if (k !== "rm") m.getParameter(k).copy_(vals[nm]); });
  const mods = [...m.children()];
  m.forward = (x: any) => mods[2].forward(mods[1].forward(mods[0].forward(x).add(m.getBuffer("rm"))));
  const given: Record<string, any> = Object.fromEntries(call.give.map((k: string) => [k, vals["r" + FC[k]]]));
  const x = vals.x;
  const out = func.functionalCall(m, given, [x]);
  const keys = call.give.filter((k: string) => k !== "rm");
  const loss = (ps: any) => func.functionalCall(m, { ...given, ...ps }, [x]).tanh().sum();
  const g = keys.length ? func.grad(loss)(Object.fromEntries(keys.map((k: string) => [k, given[k]]))) : {};
  const own = [...Object.keys(FC).filter((k) => k !== "rm").map((k) => m.getParameter(k).detach()), m.getBuffer("rm")];
  return finish(call, [out, g, own]);
}

/** The transform of the case applied, as torch's flattened leaves. */
export function callFunc(call: any, vals: Record<string, any>): any[] {
  if (call.tr === "fcall") return fcall(call, vals);
  const { tr, has_aux: hasAux, argnums } = call;
  const f = (a: any, b: any) => {
    const v = [a, b];
    for (const s of call.steps) v.push(step(s, v));
    const out = build(call.outs, v);
    return hasAux ? [out, v[call.aux]] : out;
  };
  const { a, b } = vals;
  let r: any;
  if (tr === "vmap") {
    const inner = call.inner;
    const g = inner === "hessian" ? func.hessian(hasAux ? (p: any, q: any) => f(p, q)[0] : f, { argnums }) : func[inner](f, { argnums, hasAux });
    r = func.vmap(g, { inDims: call.in_dims })(a, b);
  } else if (tr === "jacrev" || tr === "jacfwd" || tr === "grad") r = func[tr](f, { argnums, hasAux })(a, b);
  else if (tr === "hessian") r = func.hessian(hasAux ? (p: any, q: any) => f(p, q)[0] : f, { argnums })(a, b);
  else if (tr === "vjp") {
    const res = hasAux ? func.vjp(f, a, b, { hasAux: true }) : func.vjp(f, a, b);
    const [leaves, spec] = func.treeFlatten(res[0]);
    const cot = func.treeUnflatten(spec, leaves.map((_: any, k: number) => vals[`c${k}`]));
    r = [res[0], res[1](cot), ...(hasAux ? [res[2]] : [])];
  } else r = func.jvp(f, [a, b], [vals.ta, vals.tb], { hasAux });
  return finish(call, r);
}
