let enabled = true;

export const isGradEnabled = (): boolean => enabled;

export function setGradEnabled(on: boolean): void {
  enabled = on;
}

/** Runs `fn` without recording operations for autograd (PyTorch's `with torch.no_grad():`). */
export function noGrad<T>(fn: () => T): T {
  const prev = enabled;
  enabled = false;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

/** Runs `fn` with gradient recording on, even inside `noGrad` (PyTorch's `torch.enable_grad()`). */
export function enableGrad<T>(fn: () => T): T {
  const prev = enabled;
  enabled = true;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

/**
 * PyTorch's `with torch.inference_mode():`, here the same as `noGrad`: nothing is recorded. Unlike
 * PyTorch's inference tensors, results made inside may later be used in recorded ops.
 */
export const inferenceMode = noGrad;
