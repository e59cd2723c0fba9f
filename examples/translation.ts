/**
 * Translation (one of the text's language applications) with an encoder–decoder Transformer
 * (`nn.Transformer`), on a synthetic language pair: no parallel corpus ships offline, so the
 * sentences are generated (seeded) from two small grammars with a shared meaning.
 *
 * The source language puts the verb last and adjectives after the noun (in reverse order), marks
 * plurals with a separate word and negation with a final particle:
 *     dog big  the  cat  PL  small a  see  NEG
 * The target language is English-like: determiner, adjectives, noun, verb, object; plural nouns
 * have their own word, the verb agrees with the subject's number and negation is "does not" /
 * "do not" before the verb:
 *     the big dog does not see a small cats
 * So a word-by-word dictionary cannot translate it: words move across the sentence, and the verb's
 * form depends on a marker several words away. The baseline below (each source word's most
 * frequent aligned target word, in source order) shows how far that gets.
 *
 * Model: token embeddings plus sinusoidal positions → `nn.Transformer` (2 encoder and
 * 2 decoder layers, d = 64, 4 heads, batch first) → a linear layer over the target words. Trained
 * with teacher forcing (causal `tgtMask`, key-padding masks for both sides), label smoothing and
 * Adam with warm-up; translated greedily, one word at a time, reusing the encoder's output.
 *
 *   npx tsx examples/translation.ts      (EPOCHS=n to change the 6 epochs)
 */
import { Generator, type Tensor, cat, data, full, manualSeed, nn, noGrad, optim, tensor } from "../src/index.js";

// ---------------------------------------------------------------- the two languages

const NOUNS = ["dog", "cat", "bird", "horse", "child", "teacher", "farmer", "fish", "king", "queen", "wolf", "mouse"];
const PLURAL = ["dogs", "cats", "birds", "horses", "children", "teachers", "farmers", "fishes", "kings", "queens", "wolves", "mice"];
const ADJS = ["big", "small", "old", "young", "red", "happy", "quiet", "brave"];
const VERBS = ["see", "like", "help", "follow", "chase", "know", "call", "feed"];
const SPECIAL = ["<pad>", "<bos>", "<eos>"];
const PAD = 0, BOS = 1, EOS = 2;

// source words are the meanings' own tokens, spelled differently so no word is shared
const srcVocab = [...SPECIAL, ...NOUNS.map((w) => `${w}_s`), ...ADJS.map((w) => `${w}_s`), ...VERBS.map((w) => `${w}_s`), "the_s", "a_s", "PL", "NEG"];
const tgtVocab = [...SPECIAL, ...NOUNS, ...PLURAL, ...ADJS, ...VERBS, ...VERBS.map((v) => `${v}s`), "the", "a", "does", "do", "not"];
const sid = new Map(srcVocab.map((w, i) => [w, i])), tid = new Map(tgtVocab.map((w, i) => [w, i]));

interface Phrase { noun: number; plural: boolean; adjs: number[]; det: "the" | "a" }
interface Meaning { subj: Phrase; verb: number; obj: Phrase; neg: boolean }

const g = new Generator(7);
const pick = (n: number) => Math.floor(g.random() * n);
function phrase(): Phrase {
  const nAdj = [0, 0, 1, 1, 2][pick(5)]!;
  const adjs: number[] = [];
  while (adjs.length < nAdj) {
    const a = pick(ADJS.length);
    if (!adjs.includes(a)) adjs.push(a);
  }
  const plural = g.random() < 0.35;
  return { noun: pick(NOUNS.length), plural, adjs, det: plural || g.random() < 0.5 ? "the" : "a" };
}
const meaning = (): Meaning => ({ subj: phrase(), verb: pick(VERBS.length), obj: phrase(), neg: g.random() < 0.3 });

