/**
 * Recurrent layers, as PyTorch's: `RNN` (tanh or relu), `LSTM` and `GRU` over whole sequences
 * (stacked layers, bidirectional, dropout between layers, batch-first), and the single-step cells
 * `RNNCell`, `LSTMCell`, `GRUCell`. Parameter names, shapes, gate order and initialisation are
 * PyTorch's, so state dicts move between the two: `weight_ih_l{k}` [G·H, in], `weight_hh_l{k}`
 * [G·H, H], `bias_ih_l{k}`, `bias_hh_l{k}` [G·H] (suffix `_reverse` for the backward direction),
 * G = 1 (RNN), 4 (LSTM: input, forget, cell, output gates) or 3 (GRU: reset, update, new), all
 * initialised U(−1/√H, 1/√H). An LSTM with `projSize` P > 0 adds `weight_hr_l{k}` [P, H], which
 * projects each step's hidden state: h is then [.., P], and `weight_hh` [4H, P] (layers above the
 * first take D·P inputs), as PyTorch's LSTM with projections.
 *
 * Each time step is written with Tensor ops (one matmul for the recurrent term; the input term of
 * every step comes from one matmul over the whole sequence first), so autograd gives
 * backpropagation through time, and `createGraph` works.
 * ```ts
 * const lstm = new nn.LSTM(10, 20, { numLayers: 2, batchFirst: true });
 * const [out, [h, c]] = lstm.forward(randn([8, 5, 10])); // out [8, 5, 20]; h, c [2, 8, 20]
 * ```
 */
import { Parameter, Tensor, cat, empty, stack, where, zeros } from "../../core.js";
import type { DType } from "../../core.js";
import { TensileError, fmtShape, fmtValue } from "../../errors.js";
import { dropout } from "../functional/dropout.js";
import { linear } from "../functional/linear.js";
import { uniform_ } from "../init.js";
import { Module } from "../module.js";
import { pyFloat } from "../repr.js";
import { PackedSequence, repack, stepMasks, unpack } from "../rnn-utils.js";
import { indexSelect } from "../../ops/indexing.js";
import { type PositionalArgs, positionalOptions } from "../../utils/positional.js";

type Mode = "RNN_TANH" | "RNN_RELU" | "LSTM" | "GRU";
const GATES: Record<Mode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };
const NAMES: Record<Mode, string> = { RNN_TANH: "RNN", RNN_RELU: "RNN", LSTM: "LSTM", GRU: "GRU" };

export interface RNNOptions {
  /** Stacked recurrent layers (default 1). */
  numLayers?: number;
  /** RNN only: "tanh" (default) or "relu". */
  nonlinearity?: "tanh" | "relu";
  /** Learn biases (default true). */
  bias?: boolean;
  /** Input and output as [batch, seq, feature] instead of [seq, batch, feature] (default false). */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training mode (default 0). */
  dropout?: number;
  /** Also run each layer backwards over the sequence and concatenate (default false). */
  bidirectional?: boolean;
  /** Parameter dtype (default float32). */
  dtype?: DType;
}

/** LSTM's options: `RNNOptions` plus `projSize`. */
export interface LSTMOptions extends RNNOptions {
  /** LSTM with projections: h_t = W_hr·(o_t·tanh(c_t)) of this size, 0 < projSize < hiddenSize (default 0: none). */
  projSize?: number;
}

/**
 * One step: the new hidden state (and cell state for LSTM) from the input term gi and the state;
 * `wHr` (LSTM with projections) projects the new hidden state.
 */
