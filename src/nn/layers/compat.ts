/**
 * torch 1.13 `nn` names that are wrappers or legacy forms of layers Tensile has: `DataParallel`
 * (one device: the module itself, state-dict keys under `module.` as PyTorch's), `CrossMapLRN2d`
 * (Torch7's cross-channel LRN, with PyTorch's exact channel windows), `NLLLoss2d` (the deprecated
 * alias of `NLLLoss`). (`RNNBase` / `RNNCellBase` are exported by rnn.ts.)
 * ```ts
 * const dp = new nn.DataParallel(net);   // dp.forward(x) is net.forward(x)
 * dp.stateDict();                         // { "module.fc.weight": ..., ... } as PyTorch's
 * ```
 */
import { type Tensor, tensor } from "../../core.js";
import { TensileError, fmtShape, fmtValue } from "../../errors.js";
import { Module } from "../module.js";
import { pyFloat, pyRepr } from "../repr.js";
import { NLLLoss } from "./loss.js";

export interface DataParallelOptions {
  /** PyTorch's device ids: accepted for its signature; everything runs on the one CPU device. */
  deviceIds?: readonly (number | string)[] | null;
  outputDevice?: number | string | null;
  /** The dim PyTorch scatters inputs along (default 0); one device needs no scattering. */
  dim?: number;
}

/**
 * `nn.DataParallel` on one device: `forward(...args)` is `module.forward(...args)` and the wrapped
 * module is the child `module`, so `stateDict()` keys read `module.<name>` as PyTorch's (a state dict
 * saved from a DataParallel model in PyTorch loads here and back). With one device PyTorch also calls
 * the module directly.
 * ```ts
 * const dp = new nn.DataParallel(new nn.Linear(4, 2));
 * dp.forward(randn([3, 4])).shape; // [3, 2]
 * ```
 */
export class DataParallel<M extends Module = Module> extends Module {
  module: M;
  readonly dim: number;
  readonly deviceIds: (number | string)[];
  constructor(module: M, opts: DataParallelOptions = {}) {
    super();
    if (!(module instanceof Module)) throw new TensileError(`DataParallel: module must be a Module, got ${fmtValue(module)}`);
    if (typeof opts !== "object" || opts === null) throw new TensileError(`DataParallel: options must be an object, got ${fmtValue(opts)}`);
    this.module = module;
    this.dim = opts.dim ?? 0;
    this.deviceIds = [...(opts.deviceIds ?? [])];
  }
  override forward(...args: unknown[]): unknown {
    return this.module.forward(...args);
  }
}

/** Which channels' squares make up each channel's scale in PyTorch's CrossMapLRN2d (counts, [C][C]). */
function crossMapWindows(channels: number, size: number): number[][] {
  // PyTorch's running window, replayed on counts: the first map sums channels [0, prePad), each next
  // map adds channel c + prePad − 1 and drops c − prePad only when c > prePad, so channel 0 stays in
  // every later window once prePad ≥ 1 (a quirk of the legacy code, kept for equal values).
  const prePad = Math.trunc((size - 1) / 2 + 1);
  const rows: number[][] = [];
  let cur = new Array<number>(channels).fill(0);
  for (let c = 0; c < Math.min(prePad, channels); c++) cur[c]! += 1;
  rows.push(cur);
  for (let c = 1; c < channels; c++) {
    cur = [...cur];
    if (c < channels - prePad + 1) cur[c + prePad - 1]! += 1;
    if (c > prePad) cur[c - prePad]! -= 1;
    rows.push(cur);
  }
  return rows;
}

/**
 * Torch7's cross-map local response normalisation (PyTorch's legacy `nn.CrossMapLRN2d`):
 * out = x · (k + α/size · Σ_{c' in window(c)} x[c']²)^(−β), the windows being PyTorch's running sums
 * (channels c − ⌊(size−1)/2⌋ … c + ⌊(size−1)/2⌋ roughly; see the source for its edge behaviour).
 * The gradient is autograd's of this forward.
 *
 * Shapes: [N, C, H, W] → same.
 * ```ts
 * new nn.CrossMapLRN2d(3).forward(randn([2, 5, 4, 4])).shape; // [2, 5, 4, 4]
 * ```
 */
export class CrossMapLRN2d extends Module {
  constructor(readonly size: number, readonly alpha = 1e-4, readonly beta = 0.75, readonly k = 1) {
    super();
    if (!Number.isInteger(size) || size < 1) throw new TensileError(`CrossMapLRN2d: size must be a positive integer, got ${fmtValue(size)}`);
  }
  override forward(input: Tensor): Tensor {
    if (input.ndim !== 4) throw new TensileError(`CrossMapLRN2d: Expected input to be 4D, got ${input.ndim}D instead (shape ${fmtShape(input.shape)})`);
    const C = input.shape[1]!;
    const m = tensor(crossMapWindows(C, this.size), { dtype: input.dtype }); // [C, C']
    // scale[n, c] = Σ_c' m[c, c']·x[n, c']²: channels moved last for one matmul
    const sums = input.square().permute([0, 2, 3, 1]).matmul(m.transpose(0, 1)).permute([0, 3, 1, 2]);
    return input.mul(sums.mul(this.alpha / this.size).add(this.k).pow(-this.beta));
  }
  override extraRepr(): string {
    return `${pyRepr(this.size)}, alpha=${pyFloat(this.alpha)}, beta=${pyFloat(this.beta)}, k=${pyRepr(this.k)}`;
  }
}

/** `nn.NLLLoss2d`, PyTorch's deprecated alias of `NLLLoss` (which takes [N, C, H, W] inputs itself). */
export class NLLLoss2d extends NLLLoss {}
