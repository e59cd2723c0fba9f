// The Tensile side of the seq2seq port: tools/gen-port-seq2seq-fixtures.py's program (PyTorch's
// "Translation with a Sequence to Sequence Network and Attention" tutorial, with a bidirectional
// packed GRU encoder, Bahdanau attention with a padding mask and an LSTM decoder step) written as a
// PyTorch user writes it, line for line. Shared by test/port-seq2seq.test.ts and
// tools/make-port-seq2seq-checkpoint.ts (which writes the checkpoint torch's side reloads).
import { readFileSync } from "node:fs";
import { type Tensor, cat, full, loadTorch, noGrad, saveTorchBytes, tensor, withBackend, zerosLike } from "../src/index.js";
import { F, nn, optim } from "../src/index.js";

export interface Enc { shape: number[]; dtype: "float32" | "float64" | "int32" | "bool"; data: (number | string)[] }
export interface Fixture {
  config: { pad: number; sos: number; eos: number; vocab: number; emb: number; hid: number; steps: number;
    ckpt_step: number; steplr_steps: number; decode_len: number; lr: number; clip: number };
  batches: { src: Enc; lengths: Enc; tgt: Enc }[];
  teacher_forcing: boolean[][];
  val: { src: Enc; lengths: Enc; tgt: Enc };
  init_out: Enc;
  losses: number[]; val_losses: number[]; lrs: number[];
  ckpt_weights: Record<string, Enc>;
  final_weights: Record<string, Enc>;
  final_momentum: Enc[];
  plateau_final: { best: number; num_bad_epochs: number; cooldown_counter: number };
  greedy: { tokens: Enc; log_probs: Enc; attention: Enc };
  luong: { init: Record<string, Enc>; losses: number[]; grad_norms: number[]; final_weights: Record<string, Enc> };
  from_tensile: null | { epoch: number; keys: string[]; losses: number[]; val_losses: number[]; lrs: number[];
    weights: Record<string, Enc>; optimizer_lr: number; plateau_best: number; dtypes: string[] };
}

export const fixturePath = (name: string): string => new URL(`../fixtures/${name}`, import.meta.url).pathname;
export const fx = JSON.parse(readFileSync(fixturePath("port-seq2seq.json"), "utf8")) as Fixture;
const { pad: PAD, sos: SOS, vocab: VOCAB, emb: EMB, hid: HID } = fx.config;

const num = (v: number | string): number => (typeof v === "number" ? v : v === "nan" ? NaN : v === "inf" ? Infinity : -Infinity);
/** A fixture tensor on the current backend. */
export function dec(e: Enc): Tensor {
  const v = e.data.map(num);
  const data = e.dtype === "int32" ? Int32Array.from(v) : e.dtype === "float64" ? Float64Array.from(v) : Float32Array.from(v);
  return tensor(data, { shape: e.shape, dtype: e.dtype });
}

export class EncoderRNN extends nn.Module {
  embedding: nn.Embedding;
  gru: nn.GRU;
  fc: nn.Linear;
  dropout: nn.Dropout;
  constructor(vocab: number, emb: number, hid: number, dropoutP = 0) {
    super();
    this.embedding = new nn.Embedding(vocab, emb, { paddingIdx: PAD });
    this.gru = new nn.GRU(emb, hid, { batchFirst: true, bidirectional: true });
    this.fc = new nn.Linear(2 * hid, hid);
    this.dropout = new nn.Dropout(dropoutP);
  }
  override forward(src: Tensor, lengths: Tensor): [Tensor, Tensor] {
    const embedded = this.dropout.forward(this.embedding.forward(src));
    const packed = nn.utils.rnn.packPaddedSequence(embedded, lengths, { batchFirst: true, enforceSorted: false });
    this.gru.flattenParameters();
    const [packedOut, hidden] = this.gru.forward(packed);
    const [outputs] = nn.utils.rnn.padPackedSequence(packedOut, { batchFirst: true, totalLength: src.size(1) });
    const h = this.fc.forward(cat([hidden.index(-2), hidden.index(-1)], 1)).tanh();
    return [outputs, h];
  }
}

export class BahdanauAttention extends nn.Module {
  Wa: nn.Linear;
  Ua: nn.Linear;
  Va: nn.Linear;
  constructor(hid: number) {
    super();
    this.Wa = new nn.Linear(hid, hid);
    this.Ua = new nn.Linear(2 * hid, hid);
    this.Va = new nn.Linear(hid, 1);
  }
  override forward(query: Tensor, keys: Tensor, mask: Tensor): [Tensor, Tensor] {
    let scores = this.Va.forward(this.Wa.forward(query).add(this.Ua.forward(keys)).tanh());
    scores = scores.squeeze(2).unsqueeze(1);
    scores = scores.maskedFill(mask.unsqueeze(1).eq(0), -Infinity);
    const weights = F.softmax(scores, -1);
    const context = weights.bmm(keys);
    return [context, weights];
  }
}

export type LstmState = [Tensor, Tensor];