function step(mode: Mode, gi: Tensor, h: Tensor, c: Tensor | null, wHh: Tensor, bHh: Tensor | null, wHr: Tensor | null = null): [Tensor, Tensor | null] {
  const gh = linear(h, wHh, bHh);
  if (mode === "LSTM") {
    const [i, f, g, o] = gi.add(gh).chunk(4, -1) as [Tensor, Tensor, Tensor, Tensor];
    const c2 = f.sigmoid().mul(c!).add(i.sigmoid().mul(g.tanh()));
    const h2 = o.sigmoid().mul(c2.tanh());
    return [wHr ? linear(h2, wHr) : h2, c2];
  }
  if (mode === "GRU") {
    const [ir, iz, inn] = gi.chunk(3, -1) as [Tensor, Tensor, Tensor];
    const [hr, hz, hn] = gh.chunk(3, -1) as [Tensor, Tensor, Tensor];
    const r = ir.add(hr).sigmoid();
    const z = iz.add(hz).sigmoid();
    const n = inn.add(r.mul(hn)).tanh();
    return [n.add(z.mul(h.sub(n))), null]; // (1 − z)·n + z·h
  }
  const pre = gi.add(gh);
  return [mode === "RNN_TANH" ? pre.tanh() : pre.relu(), null];
}

function checkSizes(op: string, sizes: Record<string, number>): void {
  for (const [k, v] of Object.entries(sizes))
    if (!Number.isInteger(v) || v < 0) throw new TensileError(`${op}: ${k} must be a non-negative integer, got ${fmtValue(v)}`);
}

