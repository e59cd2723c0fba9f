/**
 * `einsum(equation, ...operands)`, as PyTorch's: "bij,bjk->bik", "i,i->", "bhqd,bhkd->bhqk",
 * "ij->ji", with or without "->" (implicit output: the letters used once, in alphabetical order,
 * after the ellipsis dims). "..." stands for broadcast dims ("...ij,...jk->...ik"), right-aligned
 * across operands as in broadcasting; a letter repeated within one operand takes that operand's
 * diagonal first ("ii->i", "ii" the trace, "...ii->...i"). PyTorch's sublist form works too:
 * einsum(a, [0, 1], b, [1, 2], [0, 2]), "..." for its Ellipsis. Built from diagonal, permute, reshape,
 * sum and one batched matmul per pair of operands (contracted left to right), so autograd needs
 * nothing of its own.
 */
import { TensileError, fmtShape } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import { diagonal, matmul } from "./linalg.js";
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

/** One operand's subscripts: letters, and ELLIPSIS where "..." stood (at most once). */
const ELLIPSIS = "...";

function parseSubscripts(op: string, term: string, equation: string, what: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < term.length; ) {
    if (term.startsWith(ELLIPSIS, i)) {
      if (out.includes(ELLIPSIS)) throw new TensileError(`${op}: ${what} "${term}" has more than one ellipsis ("...") in "${equation}"`);
      out.push(ELLIPSIS);
      i += 3;
    } else if (/[a-zA-Z]/.test(term[i]!)) out.push(term[i++]!);
    else throw new TensileError(`${op}: ${what} must be letters or "...", got "${term}" in "${equation}"`);
  }
  return out;
}

/** The label of ellipsis dim j (of `n`, counted from the left of the widest ellipsis). */
const ellipsisLabel = (j: number): string => `…${j}`;

/** A sublist: subscripts as integers in [0, 52) and "..." (PyTorch's Ellipsis). */
export type Sublist = readonly (number | "...")[];

/**
 * PyTorch's sublist form, einsum(a, [0, 1], b, [1, 2], [0, 2]), as an equation: 0–25 are A–Z and
 * 26–51 a–z, as in torch (so an implicit output lists them in numeric order).
 */
function sublistEquation(args: readonly unknown[]): { equation: string; operands: T[] } {
  const op = "einsum";
  const letter = (n: unknown, where: string): string => {
    if (n === "...") return "...";
    if (!Number.isInteger(n) || (n as number) < 0 || (n as number) >= 52)
      throw new TensileError(`${op}: subscripts in a sublist must be integers in [0, 52) or "...", got ${JSON.stringify(n)} in ${where}`);
    const k = n as number;
    return String.fromCharCode(k < 26 ? 65 + k : 97 + k - 26);
  };
  const terms: string[] = [];
  const operands: T[] = [];
  let at = 0;
  for (; at + 1 < args.length && args[at] instanceof Tensor; at += 2) {
    const sub = args[at + 1];
    if (!Array.isArray(sub)) throw new TensileError(`${op}: operand ${operands.length} must be followed by its sublist of subscripts, got ${typeof sub}`);
    operands.push(args[at] as T);
    terms.push(sub.map((n) => letter(n, `the sublist of operand ${operands.length - 1}`)).join(""));
  }
  let out: string | null = null;
  if (at === args.length - 1 && Array.isArray(args[at])) out = (args[at] as unknown[]).map((n) => letter(n, "the output sublist")).join("");
  else if (at !== args.length) throw new TensileError(`${op}: expected operands each followed by a sublist, then an optional output sublist (argument ${at} is ${args[at] instanceof Tensor ? "a tensor without a sublist" : typeof args[at]})`);
  if (operands.length === 0) throw new TensileError(`${op}: no operands`);
  return { equation: terms.join(",") + (out === null ? "" : `->${out}`), operands };
}

