/**
 * PyTorch's `Tensor.to` and `nn.Module.to` argument forms, read once for both: what a training
 * script writes (`x.to(device, { nonBlocking: true })`, `target.to({ dtype: batch.dtype })`,
 * `model.to(device, "float64")`, `x.to(other)`) comes down to a target dtype (or none) and a `copy`
 * flag. There is one device ("cpu", see `isDevice`), so devices are checked and otherwise ignored, and
 * `nonBlocking` (an asynchronous host-to-device copy in PyTorch) is accepted and ignored.
 */
import { TensileError, fmtValue, isDevice } from "../errors.js";
import { type DType, checkDType, isDType } from "./dtype.js";

/** PyTorch's keyword arguments of `Tensor.to` / `Module.to`. */
export interface ToOptions {
  /** Only "cpu" (or "cpu:0"): Tensile has one device. */
  device?: string | null;
  dtype?: DType | null;
  /** PyTorch's `non_blocking`: accepted and ignored (no device copy to overlap). */
  nonBlocking?: boolean;
  /** `Tensor.to` only: return a new tensor even when the dtype is already right (default false). */
  copy?: boolean;
  /** PyTorch's `memory_format`: only "preserveFormat" (Tensile has no channels-last conversion). */
  memoryFormat?: "preserveFormat";
}

/** `to`'s arguments: `(dtype | device | other?, dtype?, nonBlocking?, copy?, options?)`, PyTorch's positional forms then an options object. */
export type ToArgs =
  | [options?: ToOptions]
  | [dtypeOrDevice: DType | string, options?: ToOptions]
  | [dtypeOrDevice: DType | string, nonBlocking: boolean, copy?: boolean, options?: ToOptions]
  | [device: string, dtype: DType | null, options?: ToOptions]
  | [device: string, dtype: DType | null, nonBlocking: boolean, copy?: boolean, options?: ToOptions]
  | [other: { readonly dtype: DType; readonly shape: readonly number[] }, options?: ToOptions]
  | [other: { readonly dtype: DType; readonly shape: readonly number[] }, nonBlocking: boolean, copy?: boolean, options?: ToOptions];

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
const isTensorLike = (v: unknown): v is { dtype: DType; shape: readonly number[] } =>
  v !== null && typeof v === "object" && !isPlainObject(v) && isDType((v as { dtype?: unknown }).dtype) && Array.isArray((v as { shape?: unknown }).shape);

/**
 * Reads `to`'s arguments (see `ToArgs`) into the dtype to cast to (null: keep) and `copy`. `op` names
 * the caller in errors ("to", "Module.to"); `allowCopy` is false for modules (PyTorch's Module.to has
 * no `copy`). Refuses a device other than the CPU, an unknown dtype, options given twice or in the
 * wrong place, and unknown option names.
 */
export function readToArgs(op: string, args: readonly unknown[], allowCopy: boolean): { dtype: DType | null; copy: boolean } {
  const rest = [...args];
  while (rest.length > 0 && rest[rest.length - 1] === undefined) rest.pop();
  const opts = rest.length > 0 && isPlainObject(rest[rest.length - 1]) ? (rest.pop() as Record<string, unknown>) : {};
  const known = allowCopy ? ["device", "dtype", "nonBlocking", "copy", "memoryFormat"] : ["device", "dtype", "nonBlocking", "memoryFormat"];
  for (const k of Object.keys(opts))
    if (!known.includes(k)) throw new TensileError(`${op}: unknown option "${k}" (expected one of: ${known.join(", ")})`);

  let dtype: DType | null = null, nonBlocking: unknown = undefined, copy: unknown = undefined;
  let i = 0;
  const first = rest[0];
  if (rest.length > 0) {
    if (isTensorLike(first)) {
      dtype = first.dtype;
      i = 1;
    } else if (typeof first === "string" && isDevice(op, first)) {
      if ("device" in opts && opts.device !== null && opts.device !== undefined)
        throw new TensileError(`${op}: device given both positionally and as an option`);
      i = 1;
      if (typeof rest[1] === "string" || rest[1] === null) {
        dtype = rest[1] === null ? null : checkDType(op, rest[1]);
        i = 2;
      }
    } else if (typeof first === "string") {
      dtype = checkDType(op, first);
      i = 1;
    } else {
      throw new TensileError(`${op}: expected a dtype, a device ("cpu"), a tensor or an options object, got ${fmtValue(first)}`);
    }
  }
  if (typeof rest[i] === "boolean") nonBlocking = rest[i++];
  if (typeof rest[i] === "boolean" && allowCopy) copy = rest[i++];
  if (i < rest.length) {
    const extra = rest[i];
    throw new TensileError(isPlainObject(extra) ? `${op}: the options object must come last` : `${op}: unexpected argument ${fmtValue(extra)} at position ${i}`);
  }

  if (opts.device !== undefined && opts.device !== null && !isDevice(op, opts.device))
    throw new TensileError(`${op}: device must be a device name ("cpu"), got ${fmtValue(opts.device)}`);
  if (opts.dtype !== undefined && opts.dtype !== null) {
    if (dtype !== null) throw new TensileError(`${op}: dtype given both positionally and as an option`);
    dtype = checkDType(op, opts.dtype);
  }
  for (const [name, positional] of [["nonBlocking", nonBlocking], ["copy", copy]] as const) {
    const v = opts[name];
    if (v === undefined) continue;
    if (positional !== undefined) throw new TensileError(`${op}: ${name} given both positionally and as an option`);
    if (typeof v !== "boolean") throw new TensileError(`${op}: ${name} must be a boolean, got ${fmtValue(v)}`);
    if (name === "copy") copy = v;
  }
  const mf = opts.memoryFormat;
  if (mf !== undefined && mf !== null && mf !== "preserveFormat")
    throw new TensileError(`${op}: memoryFormat ${fmtValue(mf)} is not supported: Tensile keeps each tensor's strides and has no channels-last conversion (leave it out, or pass "preserveFormat")`);
  return { dtype, copy: copy === true };
}
