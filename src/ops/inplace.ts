import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { tracing } from "../autograd/trace.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import { broadcastShapes } from "../tensor/shape.js";
import { type Generator, defaultGenerator } from "../tensor/random.js";
import { arrayFor } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { broadcastView, onBackend, scalarTensor } from "./util.js";

/**
 * In-place writes, with PyTorch's autograd semantics where autograd must record them.
 *
 * A write nothing differentiable flows through (grad mode off, or neither the tensor nor the value
 * requires grad) just writes, through any view. Otherwise (`y.add_(z)` on an op's output, or a
 * value that requires grad written into a plain buffer) the op is recorded as PyTorch records it:
 * its out-of-place form runs on an alias of the tensor's old value and graph position, the result
 * is written into the tensor's storage, and the tensor object is rebound to the new node. Three
 * cases are refused with an error naming the op, rather than giving a wrong or lost gradient:
 * a leaf that requires grad (as PyTorch); a view of part of a storage (PyTorch rewrites the base's
 * history, which this engine does not); a tensor some recorded op already took as input (its
 * graph edge points at the tensor object, which is about to be rebound).
 *
 * Each write bumps the storage's version. Backward checks the versions of what each rule reads
 * (see `record`), so writing to a tensor a rule still needs fails there, with PyTorch's message.
 */
function checkLeaf(op: string, x: Tensor): void {
  if (x.requiresGrad && x.isLeaf && isGradEnabled())
    throw new TensileError(`${op}: a leaf Variable that requires grad is being used in an in-place operation (wrap it in noGrad)`);
}

/** Throws unless a value of shape `from` broadcasts to x's shape. */
function checkBroadcastsTo(op: string, x: Tensor, from: readonly number[]): void {
  const shape = broadcastShapes(op, x.shape, from);
  if (shape.length !== x.ndim || shape.some((d, i) => d !== x.shape[i]))
    throw new TensileError(`${op}: source of shape ${fmtShape(from)} cannot be broadcast to the destination's shape ${fmtShape(x.shape)}`);
}

/** The write itself: src (a tensor broadcast to x's shape, or a number) into x's view; bumps the version. */
function assignInto(op: string, x: Tensor, src: Tensor | number): void {
  const s = src instanceof Tensor ? onBackend(src, x.backend) : scalarTensor(src, x.dtype, x.backend);
  checkBroadcastsTo(op, x, s.shape);
  x.backend.assign(x, broadcastView(s, x.shape));
  bumpVersion(x);
}

/** bool < int < float: a result may be written into a tensor of its own kind or a higher one. */
const KIND: Record<string, number> = { bool: 0, int32: 1, float32: 2, float64: 2 };

/**
 * f's result, refused when writing it into x would lose its kind — a float result into an int32
 * tensor (`x.add_(1.5)`, `x.div_(2)`), an int32 one into a bool tensor — as PyTorch refuses the cast
 * instead of truncating. Ops whose value is cast by definition (fill_, maskedFill_, copy_) cast
 * before they get here.
 */
function castable<R extends Tensor | number>(op: string, x: Tensor, out: R): R {
  if (out instanceof Tensor && KIND[out.dtype]! > KIND[x.dtype]!)
    throw new TensileError(`${op}: result type ${out.dtype} can't be cast to the desired output type ${x.dtype}`);
  return out;
}

/** Records a write to x's storage made outside the engine (an optimizer's fused kernel). */
export function bumpVersion(x: Tensor): void {
  const s = x.storage;
  s._version = (s._version ?? 0) + 1;
}

/**
 * In-place ops PyTorch lets write through a self-overlapping tensor (an expanded view: a dim of size
 * > 1 with stride 0), every element of it getting the same value, so the order of the writes cannot
 * matter: fills, masked/index fills, index_put_, fill_diagonal_ and tril_/triu_ (a zero or the old value).
 */
const OVERLAP_OK = new Set(["fill_", "zero_", "maskedFill_", "indexFill_", "indexPut_", "fillDiagonal_", "tril_", "triu_"]);

/**
 * Refuses a write into a tensor with internal overlap, as PyTorch's `assert_no_internal_overlap`:
 * a dim of size > 1 with stride 0 (an `expand`ed view), where several elements are one memory
 * location and the result would depend on the order of the writes. Like PyTorch's
 * `has_internal_overlap`, other overlapping views (`unfold` windows sharing elements) are "too
 * hard" to tell and are let through.
 */
export function checkNoInternalOverlap(op: string, x: Tensor): void {
  if (OVERLAP_OK.has(op) || !overlaps(x)) return;
  throw new TensileError(
        `${op}: unsupported operation: more than one element of the written-to tensor refers to a single memory location ` +
        `(shape ${fmtShape(x.shape)}, strides ${fmtShape(x.strides)}). Please clone() the tensor before performing the operation.`);
}