function source(m: Meaning): string[] {
  const np = (p: Phrase) => [`${NOUNS[p.noun]}_s`, ...(p.plural ? ["PL"] : []), ...[...p.adjs].reverse().map((a) => `${ADJS[a]}_s`), `${p.det}_s`];
  return [...np(m.subj), ...np(m.obj), `${VERBS[m.verb]}_s`, ...(m.neg ? ["NEG"] : [])];
}
function target(m: Meaning): string[] {
  const np = (p: Phrase) => [p.det, ...p.adjs.map((a) => ADJS[a]!), p.plural ? PLURAL[p.noun]! : NOUNS[p.noun]!];
  const verb = VERBS[m.verb]!;
  const vp = m.neg ? [m.subj.plural ? "do" : "does", "not", verb] : [m.subj.plural ? verb : `${verb}s`];
  return [...np(m.subj), ...vp, ...np(m.obj)];
}

const SRC_LEN = 13, TGT_LEN = 13; // longest source sentence + <eos> (12 + 1); longest target + <bos> and <eos> (11 + 2)
function encode(words: string[], ids: Map<string, number>, len: number, bos: boolean): number[] {
  const out = [...(bos ? [BOS] : []), ...words.map((w) => ids.get(w)!), EOS];
  return [...out, ...new Array<number>(len - out.length).fill(PAD)];
}

function pairs(n: number, seen: Set<string>): { src: string[]; tgt: string[] }[] {
  const out: { src: string[]; tgt: string[] }[] = [];
  while (out.length < n) {
    const m = meaning();
    const src = source(m), key = src.join(" ");
    if (seen.has(key)) continue; // the test sentences are never seen in training
    seen.add(key);
    out.push({ src, tgt: target(m) });
  }
  return out;
}
const seen = new Set<string>();
const trainPairs = pairs(8000, seen), testPairs = pairs(500, seen);

// ---------------------------------------------------------------- the model

/** Sinusoidal positions of "Attention Is All You Need", as a buffer [1, maxLen, d]. */
class PositionalEncoding extends nn.Module {
  declare pe: Tensor;
  dropout: nn.Dropout;
  constructor(d: number, maxLen: number, p: number) {
    super();
    const pe = new Float32Array(maxLen * d);
    for (let pos = 0; pos < maxLen; pos++)
      for (let i = 0; i < d; i += 2) {
        const angle = pos / 10000 ** (i / d);
        pe[pos * d + i] = Math.sin(angle);
        pe[pos * d + i + 1] = Math.cos(angle);
      }
    this.registerBuffer("pe", tensor(pe, { shape: [1, maxLen, d] }));
    this.dropout = new nn.Dropout(p);
  }
  override forward(x: Tensor): Tensor {
    return this.dropout.forward(x.add(this.pe.narrow(1, 0, x.shape[1]!)));
  }
}

class Translator extends nn.Module {
  readonly d: number;
  srcEmbed: nn.Embedding;
  tgtEmbed: nn.Embedding;
  pos: PositionalEncoding;
  transformer: nn.Transformer;
  generator: nn.Linear;
  constructor(d = 64) {
    super();
    this.d = d;
    this.srcEmbed = new nn.Embedding(srcVocab.length, d, { paddingIdx: PAD });
    this.tgtEmbed = new nn.Embedding(tgtVocab.length, d, { paddingIdx: PAD });
    this.pos = new PositionalEncoding(d, 32, 0.1);
    this.transformer = new nn.Transformer({ dModel: d, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 128, dropout: 0.1, batchFirst: true });
    this.generator = new nn.Linear(d, tgtVocab.length);
  }
  // nn.Embedding starts N(0, 1), already the positions' scale: the paper's ×√d (for embeddings
  // that start small) would drown the word order this task is about
  embedSrc(src: Tensor): Tensor {
    return this.pos.forward(this.srcEmbed.forward(src));
  }
  embedTgt(tgt: Tensor): Tensor {
    return this.pos.forward(this.tgtEmbed.forward(tgt));
  }
  encode(src: Tensor): Tensor {
    return (this.transformer.encoder as nn.TransformerEncoder).forward(this.embedSrc(src), { srcKeyPaddingMask: src.eq(PAD) });
  }
  decode(tgtIn: Tensor, memory: Tensor, src: Tensor): Tensor {
    const out = (this.transformer.decoder as nn.TransformerDecoder).forward(this.embedTgt(tgtIn), memory, {
      tgtMask: nn.Transformer.generateSquareSubsequentMask(tgtIn.shape[1]!),
      tgtKeyPaddingMask: tgtIn.eq(PAD),
      memoryKeyPaddingMask: src.eq(PAD),
    });
    return this.generator.forward(out);
  }
  /** Teacher forcing: logits [N, T, vocab] for the next word at every target position. */
  override forward(src: Tensor, tgtIn: Tensor): Tensor {
    return this.decode(tgtIn, this.encode(src), src);
  }
}

