/**
 * Randomness for `src/data`, always drawn from the core's generators (the default one unless a
 * `Generator` is given), so `manualSeed(n)` makes shuffles, splits and augmentations reproducible.
 */
import { Generator, defaultGenerator, randperm } from "../core.js";

/** A uniformly random permutation of 0..n-1 (the core's `randperm`). */
export function permutation(n: number, generator?: Generator): Int32Array {
  return randperm(n, { generator }).dataSync() as Int32Array;
}

/** One uniform draw from [0, 1). */
export function uniform(generator?: Generator): number {
  return (generator ?? defaultGenerator).random();
}

/** `n` uniform draws from [0, 1). */
export function uniforms(n: number, generator?: Generator): Float64Array {
  const g = generator ?? defaultGenerator;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = g.random();
  return out;
}

/** `n` integers drawn uniformly from [low, high). */
export function randomInts(low: number, high: number, n: number, generator?: Generator): Int32Array {
  const g = generator ?? defaultGenerator;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = g.randint(low, high);
  return out;
}

/** One integer drawn uniformly from [low, high). */
export function randomInt(low: number, high: number, generator?: Generator): number {
  return (generator ?? defaultGenerator).randint(low, high);
}

/** `n` standard normal draws. */
export function normals(n: number, generator?: Generator): Float64Array {
  const g = generator ?? defaultGenerator;
  const out = new Float64Array(n);
  g.fillNormal(out);
  return out;
}
