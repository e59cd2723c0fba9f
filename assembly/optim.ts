// Fused optimizer steps: one pass over the parameter, reading grad and state once and writing
// param and state once. float32 runs in f32x4; float64 in scalar f64. Both follow
// torch.optim's single-tensor rules (see the formulas on each kernel).

// p[i] -= s·g[i] over the byte range [o, o + bytes) of both arrays, bytes a multiple of 16.
// Pointers are formed from base + offset inside (an i32 add, which V8 knows is zero-extended).
function sgdPlain4(p: usize, g: usize, o: usize, bytes: usize, vs: v128): void {
  const end = o + bytes;
  for (; o < end; o += 16) {
    v128.store(p + o, f32x4.sub(v128.load(p + o), f32x4.mul(vs, v128.load(g + o))));
  }
}

// b = μ·b + (1 - dampening)·g;  p -= s·b  (momentum after the first step, no nesterov, no wd)
function sgdMomentum4(p: usize, g: usize, buf: usize, o: usize, bytes: usize, vs: v128, vmu: v128, vdamp: v128): void {
  const end = o + bytes;
  for (; o < end; o += 16) {
    const b = f32x4.add(f32x4.mul(vmu, v128.load(buf + o)), f32x4.mul(vdamp, v128.load(g + o)));
    v128.store(buf + o, b);
    v128.store(p + o, f32x4.sub(v128.load(p + o), f32x4.mul(vs, b)));
  }
}

/**
 * SGD (torch.optim.SGD), elements [e0, e1):
 *   g = ±grad (+ wd·p);  with momentum μ: b = first ? g : μ·b + (1 - dampening)·g,
 *   g = nesterov ? g + μ·b : b;  p = p - lr·g
 */
export function sgdK(f64dt: bool, p: usize, g: usize, buf: usize, lr: f64, momentum: f64, dampening: f64, wd: f64,
  nesterov: bool, maximize: bool, first: bool, e0: i32, e1: i32): void {
  if (f64dt) {
    for (let i = e0; i < e1; i++) {
      const o = <usize>i << 3;
      const pv = load<f64>(p + o);
      let gv = load<f64>(g + o);
      if (maximize) gv = -gv;
      if (wd != 0) gv += wd * pv;
      if (momentum != 0) {
        const b = first ? gv : momentum * load<f64>(buf + o) + (1 - dampening) * gv;
        store<f64>(buf + o, b);
        gv = nesterov ? gv + momentum * b : b;
      }
      store<f64>(p + o, pv - lr * gv);
    }
    return;
  }
  // The two common cases get loops of their own, with the same arithmetic as the general loop
  // below: its loop-invariant tests and splats are not hoisted by V8 and made the loop about
  // twice as long as these.
  if (wd == 0 && !nesterov && (momentum == 0 || (!first && !maximize))) {
    // maximize: p - lr·(-g) = p - (-lr)·g exactly (negation is exact)
    const vs = f32x4.splat(<f32>(maximize ? -lr : lr));
    const n4 = (e1 - e0) & ~3;
    const start = <usize>e0 << 2;
    if (momentum == 0) sgdPlain4(p, g, start, <usize>n4 << 2, vs);
    else sgdMomentum4(p, g, buf, start, <usize>n4 << 2, vs, f32x4.splat(<f32>momentum), f32x4.splat(<f32>(1 - dampening)));
    if (n4 == e1 - e0) return;
    e0 += n4;
  }
  const vlr = f32x4.splat(<f32>lr), vmu = f32x4.splat(<f32>momentum);
  const vdamp = f32x4.splat(<f32>(1 - dampening)), vwd = f32x4.splat(<f32>wd);
  const flr = <f32>lr, fmu = <f32>momentum, fdamp = <f32>(1 - dampening), fwd = <f32>wd;
  let i = e0;
  for (; i + 4 <= e1; i += 4) {
    const o = <usize>i << 2;
    const pv = v128.load(p + o);
    let gv = v128.load(g + o);
    if (maximize) gv = f32x4.neg(gv);
    if (wd != 0) gv = f32x4.add(gv, f32x4.mul(vwd, pv));
    if (momentum != 0) {
      const b = first ? gv : f32x4.add(f32x4.mul(vmu, v128.load(buf + o)), f32x4.mul(vdamp, gv));
      v128.store(buf + o, b);
      gv = nesterov ? f32x4.add(gv, f32x4.mul(vmu, b)) : b;
    }
    v128.store(p + o, f32x4.sub(pv, f32x4.mul(vlr, gv)));
  }
  for (; i < e1; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    let gv = load<f32>(g + o);
    if (maximize) gv = -gv;
    if (wd != 0) gv += fwd * pv;
    if (momentum != 0) {
      const b = first ? gv : fmu * load<f32>(buf + o) + fdamp * gv;
      store<f32>(buf + o, b);
      gv = nesterov ? gv + fmu * b : b;
    }
    store<f32>(p + o, pv - flr * gv);
  }
}

