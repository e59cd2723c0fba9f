/**
 * Pytrees, as functorch's `torch.utils._pytree`: nested arrays (tuples and lists alike) and plain
 * objects (dicts) whose leaves are tensors or other values. The transforms of `func` flatten their
 * arguments and results to leaves, work on the tensors, and rebuild the same structure.
 */
import { Tensor } from "../tensor/tensor.js";
import { TensileError, fmtValue } from "../errors.js";

/** A tree's shape without its leaves. */
export type TreeSpec =
  | { kind: "leaf" }
  | { kind: "array"; children: TreeSpec[] }
  | { kind: "object"; keys: string[]; children: TreeSpec[] };

const LEAF: TreeSpec = { kind: "leaf" };

/** A plain object (`{...}`, or made with a null prototype): a dict node; class instances are leaves. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v) || v instanceof Tensor) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** The leaves of `tree` in order (arrays by index, objects by key order) and its spec. */
export function treeFlatten(tree: unknown): [unknown[], TreeSpec] {
  const leaves: unknown[] = [];
  const walk = (t: unknown): TreeSpec => {
    if (Array.isArray(t)) return { kind: "array", children: t.map(walk) };
    if (isPlainObject(t)) {
      const keys = Object.keys(t);
      return { kind: "object", keys, children: keys.map((k) => walk(t[k])) };
    }
    leaves.push(t);
    return LEAF;
  };
  const spec = walk(tree);
  return [leaves, spec];
}

/** Rebuilds a tree of `spec`'s structure from `leaves` (as many as the spec has). */
export function treeUnflatten(spec: TreeSpec, leaves: readonly unknown[]): unknown {
  let i = 0;
  const build = (s: TreeSpec): unknown => {
    if (s.kind === "leaf") return leaves[i++];
    if (s.kind === "array") return s.children.map(build);
    const o: Record<string, unknown> = {};
    s.keys.forEach((k, j) => (o[k] = build(s.children[j]!)));
    return o;
  };
  const out = build(spec);
  if (i !== leaves.length) throw new TensileError(`treeUnflatten: the spec has ${i} leaves, got ${leaves.length}`);
  return out;
}

export function treeMap(tree: unknown, fn: (leaf: unknown) => unknown): unknown {
  const [leaves, spec] = treeFlatten(tree);
  return treeUnflatten(spec, leaves.map(fn));
}

/** The number of leaves of a spec. */
export function specLeaves(spec: TreeSpec): number {
  return spec.kind === "leaf" ? 1 : spec.children.reduce((n, c) => n + specLeaves(c), 0);
}

/**
 * Broadcasts `prefix` — a tree whose structure is a prefix of `spec`'s, e.g. one number for a
 * whole subtree — to one value per leaf of `spec` (functorch's `in_dims`/`out_dims` rule).
 * `isValue` says which prefix values are leaves of the prefix (numbers and null for dims).
 */
export function broadcastPrefix(op: string, what: string, prefix: unknown, spec: TreeSpec, isValue: (v: unknown) => boolean): unknown[] {
  const out: unknown[] = [];
  const walk = (p: unknown, s: TreeSpec, path: string): void => {
    if (isValue(p)) {
      for (let n = specLeaves(s); n > 0; n--) out.push(p);
      return;
    }
    if (s.kind === "array" && Array.isArray(p) && p.length === s.children.length) {
      s.children.forEach((c, j) => walk(p[j], c, `${path}[${j}]`));
      return;
    }
    if (s.kind === "object" && isPlainObject(p)) {
      const keys = Object.keys(p);
      if (keys.length === s.keys.length && keys.every((k) => s.keys.includes(k))) {
        s.keys.forEach((k, j) => walk(p[k], s.children[j]!, `${path}.${k}`));
        return;
      }
    }
    const want = s.kind === "leaf" ? "a single value" : s.kind === "array" ? `an array of ${s.children.length}` : `an object with keys ${s.keys.join(", ")}`;
    throw new TensileError(`${op}: ${what}${path} is ${fmtValue(p)}, which does not match the structure of the corresponding value (${want}, or one value for all of it)`);
  };
  walk(prefix, spec, "");
  return out;
}
