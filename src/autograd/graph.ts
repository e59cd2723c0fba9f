/**
 * `autograd.graph`: the backward graph behind a tensor, for people learning what backpropagation
 * walks through — as a text tree (`printGraph`) or as Graphviz DOT (`toDot`, torchviz's `make_dot`).
 *
 * ```ts
 * const loss = criterion.forward(model.forward(x), y);
 * console.log(autograd.graph.printGraph(loss, { params: model.namedParameters() }));
 * // crossEntropy → [] float32
 * // └─ linear → [64, 10]
 * //    ├─ relu → [64, 500]
 * //    │  └─ linear → [64, 500]
 * //    │     ├─ fc1.weight [500, 784] (leaf, AccumulateGrad)
 * //    │     └─ fc1.bias [500] (leaf, AccumulateGrad)
 * //    ├─ fc2.weight [10, 500] (leaf, AccumulateGrad)
 * //    └─ fc2.bias [10] (leaf, AccumulateGrad)
 * fs.writeFileSync("graph.dot", autograd.graph.toDot(loss, { params: model.namedParameters() })); // dot -Tsvg
 * ```
 *
 * Each op node is named as Tensile records it (`linear`, `relu`; PyTorch's `AddmmBackward0`…), with
 * the shape of the tensor it made. Inputs that need no gradient (the data) are not part of the
 * backward graph and are left out, as in PyTorch's `next_functions`.
 */
import { TensileError, fmtShape } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";

export interface GraphOptions {
  /** Names for leaves: `model.namedParameters()` (pairs) or an object of name → tensor. */
  params?: Iterable<readonly [string, Tensor]> | Record<string, Tensor>;
}

export interface PrintGraphOptions extends GraphOptions {
  /** Levels printed below the root (default 100); deeper parts are summarised in one line. */
  maxDepth?: number;
}

function names(opts: GraphOptions): Map<Tensor, string> {
  const m = new Map<Tensor, string>();
  const p = opts.params;
  if (!p) return m;
  const entries = Symbol.iterator in Object(p) ? [...(p as Iterable<readonly [string, Tensor]>)] : Object.entries(p as Record<string, Tensor>);
  for (const [k, t] of entries) if (!m.has(t)) m.set(t, k);
  return m;
}

function checkRoot(op: string, root: unknown): Tensor[] {
  const roots = Array.isArray(root) ? root : [root];
  for (const r of roots)
    if (!r || typeof r !== "object" || !("requiresGrad" in (r as object)))
      throw new TensileError(`${op}: expected a Tensor or an array of Tensors, got ${typeof r}`);
  return roots as Tensor[];
}

/** The tensors of the graph that feed `t` and need a gradient, in the op's input order. */
const inputsOf = (t: Tensor): Tensor[] => (t.gradFn ? t.gradFn.inputs.filter((i): i is Tensor => !!i) : []);

/**
 * The backward graph of `root` as a text tree: each op with the shape and dtype of what it made,
 * each leaf with its name (from `params`), shape and `.grad`'s accumulator; a subgraph reached twice
 * is printed once and then referred to.
 */
