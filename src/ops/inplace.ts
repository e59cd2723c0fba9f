import { TensileError, fmtShape } from "../errors.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import { broadcastShapes } from "../tensor/shape.js";
import { type Generator, defaultGenerator } from "../tensor/random.js";
import { arrayFor } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { broadcastView, onBackend, scalarTensor } from "./util.js";

/**
 * In-place writes. They record no autograd history, so they refuse (like PyTorch) to modify a
 * leaf that requires grad while grad mode is on; optimizers and init run them under noGrad.
 */
function checkWritable(op: string, x: Tensor): void {
  if (x.requiresGrad && isGradEnabled())
    throw new TensileError(`${op}: a leaf Variable that requires grad is being used in an in-place operation (wrap it in noGrad)`);
}

export function copy_<S extends Tensor>(x: S, src: Tensor | number): S {
  checkWritable("copy_", x);
  const s = src instanceof Tensor ? onBackend(src, x.backend) : scalarTensor(src, x.dtype, x.backend);
  const shape = broadcastShapes("copy_", x.shape, s.shape);
  if (shape.length !== x.ndim || shape.some((d, i) => d !== x.shape[i]))
    throw new TensileError(`copy_: source of shape ${fmtShape(s.shape)} cannot be broadcast to the destination's shape ${fmtShape(x.shape)}`);
  x.backend.assign(x, broadcastView(s, x.shape));
  return x;
}

/** x + value·t1·t2 (out of place; add the `_` form on Tensor). */
export const addcmul = (x: Tensor, t1: Tensor, t2: Tensor, value = 1): Tensor => x.add(t1.mul(t2).mul(value));
/** x + value·t1/t2. */
export const addcdiv = (x: Tensor, t1: Tensor, t2: Tensor, value = 1): Tensor => x.add(t1.div(t2).mul(value));

function fillRandom<S extends Tensor>(op: string, x: S, draw: () => number): S {
  checkWritable(op, x);
  const a = arrayFor(x.dtype, x.numel());
  for (let i = 0; i < a.length; i++) a[i] = draw();
  const src = new Tensor(x.backend.fromArray(a), x.backend, [...x.shape]);
  x.backend.assign(x, src);
  return x;
}

export function uniform_<S extends Tensor>(x: S, a: number, b: number, g: Generator = defaultGenerator): S {
  return fillRandom("uniform_", x, () => a + (b - a) * g.random());
}
export function normal_<S extends Tensor>(x: S, mean: number, std: number, g: Generator = defaultGenerator): S {
  if (std < 0) throw new TensileError(`normal_: expects std >= 0.0, but found std ${std}`);
  return fillRandom("normal_", x, () => mean + std * g.normal());
}