export function einsum(equation: string, ...operands: (T | T[])[]): T;
export function einsum(operand: T, sublist: Sublist, ...rest: (T | Sublist)[]): T;
export function einsum(equationOrOperand: string | T, ...rest: unknown[]): T {
  const op = "einsum";
  if (equationOrOperand instanceof Tensor) {
    const { equation, operands } = sublistEquation([equationOrOperand, ...rest]);
    return einsum(equation, ...operands);
  }
  const equation = equationOrOperand;
  const operands = rest as (T | T[])[];
  if (typeof equation !== "string") throw new TensileError(`${op}: the equation must be a string, got ${typeof equation}`);
  // einsum(eq, [a, b]) as well as einsum(eq, a, b), as PyTorch accepts both
  const ts = (operands.length === 1 && Array.isArray(operands[0]) ? operands[0] : operands) as T[];
  ts.forEach((t, i) => assertTensor(op, t, `operand ${i}`));
  const eq = equation.replace(/\s+/g, "");
  const [lhs, rhs] = eq.includes("->") ? eq.split("->") as [string, string] : [eq, null];
  if (rhs !== null && rhs.includes("->")) throw new TensileError(`${op}: the equation "${equation}" has more than one "->"`);
  const terms = lhs.split(",");
  if (terms.length !== ts.length)
    throw new TensileError(`${op}: the equation "${equation}" has ${terms.length} operand(s) but ${ts.length} tensor(s) were given`);
  const subs = terms.map((term) => parseSubscripts(op, term, equation, "operand subscripts"));
  // how many dims each operand's "..." covers; the widest sets the ellipsis labels
  const ellDims = subs.map((ix, k) => {
    const letters = ix.filter((c) => c !== ELLIPSIS).length;
    const t = ts[k]!;
    const has = ix.includes(ELLIPSIS);
    if (has ? letters > t.ndim : letters !== t.ndim)
      throw new TensileError(
        `${op}: the number of subscripts in "${terms[k]}" (${letters}${has ? " and an ellipsis" : ""}) does not match the number of dimensions (${t.ndim}) of operand ${k} ${fmtShape(t.shape)}`,
      );
    return has ? t.ndim - letters : 0;
  });
  const nEll = Math.max(0, ...ellDims);
  const anyEllipsis = subs.some((ix) => ix.includes(ELLIPSIS));
  const count = new Map<string, number>();
  const raw = subs.map((ix, k) =>
    ix.flatMap((c) => (c === ELLIPSIS ? Array.from({ length: ellDims[k]! }, (_, j) => ellipsisLabel(nEll - ellDims[k]! + j)) : [c])));
  for (const ix of subs) for (const c of ix) if (c !== ELLIPSIS) count.set(c, (count.get(c) ?? 0) + 1);
  // a letter repeated within one operand: that operand's diagonal over those dims comes first
  const size = new Map<string, number>();
  const labeled: Labeled[] = raw.map((ix0, k) => {
    let t = ts[k]!;
    let ix = ix0;
    for (;;) {
      const later = ix.findIndex((c, i) => ix.indexOf(c) !== i);
      if (later < 0) break;
      const c = ix[later]!;
      const d1 = ix.indexOf(c);
      const d2 = ix.indexOf(c, d1 + 1);
      if (t.shape[d1] !== t.shape[d2])
        throw new TensileError(`${op}: subscript ${c} is repeated in operand ${k} ("${terms[k]}") for dims of sizes ${t.shape[d1]} and ${t.shape[d2]} ${fmtShape(t.shape)}; a diagonal needs equal sizes`);
      t = diagonal(t, 0, d1, d2); // the diagonal dim goes last
      ix = [...ix.filter((_, i) => i !== d1 && i !== d2), c];
    }
    ix.forEach((c, d) => {
      const n = t.shape[d]!;
      const had = size.get(c);
      if (had !== undefined && had !== n && had !== 1 && n !== 1) {
        if (c.startsWith("…"))
          throw new TensileError(`${op}: the dims under "..." do not broadcast: size ${n} in operand ${k} ${fmtShape(ts[k]!.shape)} against ${had} elsewhere (dim ${Number(c.slice(1)) - nEll} of the ellipsis)`);
        throw new TensileError(`${op}: subscript ${c} has size ${n} in operand ${k} ${fmtShape(ts[k]!.shape)} but ${had} elsewhere`);
      }
      if (had === undefined || had === 1) size.set(c, n);
    });
    return { t, ix };
  });
  const ellLabels = Array.from({ length: nEll }, (_, j) => ellipsisLabel(j));
  let out: string[];
  if (rhs === null) {
    out = [...ellLabels, ...[...count.keys()].filter((c) => count.get(c) === 1).sort()];
  } else {
    const o = parseSubscripts(op, rhs, equation, "output subscripts");
    if (new Set(o).size !== o.length) throw new TensileError(`${op}: output subscript repeated in "${rhs}"`);
    for (const c of o) if (c !== ELLIPSIS && !count.has(c)) throw new TensileError(`${op}: output subscript ${c} does not appear in the operands of "${equation}"`);
    if (o.includes(ELLIPSIS) && !anyEllipsis)
      throw new TensileError(`${op}: the output of "${equation}" has an ellipsis ("...") but no operand has one`);
    // without "..." in an explicit output, the ellipsis dims are summed over
    out = o.flatMap((c) => (c === ELLIPSIS ? ellLabels : [c]));
  }
  // size-1 dims that broadcast against a larger size of the same label are expanded first
  const full = labeled.map((l) => {
    const shape = l.ix.map((c) => size.get(c)!);
    return shape.some((n, d) => n !== l.t.shape[d]) ? { t: l.t.expand(shape), ix: l.ix } : l;
  });
  // contract left to right, keeping the labels the output or a later operand still needs
  let acc = sumOut(full[0]!, new Set([...out, ...full.slice(1).flatMap((l) => l.ix)]));
  for (let k = 1; k < full.length; k++) {
    const keep = new Set([...out, ...full.slice(k + 1).flatMap((l) => l.ix)]);
    const b = sumOut(full[k]!, new Set([...keep, ...acc.ix]));
    acc = contract(sumOut(acc, new Set([...keep, ...b.ix])), b, keep, size);
  }
  acc = sumOut(acc, new Set(out));
  return acc.ix.length === 0 && out.length === 0 ? acc.t.reshape([]) : permute(acc.t, out.map((c) => acc.ix.indexOf(c)));
}