/** Whether x has a dim of size > 1 with stride 0 (PyTorch's MemOverlap::YES); an empty x writes nothing. */
const overlaps = (x: Tensor): boolean => x.numel() > 0 && x.shape.some((n, i) => n > 1 && x.strides[i] === 0);

/**
 * The write of an OVERLAP_OK op's result into an overlapping x as PyTorch's kernels make it: only
 * the elements the op changed are written, so a memory location gets the last value written to
 * it in row-major order (`b.expand([5]).indexFill_(0, tensor([1]), 4)` sets b to 4), or keeps its
 * value when the op wrote none of its aliases. Writing the whole result would let an unselected
 * alias that comes later overwrite it with the old value.
 */
function assignOverlapping(op: string, x: Tensor, out: Tensor): void {
  checkBroadcastsTo(op, x, out.shape);
  const r = onBackend(out, x.backend).to(x.dtype).expand(x.shape).contiguous().dataSync();
  const o = x.contiguous().dataSync();
  // one element per memory location: the zero-stride dims narrowed to their first entry
  const uShape = x.shape.map((n, i) => (x.strides[i] === 0 ? Math.min(n, 1) : n));
  const u = new Tensor(x.storage, x.backend, uShape, [...x.strides], x.offset);
  const vals = u.contiguous().dataSync().slice();
  const uStrides = uShape.map((_, i) => uShape.slice(i + 1).reduce((a, b) => a * b, 1));
  const coord = new Array<number>(x.ndim).fill(0);
  for (let k = 0; k < r.length; k++) {
    if (!(r[k] === o[k] || (r[k] !== r[k] && o[k] !== o[k]))) {
      let j = 0;
      for (let i = 0; i < x.ndim; i++) if (x.strides[i] !== 0) j += coord[i]! * uStrides[i]!;
      vals[j] = r[k]!;
    }
    for (let i = x.ndim - 1; i >= 0; i--) {
      if (++coord[i]! < x.shape[i]!) break;
      coord[i] = 0;
    }
  }
  x.backend.assign(u, new Tensor(x.backend.fromArray(vals), x.backend, uShape));
  bumpVersion(x);
}

/** x views its whole storage in order, so writing x writes nothing any other view alone sees. */
const whole = (x: Tensor): boolean => x.offset === 0 && x.numel() === x.storage.length && x.isContiguous();

/**
 * The in-place op `op` on x: x ← f(x), with f the out-of-place form (`t => t.add(o)`) or a plain
 * value. `others` are its other tensor arguments; `readsSelf` says whether f's backward rule reads
 * its x argument (then f runs on a clone, which no later write can reach); `othersBroadcast`
 * whether the others must broadcast to x's shape.
 */
export function inPlace<S extends Tensor>(
  op: string, x: S, f: (self: Tensor) => Tensor | number, others: readonly unknown[] = [], readsSelf = false,
  othersBroadcast = true,
): S {
  checkNoInternalOverlap(op, x);
  // an operand must broadcast to x's shape: the result is written into x (othersBroadcast false:
  // f's operands have shapes of their own, as index_add_'s source; f checks them)
  if (othersBroadcast) for (const o of others) if (o instanceof Tensor) checkBroadcastsTo(op, x, o.shape);
  const recorded = isGradEnabled() && (x.requiresGrad || others.some((o) => o instanceof Tensor && o.requiresGrad));
  if (!recorded) {
    // A tracer (ONNX export, addGraph) follows tensors by object: it must see f read x itself, and
    // x rebound to the result, or the op is lost and x looks like a constant
    const t = tracing.current;
    const out = castable(op, x, f(t ? x : x.detach()));
    if (out instanceof Tensor && overlaps(x)) assignOverlapping(op, x, out);
    else assignInto(op, x, out);
    if (t && out instanceof Tensor) t.rebind(x, out);
    return x;
  }
  checkLeaf(op, x);
  if (!whole(x))
    throw new TensileError(
      `${op}: autograd can record an in-place op only on a whole tensor, not on a view of part of one ` +
        `(shape ${fmtShape(x.shape)}, offset ${x.offset}, in a storage of ${x.storage.length} elements). ` +
        "Build the result out of place (cat, stack, where, pad), or wrap the write in noGrad if no gradient should flow through it");
  if (x._graphUses > 0)
    throw new TensileError(
      `${op}: this tensor (${x.dtype} ${fmtShape(x.shape)}) was already used as an input by an op autograd recorded, ` +
        "and modifying it in place afterwards is not supported here. Use the out-of-place form (y = y.add(z) for y.add_(z))");
  if ((x.storage._graphVersion ?? -1) > x._version)
    throw new TensileError(
      `${op}: this tensor shares memory with one that an in-place op recorded by autograd modified after it was made; ` +
        "use that tensor instead");
  const old = x._alias();
  const input = readsSelf ? old.clone() : old;
  let out = castable(op, x, f(input));
  if (!(out instanceof Tensor)) out = scalarTensor(out, x.dtype, x.backend).expand(x.shape);
  // keep the result connected to x's old graph (with a zero gradient) when f dropped it
  if (!out.requiresGrad) out = out.add(old.mul(0));
  else if (!out.gradFn) out = out.clone(); // a leaf itself (copy_(leaf)): x gets a node of its own
  assignInto(op, x, out);
  if (!out.gradFn) return x; // nothing that requires grad reached it after all
  const s = x.storage;
  x._setGradFn(out.gradFn!);
  tracing.current?.rebind(x, out);
  x._version = s._version!;
  s._graphVersion = s._version!;
  x._graphUses = 0;
  return x;
}

