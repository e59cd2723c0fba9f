let enabled = true;

export const isGradEnabled = (): boolean => enabled;

export function setGradEnabled(on: boolean): void {
  enabled = on;
}

/**
 * Runs `fn` with grad mode `on`, then restores it. An async `fn` (one returning a promise) keeps
 * the mode until its promise settles, so `await noGrad(async () => { for await (...) ... })`
 * records nothing across its awaits. Grad mode is one flag, as JavaScript runs one thread: other
 * async work that runs while such a promise is pending sees the same mode.
 */
function withGradMode<T>(on: boolean, fn: () => T): T {
  const prev = enabled;
  enabled = on;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    enabled = prev;
    throw e;
  }
  if (result !== null && typeof result === "object" && typeof (result as { then?: unknown }).then === "function") {
    return Promise.resolve(result).finally(() => {
      enabled = prev;
    }) as T;
  }
  enabled = prev;
  return result;
}

/** Runs `fn` without recording operations for autograd (PyTorch's `with torch.no_grad():`); async `fn` too. */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs `fn` with gradient recording on, even inside `noGrad` (PyTorch's `torch.enable_grad()`). */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

/**
 * PyTorch's `with torch.inference_mode():`, here the same as `noGrad`: nothing is recorded. Unlike
 * PyTorch's inference tensors, results made inside may later be used in recorded ops.
 */
export const inferenceMode = noGrad;
