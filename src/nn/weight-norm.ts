/**
 * Weight normalization and spectral normalization as PyTorch 1.13's hook-based
 * `torch.nn.utils.weight_norm` / `spectral_norm`: the parameter is replaced by new parameters (and
 * buffers) under derived names, and a forward pre-hook recomputes the plain tensor attribute
 * (`module.weight`) from them before every `forward`.
 */
import { Parameter, Tensor, noGrad, randn } from "../core.js";
import { TensileError, fmtShape } from "../errors.js";
import { normalize } from "./functional/distance.js";
import { ConvTranspose1d, ConvTranspose2d } from "./layers/conv.js";
import { Module, type RemovableHandle } from "./module.js";

type Slot = Record<string, unknown>;

/** The hooks this file registered, per module: PyTorch finds them among `_forward_pre_hooks` by type. */
interface Registered {
  kind: "weightNorm" | "spectralNorm";
  name: string;
  handle: RemovableHandle;
  remove(): void;
}
const registry = new WeakMap<Module, Registered[]>();

function find(module: Module, kind: Registered["kind"], name: string): Registered | undefined {
  return registry.get(module)?.find((r) => r.kind === kind && r.name === name);
}

function track(module: Module, r: Registered): void {
  let list = registry.get(module);
  if (list === undefined) registry.set(module, (list = []));
  list.push(r);
}

function untrack(module: Module, r: Registered): void {
  const list = registry.get(module)!;
  list.splice(list.indexOf(r), 1);
}

/** The parameter `module[name]`, checked (`op: module Linear has no parameter "x"`). */
export function ownParameter(op: string, module: unknown, name: unknown): Parameter {
  if (!(module instanceof Module)) throw new TensileError(`${op}: expected an nn.Module, got ${module === null ? "null" : typeof module}`);
  if (typeof name !== "string") throw new TensileError(`${op}: the parameter name must be a string, got ${typeof name}`);
  const p = Object.getOwnPropertyDescriptor(module, name)?.value;
  if (!(p instanceof Parameter)) throw new TensileError(`${op}: ${module.constructor.name} has no parameter "${name}"`);
  return p;
}

/** Sets `module[name]` to a plain (non-state) tensor attribute, as PyTorch's `setattr` with a Tensor. */
export function setPlainAttribute(module: Module, name: string, value: Tensor): void {
  Object.defineProperty(module, name, { value, writable: true, enumerable: true, configurable: true });
}

export function deleteAttribute(module: Module, name: string): void {
  delete (module as unknown as Slot)[name];
}

/** PyTorch's `torch.norm_except_dim(v, pow, dim)`: the norm over every dim but `dim` (keeping them as 1); `dim = -1`: the whole norm, 0-d. */
function normExceptDim(v: Tensor, pow: number, dim: number): Tensor {
  if (dim === -1) return v.norm(pow);
  const dims = [...v.shape.keys()].filter((d) => d !== dim);
  if (dims.length === 0) return v.abs();
  return v.norm(pow, dims, true);
}

/**
 * Weight normalization (PyTorch 1.13's `torch.nn.utils.weight_norm`; Salimans & Kingma, 2016):
 * reparametrizes `module[name]` as w = g·v/‖v‖, the norm taken over every dim but `dim` (over the
 * whole tensor with `dim` null or −1). The parameter is replaced by `${name}_g` (the norms, shape
 * [out, 1, …] for dim 0) and `${name}_v` (the direction, the old weight itself), and `module[name]`
 * becomes a plain tensor recomputed by a forward pre-hook. State-dict keys: `bias, weight_g,
 * weight_v` for a Linear. Build the optimizer after applying it. Returns `module`.
 * ```ts
 * const m = nn.utils.weightNorm(new nn.Linear(20, 40));
 * m.weight_g.shape; // [40, 1]
 * ```
 */