/** Greedy decoding: the encoder runs once; the decoder re-reads the words chosen so far. */
function translate(model: Translator, src: Tensor): number[][] {
  return noGrad(() => {
    const n = src.shape[0]!;
    const memory = model.encode(src);
    let ys = full([n, 1], BOS, { dtype: "int32" });
    const done = new Array<boolean>(n).fill(false);
    for (let t = 0; t < TGT_LEN - 1 && !done.every(Boolean); t++) {
      const logits = model.decode(ys, memory, src);
      const next = logits.select(1, -1).argmax(1).reshape(n, 1);
      ys = cat([ys, next], 1);
      (next.toArray() as number[][]).forEach(([w], i) => (done[i] ||= w === EOS));
    }
    return (ys.toArray() as number[][]).map((row) => {
      const end = row.indexOf(EOS, 1);
      return row.slice(1, end < 0 ? undefined : end);
    });
  });
}

// ---------------------------------------------------------------- scores

/** Corpus BLEU-4 (Papineni et al.; one reference; brevity penalty), on word ids. */
function bleu(hyps: number[][], refs: number[][]): number {
  const match = [0, 0, 0, 0], total = [0, 0, 0, 0];
  let hypLen = 0, refLen = 0;
  hyps.forEach((h, k) => {
    const r = refs[k]!;
    hypLen += h.length;
    refLen += r.length;
    for (let n = 1; n <= 4; n++) {
      const counts = new Map<string, number>();
      for (let i = 0; i + n <= r.length; i++) counts.set(r.slice(i, i + n).join(","), (counts.get(r.slice(i, i + n).join(",")) ?? 0) + 1);
      for (let i = 0; i + n <= h.length; i++) {
        const key = h.slice(i, i + n).join(","), c = counts.get(key) ?? 0;
        if (c > 0) {
          match[n - 1]!++;
          counts.set(key, c - 1);
        }
        total[n - 1]!++;
      }
    }
  });
  if (match.some((m) => m === 0)) return 0;
  const logPrecision = match.reduce((s, m, i) => s + Math.log(m / total[i]!), 0) / 4;
  const bp = hypLen > refLen ? 1 : Math.exp(1 - refLen / hypLen);
  return 100 * bp * Math.exp(logPrecision);
}

function report(name: string, hyps: number[][], refs: number[][]): void {
  const exact = hyps.filter((h, i) => h.join(" ") === refs[i]!.join(" ")).length;
  console.log(`${name.padEnd(28)} exact sentences ${((100 * exact) / hyps.length).toFixed(1).padStart(5)}%   BLEU ${bleu(hyps, refs).toFixed(1).padStart(5)}`);
}

// ---------------------------------------------------------------- baseline: a word-by-word dictionary

/**
 * Each source word becomes the target word it is most associated with over the training pairs
 * (Dice coefficient of the sentences they occur in: 2·c(s, t) / (c(s) + c(t))), in source order;
 * the markers PL and NEG have no word of their own and are dropped.
 */
function dictionaryBaseline(): (src: string[]) => number[] {
  const cs = new Map<string, number>(), ct = new Map<string, number>(), cst = new Map<string, number>();
  const inc = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const { src, tgt } of trainPairs) {
    const S = new Set(src), T = new Set(tgt);
    S.forEach((s) => inc(cs, s));
    T.forEach((t) => inc(ct, t));
    for (const s of S) for (const t of T) inc(cst, `${s} ${t}`);
  }
  const dict = new Map<string, string>();
  for (const [s, n] of cs) {
    let best = "", score = -1;
    for (const [t, m] of ct) {
      const dice = (2 * (cst.get(`${s} ${t}`) ?? 0)) / (n + m);
      if (dice > score) [best, score] = [t, dice];
    }
    dict.set(s, best);
  }
  return (src) => src.filter((w) => w !== "PL" && w !== "NEG").map((w) => tid.get(dict.get(w)!)!);
}