/** What RNN, LSTM and GRU share: parameters per layer and direction, and the sequence loop. */
abstract class RNNBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  /** LSTM with projections: the size of h (0: none). */
  readonly projSize: number;
  protected readonly mode: Mode;
  [param: string]: unknown;

  constructor(mode: Mode, inputSize: number, hiddenSize: number, opts: LSTMOptions) {
    super();
    if (!Object.hasOwn(NAMES, mode)) throw new TensileError(`RNNBase: mode must be "LSTM", "GRU", "RNN_TANH" or "RNN_RELU", got ${fmtValue(mode)}`);
    const name = NAMES[mode];
    if (typeof opts !== "object" || opts === null) throw new TensileError(`${name}: options must be an object, got ${fmtValue(opts)}`);
    const known = ["numLayers", "bias", "batchFirst", "dropout", "bidirectional", "dtype", ...(name === "RNN" ? ["nonlinearity"] : name === "LSTM" ? ["projSize"] : [])];
    if (name !== "LSTM" && Object.hasOwn(opts, "projSize")) throw new TensileError(`${name}: proj_size argument is only supported for LSTM, not RNN or GRU`);
    for (const k of Object.keys(opts)) if (!known.includes(k)) throw new TensileError(`${name}: unknown option "${k}" (expected one of: ${known.join(", ")})`);
    const { numLayers = 1, bias = true, batchFirst = false, dropout: p = 0, bidirectional = false, dtype } = opts;
    const projSize = opts.projSize ?? 0;
    checkSizes(name, { input_size: inputSize, hidden_size: hiddenSize });
    if (!Number.isInteger(numLayers) || numLayers < 1) throw new TensileError(`${name}: num_layers must be a positive integer, got ${fmtValue(numLayers)}`);
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new TensileError(`${name}: dropout should be a number in range [0, 1] representing the probability of an element being zeroed, got ${fmtValue(p)}`);
    for (const [k, v] of [["bias", bias], ["batch_first", batchFirst], ["bidirectional", bidirectional]] as const)
      if (typeof v !== "boolean") throw new TensileError(`${name}: ${k} must be a boolean, got ${fmtValue(v)}`);
    if (typeof projSize !== "number" || !Number.isInteger(projSize) || projSize < 0)
      throw new TensileError(`${name}: proj_size should be a positive integer or zero to disable projections, got ${fmtValue(projSize)}`);
    if (projSize > 0 && projSize >= hiddenSize) throw new TensileError(`${name}: proj_size has to be smaller than hidden_size (proj_size ${projSize}, hidden_size ${hiddenSize})`);
    if (hiddenSize === 0) throw new TensileError(`${name}: hidden_size must be greater than zero`);
    this.mode = mode;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;
    this.bias = bias;
    this.batchFirst = batchFirst;
    this.dropout = p;
    this.bidirectional = bidirectional;
    this.projSize = projSize;
    const G = GATES[mode] * hiddenSize, D = bidirectional ? 2 : 1;
    const R = projSize > 0 ? projSize : hiddenSize; // the size of h
    // registered in PyTorch's order (layer, direction; w_ih, w_hh, b_ih, b_hh, w_hr), so stateDict() lists them alike
    for (let l = 0; l < numLayers; l++) {
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d === 1 ? "_reverse" : ""}`;
        const inF = l === 0 ? inputSize : R * D;
        this[`weight_ih${sfx}`] = new Parameter(empty([G, inF], { dtype }));
        this[`weight_hh${sfx}`] = new Parameter(empty([G, R], { dtype }));
        if (bias) {
          this[`bias_ih${sfx}`] = new Parameter(empty([G], { dtype }));
          this[`bias_hh${sfx}`] = new Parameter(empty([G], { dtype }));
        }
        if (projSize > 0) this[`weight_hr${sfx}`] = new Parameter(empty([projSize, hiddenSize], { dtype }));
      }
    }
    this.resetParameters();
  }

  resetParameters(): void {
    const k = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) uniform_(p, -k, k);
  }

  /**
   * PyTorch's `flatten_parameters()`: packs the weights into one cuDNN buffer on CUDA and does
   * nothing on the CPU. Here it does nothing either, so seq2seq code that calls it before each
   * forward runs unchanged: `this.gru.flattenParameters()`.
   */
  flattenParameters(): void {}

  private param(kind: string, l: number, d: number): Tensor | null {
    return (this[`${kind}_l${l}${d === 1 ? "_reverse" : ""}`] as Tensor | undefined) ?? null;
  }

  /**
   * Runs the sequence: input [T, N, in] (or [N, T, in] batch-first, or unbatched [T, in]); hx the
   * initial states [L·D, N, H] (LSTM: [h0, c0], h0 [L·D, N, P] with projections), zeros if omitted.
   * Returns the last layer's outputs [T, N, D·H] (D·P) and the final states of every layer and direction.
   */
  protected run(input: Tensor | PackedSequence, hx: Tensor | readonly Tensor[] | null | undefined): [Tensor | PackedSequence, Tensor, Tensor | null] {
    const name = NAMES[this.mode];
    // a PackedSequence runs as a padded batch (sorted, time-major) whose states stop at each end
    const packed = input instanceof PackedSequence ? input : null;
    const sortedLengths = packed?.sortedLengths() ?? null;
    if (packed) input = unpack(packed.data, sortedLengths!, sortedLengths![0] ?? 0);
    if (!(input instanceof Tensor)) throw new TensileError(`${name}: input must be a Tensor or a PackedSequence, got ${fmtValue(input)}`);
    if (input.ndim !== 2 && input.ndim !== 3)
      throw new TensileError(`${name}: Expected input to be 2D or 3D, got ${input.ndim}D tensor of size ${fmtShape(input.shape)}`);
    const batched = input.ndim === 3;
    let x = batched ? (this.batchFirst && !packed ? input.transpose(0, 1) : input) : input.unsqueeze(1);
    if (x.shape[2] !== this.inputSize)
      throw new TensileError(`${name}: input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${x.shape[2]} (input ${fmtShape(input.shape)})`);
    const [T, N] = x.shape as [number, number];
    const D = this.bidirectional ? 2 : 1, H = this.hiddenSize, L = this.numLayers;
    const R = this.projSize > 0 ? this.projSize : H; // the size of h
    const lstm = this.mode === "LSTM";
    const state = (t: Tensor | undefined, what: string): Tensor => {
      const want = [L * D, N, what === "cell" ? H : R];
      if (t === undefined) return zeros(want, { dtype: x.dtype });
      if (!(t instanceof Tensor)) throw new TensileError(`${name}: ${what} must be a Tensor, got ${fmtValue(t)}`);
      const s = batched ? t : t.ndim === 2 ? t.unsqueeze(1) : t;
      if (s.ndim !== 3 || s.shape.some((v, i) => v !== want[i]))
        throw new TensileError(`${name}: Expected ${what} size ${fmtShape(batched ? want : [L * D, want[2]!])}, got ${fmtShape(t.shape)}`);
      // states come in the batch's own order; a packed batch runs longest first
      return packed?.sortedIndices ? indexSelect(s, 1, packed.sortedIndices) : s;
    };
    const masks = sortedLengths ? stepMasks(sortedLengths, T) : null;
    let h0: Tensor, c0: Tensor | null = null;
    if (lstm) {
      if (hx !== null && hx !== undefined && !(Array.isArray(hx) && hx.length === 2))
        throw new TensileError(`${name}: hx must be [h0, c0], got ${fmtValue(hx)}`);
      const pair = (hx ?? []) as readonly Tensor[];
      h0 = state(pair[0], "hidden");
      c0 = state(pair[1], "cell");
    } else {
      if (Array.isArray(hx)) throw new TensileError(`${name}: hx must be a Tensor, got an array`);
      h0 = state((hx ?? undefined) as Tensor | undefined, "hidden");
    }
    const hN: Tensor[] = [], cN: Tensor[] = [];
    for (let l = 0; l < L; l++) {
      const outs: Tensor[][] = [];
      for (let d = 0; d < D; d++) {
        const wIh = this.param("weight_ih", l, d)!, wHh = this.param("weight_hh", l, d)!;
        const bIh = this.param("bias_ih", l, d), bHh = this.param("bias_hh", l, d), wHr = this.param("weight_hr", l, d);
        const gi = linear(x, wIh, bIh); // [T, N, G·H]: every step's input term in one product
        let h = h0.select(0, l * D + d);
        let c = c0 ? c0.select(0, l * D + d) : null;
        const seq: Tensor[] = new Array<Tensor>(T);
        for (let k = 0; k < T; k++) {
          const t = d === 0 ? k : T - 1 - k;
          const [h2, c2] = step(this.mode, gi.select(0, t), h, c, wHh, bHh, wHr);
          // packed: a sequence past its end keeps its state (backwards: keeps h0 until its last step)
          h = masks ? where(masks[t]!, h2, h) : h2;
          c = masks && c ? where(masks[t]!, c2!, c) : c2;
          seq[t] = h;
        }
        outs.push(seq);
        hN.push(h);
        if (c) cN.push(c);
      }
      const layerOut = T === 0
        ? zeros([0, N, D * R], { dtype: x.dtype })
        : D === 1 ? stack(outs[0]!, 0) : stack(outs[0]!.map((f, t) => cat([f, outs[1]![t]!], -1)), 0);
      x = l < L - 1 && this.dropout > 0 ? dropout(layerOut, this.dropout, this.training) : layerOut;
    }
    let hOut = stack(hN, 0), cOut = lstm ? stack(cN, 0) : null;
    if (packed) {
      const back = packed.unsortedIndices;
      return [repack(x, packed), back ? indexSelect(hOut, 1, back) : hOut, cOut && back ? indexSelect(cOut, 1, back) : cOut];
    }
    let out = x;
    if (!batched) {
      out = out.squeeze(1);
      hOut = hOut.squeeze(1);
      cOut = cOut?.squeeze(1) ?? null;
    } else if (this.batchFirst) out = out.transpose(0, 1);
    return [out, hOut, cOut];
  }

  override extraRepr(): string {
    // as torch 1.13's, which leaves the nonlinearity out
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.projSize !== 0) s += `, proj_size=${this.projSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += ", bias=False";
    if (this.batchFirst) s += ", batch_first=True";
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional) s += ", bidirectional=True";
    return s;
  }
}

