/**
 * More recorded ops for the ONNX export (opset 17), split from ops.ts: comparisons and logical ops
 * (reported by `traceOp`, since they are not recorded for autograd), gather (and through it
 * indexSelect, takeAlongDim, F.embedding and the reflect / replicate / circular forms of F.pad),
 * constant F.pad, pow with a recorded exponent, softplus with β and threshold, logSigmoid, log1p,
 * round, prod, cumsum, the p-norms, logsumexp, argmax / argmin (and max / min along a dim, their
 * gather). sort / topk indices are refused: they are ordered by the values. `moreOp` answers undefined for an op it does not
 * know, and ops.ts's `opNode` takes it.
 */
import type { Tensor } from "../../core.js";
import { TensileError, fmtShape } from "../../errors.js";
import { ELEM } from "./proto.js";
import { type Graph, elemOf } from "./graph.js";

const COMPARE: Record<string, string> = { eq: "Equal", lt: "Less", le: "LessOrEqual", gt: "Greater", ge: "GreaterOrEqual" };
const LOGICAL: Record<string, string> = { logicalAnd: "And", logicalOr: "Or", logicalXor: "Xor" };

/** A scalar constant of `like`'s element type. */
const scalarOf = (g: Graph, base: string, like: Tensor, v: number): string => g.constant(base, [], elemOf(like), [v]);

