/** The ONNX graph an export builds: nodes, initializers and the value name of every traced tensor. */
import type { Tensor } from "../../core.js";
import type { Attr, Elem } from "./proto.js";

// ---------------------------------------------------------------- the graph being built

export interface Node { op: string; inputs: string[]; outputs: string[]; attrs: Record<string, Attr> }
export interface Init { name: string; dims: number[]; elem: Elem; data: ArrayLike<number> }

export const elemOf = (t: Tensor): Elem => (t.dtype === "bool" ? "bool" : t.dtype);

export class Graph {
  nodes: Node[] = [];
  inits: Init[] = [];
  /** Constants taken from tensors the trace did not see made, in order: checked across the two runs. */
  constants: { name: string; shape: number[]; values: number[] }[] = [];
  names = new Map<Tensor, string>();
  /** Reshape targets, by node index: the second run tells which entries follow the batch size. */
  reshapes = new Map<number, number[]>();
  /** Expand targets, likewise: an entry that follows the batch size becomes 1 (the input's own). */
  expands = new Map<number, number[]>();
  expandInputs = new Map<number, number[]>();
  private count = 0;
  private initNames = new Set<string>();

  constructor(readonly params: Map<Tensor, string>) {}

  fresh(base: string): string {
    return `${base}_${this.count++}`;
  }
  node(op: string, inputs: string[], attrs: Record<string, Attr> = {}, out?: string): string {
    const o = out ?? this.fresh(op);
    this.nodes.push({ op, inputs, outputs: [o], attrs });
    return o;
  }
  /** A node with several outputs (an ONNX LSTM's Y, Y_h, Y_c); "" skips an optional input. */
  multi(op: string, inputs: string[], n: number, attrs: Record<string, Attr> = {}): string[] {
    const outs = Array.from({ length: n }, () => this.fresh(op));
    this.nodes.push({ op, inputs, outputs: outs, attrs });
    return outs;
  }
  /** An initializer of given values (not from a tensor): constants the exporter makes itself. */
  constant(base: string, dims: number[], elem: Elem, data: ArrayLike<number>): string {
    const name = this.fresh(base);
    this.inits.push({ name, dims, elem, data });
    return name;
  }
  ints(values: number[]): string {
    return this.constant("shape", [values.length], "int64", values);
  }
  /** Names of made constants the batch check fixes itself (reshape and expand targets). */
  batchShapes = new Set<string>();
  /** The value name of a tensor: an earlier op's output, a parameter or buffer, or a constant. */
  value(t: Tensor): string {
    const known = this.names.get(t);
    if (known) return known;
    const param = this.params.get(t);
    if (param) {
      if (!this.initNames.has(param)) {
        this.initNames.add(param);
        this.inits.push({ name: param, dims: [...t.shape], elem: elemOf(t), data: t.contiguous().dataSync() as ArrayLike<number> });
      }
      this.names.set(t, param);
      return param;
    }
    const values = Array.from(t.dataSync() as ArrayLike<number>, Number);
    const name = this.constant("const", [...t.shape], elemOf(t), values);
    this.constants.push({ name, shape: [...t.shape], values });
    this.names.set(t, name);
    return name;
  }
}

