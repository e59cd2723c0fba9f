// The Tensile side of the fuzz family "grad2" (tools/fuzz/fam_grad2.py): runs a case's steps on x,
// takes the first-order gradients of sum(y·v) with createGraph, then the gradients of Σ sum(g·u), and
// returns [y, ...g, ...h2] for replay.mts to compare with PyTorch's. A gradient that is null is zeros
// of its input's shape, and h2 is all zeros when Σ g·u does not require grad (as on the torch side).
import * as TS from "../../src/index.js";

const T: any = TS;
type Call = (spec: any, vals: Record<string, any>) => any;

function runSteps(steps: any[], x: any, vals: Record<string, any>, call: Call): any {
  let h = x;
  for (const s of steps) {
    if (s.fn === "g2:pos") h = h.mul(h).add(0.5);
    else if (s.fn === "g2:cond") h = h.div(4).add(T.eye(h.shape[h.ndim - 1], { dtype: h.dtype }).mul(3));
    else if (s.fn === "g2:spd") h = h.matmul(h.mT).div(4).add(T.eye(h.shape[h.ndim - 1], { dtype: h.dtype }));
    else {
      const r = call(s, { ...vals, h });
      h = s.pick !== undefined ? r[s.pick] : r;
    }
  }
  return h;
}

/** y, the createGraph gradients g of sum(y·v) and the gradients of Σ sum(g·u), wrt `spec.wrt`. */
export function callGrad2(spec: any, vals: Record<string, any>, call: Call): any[] {
  const wrt = spec.wrt.map((n: string) => vals[n]);
  const y = runSteps(spec.steps, vals.x, vals, call);
  const L = y.mul(vals[spec.v]).sum();
  const gs = T.grad(L, wrt, { createGraph: true, allowUnused: true }).map((g: any, i: number) => g ?? T.zerosLike(wrt[i]));
  let z: any = null;
  gs.forEach((g: any, i: number) => {
    const t = g.mul(vals[spec.u[spec.wrt[i]]]).sum();
    z = z ? z.add(t) : t;
  });
  const h2 = z.requiresGrad
    ? T.grad(z, wrt, { allowUnused: true }).map((g: any, i: number) => g ?? T.zerosLike(wrt[i]))
    : wrt.map((w: any) => T.zerosLike(w));
  return [y.detach(), ...gs.map((g: any) => g.detach()), ...h2.map((g: any) => g.detach())];
}
