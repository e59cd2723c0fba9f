/**
 * The host kernel of linalg.eig: LAPACK's dgeev pipeline for one real n×n matrix in float64, step
 * by step so that the eigenvalues come out in LAPACK's order (the diagonal of the real Schur form,
 * which depends on where the QR iteration deflates):
 *
 * 1. dgebal ("B"): permute rows/columns to isolate eigenvalues, then scale by powers of 2;
 * 2. dgehd2: Householder reduction of rows/columns ilo..ihi to upper Hessenberg form (Q kept);
 * 3. dlahqr: Francis double-shift QR with the Ahues–Kressner deflation test and exceptional
 *    shifts, 2×2 blocks standardized by dlanv2 (complex pairs: positive imaginary part first);
 * 4. eigenvectors of the quasi-triangular T by back-substitution (EISPACK hqr2's), times Z;
 * 5. dgebak: undo the scaling and the permutation; then geev's normalization (unit 2-norm) and
 *    Tensile's phase rule (the largest-magnitude component real and positive).
 *
 * All 1-based (i, j) below are LAPACK's indices, so the code can be read against its sources.
 */

const EPS = 2 ** -52; // dlamch("P")
const SAFMIN = 2 ** -1022; // dlamch("S")

/** dlapy2: √(x² + y²) without needless overflow. */
const lapy2 = (x: number, y: number): number => Math.hypot(x, y);
const sign = (a: number, b: number): number => (b >= 0 || Object.is(b, 0) ? Math.abs(a) : -Math.abs(a));

/** (a + ib)/(c + id) by Smith's algorithm. */
function cdiv(a: number, b: number, c: number, d: number): [number, number] {
  if (Math.abs(c) >= Math.abs(d)) {
    const r = d / c, den = c + r * d;
    return [(a + r * b) / den, (b - r * a) / den];
  }
  const r = c / d, den = d + r * c;
  return [(r * a + b) / den, (r * b - a) / den];
}

/** dgebal("B") on the row-major n×n a in place: returns ilo, ihi (1-based) and scale (permutation indices / factors). */
function gebal(a: Float64Array, n: number): { ilo: number; ihi: number; scale: Float64Array } {
  const A = (i: number, j: number) => (i - 1) * n + (j - 1);
  const scale = new Float64Array(n + 1);
  const exchange = (j: number, m: number, k: number, l: number) => {
    scale[m] = j;
    if (j === m) return;
    for (let i = 1; i <= l; i++) {
      const t = a[A(i, j)]!;
      a[A(i, j)] = a[A(i, m)]!;
      a[A(i, m)] = t;
    }
    for (let i = k; i <= n; i++) {
      const t = a[A(j, i)]!;
      a[A(j, i)] = a[A(m, i)]!;
      a[A(m, i)] = t;
    }
  };
  let k = 1, l = n;
  // rows isolating an eigenvalue go to the bottom
  rows: for (;;) {
    for (let j = l; j >= 1; j--) {
      let zero = true;
      for (let i = 1; i <= l && zero; i++) if (i !== j && a[A(j, i)] !== 0) zero = false;
      if (!zero) continue;
      exchange(j, l, k, l);
      if (l === 1) return { ilo: 1, ihi: 1, scale: scale.subarray(1) };
      l--;
      continue rows;
    }
    break;
  }
  // columns isolating an eigenvalue go to the left
  cols: for (;;) {
    for (let j = k; j <= l; j++) {
      let zero = true;
      for (let i = k; i <= l && zero; i++) if (i !== j && a[A(i, j)] !== 0) zero = false;
      if (!zero) continue;
      exchange(j, k, k, l);
      k++;
      continue cols;
    }
    break;
  }
  for (let i = k; i <= l; i++) scale[i] = 1;
  // iterative scaling by powers of 2 until row and column norms are balanced
  const SFMIN1 = SAFMIN / EPS, SFMAX1 = 1 / SFMIN1, SFMIN2 = SFMIN1 * 2, SFMAX2 = 1 / SFMIN2;
  for (let noconv = true; noconv; ) {
    noconv = false;
    for (let i = k; i <= l; i++) {
      let c = 0, r = 0, ca = 0, ra = 0;
      for (let m = k; m <= l; m++) {
        c += a[A(m, i)]! ** 2;
        r += a[A(i, m)]! ** 2;
      }
      c = Math.sqrt(c);
      r = Math.sqrt(r);
      for (let m = 1; m <= l; m++) ca = Math.max(ca, Math.abs(a[A(m, i)]!));
      for (let m = k; m <= n; m++) ra = Math.max(ra, Math.abs(a[A(i, m)]!));
      if (c === 0 || r === 0) continue;
      let g = r / 2, f = 1;
      const s = c + r;
      while (!(c >= g || Math.max(f, c, ca) >= SFMAX2 || Math.min(r, g, ra) <= SFMIN2)) {
        f *= 2;
        c *= 2;
        ca *= 2;
        r /= 2;
        g /= 2;
        ra /= 2;
      }
      g = c / 2;
      while (!(g < r || Math.max(r, ra) >= SFMAX2 || Math.min(f, c, g, ca) <= SFMIN2)) {
        f /= 2;
        c /= 2;
        g /= 2;
        ca /= 2;
        r *= 2;
        ra *= 2;
      }
      if (c + r >= 0.95 * s) continue;
      if (f < 1 && scale[i]! < 1 && f * scale[i]! <= SFMIN1) continue;
      if (f > 1 && scale[i]! > 1 && scale[i]! >= SFMAX1 / f) continue;
      scale[i]! *= f;
      noconv = true;
      for (let m = k; m <= n; m++) a[A(i, m)]! /= f;
      for (let m = 1; m <= l; m++) a[A(m, i)]! *= f;
    }
  }
  return { ilo: k, ihi: l, scale: scale.subarray(1) };
}