/**
 * An in-place integer or bit op (gcd_, bitwiseAnd_, ...): x ← f(x), refused when f's result has
 * another dtype than x (a bool tensor and an int32 operand), as PyTorch refuses the cast.
 */
export function sameDTypeInPlace<S extends Tensor>(op: string, x: S, f: (self: Tensor) => Tensor, others: readonly unknown[] = []): S {
  return inPlace(op, x, (t) => {
    const out = f(t);
    if (out.dtype !== x.dtype) throw new TensileError(`${op}: result type ${out.dtype} can't be cast to the desired output type ${x.dtype}`);
    return out;
  }, others);
}

export function copy_<S extends Tensor>(x: S, src: Tensor | number): S {
  return inPlace("copy_", x, () => (src instanceof Tensor ? src.to(x.dtype).expand(x.shape) : src), [src]);
}

/** x + value·t1·t2 (out of place; add the `_` form on Tensor). */
export const addcmul = (x: Tensor, t1: Tensor, t2: Tensor, value = 1): Tensor => x.add(t1.mul(t2).mul(value));
/** x + value·t1/t2. */
export const addcdiv = (x: Tensor, t1: Tensor, t2: Tensor, value = 1): Tensor => x.add(t1.div(t2).mul(value));

/** x filled with draw()'s values, one call per element in row-major order; refused in the autograd graph. */
export function fillRandom<S extends Tensor>(op: string, x: S, draw: () => number): S {
  return fillRandomBulk(op, x, (a) => { for (let i = 0; i < a.length; i++) a[i] = draw(); });
}

/** Inside `nn.utils.skipInit`: random fills leave tensors as they are and draw nothing. */
let skippingInit = 0;

/** Runs `fn` with random fills (`uniform_`, `normal_`, so `nn.init`'s) turned into no-ops; see `nn.utils.skipInit`. */
export function withoutRandomFills<R>(fn: () => R): R {
  skippingInit++;
  try {
    return fn();
  } finally {
    skippingInit--;
  }
}

/** Whether random fills are no-ops now (inside `nn.utils.skipInit`): initialisers that draw otherwise skip their work too. */
export function randomFillsSkipped(): boolean {
  return skippingInit > 0;
}

/** `fillRandom` with the whole array filled at once (the generator's bulk fills). */
function fillRandomBulk<S extends Tensor>(op: string, x: S, fill: (a: ReturnType<typeof arrayFor>) => void): S {
  if (skippingInit > 0) return x;
  checkNoInternalOverlap(op, x);
  checkLeaf(op, x);
  if (x.requiresGrad && isGradEnabled())
    throw new TensileError(`${op}: cannot fill a tensor in the autograd graph with random values while grad mode is on (wrap it in noGrad)`);
  const a = arrayFor(x.dtype, x.numel());
  fill(a);
  // the backend takes the fresh array as it is where it can (no copy: a 100M-element weight is 400 MB)
  const src = x.backend.adopt ? x.backend.adopt(a, false) : x.backend.fromArray(a);
  assignInto(op, x, new Tensor(src, x.backend, [...x.shape]));
  return x;
}

export function uniform_<S extends Tensor>(x: S, a: number, b: number, g: Generator = defaultGenerator): S {
  // as torch: finite bounds (its "from/to is out of bounds for float") in order
  for (const [name, v] of [["from", a], ["to", b]] as const)
    if (typeof v !== "number" || !Number.isFinite(v)) throw new TensileError(`uniform_: ${name} must be a finite number, got ${fmtValue(v)}`);
  if (a > b) throw new TensileError(`uniform_: expects to return a [from, to) range, but found from=${a} > to=${b}`);
  return fillRandomBulk("uniform_", x, (arr) => g.fillUniform(arr, a, b));
}
export function normal_<S extends Tensor>(x: S, mean: number, std: number, g: Generator = defaultGenerator): S {
  if (typeof mean !== "number" || Number.isNaN(mean)) throw new TensileError(`normal_: mean must be a number, got ${fmtValue(mean)}`);
  if (typeof std !== "number" || !(std >= 0)) throw new TensileError(`normal_: expects std >= 0.0, but found std ${fmtValue(std)}`);
  return fillRandomBulk("normal_", x, (arr) => g.fillNormal(arr, mean, std));
}