/** The node for a recorded op this file exports, or undefined where it does not know `name`. */
export function moreOp(g: Graph, name: string, out: Tensor, ins: Tensor[], attrs: Record<string, unknown>): string | undefined {
  const v = ins.map((t) => g.value(t));
  const asBool = (x: string, t: Tensor) => (t.dtype === "bool" ? x : g.node("Cast", [x], { to: ELEM.bool }));
  if (COMPARE[name] || name === "ne") {
    // ONNX Runtime orders no bools (Less on bool has no kernel): compare them as int32
    const ordered = name !== "eq" && name !== "ne" && ins[0]!.dtype === "bool";
    const xs = ordered ? v.map((x) => g.node("Cast", [x], { to: ELEM.int32 })) : v;
    if (name === "ne") return g.node("Not", [g.node("Equal", xs)]);
    return g.node(COMPARE[name]!, xs);
  }
  if (LOGICAL[name]) return g.node(LOGICAL[name]!, [asBool(v[0]!, ins[0]!), asBool(v[1]!, ins[1]!)]);
  switch (name) {
    case "logicalNot": return g.node("Not", [asBool(v[0]!, ins[0]!)]);
    // an int or bool tensor holds no NaN: x ≠ x, all false
    case "isnan": return ins[0]!.dtype.startsWith("float") ? g.node("IsNaN", [v[0]!]) : g.node("Not", [g.node("Equal", [v[0]!, v[0]!])]);
    case "isfinite":
      if (!ins[0]!.dtype.startsWith("float")) return g.node("Equal", [v[0]!, v[0]!]);
      return g.node("Not", [g.node("Or", [g.node("IsNaN", [v[0]!]), g.node("IsInf", [v[0]!])])]);
    case "pow": {
      // x² and x³, computed as products (pow records x alone with its exponent)
      if (ins.length !== 1 || attrs.exponent === undefined) return undefined;
      const sq = g.node("Mul", [v[0]!, v[0]!]);
      return attrs.exponent === 2 ? sq : g.node("Mul", [sq, v[0]!]);
    }
    case "log1p": return g.node("Log", [g.node("Add", [v[0]!, scalarOf(g, "one", ins[0]!, 1)])]);
    case "round": return g.node("Round", [v[0]!]); // half to even, as PyTorch's
    case "softplus": {
      // ONNX's Softplus has no β or threshold: x where βx > threshold, else Softplus(βx)/β
      const beta = (attrs.beta as number | undefined) ?? 1, threshold = (attrs.threshold as number | undefined) ?? 20;
      const bx = beta === 1 ? v[0]! : g.node("Mul", [v[0]!, scalarOf(g, "beta", ins[0]!, beta)]);
      const soft = beta === 1 ? g.node("Softplus", [bx]) : g.node("Div", [g.node("Softplus", [bx]), scalarOf(g, "beta", ins[0]!, beta)]);
      return g.node("Where", [g.node("Greater", [bx, scalarOf(g, "threshold", ins[0]!, threshold)]), v[0]!, soft]);
    }
    case "logSigmoid": return g.node("Neg", [g.node("Softplus", [g.node("Neg", [v[0]!])])]);
    case "prod": {
      const axes = attrs.axes as number[] | undefined;
      if (!axes) return undefined;
      return g.node("ReduceProd", [v[0]!], { ...(axes.length ? { axes } : {}), keepdims: attrs.keepdim ? 1 : 0 });
    }
    case "cumsum": {
      if (attrs.dim === undefined) return undefined;
      return g.node("CumSum", [v[0]!, g.constant("axis", [], "int64", [attrs.dim as number])]);
    }
    case "norm": {
      // p = 2: recorded on the sum of squares; p = 0: a count of non-zeros (of |x|); else (Σ|x|^p)^(1/p)
      if (attrs.sqrtOfSum) return g.node("Sqrt", [v[0]!]);
      const p = attrs.p as number | undefined, axes = attrs.axes as number[] | undefined;
      if (p === undefined || !axes) return undefined;
      const keepdims = attrs.keepdim ? 1 : 0;
      const reduce = (x: string) => g.node("ReduceSum", [x, g.ints(axes)], { keepdims });
      if (p === 0) {
        const nonzero = g.node("Not", [g.node("Equal", [v[0]!, scalarOf(g, "zero", ins[0]!, 0)])]);
        return reduce(g.node("Cast", [nonzero], { to: ELEM[elemOf(out)] }));
      }
      const powered = g.node("Pow", [g.node("Abs", [v[0]!]), scalarOf(g, "p", ins[0]!, p)]);
      return g.node("Pow", [reduce(powered), scalarOf(g, "inv_p", ins[0]!, 1 / p)]);
    }
    case "gather": {
      // gather, and every op made of it (indexSelect, takeAlongDim, F.embedding, reflect/replicate/circular F.pad)
      const index = attrs.index as Tensor | undefined;
      if (!index || attrs.dim === undefined) return undefined;
      return g.node("GatherElements", [v[0]!, g.value(index)], { axis: attrs.dim as number });
    }
    case "pad": {
      // constant F.pad, after its crops (negative padding, recorded as slices)
      const pads = attrs.pads as number[] | undefined;
      if (!pads) return undefined;
      return g.node("Pad", [v[0]!, g.ints(pads), scalarOf(g, "pad_value", out, attrs.value as number)], { mode: "constant" });
    }
    case "argmax":
    case "argmin": {
      // the first index of the extreme, as PyTorch's (ONNX's select_last_index 0); int64 → int32
      const axes = attrs.axes as number[] | undefined;
      if (!axes || axes.length !== 1) return undefined;
      const y = g.node(name === "argmax" ? "ArgMax" : "ArgMin", [v[0]!], { axis: axes[0]!, keepdims: attrs.keepdim ? 1 : 0 });
      return g.node("Cast", [y], { to: ELEM[elemOf(out)] });
    }
    case "sort":
      // ONNX's TopK orders ties by its own rule, and NaN differently: not exported
      throw new TensileError(`exportOnnx: sort / argsort / topk / msort (indices ${fmtShape(out.shape)} ordered by the values) has no ONNX export here; ` +
        "an index computed from the values cannot be a constant of the graph");
    case "selectIndices":
      throw new TensileError(`exportOnnx: ${String(attrs.op)} (indices ${fmtShape(out.shape)} chosen by the values) has no ONNX export here; ` +
        "an index computed from the values cannot be a constant of the graph");
    case "im2col":
      throw new TensileError(`exportOnnx: F.unfold (and F.avgPool1d, F.lpPool1d / F.lpPool2d, which run on it: "im2col", output ${fmtShape(out.shape)}) has no ONNX export here; ` +
        "use the layers nn.AvgPool1d / nn.AvgPool2d instead, or compute windows with convolutions");
    default: return undefined;
  }
}

/** Functional ops traced as one unit that this file exports (logsumexp), or undefined. */
export function moreFunctional(g: Graph, name: string, x: string, a: Record<string, unknown>): string | undefined {
  if (name !== "logsumexp") return undefined;
  const axes = a.axes as number[];
  return g.node("ReduceLogSumExp", [x], { ...(axes.length ? { axes } : {}), keepdims: a.keepdim ? 1 : 0 });
}
