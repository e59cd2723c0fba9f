/**
 * Module backward hooks (PyTorch's `register_full_backward_hook`): `hook(module, gradInput,
 * gradOutput)` runs during backward once the gradients with respect to the module's tensor
 * arguments are all known, and may return replacements for them.
 *
 * How: each tensor argument that requires grad reaches `forward` through an alias whose graph node
 * hangs off one shared "gate" node, whose inputs are the real arguments; each tensor output leaves
 * through an alias that notes its gradient. The gate is an ancestor of every alias, so the engine
 * runs its rule only after every alias's: there the gradients of all arguments are in hand, the
 * hooks run, and what they return flows on to the arguments. The aliases' rules pass the gate a
 * zero-size gradient, so the gate costs no copies.
 */
import { Tensor, zeros } from "../core.js";
import { record } from "../autograd/engine.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import type { Module } from "./module.js";

/** `hook(module, gradInput, gradOutput)`: one entry per positional argument / output (top level of an array), null where no gradient flows. */
export type BackwardHook = (module: Module, gradInput: (Tensor | null)[], gradOutput: (Tensor | null)[]) => (Tensor | null)[] | void | undefined;

const NAME = "BackwardHookFunctionBackward";

const alias = (t: Tensor): Tensor => new Tensor(t.storage, t.backend, t.shape, t.strides, t.offset);

/**
 * The hooks keep gradients beyond the rule that made them: a tensor hook on the alias tells the
 * engine so, and it then leaves the pass's temporaries to the collector (as for any tensor hook)
 * instead of releasing them after each rule.
 */
function keepsGrads(t: Tensor): Tensor {
  t.registerHook(() => undefined);
  return t;
}

/** One forward call's bookkeeping. */
export class BackwardHookCall {
  private gradInput: (Tensor | null)[] = [];
  private gradOutput: (Tensor | null)[] = [];
  private gated = false;
  private outputsWanted = 0;
  private outputsSeen = 0;

  constructor(private readonly module: Module, private readonly hooks: readonly BackwardHook[]) {}

  /** The arguments `forward` gets: tensors that require grad replaced by aliases behind the gate. */
  wrapInputs(args: unknown[]): unknown[] {
    this.gradInput = args.map(() => null);
    const needing: number[] = [];
    args.forEach((a, i) => {
      if (a instanceof Tensor && a.requiresGrad) needing.push(i);
    });
    if (needing.length === 0) return args;
    const first = args[needing[0]!] as Tensor;
    const gate = record(NAME, zeros([0], { dtype: first.dtype }), needing.map((i) => args[i] as Tensor), () => this.fire(needing), undefined, []);
    this.gated = true;
    const out = [...args];
    for (const i of needing) {
      out[i] = keepsGrads(record(NAME, alias(args[i] as Tensor), [gate], (g) => {
        this.gradInput[i] = this.gradInput[i] ? this.gradInput[i]!.add(g) : g;
        return [zeros([0], { dtype: g.dtype })];
      }, undefined, []));
    }
    return out;
  }

  /** The output the caller gets: tensors (alone or at the top level of an array) behind aliases that note their gradients. */
  wrapOutputs(out: unknown): unknown {
    const wrap = (t: Tensor, slot: number): Tensor => {
      if (!t.requiresGrad) return t;
      this.outputsWanted++;
      return keepsGrads(record(NAME, alias(t), [t], (g) => {
        this.gradOutput[slot] = this.gradOutput[slot] ? this.gradOutput[slot]!.add(g) : g;
        // without a gate (no argument requires grad) the hooks run once every output's gradient is known
        if (!this.gated && ++this.outputsSeen === this.outputsWanted) this.fire([]);
        return [g];
      }, undefined, []));
    };
    if (out instanceof Tensor) {
      this.gradOutput = [null];
      return wrap(out, 0);
    }
    if (Array.isArray(out)) {
      this.gradOutput = out.map(() => null);
      return out.map((o, i) => (o instanceof Tensor ? wrap(o, i) : o));
    }
    return out;
  }

  /** Runs the hooks; returns the gradients for the gate's inputs (`slots`: their argument positions). */
  private fire(slots: number[]): (Tensor | null)[] {
    // a second backward through a retained graph starts afresh, as the hooks run again
    let gradInput = this.gradInput;
    const gradOutput = this.gradOutput;
    this.gradInput = gradInput.map(() => null);
    this.gradOutput = gradOutput.map(() => null);
    this.outputsSeen = 0;
    for (const hook of this.hooks) {
      const r = hook(this.module, [...gradInput], [...gradOutput]);
      if (r === undefined) continue;
      if (!Array.isArray(r) || r.length !== gradInput.length)
        throw new TensileError(`${this.module.constructor.name} backward hook: returned ${fmtValue(r)}; expected an array of ${gradInput.length} gradients (Tensor or null), one per argument`);
      r.forEach((g, k) => {
        const was = gradInput[k];
        if (g !== null && !(g instanceof Tensor))
          throw new TensileError(`${this.module.constructor.name} backward hook: gradient ${k} is ${fmtValue(g)}; expected a Tensor or null`);
        if (g && was && (g.shape.length !== was.shape.length || g.shape.some((d, j) => d !== was.shape[j])))
          throw new TensileError(`${this.module.constructor.name} backward hook: gradient ${k} has shape ${fmtShape(g.shape)}, expected ${fmtShape(was.shape)}`);
      });
      gradInput = r;
    }
    return slots.map((k) => gradInput[k] ?? null);
  }
}