// Adam's common case (no maximize, no amsgrad; no weight decay or AdamW's decoupled one) over the
// byte range [o, o + bytes), bytes a multiple of 16: the same arithmetic as adamK's general loop,
// with p scaled by `decay` = 1 - lr·wd always (exactly p when wd = 0).
function adamPlain4(p: usize, g: usize, m: usize, v: usize, o: usize, bytes: usize, decay: v128, vb1: v128, omb1: v128,
  vb2: v128, omb2: v128, vstep: v128, vbc2: v128, veps: v128): void {
  const end = o + bytes;
  for (; o < end; o += 16) {
    const gv = v128.load(g + o);
    const mv = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(omb1, gv));
    const vv = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(f32x4.mul(omb2, gv), gv));
    v128.store(m + o, mv);
    v128.store(v + o, vv);
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vv), vbc2), veps);
    v128.store(p + o, f32x4.sub(f32x4.mul(v128.load(p + o), decay), f32x4.div(f32x4.mul(vstep, mv), denom)));
  }
}

/**
 * Adam / AdamW (torch.optim.Adam, AdamW), elements [e0, e1), with the host passing
 * stepSize = lr / (1 - β1^t) and bc2Sqrt = √(1 - β2^t):
 *   g = ±grad;  AdamW: p ← p·(1 - lr·wd)  |  Adam: g ← g + wd·p
 *   m ← β1·m + (1 - β1)·g;  v ← β2·v + (1 - β2)·g²;  (amsgrad: vmax ← max(vmax, v), use vmax)
 *   p ← p - stepSize · m / (√v / bc2Sqrt + eps)
 */
export function adamK(f64dt: bool, p: usize, g: usize, m: usize, v: usize, vmax: usize, lr: f64, beta1: f64, beta2: f64,
  eps: f64, wd: f64, decoupled: bool, amsgrad: bool, maximize: bool, stepSize: f64, bc2Sqrt: f64, e0: i32, e1: i32): void {
  if (f64dt) {
    for (let i = e0; i < e1; i++) {
      const o = <usize>i << 3;
      let pv = load<f64>(p + o);
      let gv = load<f64>(g + o);
      if (maximize) gv = -gv;
      if (wd != 0) {
        if (decoupled) pv *= 1 - lr * wd;
        else gv += wd * pv;
      }
      const mv = beta1 * load<f64>(m + o) + (1 - beta1) * gv;
      let vv = beta2 * load<f64>(v + o) + (1 - beta2) * gv * gv;
      store<f64>(m + o, mv);
      store<f64>(v + o, vv);
      if (amsgrad) {
        vv = Math.max(load<f64>(vmax + o), vv);
        store<f64>(vmax + o, vv);
      }
      store<f64>(p + o, pv - stepSize * mv / (Math.sqrt(vv) / bc2Sqrt + eps));
    }
    return;
  }
  const decay = f32x4.splat(<f32>(1 - lr * wd)), vwd = f32x4.splat(<f32>wd);
  const vb1 = f32x4.splat(<f32>beta1), omb1 = f32x4.splat(<f32>(1 - beta1)), vb2 = f32x4.splat(<f32>beta2), omb2 = f32x4.splat(<f32>(1 - beta2));
  const vstep = f32x4.splat(<f32>stepSize), vbc2 = f32x4.splat(<f32>bc2Sqrt), veps = f32x4.splat(<f32>eps);
  let i = e0;
  if (!maximize && !amsgrad && (wd == 0 || decoupled)) {
    // V8 does not hoist the loop's invariant tests; this loop has none (see sgdK)
    const n4 = (e1 - e0) & ~3;
    adamPlain4(p, g, m, v, <usize>e0 << 2, <usize>n4 << 2, decoupled ? decay : f32x4.splat(1), vb1, omb1, vb2, omb2, vstep, vbc2, veps);
    i += n4;
  }
  for (; i + 4 <= e1; i += 4) {
    const o = <usize>i << 2;
    let pv = v128.load(p + o);
    let gv = v128.load(g + o);
    if (maximize) gv = f32x4.neg(gv);
    if (wd != 0) {
      if (decoupled) pv = f32x4.mul(pv, decay);
      else gv = f32x4.add(gv, f32x4.mul(vwd, pv));
    }
    const mv = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(omb1, gv));
    let vv = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(f32x4.mul(omb2, gv), gv));
    v128.store(m + o, mv);
    v128.store(v + o, vv);
    if (amsgrad) {
      vv = f32x4.max(v128.load(vmax + o), vv);
      v128.store(vmax + o, vv);
    }
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vv), vbc2), veps);
    v128.store(p + o, f32x4.sub(pv, f32x4.div(f32x4.mul(vstep, mv), denom)));
  }
  const fdecay = <f32>(1 - lr * wd), fwd = <f32>wd, fb1 = <f32>beta1, fomb1 = <f32>(1 - beta1), fb2 = <f32>beta2, fomb2 = <f32>(1 - beta2);
  const fstep = <f32>stepSize, fbc2 = <f32>bc2Sqrt, feps = <f32>eps;
  for (; i < e1; i++) {
    const o = <usize>i << 2;
    let pv = load<f32>(p + o);
    let gv = load<f32>(g + o);
    if (maximize) gv = -gv;
    if (wd != 0) {
      if (decoupled) pv *= fdecay;
      else gv += fwd * pv;
    }
    const mv = fb1 * load<f32>(m + o) + fomb1 * gv;
    let vv = fb2 * load<f32>(v + o) + fomb2 * gv * gv;
    store<f32>(m + o, mv);
    store<f32>(v + o, vv);
    if (amsgrad) {
      vv = max(load<f32>(vmax + o), vv);
      store<f32>(vmax + o, vv);
    }
    store<f32>(p + o, pv - fstep * mv / (Mathf.sqrt(vv) / fbc2 + feps));
  }
}