export function weightNorm<M extends Module>(module: M, name = "weight", dim: number | null = 0): M {
  const op = "weightNorm";
  if (module instanceof Module && find(module, "weightNorm", name)) throw new TensileError(`${op}: Cannot register two weight_norm hooks on the same parameter ${name}`);
  const weight = ownParameter(op, module, name);
  if (dim === null || dim === undefined) dim = -1;
  if (typeof dim !== "number" || !Number.isInteger(dim) || dim < -weight.ndim || dim >= Math.max(weight.ndim, 1))
    throw new TensileError(`${op}: dim ${String(dim)} is out of range for ${name} of shape ${fmtShape(weight.shape)}`);
  // As torch 1.13: −1 means the whole tensor (not the last dim); other negative dims count from the end.
  const d = dim < -1 ? dim + weight.ndim : dim;
  const slot = module as unknown as Slot;
  const g = new Parameter(noGrad(() => normExceptDim(weight, 2, d).detach()));
  const v = new Parameter(weight.detach()); // shares the old weight's storage, as PyTorch's Parameter(weight.data)
  deleteAttribute(module, name);
  module.registerParameter(`${name}_g`, g);
  module.registerParameter(`${name}_v`, v);
  const compute = () => {
    const gp = slot[`${name}_g`] as Tensor, vp = slot[`${name}_v`] as Tensor;
    return vp.mul(gp.div(normExceptDim(vp, 2, d)));
  };
  setPlainAttribute(module, name, compute());
  const handle = module.registerForwardPreHook(() => {
    setPlainAttribute(module, name, compute());
  });
  const entry: Registered = {
    kind: "weightNorm", name, handle,
    remove() {
      const w = compute();
      deleteAttribute(module, name);
      deleteAttribute(module, `${name}_g`);
      deleteAttribute(module, `${name}_v`);
      module.registerParameter(name, new Parameter(w.detach()));
    },
  };
  track(module, entry);
  return module;
}

/** Undoes `weightNorm`: `module[name]` becomes a parameter again, holding g·v/‖v‖. Returns `module`. */
export function removeWeightNorm<M extends Module>(module: M, name = "weight"): M {
  if (!(module instanceof Module)) throw new TensileError(`removeWeightNorm: expected an nn.Module, got ${module === null ? "null" : typeof module}`);
  const r = find(module, "weightNorm", name);
  if (r === undefined) throw new TensileError(`removeWeightNorm: weight_norm of '${String(name)}' not found in ${module.constructor.name}`);
  r.remove();
  r.handle.remove();
  untrack(module, r);
  return module;
}

export interface SpectralNormOptions {
  /** Power-iteration steps per forward in training mode (default 1). */
  nPowerIterations?: number;
  /** ε of the normalizations (default 1e-12). */
  eps?: number;
  /** The output dim of the weight (default 0, or 1 for ConvTranspose modules). */
  dim?: number | null;
}

/**
 * Spectral normalization (PyTorch 1.13's `torch.nn.utils.spectral_norm`; Miyato et al., 2018):
 * `module[name]` becomes W/σ(W), σ the largest singular value of W reshaped to a matrix [size of
 * `dim`, rest], estimated by power iteration. The parameter moves to `${name}_orig` (the same
 * Parameter object, so an optimizer built before keeps working) and buffers `${name}_u`, `${name}_v`
 * hold the singular-vector estimates (initialized from the default generator, so not PyTorch's
 * numbers). In training mode each forward first runs `nPowerIterations` steps, updating u and v in
 * place; in eval mode it uses them as they are. State-dict keys: `bias, weight_orig, weight_u,
 * weight_v` for a Linear. After `name`, PyTorch's `n_power_iterations, eps, dim` come positionally
 * or as `{ nPowerIterations, eps, dim }`. Returns `module`.
 */