/** dlarfg on v[0..nr): returns tau and sets v[0] = beta, v[1..] the reflector's tail (v[0] of the reflector is 1). */
function larfg(v: Float64Array, nr: number): number {
  if (nr <= 1) return 0;
  let xnorm = 0;
  for (let i = 1; i < nr; i++) xnorm = lapy2(xnorm, v[i]!);
  if (xnorm === 0) return 0;
  const alpha = v[0]!;
  const beta = -sign(lapy2(alpha, xnorm), alpha);
  const tau = (beta - alpha) / beta;
  const sc = 1 / (alpha - beta);
  for (let i = 1; i < nr; i++) v[i]! *= sc;
  v[0] = beta;
  return tau;
}

/** dgehd2 on rows/columns ilo..ihi of the row-major n×n a, with Q (n×n) = H(ilo)···H(ihi−1) accumulated into q. */
function gehd2(a: Float64Array, n: number, ilo: number, ihi: number, q: Float64Array): void {
  const A = (i: number, j: number) => (i - 1) * n + (j - 1);
  q.fill(0);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  const v = new Float64Array(n);
  for (let i = ilo; i <= ihi - 1; i++) {
    const len = ihi - i;
    for (let t = 0; t < len; t++) v[t] = a[A(i + 1 + t, i)]!;
    const tau = larfg(v, len);
    a[A(i + 1, i)] = v[0]!;
    for (let t = 1; t < len; t++) a[A(i + 1 + t, i)] = 0;
    if (tau === 0) continue;
    v[0] = 1;
    // from the right on A(1:ihi, i+1:ihi), then from the left on A(i+1:ihi, i+1:n); Q := Q·H(i)
    const right = (m: Float64Array, rowsTo: number, A2: (r: number, c: number) => number) => {
      for (let r = 1; r <= rowsTo; r++) {
        let s = 0;
        for (let t = 0; t < len; t++) s += m[A2(r, i + 1 + t)]! * v[t]!;
        s *= tau;
        for (let t = 0; t < len; t++) m[A2(r, i + 1 + t)]! -= s * v[t]!;
      }
    };
    right(a, ihi, A);
    for (let c = i + 1; c <= n; c++) {
      let s = 0;
      for (let t = 0; t < len; t++) s += a[A(i + 1 + t, c)]! * v[t]!;
      s *= tau;
      for (let t = 0; t < len; t++) a[A(i + 1 + t, c)]! -= s * v[t]!;
    }
    right(q, n, A);
  }
}