export class AttnDecoderRNN extends nn.Module {
  embedding: nn.Embedding;
  attention: BahdanauAttention;
  lstm: nn.LSTM;
  out: nn.Linear;
  dropout: nn.Dropout;
  constructor(vocab: number, emb: number, hid: number, dropoutP = 0) {
    super();
    this.embedding = new nn.Embedding(vocab, emb, { paddingIdx: PAD });
    this.attention = new BahdanauAttention(hid);
    this.lstm = new nn.LSTM(emb + 2 * hid, hid, { batchFirst: true });
    this.out = new nn.Linear(hid, vocab);
    this.dropout = new nn.Dropout(dropoutP);
  }
  override forward(encoderOutputs: Tensor, encoderHidden: Tensor, mask: Tensor, target: Tensor | null,
    teacherForcing: readonly boolean[] | null, steps: number): [Tensor, LstmState, Tensor] {
    const batchSize = encoderOutputs.size(0);
    let decoderInput = full([batchSize, 1], SOS, { dtype: "int32" });
    let hidden: LstmState = [encoderHidden.unsqueeze(0), zerosLike(encoderHidden).unsqueeze(0)];
    const outputs: Tensor[] = [];
    const attentions: Tensor[] = [];
    for (let t = 0; t < steps; t++) {
      const [output, h, attn] = this.forwardStep(decoderInput, hidden, encoderOutputs, mask);
      hidden = h;
      outputs.push(output);
      attentions.push(attn);
      if (target !== null && teacherForcing![t]) {
        decoderInput = target.select(1, t).unsqueeze(1);
      } else {
        const [, topi] = output.topk(1);
        decoderInput = topi.squeeze(-1).detach();
      }
    }
    return [F.logSoftmax(cat(outputs, 1), -1), hidden, cat(attentions, 1)];
  }
  forwardStep(input: Tensor, hidden: LstmState, encoderOutputs: Tensor, mask: Tensor): [Tensor, LstmState, Tensor] {
    const embedded = this.dropout.forward(this.embedding.forward(input));
    const query = hidden[0].permute(1, 0, 2);
    const [context, attnWeights] = this.attention.forward(query, encoderOutputs, mask);
    const [output, h] = this.lstm.forward(cat([embedded, context], 2), hidden);
    return [this.out.forward(output), h, attnWeights];
  }
}

export class Seq2Seq extends nn.Module {
  encoder = new EncoderRNN(VOCAB, EMB, HID);
  decoder = new AttnDecoderRNN(VOCAB, EMB, HID);
  override forward(src: Tensor, lengths: Tensor, target: Tensor | null = null, teacherForcing: readonly boolean[] | null = null,
    steps: number | null = null): [Tensor, LstmState, Tensor] {
    const [encoderOutputs, encoderHidden] = this.encoder.forward(src, lengths);
    const mask = src.ne(PAD);
    return this.decoder.forward(encoderOutputs, encoderHidden, mask, target, teacherForcing, steps ?? target!.size(1));
  }
}

/** Luong's "general" score: h · W·k for each key, by bmm. */
export class LuongAttention extends nn.Module {
  W: nn.Linear;
  constructor(hid: number) {
    super();
    this.W = new nn.Linear(2 * hid, hid, { bias: false });
  }
  override forward(hidden: Tensor, keys: Tensor, mask: Tensor): [Tensor, Tensor] {
    let scores = this.W.forward(keys).bmm(hidden.unsqueeze(2)).squeeze(2);
    scores = scores.maskedFill(mask.logicalNot(), -Infinity);
    const weights = F.softmax(scores, 1);
    return [weights.unsqueeze(1).bmm(keys).squeeze(1), weights];
  }
}

/** The chatbot tutorial's decoder step, with a GRUCell: the attention reads the new hidden state. */
export class LuongDecoder extends nn.Module {
  embedding: nn.Embedding;
  cell: nn.GRUCell;
  attention: LuongAttention;
  concat: nn.Linear;
  out: nn.Linear;
  constructor(vocab: number, emb: number, hid: number) {
    super();
    this.embedding = new nn.Embedding(vocab, emb, { paddingIdx: PAD });
    this.cell = new nn.GRUCell(emb, hid);
    this.attention = new LuongAttention(hid);
    this.concat = new nn.Linear(3 * hid, hid);
    this.out = new nn.Linear(hid, vocab);
  }
  override forward(input: Tensor, hidden: Tensor, keys: Tensor, mask: Tensor): [Tensor, Tensor, Tensor] {
    hidden = this.cell.forward(this.embedding.forward(input), hidden);
    const [context, weights] = this.attention.forward(hidden, keys, mask);
    const concatOutput = this.concat.forward(cat([hidden, context], 1)).tanh();
    return [F.logSoftmax(this.out.forward(concatOutput), 1), hidden, weights];
  }
}