/**
 * Elman RNN: h_t = tanh(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh) (or relu).
 *
 * Shapes: input [T, N, in] (batch-first [N, T, in], or unbatched [T, in]), h0 [L·D, N, H] →
 * [output [T, N, D·H], h_n [L·D, N, H]].
 */
export class RNN extends RNNBase {
  get nonlinearity(): "tanh" | "relu" {
    return this.mode === "RNN_RELU" ? "relu" : "tanh";
  }
  constructor(inputSize: number, hiddenSize: number, opts?: RNNOptions);
  /**
   * torch 1.13's positional order (numLayers, bias, batchFirst, dropout, bidirectional; nonlinearity
   * by keyword), or torch 2's (numLayers, nonlinearity, bias, ...) — a string after numLayers is the
   * nonlinearity — then an optional options object.
   */
  constructor(inputSize: number, hiddenSize: number, ...args: PositionalArgs<[numLayers: number, bias: boolean, batchFirst: boolean,
    dropout: number, bidirectional: boolean], RNNOptions>);
  constructor(inputSize: number, hiddenSize: number, ...args: PositionalArgs<[numLayers: number, nonlinearity: "tanh" | "relu",
    bias: boolean, batchFirst: boolean, dropout: number, bidirectional: boolean], RNNOptions>);
  constructor(inputSize: number, hiddenSize: number, ...args: unknown[]) {
    const keys = typeof args[1] === "string" ? ["numLayers", "nonlinearity", ...RNN_POSITIONAL.slice(1)] : RNN_POSITIONAL;
    const opts = positionalOptions<RNNOptions>("RNN", args, { keys, after: "hiddenSize" });
    if (opts.bias !== undefined && typeof opts.bias !== "boolean") throw new TensileError(`RNN: bias must be a boolean, got ${fmtValue(opts.bias)}`);
    const nl = opts.nonlinearity ?? "tanh";
    if (nl !== "tanh" && nl !== "relu") throw new TensileError(`RNN: Unknown nonlinearity '${String(nl)}'. Select from 'tanh' or 'relu'.`);
    super(nl === "tanh" ? "RNN_TANH" : "RNN_RELU", inputSize, hiddenSize, opts);
  }
  override forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  override forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  override forward(input: Tensor | PackedSequence, hx?: Tensor | null): [Tensor | PackedSequence, Tensor] {
    const [out, h] = this.run(input, hx);
    return [out, h];
  }
}