/** dlanv2: the standard Schur form of the 2×2 block [[a, b], [c, d]]; returns it, the eigenvalues and the rotation (cs, sn). */
function lanv2(a: number, b: number, c: number, d: number): { a: number; b: number; c: number; d: number; rt1r: number; rt1i: number; rt2r: number; rt2i: number; cs: number; sn: number } {
  let cs = 1, sn = 0;
  if (c === 0) {
    // already upper triangular
  } else if (b === 0) {
    cs = 0;
    sn = 1;
    const t = d;
    d = a;
    a = t;
    b = -c;
    c = 0;
  } else if (a - d === 0 && sign(1, b) !== sign(1, c)) {
    // a standard complex block
  } else {
    const temp = a - d;
    let p = 0.5 * temp;
    const bcmax = Math.max(Math.abs(b), Math.abs(c));
    const bcmis = Math.min(Math.abs(b), Math.abs(c)) * sign(1, b) * sign(1, c);
    let scale = Math.max(Math.abs(p), bcmax);
    let z = (p / scale) * p + (bcmax / scale) * bcmis;
    if (z >= 4 * EPS) {
      // real eigenvalues
      z = p + sign(Math.sqrt(scale) * Math.sqrt(z), p);
      a = d + z;
      d = d - (bcmax / z) * bcmis;
      const tau = lapy2(c, z);
      cs = z / tau;
      sn = c / tau;
      b = b - c;
      c = 0;
    } else {
      // complex or nearly equal real eigenvalues: make the diagonal entries equal
      const sigma = b + c;
      scale = Math.max(Math.abs(temp), Math.abs(sigma));
      p = 0.5 * temp;
      let tau = lapy2(sigma, temp);
      cs = Math.sqrt(0.5 * (1 + Math.abs(sigma) / tau));
      sn = -(p / (tau * cs)) * sign(1, sigma);
      const aa = a * cs + b * sn, bb = -a * sn + b * cs, cc = c * cs + d * sn, dd = -c * sn + d * cs;
      a = aa * cs + cc * sn;
      b = bb * cs + dd * sn;
      c = -aa * sn + cc * cs;
      d = -bb * sn + dd * cs;
      const mid = 0.5 * (a + d);
      a = mid;
      d = mid;
      if (c !== 0) {
        if (b !== 0) {
          if (sign(1, b) === sign(1, c)) {
            // real eigenvalues after all: reduce to upper triangular
            const sab = Math.sqrt(Math.abs(b)), sac = Math.sqrt(Math.abs(c));
            p = sign(sab * sac, c);
            tau = 1 / Math.sqrt(Math.abs(b + c));
            a = mid + p;
            d = mid - p;
            b = b - c;
            c = 0;
            const cs1 = sab * tau, sn1 = sac * tau;
            const t = cs * cs1 - sn * sn1;
            sn = cs * sn1 + sn * cs1;
            cs = t;
          }
        } else {
          b = -c;
          c = 0;
          const t = cs;
          cs = -sn;
          sn = t;
        }
      }
    }
  }
  const rt1i = c === 0 ? 0 : Math.sqrt(Math.abs(b)) * Math.sqrt(Math.abs(c));
  return { a, b, c, d, rt1r: a, rt1i, rt2r: d, rt2i: -rt1i, cs, sn };
}

/**
 * dlahqr (wantt, wantz) on the Hessenberg rows/columns ilo..ihi of the row-major n×n h, the
 * transformations accumulated into z; eigenvalues into wr, wi (0-based). False: no convergence.
 */
