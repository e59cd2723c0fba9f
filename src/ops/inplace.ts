import { TensileError, fmtShape } from "../errors.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import { broadcastShapes } from "../tensor/shape.js";
import { type Generator, defaultGenerator } from "../tensor/random.js";
import { arrayFor } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { broadcastView, onBackend, scalarTensor } from "./util.js";

/**
 * In-place writes. They record no autograd history, so while grad mode is on they refuse any
 * write a gradient would have to flow through: into a leaf that requires grad (as PyTorch
 * refuses), into an op's output that requires grad, or from a source that requires grad (whose
 * gradient would otherwise be dropped without a word). PyTorch records the last two; here the
 * out-of-place form does the same job. Optimizers and init run them under noGrad.
 */
function checkWritable(op: string, x: Tensor, src?: Tensor): void {
  if (!isGradEnabled()) return;
  if (x.requiresGrad && x.isLeaf)
    throw new TensileError(`${op}: a leaf Variable that requires grad is being used in an in-place operation (wrap it in noGrad)`);
  if (x.requiresGrad)
    throw new TensileError(
      `${op}: in-place operations on a tensor that requires grad (the output of ${x.gradFn!.name}) are not supported: ` +
        "they would record no autograd history. Use the out-of-place form (y = y.add(z) for y.add_(z)), or detach() it first if no gradient should flow");
  if (src?.requiresGrad)
    throw new TensileError(
      `${op}: the value written requires grad, but in-place operations record no autograd history, so its gradient would be lost. ` +
        "Build the result out of place (add, mul, cat, stack, where), or detach() the value if no gradient should flow");
}

export function copy_<S extends Tensor>(x: S, src: Tensor | number): S {
  return write("copy_", x, src);
}

/** Writes src (broadcast) into x for the in-place op `op` (add_ writes x + o, …), after the checks. */
export function write<S extends Tensor>(op: string, x: S, src: Tensor | number): S {
  checkWritable(op, x, src instanceof Tensor ? src : undefined);
  const s = src instanceof Tensor ? onBackend(src, x.backend) : scalarTensor(src, x.dtype, x.backend);
  const shape = broadcastShapes(op, x.shape, s.shape);
  if (shape.length !== x.ndim || shape.some((d, i) => d !== x.shape[i]))
    throw new TensileError(`${op}: source of shape ${fmtShape(s.shape)} cannot be broadcast to the destination's shape ${fmtShape(x.shape)}`);
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