export function spectralNorm<M extends Module>(module: M, name?: string, options?: SpectralNormOptions | null): M;
export function spectralNorm<M extends Module>(module: M, name: string, nPowerIterations?: number, eps?: number, dim?: number | null): M;
export function spectralNorm<M extends Module>(module: M, name = "weight", third: SpectralNormOptions | number | null = {}, eps_?: number, dim_?: number | null): M {
  const op = "spectralNorm";
  const options: SpectralNormOptions = typeof third === "number" ? { nPowerIterations: third, eps: eps_, dim: dim_ } : (third ?? {});
  if (typeof options !== "object") throw new TensileError(`${op}: expected nPowerIterations or an options object, got ${typeof options}`);
  if (module instanceof Module && find(module, "spectralNorm", name)) throw new TensileError(`${op}: Cannot register two spectral_norm hooks on the same parameter ${name}`);
  const weight = ownParameter(op, module, name);
  const { nPowerIterations = 1, eps = 1e-12 } = options;
  let dim = options.dim ?? (module instanceof ConvTranspose1d || module instanceof ConvTranspose2d ? 1 : 0);
  if (typeof nPowerIterations !== "number" || !Number.isInteger(nPowerIterations) || nPowerIterations <= 0)
    throw new TensileError(`${op}: Expected nPowerIterations to be positive, but got nPowerIterations=${String(nPowerIterations)}`);
  if (typeof eps !== "number" || !(eps >= 0)) throw new TensileError(`${op}: eps must be a non-negative number, got ${String(eps)}`);
  if (typeof dim !== "number" || !Number.isInteger(dim) || dim < -weight.ndim || dim >= weight.ndim)
    throw new TensileError(`${op}: dim ${String(dim)} is out of range for ${name} of shape ${fmtShape(weight.shape)}`);
  if (dim < 0) dim += weight.ndim;
  const d = dim;
  const toMatrix = (w: Tensor): Tensor => {
    const perm = d === 0 ? w : w.permute([d, ...[...w.shape.keys()].filter((i) => i !== d)]);
    return perm.reshape([perm.shape[0]!, -1]);
  };
  const slot = module as unknown as Slot;
  const [h, w] = toMatrix(weight).shape as [number, number];
  const u0 = noGrad(() => normalize(randn([h], { dtype: weight.dtype }), 2, 0, eps));
  const v0 = noGrad(() => normalize(randn([w], { dtype: weight.dtype }), 2, 0, eps));

  const compute = (doPowerIteration: boolean): Tensor => {
    const orig = slot[`${name}_orig`] as Tensor;
    let u = slot[`${name}_u`] as Tensor, v = slot[`${name}_v`] as Tensor;
    const mat = toMatrix(orig);
    if (doPowerIteration) {
      noGrad(() => {
        for (let i = 0; i < nPowerIterations; i++) {
          v.copy_(normalize(mat.t().matmul(u), 2, 0, eps));
          u.copy_(normalize(mat.matmul(v), 2, 0, eps));
        }
        u = u.clone();
        v = v.clone();
      });
    }
    const sigma = u.dot(mat.matmul(v));
    return orig.div(sigma);
  };

  deleteAttribute(module, name);
  module.registerParameter(`${name}_orig`, weight);
  setPlainAttribute(module, name, weight.detach());
  module.registerBuffer(`${name}_u`, u0);
  module.registerBuffer(`${name}_v`, v0);
  const handle = module.registerForwardPreHook((m) => {
    setPlainAttribute(module, name, compute(m.training));
  });
  const entry: Registered = {
    kind: "spectralNorm", name, handle,
    remove() {
      const wn = noGrad(() => compute(false));
      deleteAttribute(module, name);
      deleteAttribute(module, `${name}_u`);
      deleteAttribute(module, `${name}_v`);
      deleteAttribute(module, `${name}_orig`);
      module.registerParameter(name, new Parameter(wn.detach()));
    },
  };
  track(module, entry);
  return module;
}

/**
 * Undoes `spectralNorm`: `module[name]` becomes a parameter again holding W/σ from the current u, v
 * (no power iteration). The `${name}_u`, `${name}_v` buffers are deleted, as PyTorch's `del`.
 * Returns `module`.
 */
export function removeSpectralNorm<M extends Module>(module: M, name = "weight"): M {
  if (!(module instanceof Module)) throw new TensileError(`removeSpectralNorm: expected an nn.Module, got ${module === null ? "null" : typeof module}`);
  const r = find(module, "spectralNorm", name);
  if (r === undefined) throw new TensileError(`removeSpectralNorm: spectral_norm of '${String(name)}' not found in ${module.constructor.name}`);
  r.remove();
  r.handle.remove();
  untrack(module, r);
  return module;
}
