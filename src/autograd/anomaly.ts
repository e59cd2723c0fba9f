import { TensileError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";

/**
 * Anomaly detection (PyTorch's `torch.autograd.detect_anomaly` / `set_detect_anomaly`). While it is
 * on, every recorded op keeps the stack of the forward call that made it, and the backward pass
 *
 * - checks each rule's gradients for NaN (unless `checkNan: false`) and throws, naming the op, the
 *   input and where the forward op was called — where a NaN first appears, not where it ends up;
 * - adds that forward stack to any error a backward rule throws.
 *
 * It is slow, as PyTorch's is: a stack per op, and a read of a flag from each gradient. For
 * debugging only.
 */
let enabled = false;
let checkNan = true;

export const isAnomalyEnabled = (): boolean => enabled;
export const isAnomalyCheckNanEnabled = (): boolean => enabled && checkNan;

export interface AnomalyOptions {
  /** Check every gradient a backward rule returns for NaN (default true). */
  checkNan?: boolean;
}

/** Turns anomaly detection on or off for everything that follows (PyTorch's `set_detect_anomaly`). */
export function setDetectAnomaly(on: boolean, opts: AnomalyOptions = {}): void {
  enabled = on;
  checkNan = opts.checkNan ?? true;
}

/**
 * Runs `fn` with anomaly detection on, then restores the previous setting (PyTorch's
 * `with torch.autograd.detect_anomaly():`). An async `fn` keeps it on until its promise settles.
 */
export function detectAnomaly<T>(fn: () => T, opts: AnomalyOptions = {}): T {
  const prev = [enabled, checkNan] as const;
  const restore = () => {
    [enabled, checkNan] = prev;
  };
  setDetectAnomaly(true, opts);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    restore();
    throw e;
  }
  if (result !== null && typeof result === "object" && typeof (result as { then?: unknown }).then === "function")
    return Promise.resolve(result).finally(restore) as T;
  restore();
  return result;
}

/**
 * This library's source folder (`src/` under tsx, `dist/` once built), as a URL and as a path: the
 * frames of a forward stack inside it are the library's own (the op, `record`), not the user's.
 */
const LIB_DIR: string[] = (() => {
  try {
    const dir = new URL("..", import.meta.url);
    return [dir.href, decodeURIComponent(dir.pathname)];
  } catch {
    return [];
  }
})();

/**
 * The stack of the code that called the op being recorded: the frames outside this library (all of
 * them, if none is outside it — a bundle that inlined the library).
 */
export function forwardStack(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 64;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = limit;
  const frames = stack.split("\n").slice(1); // drop "Error"
  const user = LIB_DIR.length ? frames.filter((f) => !LIB_DIR.some((d) => f.includes(d))) : [];
  return (user.length ? user : frames.slice(2)).join("\n");
}

function ordinal(i: number): string {
  const suffix = i % 100 >= 11 && i % 100 <= 13 ? "th" : (["th", "st", "nd", "rd"][i % 10] ?? "th");
  return `${i}${suffix}`;
}

/** Throws if a gradient `name`'s backward rule returned for input `i` holds a NaN. */
export function checkGradForNan(name: string, i: number, g: Tensor, stack: string | null): void {
  if (g.dtype !== "float32" && g.dtype !== "float64") return;
  if (g.numel() === 0 || !g.isnan().any().item()) return;
  throw new TensileError(
    `backward: Function '${name}' returned nan values in its ${ordinal(i)} output (the gradient for its input ${i}).` +
      describeForward(name, stack),
  );
}

/** `e`, thrown by `name`'s backward rule, with the forward call added to its message (a TensileError keeps its class). */
export function withForwardStack(e: unknown, name: string, stack: string | null): unknown {
  if (!(e instanceof Error)) return e;
  const message = `${e.message}${describeForward(name, stack)}`;
  const out = e instanceof TensileError ? new TensileError(message) : new Error(message);
  (out as Error & { cause?: unknown }).cause = e;
  return out;
}

/** The text naming the forward call of op `name`, appended to backward errors in anomaly mode. */
export function describeForward(name: string, stack: string | null): string {
  return stack
    ? `\nAnomaly detection: the forward call of '${name}' that caused this was made at:\n${stack}`
    : `\nAnomaly detection: '${name}' was recorded while anomaly detection was off, so its forward call is unknown`;
}