function lahqr(h: Float64Array, n: number, ilo: number, ihi: number, z: Float64Array, wr: Float64Array, wi: Float64Array): boolean {
  const H = (i: number, j: number) => (i - 1) * n + (j - 1);
  const g = (i: number, j: number) => h[H(i, j)]!;
  for (let i = 1; i < ilo; i++) (wr[i - 1] = g(i, i)), (wi[i - 1] = 0);
  for (let i = ihi + 1; i <= n; i++) (wr[i - 1] = g(i, i)), (wi[i - 1] = 0);
  if (ilo === ihi) {
    wr[ilo - 1] = g(ilo, ilo);
    wi[ilo - 1] = 0;
    return true;
  }
  for (let j = ilo; j <= ihi - 3; j++) (h[H(j + 2, j)] = 0), (h[H(j + 3, j)] = 0);
  if (ilo <= ihi - 2) h[H(ihi, ihi - 2)] = 0;
  const nh = ihi - ilo + 1;
  const ulp = EPS, smlnum = SAFMIN * (nh / ulp);
  const i1 = 1, i2 = n;
  const itmax = 30 * Math.max(10, nh);
  let kdefl = 0;
  const v = new Float64Array(3);
  let i = ihi;
  while (i >= ilo) {
    let l = ilo, converged = false;
    for (let its = 0; its <= itmax; its++) {
      // a single small subdiagonal entry
      let k: number;
      for (k = i; k > l; k--) {
        if (Math.abs(g(k, k - 1)) <= smlnum) break;
        let tst = Math.abs(g(k - 1, k - 1)) + Math.abs(g(k, k));
        if (tst === 0) {
          if (k - 2 >= ilo) tst += Math.abs(g(k - 1, k - 2));
          if (k + 1 <= ihi) tst += Math.abs(g(k + 1, k));
        }
        if (Math.abs(g(k, k - 1)) <= ulp * tst) {
          const ab = Math.max(Math.abs(g(k, k - 1)), Math.abs(g(k - 1, k)));
          const ba = Math.min(Math.abs(g(k, k - 1)), Math.abs(g(k - 1, k)));
          const aa = Math.max(Math.abs(g(k, k)), Math.abs(g(k - 1, k - 1) - g(k, k)));
          const bb = Math.min(Math.abs(g(k, k)), Math.abs(g(k - 1, k - 1) - g(k, k)));
          const s = aa + ab;
          if (ba * (ab / s) <= Math.max(smlnum, ulp * (bb * (aa / s)))) break;
        }
      }
      l = k;
      if (l > ilo) h[H(l, l - 1)] = 0;
      if (l >= i - 1) {
        converged = true;
        break;
      }
      kdefl++;
      let h11: number, h12: number, h21: number, h22: number;
      if (kdefl % 20 === 0) {
        const s = Math.abs(g(i, i - 1)) + Math.abs(g(i - 1, i - 2));
        h11 = 0.75 * s + g(i, i);
        h12 = -0.4375 * s;
        h21 = s;
        h22 = h11;
      } else if (kdefl % 10 === 0) {
        const s = Math.abs(g(l + 1, l)) + Math.abs(g(l + 2, l + 1));
        h11 = 0.75 * s + g(l, l);
        h12 = -0.4375 * s;
        h21 = s;
        h22 = h11;
      } else {
        h11 = g(i - 1, i - 1);
        h21 = g(i, i - 1);
        h12 = g(i - 1, i);
        h22 = g(i, i);
      }
      let rt1r = 0, rt1i = 0, rt2r = 0, rt2i = 0;
      const s0 = Math.abs(h11) + Math.abs(h12) + Math.abs(h21) + Math.abs(h22);
      if (s0 !== 0) {
        h11 /= s0;
        h21 /= s0;
        h12 /= s0;
        h22 /= s0;
        const tr = (h11 + h22) / 2;
        const det = (h11 - tr) * (h22 - tr) - h12 * h21;
        const rtdisc = Math.sqrt(Math.abs(det));
        if (det >= 0) {
          rt1r = tr * s0;
          rt2r = rt1r;
          rt1i = rtdisc * s0;
          rt2i = -rt1i;
        } else {
          // real shifts: use the one closer to h22 twice
          rt1r = tr + rtdisc;
          rt2r = tr - rtdisc;
          if (Math.abs(rt1r - h22) <= Math.abs(rt2r - h22)) rt2r = rt1r = rt1r * s0;
          else rt1r = rt2r = rt2r * s0;
        }
      }
      // two consecutive small subdiagonal entries
      let m: number;
      for (m = i - 2; m >= l; m--) {
        let h21s = g(m + 1, m);
        let s = Math.abs(g(m, m) - rt2r) + Math.abs(rt2i) + Math.abs(h21s);
        h21s = g(m + 1, m) / s;
        v[0] = h21s * g(m, m + 1) + (g(m, m) - rt1r) * ((g(m, m) - rt2r) / s) - rt1i * (rt2i / s);
        v[1] = h21s * (g(m, m) + g(m + 1, m + 1) - rt1r - rt2r);
        v[2] = h21s * g(m + 2, m + 1);
        s = Math.abs(v[0]!) + Math.abs(v[1]!) + Math.abs(v[2]!);
        v[0]! /= s;
        v[1]! /= s;
        v[2]! /= s;
        if (m === l) break;
        const h00 = Math.abs(g(m, m - 1)) * (Math.abs(v[1]!) + Math.abs(v[2]!));
        const h01 = ulp * Math.abs(v[0]!) * (Math.abs(g(m - 1, m - 1)) + Math.abs(g(m, m)) + Math.abs(g(m + 1, m + 1)));
        if (h00 <= h01) break;
      }
      // the double-shift QR sweep
      for (k = m; k <= i - 1; k++) {
        const nr = Math.min(3, i - k + 1);
        if (k > m) for (let t = 0; t < nr; t++) v[t] = g(k + t, k - 1);
        const t1 = larfg(v, nr);
        if (k > m) {
          h[H(k, k - 1)] = v[0]!;
          h[H(k + 1, k - 1)] = 0;
          if (k < i - 1) h[H(k + 2, k - 1)] = 0;
        } else if (m > l) h[H(k, k - 1)] = g(k, k - 1) * (1 - t1);
        const v2 = v[1]!, t2 = t1 * v2;
        if (nr === 3) {
          const v3 = v[2]!, t3 = t1 * v3;
          for (let j = k; j <= i2; j++) {
            const sum = g(k, j) + v2 * g(k + 1, j) + v3 * g(k + 2, j);
            h[H(k, j)] = g(k, j) - sum * t1;
            h[H(k + 1, j)] = g(k + 1, j) - sum * t2;
            h[H(k + 2, j)] = g(k + 2, j) - sum * t3;
          }
          for (let j = i1; j <= Math.min(k + 3, i); j++) {
            const sum = g(j, k) + v2 * g(j, k + 1) + v3 * g(j, k + 2);
            h[H(j, k)] = g(j, k) - sum * t1;
            h[H(j, k + 1)] = g(j, k + 1) - sum * t2;
            h[H(j, k + 2)] = g(j, k + 2) - sum * t3;
          }
          for (let j = 1; j <= n; j++) {
            const sum = z[H(j, k)]! + v2 * z[H(j, k + 1)]! + v3 * z[H(j, k + 2)]!;
            z[H(j, k)]! -= sum * t1;
            z[H(j, k + 1)]! -= sum * t2;
            z[H(j, k + 2)]! -= sum * t3;
          }
        } else if (nr === 2) {
          for (let j = k; j <= i2; j++) {
            const sum = g(k, j) + v2 * g(k + 1, j);
            h[H(k, j)] = g(k, j) - sum * t1;
            h[H(k + 1, j)] = g(k + 1, j) - sum * t2;
          }
          for (let j = i1; j <= i; j++) {
            const sum = g(j, k) + v2 * g(j, k + 1);
            h[H(j, k)] = g(j, k) - sum * t1;
            h[H(j, k + 1)] = g(j, k + 1) - sum * t2;
          }
          for (let j = 1; j <= n; j++) {
            const sum = z[H(j, k)]! + v2 * z[H(j, k + 1)]!;
            z[H(j, k)]! -= sum * t1;
            z[H(j, k + 1)]! -= sum * t2;
          }
        }
      }
    }
    if (!converged) return false;
    if (l === i) {
      wr[i - 1] = g(i, i);
      wi[i - 1] = 0;
    } else {
      // a 2×2 block: its standard form, the rotation applied to the rest of H and to Z
      const r = lanv2(g(i - 1, i - 1), g(i - 1, i), g(i, i - 1), g(i, i));
      h[H(i - 1, i - 1)] = r.a;
      h[H(i - 1, i)] = r.b;
      h[H(i, i - 1)] = r.c;
      h[H(i, i)] = r.d;
      wr[i - 2] = r.rt1r;
      wi[i - 2] = r.rt1i;
      wr[i - 1] = r.rt2r;
      wi[i - 1] = r.rt2i;
      const rot = (p: number, q: number, m: Float64Array) => {
        const x = m[p]!, y = m[q]!;
        m[p] = r.cs * x + r.sn * y;
        m[q] = r.cs * y - r.sn * x;
      };
      for (let j = i + 1; j <= i2; j++) rot(H(i - 1, j), H(i, j), h);
      for (let j = i1; j <= i - 2; j++) rot(H(j, i - 1), H(j, i), h);
      for (let j = 1; j <= n; j++) rot(H(j, i - 1), H(j, i), z);
    }
    kdefl = 0;
    i = l - 1;
  }
  return true;
}

