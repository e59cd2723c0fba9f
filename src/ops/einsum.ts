/**
 * `einsum(equation, ...operands)`, as PyTorch's: "bij,bjk->bik", "i,i->", "bhqd,bhkd->bhqk",
 * "ij->ji", with or without "->" (implicit output: the letters used once, in alphabetical order).
 * Built from permute, reshape, sum and one batched matmul per pair of operands (contracted left to
 * right), so autograd needs nothing of its own. Not supported (a clear error): "..." and a letter
 * repeated within one operand (diagonals, "ii->i").
 */
import { TensileError, fmtShape } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import { matmul } from "./linalg.js";
import { permute } from "./movement.js";
import { sum } from "./reduce.js";
import { assertTensor } from "./util.js";

type T = Tensor;

/** A tensor with one letter per dim. */
interface Labeled {
  t: T;
  ix: string[];
}

/** Sums away the dims of `a` whose letters `keep` does not contain. */
function sumOut(a: Labeled, keep: Set<string>): Labeled {
  const drop = a.ix.map((c, i) => (keep.has(c) ? -1 : i)).filter((i) => i >= 0);
  if (drop.length === 0) return a;
  return { t: sum(a.t, drop), ix: a.ix.filter((c) => keep.has(c)) };
}

/** a·b contracted over their shared letters that `keep` does not need; the rest stay. */
function contract(a: Labeled, b: Labeled, keep: Set<string>, size: Map<string, number>): Labeled {
  const inB = new Set(b.ix), inA = new Set(a.ix);
  const batch = a.ix.filter((c) => inB.has(c) && keep.has(c));
  const summed = a.ix.filter((c) => inB.has(c) && !keep.has(c));
  const left = a.ix.filter((c) => !inB.has(c));
  const right = b.ix.filter((c) => !inA.has(c));
  const n = (cs: string[]) => cs.reduce((p, c) => p * size.get(c)!, 1);
  const order = (x: Labeled, cs: string[]) => permute(x.t, cs.map((c) => x.ix.indexOf(c)));
  // [batch, left, summed] · [batch, summed, right] → [batch, left, right]
  const A = order(a, [...batch, ...left, ...summed]).reshape([n(batch), n(left), n(summed)]);
  const B = order(b, [...batch, ...summed, ...right]).reshape([n(batch), n(summed), n(right)]);
  const ix = [...batch, ...left, ...right];
  return { t: matmul(A, B).reshape(ix.map((c) => size.get(c)!)), ix };
}

export function einsum(equation: string, ...operands: (T | T[])[]): T {
  const op = "einsum";
  if (typeof equation !== "string") throw new TensileError(`${op}: the equation must be a string, got ${typeof equation}`);
  // einsum(eq, [a, b]) as well as einsum(eq, a, b), as PyTorch accepts both
  const ts = (operands.length === 1 && Array.isArray(operands[0]) ? operands[0] : operands) as T[];
  ts.forEach((t, i) => assertTensor(op, t, `operand ${i}`));
  const eq = equation.replace(/\s+/g, "");
  if (eq.includes(".")) throw new TensileError(`${op}: ellipsis ("...") is not supported (equation "${equation}")`);
  const [lhs, rhs] = eq.includes("->") ? eq.split("->") as [string, string] : [eq, null];
  const terms = lhs.split(",");
  if (terms.length !== ts.length)
    throw new TensileError(`${op}: the equation "${equation}" has ${terms.length} operand(s) but ${ts.length} tensor(s) were given`);
  const size = new Map<string, number>();
  const count = new Map<string, number>();
  const labeled: Labeled[] = terms.map((term, k) => {
    const t = ts[k]!;
    if (!/^[a-zA-Z]*$/.test(term)) throw new TensileError(`${op}: operand subscripts must be letters, got "${term}" in "${equation}"`);
    const ix = [...term];
    if (ix.length !== t.ndim)
      throw new TensileError(`${op}: the number of subscripts in "${term}" (${ix.length}) does not match the number of dimensions (${t.ndim}) of operand ${k} ${fmtShape(t.shape)}`);
    if (new Set(ix).size !== ix.length)
      throw new TensileError(`${op}: a subscript repeated within one operand ("${term}": a diagonal) is not supported`);
    ix.forEach((c, d) => {
      const n = t.shape[d]!;
      const had = size.get(c);
      if (had !== undefined && had !== n && had !== 1 && n !== 1)
        throw new TensileError(`${op}: subscript ${c} has size ${n} in operand ${k} ${fmtShape(t.shape)} but ${had} elsewhere`);
      if (had === undefined || had === 1) size.set(c, n);
      count.set(c, (count.get(c) ?? 0) + 1);
    });
    return { t, ix };
  });
  const out = rhs === null ? [...count.keys()].filter((c) => count.get(c) === 1).sort() : [...rhs];
  if (rhs !== null) {
    if (!/^[a-zA-Z]*$/.test(rhs)) throw new TensileError(`${op}: output subscripts must be letters, got "${rhs}"`);
    if (new Set(out).size !== out.length) throw new TensileError(`${op}: output subscript repeated in "${rhs}"`);
    for (const c of out) if (!size.has(c)) throw new TensileError(`${op}: output subscript ${c} does not appear in the operands of "${equation}"`);
  }
  // size-1 dims that broadcast against a larger size of the same letter are expanded first
  const full = labeled.map((l) => {
    const shape = l.ix.map((c) => size.get(c)!);
    return shape.some((n, d) => n !== l.t.shape[d]) ? { t: l.t.expand(shape), ix: l.ix } : l;
  });
  // contract left to right, keeping the letters the output or a later operand still needs
  let acc = sumOut(full[0]!, new Set([...out, ...full.slice(1).flatMap((l) => l.ix)]));
  for (let k = 1; k < full.length; k++) {
    const keep = new Set([...out, ...full.slice(k + 1).flatMap((l) => l.ix)]);
    const b = sumOut(full[k]!, new Set([...keep, ...acc.ix]));
    acc = contract(sumOut(acc, new Set([...keep, ...b.ix])), b, keep, size);
  }
  acc = sumOut(acc, new Set(out));
  return acc.ix.length === 0 && out.length === 0 ? acc.t.reshape([]) : permute(acc.t, out.map((c) => acc.ix.indexOf(c)));
}
