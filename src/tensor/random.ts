import { TensileError } from "../errors.js";

export interface GeneratorState {
  s: [number, number, number, number];
  spare: number | null;
}

/**
 * A seeded pseudo-random stream (xoshiro128**, seeded through splitmix32). Tensile draws every
 * random number in JS through a Generator, on every backend, so a seed gives the same tensors
 * whichever backend runs. (The numbers differ from PyTorch's Mersenne twister; distributions match.)
 */
export class Generator {
  private s = new Uint32Array(4);
  private spare: number | null = null;
  private seedValue = 0;

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /** "cpu": Tensile's generators feed the CPU backends (PyTorch's `generator.device`). */
  get device(): "cpu" {
    return "cpu";
  }

  manualSeed(seed: number): this {
    if (!Number.isFinite(seed)) throw new TensileError(`manualSeed: seed must be a finite number, got ${seed}`);
    let x = (Math.trunc(seed) ^ Math.trunc(seed / 2 ** 32)) >>> 0;
    for (let i = 0; i < 4; i++) {
      // splitmix32
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if (this.s.every((v) => v === 0)) this.s[0] = 1;
    this.spare = null;
    this.seedValue = Math.trunc(seed);
    return this;
  }

  /** The seed this generator was last seeded with (`manualSeed`, `seed`), as `torch.Generator.initial_seed()`. */
  initialSeed(): number {
    return this.seedValue;
  }

  /**
   * Seeds the generator from a non-deterministic source (the platform's `crypto.getRandomValues`)
   * and returns the seed (an integer below 2^53), as `torch.Generator.seed()`.
   */
  seed(): number {
    const w = new Uint32Array(2);
    globalThis.crypto.getRandomValues(w);
    const v = (w[0]! & 0x1fffff) * 2 ** 32 + w[1]!;
    this.manualSeed(v);
    return v;
  }

  getState(): GeneratorState {
    return { s: [this.s[0]!, this.s[1]!, this.s[2]!, this.s[3]!], spare: this.spare };
  }

  setState(st: GeneratorState): this {
    if (!st || !Array.isArray(st.s) || st.s.length !== 4) throw new TensileError("Generator.setState: expected {s: [4 uint32], spare}");
    this.s.set(st.s);
    this.spare = st.spare ?? null;
    return this;
  }

  /** Next uniform 32-bit unsigned integer. */
  nextU32(): number {
    const s = this.s;
    const r = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return r;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextU32() >>> 5, lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal (Box–Muller, caching the second value). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /**
   * Fills `out` with `a + (b − a)·random()` per element, in order: the same numbers as that many
   * `random()` calls, about three times as fast (the state stays in locals for the whole loop).
   */
  fillUniform(out: { length: number; [i: number]: number }, a = 0, b = 1): void {
    const st = this.s;
    let s0 = st[0]! | 0, s1 = st[1]! | 0, s2 = st[2]! | 0, s3 = st[3]! | 0;
    const w = b - a;
    for (let i = 0; i < out.length; i++) {
      // two xoshiro128** steps (see nextU32), inlined
      let r = Math.imul(Math.imul(s1, 5) << 7 | Math.imul(s1, 5) >>> 25, 9);
      let t = s1 << 9;
      s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = s3 << 11 | s3 >>> 21;
      const hi = r >>> 5;
      r = Math.imul(Math.imul(s1, 5) << 7 | Math.imul(s1, 5) >>> 25, 9);
      t = s1 << 9;
      s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = s3 << 11 | s3 >>> 21;
      const lo = r >>> 6;
      out[i] = a + w * ((hi * 67108864 + lo) / 9007199254740992);
    }
    st[0] = s0; st[1] = s1; st[2] = s2; st[3] = s3;
  }

  /**
   * Fills `out` with `mean + std·normal()` per element, in order: the same numbers as that many
   * `normal()` calls (a pending Box–Muller spare first; one left pending after an odd count).
   */
  fillNormal(out: { length: number; [i: number]: number }, mean = 0, std = 1): void {
    const n = out.length;
    let i = 0;
    if (n > 0 && this.spare !== null) {
      out[i++] = mean + std * this.spare;
      this.spare = null;
    }
    // uniforms for the pairs drawn in bulk, then transformed. normal() redraws a zero u (probability
    // 2^-53 a draw), which shifts the pairing: a chunk holding one is redone one by one instead.
    const pairs = (n - i) >> 1;
    const CH = 4096;
    const u = new Float64Array(2 * Math.min(pairs, CH));
    for (let done = 0; done < pairs; ) {
      const m = Math.min(CH, pairs - done);
      const uv = m === CH ? u : u.subarray(0, 2 * m);
      const saved = this.getState();
      this.fillUniform(uv);
      let zero = false;
      for (let k = 0; k < m; k++) if (uv[2 * k] === 0) zero = true;
      if (zero) {
        this.setState(saved);
        for (let k = 0; k < 2 * m; k++) out[i++] = mean + std * this.normal();
      } else {
        for (let k = 0; k < m; k++) {
          const r = Math.sqrt(-2 * Math.log(uv[2 * k]!));
          const ang = 2 * Math.PI * uv[2 * k + 1]!;
          out[i++] = mean + std * (r * Math.cos(ang));
          out[i++] = mean + std * (r * Math.sin(ang));
        }
      }
      done += m;
    }
    if (i < n) out[i] = mean + std * this.normal();
  }

  /** Uniform integer in [low, high). */
  randint(low: number, high: number): number {
    return low + Math.floor(this.random() * (high - low));
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export const defaultGenerator = new Generator(0);

export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}
/** The default generator's seed (`torch.initial_seed()`): 0 until `manualSeed` or `seed` is called. */
export const initialSeed = (): number => defaultGenerator.initialSeed();
/** Seeds the default generator non-deterministically and returns the seed (`torch.seed()`). */
export const seed = (): number => defaultGenerator.seed();
export const getRngState = (): GeneratorState => defaultGenerator.getState();
export const setRngState = (s: GeneratorState): void => void defaultGenerator.setState(s);