/**
 * Long short-term memory: gates i, f, g, o = σ, σ, tanh, σ of W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh;
 * c_t = f·c_{t−1} + i·g, h_t = o·tanh(c_t) — or, with `projSize` P, h_t = W_hr·(o·tanh(c_t)).
 *
 * Shapes: input as RNN, hx [h0, c0] each [L·D, N, H] (h0 [L·D, N, P] with projections) →
 * [output [T, N, D·H] (D·P), [h_n, c_n]].
 * ```ts
 * const lstm = new nn.LSTM(10, 20, { projSize: 5, bidirectional: true });
 * const [out, [h, c]] = lstm.forward(randn([7, 3, 10])); // out [7, 3, 10]; h [2, 3, 5]; c [2, 3, 20]
 * ```
 */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts?: LSTMOptions);
  /** PyTorch's positional order (numLayers, bias, batchFirst, dropout, bidirectional, projSize), then an optional options object. */
  constructor(inputSize: number, hiddenSize: number, ...args: PositionalArgs<[numLayers: number, bias: boolean, batchFirst: boolean,
    dropout: number, bidirectional: boolean, projSize: number], LSTMOptions>);
  constructor(inputSize: number, hiddenSize: number, ...args: unknown[]) {
    super("LSTM", inputSize, hiddenSize, positionalOptions<LSTMOptions>("LSTM", args, { keys: [...RNN_POSITIONAL, "projSize"], after: "hiddenSize" }));
  }
  override forward(input: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]];
  override forward(input: PackedSequence, hx?: readonly [Tensor, Tensor] | null): [PackedSequence, [Tensor, Tensor]];
  override forward(input: Tensor | PackedSequence, hx?: readonly [Tensor, Tensor] | null): [Tensor | PackedSequence, [Tensor, Tensor]] {
    const [out, h, c] = this.run(input, hx);
    return [out, [h, c!]];
  }
}

