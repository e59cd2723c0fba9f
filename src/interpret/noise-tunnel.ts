/**
 * NoiseTunnel (Captum `NoiseTunnel`): SmoothGrad, SmoothGrad², VarGrad over any attribution method.
 */
import { Generator, Tensor, cat, noGrad, randn, tensor } from "../core.js";
import { TensileError, fmtValue } from "../errors.js";
import {
  type AttributionWithDelta, type Forward, type Target,
  checkInput, checkKeys, checkModel, checkPositiveInt, targetIndices, tileIndices,
} from "./common.js";
import { type SaliencyOptions, saliency } from "./gradient.js";

export type NoiseTunnelType = "smoothgrad" | "smoothgrad_sq" | "vargrad";
export const NOISE_TUNNEL_TYPES: readonly NoiseTunnelType[] = ["smoothgrad", "smoothgrad_sq", "vargrad"];

export interface NoiseTunnelOptions {
  /** Noisy copies of each example (Captum's `nt_samples`, default 5). */
  nSamples?: number;
  /** Standard deviation of the Gaussian noise added to the input (default 1, as Captum). */
  stdevs?: number;
  /** How the attributions of the copies are combined (Captum's `nt_type`, default "smoothgrad"). */
  type?: NoiseTunnelType;
  /** Copies of each example per call of the method (Captum's `nt_samples_batch_size`); all at once by default. */
  nSamplesBatchSize?: number;
  /** Where the noise comes from; the default generator (seeded by `manualSeed`) otherwise. */
  generator?: Generator;
}

/**
 * Options passed through to the wrapped method (its own: `target`, `baselines`, `nSteps`, …);
 * `target` and batch-shaped `baselines` are repeated for the noisy copies.
 */
export interface NoiseTunnelMethodOptions {
  target?: Target;
  baselines?: number | Tensor;
  returnConvergenceDelta?: boolean;
  [option: string]: unknown;
}

/** An attribution method the tunnel can wrap: `saliency`, `inputXGradient`, `integratedGradients`, `occlusion`, or your own. */
export type AttributionMethod = (model: Forward, input: Tensor, options?: any) => Tensor | AttributionWithDelta;

/** The wrapped method: same call as the method, with noise. */
export interface NoiseTunnelled {
  (model: Forward, input: Tensor, options: NoiseTunnelMethodOptions & { returnConvergenceDelta: true }): AttributionWithDelta;
  (model: Forward, input: Tensor, options?: NoiseTunnelMethodOptions): Tensor;
}

/**
 * Wraps an attribution method (Captum `NoiseTunnel(method).attribute(...)`): the method runs on
 * `nSamples` copies of each example with N(0, stdevs²) noise added, and the copies' attributions
 * A_s are combined: "smoothgrad" mean(A_s), "smoothgrad_sq" mean(A_s²), "vargrad"
 * mean(A_s²) − mean(A_s)² (the population variance).
 *
 * The noise is one `randn` stream of shape [nSamples, N, ...] (copy-major), drawn in
 * `nSamplesBatchSize` slices, so with a seed the result doesn't depend on the slicing.
 * `target` and batch-shaped `baselines` ([N, ...]) are repeated for the copies. With
 * `returnConvergenceDelta` (integrated gradients) `delta` has one entry per copy, example-major:
 * [N · nSamples], entry i·nSamples + s for example i's copy s.
 *
 * ```ts
 * const sg = interpret.noiseTunnel(interpret.saliency, { nSamples: 20, stdevs: 0.15 });
 * const attr = sg(model, x, { target: 3 });
 * ```
 */
