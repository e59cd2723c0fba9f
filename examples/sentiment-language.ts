/**
 * The synthetic language of the sentiment examples (examples/sentiment.ts,
 * examples/sentiment-packed.ts): 8 positive and 8 negative words, 30 neutral ones, and "not"
 * (id NOT), which flips the sentiment of the next word. A sentence is positive when its
 * (flipped) sentiment words sum above zero.
 */
import type { Generator } from "../src/index.js";

export const POS = 8, NEG = 8, NEUTRAL = 30, NOT = POS + NEG + NEUTRAL;

/**
 * A sentence of `minLen`–`maxLen` word ids and its label (1 positive, 0 negative); sentences
 * whose score ties at 0 are drawn again. The length is drawn only when the two differ.
 */
export function sentence(g: Generator, minLen: number, maxLen = minLen): [number[], number] {
  for (;;) {
    const len = minLen === maxLen ? minLen : minLen + Math.floor(g.random() * (maxLen - minLen + 1));
    const words: number[] = [];
    let score = 0, flip = 1;
    for (let i = 0; i < len; i++) {
      const r = g.random();
      const w = r < 0.12 ? NOT : r < 0.34 ? Math.floor(g.random() * (POS + NEG)) : POS + NEG + Math.floor(g.random() * NEUTRAL);
      words.push(w);
      if (w === NOT) {
        flip = -1;
        continue;
      }
      if (w < POS + NEG) score += flip * (w < POS ? 1 : -1);
      flip = 1;
    }
    if (score !== 0) return [words, score > 0 ? 1 : 0];
  }
}