/**
 * Gated recurrent unit: r, z = σ(W_i·x_t + b_i + W_h·h_{t−1} + b_h) for the reset and update
 * gates; n = tanh(W_in·x_t + b_in + r·(W_hn·h_{t−1} + b_hn)); h_t = (1 − z)·n + z·h_{t−1}.
 *
 * Shapes: as RNN.
 */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts?: RNNOptions);
  /** PyTorch's positional order (numLayers, bias, batchFirst, dropout, bidirectional), then an optional options object. */
  constructor(inputSize: number, hiddenSize: number, ...args: PositionalArgs<[numLayers: number, bias: boolean, batchFirst: boolean,
    dropout: number, bidirectional: boolean], RNNOptions>);
  constructor(inputSize: number, hiddenSize: number, ...args: unknown[]) {
    super("GRU", inputSize, hiddenSize, positionalOptions<RNNOptions>("GRU", args, { keys: RNN_POSITIONAL, after: "hiddenSize" }));
  }
  override forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  override forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  override forward(input: Tensor | PackedSequence, hx?: Tensor | null): [Tensor | PackedSequence, Tensor] {
    const [out, h] = this.run(input, hx);
    return [out, h];
  }
}

/** torch.nn.LSTM's and GRU's positional parameters after hidden_size (RNN adds nonlinearity second, LSTM projSize last). */
const RNN_POSITIONAL = ["numLayers", "bias", "batchFirst", "dropout", "bidirectional"];

/** A cell's arguments after hiddenSize: PyTorch's positional `keys`, then an optional options object (names checked). */
function cellArgs(name: string, args: readonly unknown[], keys: readonly string[]): RNNCellOptions {
  const o = positionalOptions<RNNCellOptions>(name, args, { keys, after: "hiddenSize" });
  const known = [...keys, "dtype"];
  for (const k of Object.keys(o)) if (!known.includes(k)) throw new TensileError(`${name}: unknown option "${k}" (expected one of: ${known.join(", ")})`);
  return o;
}

export interface RNNCellOptions {
  bias?: boolean;
  /** RNNCell only: "tanh" (default) or "relu". */
  nonlinearity?: "tanh" | "relu";
  dtype?: DType;
}

/** What the cells share: `weight_ih` [G·H, in], `weight_hh` [G·H, H], `bias_ih`, `bias_hh` [G·H]. */
abstract class CellBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias_ih: Parameter | null;
  bias_hh: Parameter | null;
  protected readonly mode: Mode;

  constructor(mode: Mode, name: string, inputSize: number, hiddenSize: number, bias: boolean | RNNCellOptions, opts: RNNCellOptions) {
    super();
    if (!Object.hasOwn(GATES, mode)) throw new TensileError(`RNNCellBase: construct RNNCell, LSTMCell or GRUCell (the base takes a mode first), got mode ${fmtValue(mode)}`);
    if (typeof bias === "object" && bias !== null) ({ bias = true, ...opts } = bias);
    checkSizes(name, { input_size: inputSize, hidden_size: hiddenSize });
    this.mode = mode;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.bias = bias !== false;
    const G = GATES[mode] * hiddenSize;
    this.weight_ih = new Parameter(empty([G, inputSize], { dtype: opts.dtype }));
    this.weight_hh = new Parameter(empty([G, hiddenSize], { dtype: opts.dtype }));
    this.bias_ih = this.bias ? new Parameter(empty([G], { dtype: opts.dtype })) : null;
    this.bias_hh = this.bias ? new Parameter(empty([G], { dtype: opts.dtype })) : null;
    this.resetParameters();
  }

  resetParameters(): void {
    const k = this.hiddenSize > 0 ? 1 / Math.sqrt(this.hiddenSize) : 0;
    for (const p of this.parameters()) uniform_(p, -k, k);
  }

  /** input [N, in] or [in]; states [N, H] or [H] (zeros if omitted). */
  protected cell(name: string, input: Tensor, states: (Tensor | undefined)[]): [Tensor, Tensor | null] {
    if (!(input instanceof Tensor)) throw new TensileError(`${name}: input must be a Tensor, got ${fmtValue(input)}`);
    if (input.ndim !== 1 && input.ndim !== 2)
      throw new TensileError(`${name}: Expected input to be 1D or 2D, got ${input.ndim}D instead (size ${fmtShape(input.shape)})`);
    const batched = input.ndim === 2;
    const x = batched ? input : input.unsqueeze(0);
    if (x.shape[1] !== this.inputSize)
      throw new TensileError(`${name}: input has inconsistent input_size: got ${x.shape[1]} expected ${this.inputSize}`);
    const N = x.shape[0]!;
    const st = states.map((s, i) => {
      if (s === undefined || s === null) return zeros([N, this.hiddenSize], { dtype: x.dtype });
      if (!(s instanceof Tensor)) throw new TensileError(`${name}: hidden state ${i} must be a Tensor, got ${fmtValue(s)}`);
      const t = batched ? s : s.unsqueeze(0);
      if (t.ndim !== 2 || t.shape[0] !== N || t.shape[1] !== this.hiddenSize)
        throw new TensileError(`${name}: hidden state ${i} has size ${fmtShape(s.shape)}, expected ${fmtShape(batched ? [N, this.hiddenSize] : [this.hiddenSize])}`);
      return t;
    });
    const [h, c] = step(this.mode, linear(x, this.weight_ih, this.bias_ih), st[0]!, st[1] ?? null, this.weight_hh, this.bias_hh);
    return batched ? [h, c] : [h.squeeze(0), c?.squeeze(0) ?? null];
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (!this.bias) s += ", bias=False";
    if (this.mode === "RNN_RELU") s += ", nonlinearity=relu"; // unquoted, as torch 1.13 prints it
    return s;
  }
}

