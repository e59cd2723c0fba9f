/** Every bad input to Tensile throws a TensileError whose message names the op and the values at fault. */
export class TensileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TensileError";
  }
}

/**
 * torch.linalg.LinAlgError: a linear-algebra input the operation cannot factor or invert (a singular
 * matrix, one that is not positive-definite). A TensileError, so `catch (e instanceof TensileError)` still sees it.
 */
export class LinAlgError extends TensileError {
  constructor(message: string) {
    super(message);
    this.name = "LinAlgError";
  }
}

/** Throws `TensileError(`${op}: ${message}`)` unless `cond` holds. */
export function check(cond: unknown, op: string, message: string | (() => string)): asserts cond {
  if (!cond) throw new TensileError(`${op}: ${typeof message === "function" ? message() : message}`);
}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/**
 * PyTorch code moves tensors and models with `.to(device)`: "cpu" (or "cpu:0") is where Tensile
 * always computes, so it is accepted as a no-op; any other device is an error that says so.
 * Returns true for a device name, false for anything else (a dtype).
 */
export function isDevice(op: string, v: unknown): boolean {
  if (typeof v !== "string" || !/^(cpu|cuda|mps|xla|meta|xpu|hip|vulkan|ipu)(:\d+)?$/.test(v)) return false;
  if (v === "cpu" || v === "cpu:0") return true;
  throw new TensileError(
    `${op}: Tensile computes on the CPU (its wasm or reference backend), so there is no '${v}' device; ` +
      'use "cpu" (a no-op), or setBackend() to choose the backend');
}

/** A value as an error message shows it: tensors by shape and dtype (not their JSON), numbers as written. */
export function fmtValue(v: unknown): string {
  const tensor = (x: unknown): x is { shape: number[]; dtype: string } =>
    typeof x === "object" && x !== null && Array.isArray((x as { shape?: unknown }).shape) && typeof (x as { dtype?: unknown }).dtype === "string";
  if (tensor(v)) return `Tensor(shape=${fmtShape(v.shape)}, dtype=${v.dtype})`;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint" || v === undefined || v === null) return String(v);
  if (typeof v !== "object") return JSON.stringify(v) ?? String(v);
  try {
    return JSON.stringify(v, (_k, x: unknown) => (tensor(x) ? `Tensor(shape=${fmtShape(x.shape)}, dtype=${x.dtype})` : x));
  } catch {
    return Object.prototype.toString.call(v);
  }
}