/**
 * Eigenvectors of the upper quasi-triangular t (row-major n×n, destroyed; 2×2 blocks for the
 * complex pairs) with eigenvalues d + i·e, by EISPACK hqr2's back-substitution, multiplied into
 * z: afterwards column j of z is eigenvalue j's vector, a complex pair j, j+1 (e[j] > 0) holding
 * the real and imaginary parts of eigenvalue j's.
 */
function backSubstitute(t: Float64Array, z: Float64Array, nn: number, d: Float64Array, e: Float64Array): void {
  const H = (i: number, j: number) => i * nn + j;
  const h = t;
  let norm = 0;
  for (let i = 0; i < nn; i++) for (let j = Math.max(i - 1, 0); j < nn; j++) norm += Math.abs(h[H(i, j)]!);
  if (norm === 0) return;
  let p: number, q: number, r = 0, s = 0, w: number, x: number, y: number, zz = 0, tt: number;
  for (let n = nn - 1; n >= 0; n--) {
    p = d[n]!;
    q = e[n]!;
    if (q === 0) {
      let l = n;
      h[H(n, n)] = 1;
      for (let i = n - 1; i >= 0; i--) {
        w = h[H(i, i)]! - p;
        r = 0;
        for (let j = l; j <= n; j++) r += h[H(i, j)]! * h[H(j, n)]!;
        if (e[i]! < 0) {
          zz = w;
          s = r;
        } else {
          l = i;
          if (e[i] === 0) h[H(i, n)] = w !== 0 ? -r / w : -r / (EPS * norm);
          else {
            x = h[H(i, i + 1)]!;
            y = h[H(i + 1, i)]!;
            q = (d[i]! - p) * (d[i]! - p) + e[i]! * e[i]!;
            tt = (x * s - zz * r) / q;
            h[H(i, n)] = tt;
            h[H(i + 1, n)] = Math.abs(x) > Math.abs(zz) ? (-r - w * tt) / x : (-s - y * tt) / zz;
          }
          tt = Math.abs(h[H(i, n)]!);
          if (EPS * tt * tt > 1) for (let j = i; j <= n; j++) h[H(j, n)]! /= tt;
        }
      }
    } else if (q < 0) {
      let l = n - 1;
      if (Math.abs(h[H(n, n - 1)]!) > Math.abs(h[H(n - 1, n)]!)) {
        h[H(n - 1, n - 1)] = q / h[H(n, n - 1)]!;
        h[H(n - 1, n)] = -(h[H(n, n)]! - p) / h[H(n, n - 1)]!;
      } else {
        [h[H(n - 1, n - 1)], h[H(n - 1, n)]] = cdiv(0, -h[H(n - 1, n)]!, h[H(n - 1, n - 1)]! - p, q);
      }
      h[H(n, n - 1)] = 0;
      h[H(n, n)] = 1;
      for (let i = n - 2; i >= 0; i--) {
        let ra = 0, sa = 0;
        for (let j = l; j <= n; j++) {
          ra += h[H(i, j)]! * h[H(j, n - 1)]!;
          sa += h[H(i, j)]! * h[H(j, n)]!;
        }
        w = h[H(i, i)]! - p;
        if (e[i]! < 0) {
          zz = w;
          r = ra;
          s = sa;
        } else {
          l = i;
          if (e[i] === 0) [h[H(i, n - 1)], h[H(i, n)]] = cdiv(-ra, -sa, w, q);
          else {
            x = h[H(i, i + 1)]!;
            y = h[H(i + 1, i)]!;
            let vr = (d[i]! - p) * (d[i]! - p) + e[i]! * e[i]! - q * q;
            const vi = (d[i]! - p) * 2 * q;
            if (vr === 0 && vi === 0) vr = EPS * norm * (Math.abs(w) + Math.abs(q) + Math.abs(x) + Math.abs(y) + Math.abs(zz));
            [h[H(i, n - 1)], h[H(i, n)]] = cdiv(x * r - zz * ra + q * sa, x * s - zz * sa - q * ra, vr, vi);
            if (Math.abs(x) > Math.abs(zz) + Math.abs(q)) {
              h[H(i + 1, n - 1)] = (-ra - w * h[H(i, n - 1)]! + q * h[H(i, n)]!) / x;
              h[H(i + 1, n)] = (-sa - w * h[H(i, n)]! - q * h[H(i, n - 1)]!) / x;
            } else {
              [h[H(i + 1, n - 1)], h[H(i + 1, n)]] = cdiv(-r - y * h[H(i, n - 1)]!, -s - y * h[H(i, n)]!, zz, q);
            }
          }
          tt = Math.max(Math.abs(h[H(i, n - 1)]!), Math.abs(h[H(i, n)]!));
          if (EPS * tt * tt > 1)
            for (let j = i; j <= n; j++) {
              h[H(j, n - 1)]! /= tt;
              h[H(j, n)]! /= tt;
            }
        }
      }
    }
  }
  // z := z·(the triangular eigenvector matrix)
  for (let j = nn - 1; j >= 0; j--)
    for (let i = 0; i < nn; i++) {
      let sum = 0;
      for (let k = 0; k <= j; k++) sum += z[H(i, k)]! * h[H(k, j)]!;
      z[H(i, j)] = sum;
    }
}