/** One step of an Elman RNN: h' = tanh(W_ih·x + b_ih + W_hh·h + b_hh) (or relu). */
export class RNNCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, opts?: RNNCellOptions);
  /** PyTorch's positional order (bias, nonlinearity), then an optional options object. */
  constructor(inputSize: number, hiddenSize: number, ...args: PositionalArgs<[bias: boolean, nonlinearity: "tanh" | "relu"], RNNCellOptions>);
  constructor(inputSize: number, hiddenSize: number, ...args: unknown[]) {
    const o = cellArgs("RNNCell", args, ["bias", "nonlinearity"]);
    const nl = o.nonlinearity ?? "tanh";
    if (nl !== "tanh" && nl !== "relu") throw new TensileError(`RNNCell: Unknown nonlinearity: ${String(nl)}`);
    super(nl === "tanh" ? "RNN_TANH" : "RNN_RELU", "RNNCell", inputSize, hiddenSize, o, {});
  }
  override forward(input: Tensor, hx?: Tensor | null): Tensor {
    return this.cell("RNNCell", input, [hx ?? undefined])[0];
  }
}

/** One LSTM step: returns [h', c']. */
export class LSTMCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, bias?: boolean | RNNCellOptions, opts?: RNNCellOptions);
  constructor(inputSize: number, hiddenSize: number, ...args: unknown[]) {
    super("LSTM", "LSTMCell", inputSize, hiddenSize, cellArgs("LSTMCell", args, ["bias"]), {});
  }
  override forward(input: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, Tensor] {
    if (hx !== null && hx !== undefined && !(Array.isArray(hx) && hx.length === 2))
      throw new TensileError(`LSTMCell: hx must be [h, c], got ${fmtValue(hx)}`);
    const [h, c] = this.cell("LSTMCell", input, [hx?.[0], hx?.[1]]);
    return [h, c!];
  }
}

/** One GRU step: returns h'. */
export class GRUCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, bias?: boolean | RNNCellOptions, opts?: RNNCellOptions);
  constructor(inputSize: number, hiddenSize: number, ...args: unknown[]) {
    super("GRU", "GRUCell", inputSize, hiddenSize, cellArgs("GRUCell", args, ["bias"]), {});
  }
  override forward(input: Tensor, hx?: Tensor | null): Tensor {
    return this.cell("GRUCell", input, [hx ?? undefined])[0];
  }
}

// PyTorch's names for the shared bases (nn.RNNBase, nn.RNNCellBase): `lstm instanceof nn.RNNBase`
export { RNNBase, CellBase as RNNCellBase };
