/**
 * `nn.SyncBatchNorm` for one process: PyTorch's layer synchronises the batch statistics across the
 * processes of a distributed group; Tensile runs in one process, where that is batch normalisation
 * over every dim but the channel dim 1 (inputs [N, C, +]), the same statistics, buffers and state-dict
 * keys as `BatchNorm1d/2d/3d`. PyTorch's layer refuses CPU input; this one computes what it would
 * compute on one GPU. `convertSyncBatchnorm` swaps a model's BatchNorm layers for it, as
 * `nn.SyncBatchNorm.convert_sync_batchnorm`.
 * ```ts
 * const model = nn.SyncBatchNorm.convertSyncBatchnorm(net); // every BatchNorm*d → SyncBatchNorm, weights kept
 * ```
 */
import type { Tensor } from "../../core.js";
import { TensileError, check, fmtShape, fmtValue } from "../../errors.js";
import { Module } from "../module.js";
import { type BatchNormLayerOptions, BatchNormBase } from "./norm.js";

/**
 * Batch normalisation over inputs [N, C, *] (any number of trailing dims, at least 2-D in all), as
 * PyTorch's `nn.SyncBatchNorm` in a single process. `processGroup` is accepted for PyTorch's
 * signature and must be null (there is no distributed group here).
 *
 * Shapes: [N, C, *] → same.
 * ```ts
 * new nn.SyncBatchNorm(16).forward(randn([4, 16, 8, 8])).shape; // [4, 16, 8, 8]
 * ```
 */
export class SyncBatchNorm extends BatchNormBase {
  constructor(numFeatures: number, eps: number | BatchNormLayerOptions = 1e-5, momentum: number | null = 0.1, affine = true, trackRunningStats = true, processGroup: unknown = null) {
    super(numFeatures, eps, momentum, affine, trackRunningStats);
    if (processGroup !== null && processGroup !== undefined)
      throw new TensileError(`SyncBatchNorm: process groups are not supported (Tensile runs in one process), got ${fmtValue(processGroup)}`);
  }

  protected checkInputDim(input: Tensor): void {
    check(input.ndim >= 2, "SyncBatchNorm", () => `expected at least 2D input (got ${input.ndim}D input of shape ${fmtShape(input.shape)})`);
  }

  /**
   * `module` with every batch-norm layer (BatchNorm1d/2d/3d, SyncBatchNorm; PyTorch's `_BatchNorm`)
   * replaced by a SyncBatchNorm of the same settings holding the same parameter and buffer tensors
   * (not copies), as `SyncBatchNorm.convert_sync_batchnorm`. Children are replaced in place; the
   * returned module is `module` itself unless `module` is a batch-norm layer. New layers start in
   * training mode, as PyTorch's.
   */
  static convertSyncBatchnorm<M extends Module>(module: M, processGroup: unknown = null): M | SyncBatchNorm {
    if (!(module instanceof Module)) throw new TensileError(`convertSyncBatchnorm: expected a Module, got ${fmtValue(module)}`);
    let out: Module = module;
    if (module instanceof BatchNormBase) {
      const bn = new SyncBatchNorm(module.numFeatures, module.eps, module.momentum, module.affine, module.trackRunningStats, processGroup);
      if (module.affine) {
        bn.weight = module.weight;
        bn.bias = module.bias;
      }
      bn.registerBuffer("running_mean", module.runningMean);
      bn.registerBuffer("running_var", module.runningVar);
      bn.registerBuffer("num_batches_tracked", module.numBatchesTracked);
      out = bn;
    }
    for (const [name, child] of module.namedChildren()) out.registerModule(name, SyncBatchNorm.convertSyncBatchnorm(child, processGroup));
    return out as M | SyncBatchNorm;
  }
}