export function noiseTunnel(method: AttributionMethod, options: NoiseTunnelOptions = {}): NoiseTunnelled {
  options ??= {};
  const op = "noiseTunnel";
  if (typeof method !== "function") throw new TensileError(`${op}: method must be an attribution function such as saliency or integratedGradients, got ${fmtValue(method)}`);
  checkKeys(op, options, ["nSamples", "stdevs", "type", "nSamplesBatchSize", "generator"]);
  const nSamples = checkPositiveInt(op, "nSamples", options.nSamples ?? 5);
  const stdevs = options.stdevs ?? 1;
  if (typeof stdevs !== "number" || !Number.isFinite(stdevs) || stdevs < 0)
    throw new TensileError(`${op}: stdevs must be a finite number >= 0, got ${fmtValue(stdevs)}`);
  const type = options.type ?? "smoothgrad";
  if (!NOISE_TUNNEL_TYPES.includes(type))
    throw new TensileError(`${op}: unknown type ${fmtValue(type)}; expected one of ${NOISE_TUNNEL_TYPES.map((t) => `"${t}"`).join(", ")}`);
  const batch = Math.min(nSamples, checkPositiveInt(op, "nSamplesBatchSize", options.nSamplesBatchSize ?? nSamples));
  const generator = options.generator;
  if (generator !== undefined && !(generator instanceof Generator)) throw new TensileError(`${op}: generator must be a Generator, got ${fmtValue(generator)}`);

  const run = (model: Forward, input: Tensor, methodOptions?: NoiseTunnelMethodOptions): Tensor | AttributionWithDelta => {
    checkModel(op, model);
    checkInput(op, input);
    const opts = methodOptions ?? {};
    const n = input.shape[0]!;
    const rest = input.shape.slice(1);
    const idx = targetIndices(op, opts.target, n);
    const x = input.detach();
    let sum: Tensor | null = null, sumSq: Tensor | null = null;
    const deltas: Tensor[] = [];
    for (let s0 = 0; s0 < nSamples; s0 += batch) {
      const k = Math.min(batch, nSamples - s0);
      const noisy = noGrad(() =>
        x.unsqueeze(0).add(randn([k, ...x.shape], { dtype: x.dtype, generator }).mul(stdevs)).reshape([k * n, ...rest]));
      const inner: NoiseTunnelMethodOptions = { ...opts };
      if (idx && typeof opts.target !== "number") inner.target = tensor(tileIndices(idx, k)!, { dtype: "int32" });
      const b = opts.baselines;
      if (b instanceof Tensor && b.ndim === x.ndim && b.shape[0] === n && n > 1)
        inner.baselines = noGrad(() => b.detach().unsqueeze(0).expand([k, ...b.shape]).reshape([k * n, ...b.shape.slice(1)]));
      const res = method(model, noisy, inner);
      const attr = res instanceof Tensor ? res : res?.attributions;
      if (!(attr instanceof Tensor) || attr.numel() !== k * x.numel())
        throw new TensileError(`${op}: the method returned ${fmtValue(attr)}, expected attributions of the noisy batch's shape [${[k * n, ...rest].join(", ")}]`);
      if (!(res instanceof Tensor) && res.delta instanceof Tensor) deltas.push(res.delta.reshape([k, n]));
      noGrad(() => {
        const a = attr.reshape([k, n, ...rest]);
        const s = a.sum(0), sq = a.mul(a).sum(0);
        sum = sum ? sum.add(s) : s;
        sumSq = sumSq ? sumSq.add(sq) : sq;
      });
    }
    const attributions = noGrad(() => {
      const mean = sum!.div(nSamples), meanSq = sumSq!.div(nSamples);
      return type === "smoothgrad" ? mean : type === "smoothgrad_sq" ? meanSq : meanSq.sub(mean.mul(mean));
    });
    if (!opts.returnConvergenceDelta) return attributions;
    if (deltas.length === 0) throw new TensileError(`${op}: returnConvergenceDelta was asked for, but the method returned no delta`);
    // [nSamples, N] copy-major → [N · nSamples] example-major, as Captum's single-batch layout
    const delta = noGrad(() => cat(deltas, 0).transpose(0, 1).contiguous().reshape([n * nSamples]));
    return { attributions, delta };
  };
  return run as NoiseTunnelled;
}

export interface SmoothGradOptions extends SaliencyOptions, NoiseTunnelOptions {}

/**
 * SmoothGrad (Smilkov et al., 2017): `noiseTunnel(saliency, ...)` — the mean saliency over noisy
 * copies of the input (Captum `NoiseTunnel(Saliency(model)).attribute(x, nt_type="smoothgrad")`).
 * `abs` as saliency's (default true); the noise options as `noiseTunnel`'s (nSamples 5, stdevs 1).
 */
export function smoothGrad(model: Forward, input: Tensor, options: SmoothGradOptions = {}): Tensor {
  checkKeys("smoothGrad", options, ["target", "abs", "nSamples", "stdevs", "type", "nSamplesBatchSize", "generator"]);
  const { target, abs, ...nt } = options;
  return noiseTunnel(saliency, nt)(model, input, { target, abs });
}