// ---------------------------------------------------------------- training

const toTensor = (rows: number[][]) => tensor(rows, { dtype: "int32" });
const trainSrc = toTensor(trainPairs.map((p) => encode(p.src, sid, SRC_LEN, false)));
const trainTgt = toTensor(trainPairs.map((p) => encode(p.tgt, tid, TGT_LEN, true)));
const testSrc = toTensor(testPairs.map((p) => encode(p.src, sid, SRC_LEN, false)));
const testRefs = testPairs.map((p) => p.tgt.map((w) => tid.get(w)!));

manualSeed(0);
const model = new Translator();
const criterion = new nn.CrossEntropyLoss({ ignoreIndex: PAD, labelSmoothing: 0.1 });
const optimizer = new optim.Adam(model.parameters(), { lr: 1, betas: [0.9, 0.98], eps: 1e-9 });
const loader = new data.DataLoader(new data.TensorDataset(trainSrc, trainTgt), { batchSize: 64, shuffle: true });
const stepsPerEpoch = Math.ceil(trainPairs.length / 64), warmup = 2 * stepsPerEpoch;
// the paper's schedule: linear warm-up, then decay as 1/√step (peak 1e-3 here)
const scheduler = new optim.lrScheduler.LambdaLR(optimizer, (step) => 1e-3 * Math.min((step + 1) / warmup, Math.sqrt(warmup / (step + 1))));
const epochs = Number(process.env.EPOCHS ?? 6);

console.log(`${trainPairs.length} training pairs, ${testPairs.length} held-out test pairs; source vocabulary ${srcVocab.length}, target ${tgtVocab.length}`);
console.log(`model: ${model.parameters().reduce((s, p) => s + p.numel(), 0).toLocaleString("en")} parameters`);
const t0 = performance.now();
for (let epoch = 1; epoch <= epochs; epoch++) {
  model.train();
  let sum = 0, batches = 0;
  for (const [src, tgt] of loader) {
    const tgtIn = tgt.narrow(1, 0, TGT_LEN - 1), tgtOut = tgt.narrow(1, 1, TGT_LEN - 1);
    optimizer.zeroGrad();
    const logits = model.forward(src, tgtIn);
    const loss = criterion.forward(logits.reshape(-1, tgtVocab.length), tgtOut.reshape(-1));
    loss.backward();
    nn.utils.clipGradNorm_(model.parameters(), 1);
    optimizer.step();
    scheduler.step();
    sum += loss.item();
    batches++;
  }
  model.eval();
  const hyps = translate(model, testSrc.narrow(0, 0, 100));
  const exact = hyps.filter((h, i) => h.join(" ") === testRefs[i]!.join(" ")).length;
  console.log(`epoch ${String(epoch).padStart(2)}  train loss ${(sum / batches).toFixed(3)}  exact on 100 test sentences ${exact}%  (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}

model.eval();
const hyps = translate(model, testSrc);
console.log(`\non ${testPairs.length} held-out sentences (none seen in training):`);
const baseline = dictionaryBaseline();
report("word-by-word dictionary", testPairs.map((p) => baseline(p.src)), testRefs);
report("Transformer, greedy", hyps, testRefs);
const words = (ids: number[]) => ids.map((i) => tgtVocab[i]).join(" ");
for (const i of [0, 1, 2, 3]) {
  console.log(`\n  source:     ${testPairs[i]!.src.join(" ")}`);
  console.log(`  reference:  ${testPairs[i]!.tgt.join(" ")}`);
  console.log(`  dictionary: ${words(baseline(testPairs[i]!.src))}`);
  console.log(`  model:      ${words(hyps[i]!)}`);
}
// where the model goes wrong, if anywhere: the first few mistakes
const wrong = hyps.map((h, i) => [h, i] as const).filter(([h, i]) => h.join(" ") !== testRefs[i]!.join(" ")).slice(0, 3);
for (const [h, i] of wrong) console.log(`\n  mistake:    ${words(h)}\n  reference:  ${testPairs[i]!.tgt.join(" ")}`);