export class LuongSeq2Seq extends nn.Module {
  encoder = new EncoderRNN(VOCAB, EMB, HID);
  decoder = new LuongDecoder(VOCAB, EMB, HID);
  /** The summed per-step loss over the target's length, averaged over the steps. */
  override forward(src: Tensor, lengths: Tensor, target: Tensor, teacherForcing: readonly boolean[], criterion: nn.NLLLoss): Tensor {
    let [keys, hidden] = this.encoder.forward(src, lengths);
    const mask = src.ne(PAD);
    let decoderInput = full([src.size(0)], SOS, { dtype: "int32" });
    let loss: Tensor | number = 0;
    for (let t = 0; t < target.size(1); t++) {
      const [output, h] = this.decoder.forward(decoderInput, hidden, keys, mask);
      hidden = h;
      loss = criterion.forward(output, target.select(1, t)).add(loss);
      decoderInput = teacherForcing[t] ? target.select(1, t) : output.argmax(1);
    }
    return (loss as Tensor).div(target.size(1));
  }
}

export interface Program { model: Seq2Seq; optimizer: optim.SGD; stepLr: optim.lrScheduler.StepLR; plateau: optim.lrScheduler.ReduceLROnPlateau }

/** torch's `build()`: the model in float64, SGD with Nesterov momentum, StepLR, then ReduceLROnPlateau. */
export function build(): Program {
  const model = new Seq2Seq().double();
  const optimizer = new optim.SGD(model.parameters(), { lr: fx.config.lr, momentum: 0.9, nesterov: true, weightDecay: 1e-4 });
  const stepLr = new optim.lrScheduler.StepLR(optimizer, { stepSize: 4, gamma: 0.7 });
  const plateau = new optim.lrScheduler.ReduceLROnPlateau(optimizer, { mode: "min", factor: 0.5, patience: 0,
    threshold: 0.005, cooldown: 1, minLr: 0.01 });
  return { model, optimizer, stepLr, plateau };
}

type Batch = [Tensor, Tensor, Tensor];
export const batch = (b: { src: Enc; lengths: Enc; tgt: Enc }): Batch => [dec(b.src), dec(b.lengths), dec(b.tgt)];

export function validationLoss(model: Seq2Seq, criterion: nn.NLLLoss, val: Batch): number {
  const [src, lengths, tgt] = val;
  model.eval();
  const loss = noGrad(() => {
    const [out] = model.forward(src, lengths, tgt, new Array<boolean>(tgt.size(1)).fill(true));
    return criterion.forward(out.reshape(-1, VOCAB), tgt.reshape(-1));
  });
  model.train();
  return loss.item();
}

export interface StepRecord { losses: number[]; valLosses: number[]; lrs: number[] }

/** Steps first..last (1-based, inclusive), as torch's `train_steps`. */
export function trainSteps(p: Program, first: number, last: number, onStep?: (step: number) => void): StepRecord {
  const { model, optimizer, stepLr, plateau } = p;
  const criterion = new nn.NLLLoss({ ignoreIndex: PAD });
  const val = batch(fx.val);
  const rec: StepRecord = { losses: [], valLosses: [], lrs: [] };
  model.train();
  for (let step = first; step <= last; step++) {
    const [src, lengths, tgt] = batch(fx.batches[step - 1]!);
    optimizer.zeroGrad();
    const [out] = model.forward(src, lengths, tgt, fx.teacher_forcing[step - 1]!);
    const loss = criterion.forward(out.reshape(-1, VOCAB), tgt.reshape(-1));
    loss.backward();
    nn.utils.clipGradValue_(model.parameters(), fx.config.clip);
    optimizer.step();
    const vloss = validationLoss(model, criterion, val);
    if (step <= fx.config.steplr_steps) stepLr.step();
    else plateau.step(vloss);
    rec.losses.push(loss.item());
    rec.valLosses.push(vloss);
    rec.lrs.push(optimizer.paramGroups[0]!.lr);
    onStep?.(step);
  }
  return rec;
}

/** Greedy decoding of the validation sources in eval mode: [tokens, log-probabilities, attention]. */
export function greedy(model: Seq2Seq): [Tensor, Tensor, Tensor] {
  const [src, lengths] = batch(fx.val);
  model.eval();
  const [out, , attn] = noGrad(() => model.forward(src, lengths, null, null, fx.config.decode_len));
  model.train();
  return [out.argmax(-1), out, attn];
}

/** torch's checkpoint dict: {model, optimizer, scheduler, plateau, epoch}. */
export function checkpoint(p: Program, epoch: number) {
  return { model: p.model.stateDict(), optimizer: p.optimizer.stateDict(), scheduler: p.stepLr.stateDict(),
    plateau: p.plateau.stateDict(), epoch };
}

/**
 * The checkpoint Tensile writes after the fixture's checkpoint step, trained from torch's initial
 * weights on the reference backend (tools/make-port-seq2seq-checkpoint.ts commits it; torch reloads it).
 */
export function tensileCheckpointBytes(): Uint8Array {
  return withBackend("reference", () => {
    const p = build();
    p.model.loadStateDict(loadTorch<Record<string, Tensor>>(fixturePath("port-seq2seq-init.pt")));
    trainSteps(p, 1, fx.config.ckpt_step);
    return saveTorchBytes(checkpoint(p, fx.config.ckpt_step));
  });
}