export function printGraph(root: Tensor | readonly Tensor[], opts: PrintGraphOptions = {}): string {
  const roots = checkRoot("printGraph", root);
  const named = names(opts ?? {});
  const maxDepth = opts?.maxDepth ?? 100;
  if (!(maxDepth >= 0)) throw new TensileError(`printGraph: maxDepth must be ≥ 0, got ${maxDepth}`);
  // ops reached from more than one place get a number, so the later mentions can point back
  const uses = new Map<Tensor, number>();
  const walk = [...roots];
  while (walk.length) {
    const t = walk.pop()!;
    const n = (uses.get(t) ?? 0) + 1;
    uses.set(t, n);
    if (n === 1) walk.push(...inputsOf(t));
  }
  const ids = new Map<Tensor, number>();
  const printed = new Set<Tensor>();
  const lines: string[] = [];
  const label = (t: Tensor): string => {
    if (t.gradFn) return `${t.gradFn.name} → ${fmtShape(t.shape)}${t.dtype === "float32" ? "" : ` ${t.dtype}`}`;
    const name = named.get(t) ?? (t.requiresGrad ? "leaf" : "tensor");
    return `${name} ${fmtShape(t.shape)}${t.dtype === "float32" ? "" : ` ${t.dtype}`}${t.requiresGrad ? " (leaf, AccumulateGrad)" : ""}`;
  };
  // iterative, so a deep graph (an RNN unrolled over many steps) does not overflow the stack
  const stack: { t: Tensor; prefix: string; branch: string; depth: number }[] = roots.map((t) => ({ t, prefix: "", branch: "", depth: 0 })).reverse();
  while (stack.length) {
    const { t, prefix, branch, depth } = stack.pop()!;
    if (depth > maxDepth) {
      lines.push(`${prefix}${branch}… (deeper than maxDepth ${maxDepth}: not shown)`);
      continue;
    }
    const kids = inputsOf(t);
    if (printed.has(t) && kids.length) {
      lines.push(`${prefix}${branch}${label(t)}  (#${ids.get(t)}, shown above)`);
      continue;
    }
    printed.add(t);
    if (kids.length && (uses.get(t) ?? 0) > 1 && !ids.has(t)) ids.set(t, ids.size + 1);
    const id = ids.get(t);
    lines.push(`${prefix}${branch}${label(t)}${id !== undefined ? `  #${id}` : ""}`);
    const childPrefix = prefix + (branch === "" ? "" : branch === "└─ " ? "   " : "│  ");
    for (let i = kids.length - 1; i >= 0; i--)
      stack.push({ t: kids[i]!, prefix: childPrefix, branch: i === kids.length - 1 ? "└─ " : "├─ ", depth: depth + 1 });
  }
  return lines.join("\n");
}

/** A DOT string's text: backslashes and quotes escaped, line breaks as DOT's `\n`. */
const esc = (s: string): string => s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

/**
 * The backward graph of `root` in Graphviz's DOT language, drawn as torchviz's `make_dot` draws it:
 * grey boxes for ops (labelled with the op and the shape it made), light blue for leaves that
 * require grad (their `params` name and shape), green for the roots; an edge from each input to
 * the op that used it. Render with `dot -Tsvg graph.dot > graph.svg`.
 */
export function toDot(root: Tensor | readonly Tensor[], opts: GraphOptions = {}): string {
  const roots = checkRoot("toDot", root);
  const named = names(opts ?? {});
  const id = new Map<Tensor, string>();
  const out = [
    "digraph {",
    '  graph [size="12,12"]',
    '  node [align=left fontname=monospace fontsize=10 height=0.2 ranksep=0.1 shape=box style=filled]',
  ];
  const edges: string[] = [];
  const visit: Tensor[] = [...roots];
  const rootSet = new Set(roots);
  while (visit.length) {
    const t = visit.pop()!;
    if (id.has(t)) continue;
    const name = `n${id.size}`;
    id.set(t, name);
    const shape = fmtShape(t.shape);
    let label: string, fill: string;
    if (t.gradFn) {
      label = `${t.gradFn.name}\n${shape}`;
      fill = rootSet.has(t) ? "darkolivegreen1" : "lightgrey";
    } else {
      label = `${named.get(t) ?? "leaf"}\n${shape}`;
      fill = rootSet.has(t) ? "darkolivegreen1" : "lightblue";
    }
    out.push(`  ${name} [label="${esc(label)}" fillcolor=${fill}]`);
    for (const i of inputsOf(t)) visit.push(i);
  }
  for (const [t, name] of id) for (const i of inputsOf(t)) edges.push(`  ${id.get(i)} -> ${name}`);
  return [...out, ...edges, "}", ""].join("\n");
}