/**
 * Eigen-decomposition of the row-major n×n a (not modified): eigenvalues into w (n (re, im)
 * pairs, LAPACK's order), unit eigenvectors into vec (n×n (re, im) pairs, column j for eigenvalue
 * j) with their largest-magnitude component real and positive (its row into big[j]).
 * False: the QR iteration did not converge.
 */
export function eigen(a: Float64Array, n: number, w: Float64Array, vec: Float64Array, big: Int32Array): boolean {
  if (n === 0) return true;
  const h = Float64Array.from(a), z = new Float64Array(n * n), d = new Float64Array(n), e = new Float64Array(n);
  const { ilo, ihi, scale } = gebal(h, n);
  gehd2(h, n, ilo, ihi, z);
  if (!lahqr(h, n, ilo, ihi, z, d, e)) return false;
  for (let i = 2; i < n; i++) for (let j = 0; j < i - 1; j++) h[i * n + j] = 0;
  backSubstitute(h, z, n, d, e);
  // dgebak: undo the scaling (none when one row is left), then the permutation
  if (ilo !== ihi) for (let i = ilo; i <= ihi; i++) for (let j = 0; j < n; j++) z[(i - 1) * n + j]! *= scale[i - 1]!;
  for (let ii = 1; ii <= n; ii++) {
    let i = ii;
    if (i >= ilo && i <= ihi) continue;
    if (i < ilo) i = ilo - ii;
    const k = scale[i - 1]!;
    if (k === i) continue;
    for (let j = 0; j < n; j++) {
      const t = z[(i - 1) * n + j]!;
      z[(i - 1) * n + j] = z[(k - 1) * n + j]!;
      z[(k - 1) * n + j] = t;
    }
  }
  for (let j = 0; j < n; j++) {
    w[2 * j] = d[j]!;
    w[2 * j + 1] = e[j]!;
  }
  for (let j = 0; j < n; j++) {
    // column j's vector as (re, im): a real vector, or a pair's first (z_j + i·z_j+1) or second (its conjugate)
    const first = e[j]! > 0, second = e[j]! < 0;
    const rc = second ? j - 1 : j, ic = first ? j + 1 : second ? j : -1, sg = second ? -1 : 1;
    let nrm = 0, at = 0, best = -1;
    for (let i = 0; i < n; i++) {
      const re = z[i * n + rc]!, im = ic >= 0 ? sg * z[i * n + ic]! : 0;
      const m2 = re * re + im * im;
      nrm += m2;
      if (m2 > best) (best = m2), (at = i);
    }
    // times conj(x_at)/|x_at|/‖x‖: x_at becomes real and positive, the norm 1
    const mag = Math.sqrt(best) || 1, den = mag * (Math.sqrt(nrm) || 1);
    const xr = z[at * n + rc]!, xi = ic >= 0 ? sg * z[at * n + ic]! : 0;
    const cr = xr / den, ci = -xi / den;
    for (let i = 0; i < n; i++) {
      const re = z[i * n + rc]!, im = ic >= 0 ? sg * z[i * n + ic]! : 0;
      vec[2 * (i * n + j)] = re * cr - im * ci;
      vec[2 * (i * n + j) + 1] = re * ci + im * cr;
    }
    vec[2 * (at * n + j) + 1] = 0;
    big[j] = at;
  }
  return true;
}
