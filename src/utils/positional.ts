/**
 * PyTorch's positional-or-keyword parameters, read the Tensile way: the arguments in PyTorch's order,
 * then an optional trailing options object (`new optim.SGD(params, 0.01, 0.9)`,
 * `new optim.SGD(params, 0.01, { momentum: 0.9 })` and `new optim.SGD(params, { lr: 0.01, momentum: 0.9 })`
 * all mean the same). One helper for every class (optimizers, schedulers, DataLoader, samplers, nn
 * layers), so they all accept the same forms and refuse the same mistakes: an options object that
 * is not last, more arguments than PyTorch takes, a value given both ways. Internal: not re-exported.
 */
import { TensileError, fmtValue } from "../errors.js";

/**
 * The argument list after a signature's required parameters: any prefix of the positional tuple `P`
 * (PyTorch's order), optionally followed by the options object `O`.
 * `WithOptions<[lr: number, momentum: number], O>` = `[O?] | [number, O?] | [number, number, O?]`.
 */
export type WithOptions<P extends readonly unknown[], O> = PositionalArgs<P, O> | [O?];

/** As `WithOptions`, but with at least the first positional value (the options-only form is a separate overload). */
export type PositionalArgs<P extends readonly unknown[], O> =
  P extends readonly [...infer Init, unknown] ? [...P, O?] | PositionalArgs<Init, O> : never;

/**
 * Whether `v` is an options object (an object literal) rather than a positional value: numbers,
 * strings, arrays, functions, class instances (Tensor, Generator, Sampler) and anything iterable are
 * positional values.
 */
export function isOptionsObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  return typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== "function";
}

/** `${op}: ${what} must be an options object ({ ... }), got 64` unless `v` is one (or undefined/null). */
export function checkOptionsObject(op: string, what: string, v: unknown): void {
  if (v === undefined || v === null || isOptionsObject(v)) return;
  throw new TensileError(`${op}: ${what} must be an options object ({ ... }), got ${describe(v)}`);
}

function describe(v: unknown): string {
  if (typeof v === "function") return "a function";
  if (Array.isArray(v)) return `an array ${fmtValue(v)}`;
  if (typeof v === "object" && v !== null && Object.getPrototypeOf(v) !== Object.prototype)
    return `a ${(v as object).constructor?.name ?? "object"}`;
  return `${typeof v} ${fmtValue(v)}`;
}

export interface PositionalSpec {
  /** The Tensile option names of PyTorch's positional-or-keyword parameters, in PyTorch's order. */
  keys: readonly string[];
  /**
   * Keys among `keys` that only choose PyTorch's implementation (`foreach`): a boolean or null
   * there is accepted and dropped; anything else is an error.
   */
  ignore?: readonly string[];
  /** What comes before these arguments, for the error messages ("params", "optimizer"). */
  after?: string;
  /**
   * When given, the option names allowed besides `keys` (often `[]` or `["dtype"]`): any other name
   * in the options object is an error (`unknown option "batch_size"`). Without it names are left to the caller.
   */
  known?: readonly string[];
  /** Keys of parameters PyTorch keeps only for old code (`sizeAverage`, `reduce`): null there is accepted, any other value refused. */
  deprecated?: readonly string[];
  /** Keys where a positional null is a value of its own (PyTorch's None, e.g. DataLoader's batch_size); elsewhere null means "not given". */
  keepNull?: readonly string[];
}

/**
 * Merges `args` — PyTorch-order positional values, then at most one options object, last — into one
 * options object. A positional `undefined` or `null` means "not given" (the default). Throws a
 * TensileError naming `op` for an options object that is not last, too many positional values,
 * a value given both positionally and as an option, or a non-boolean in an ignored slot.
 * Option names inside the object are checked against `spec.known` when given; without it only
 * snake_case names (PyTorch's spelling, never Tensile's) are refused.
 */
export function positionalOptions<O extends object>(op: string, args: readonly unknown[], spec: PositionalSpec): O {
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  const hasOptions = n > 0 && isOptionsObject(args[n - 1]);
  const positional = args.slice(0, hasOptions ? n - 1 : n);
  const options = hasOptions ? (args[n - 1] as Record<string, unknown>) : {};
  const { keys, ignore = [], after, keepNull = [], known, deprecated = [] } = spec;
  if (known) {
    const allowed = [...keys.filter((k) => !ignore.includes(k)), ...known];
    for (const k of Object.keys(options))
      if (!allowed.includes(k)) throw new TensileError(`${op}: unknown option "${k}" (expected one of: ${allowed.join(", ")})`);
  } else {
    // without a full list of names (nn.functional), PyTorch's snake_case spelling is still caught:
    // Tensile's options are camelCase, and `{ label_smoothing: 0.1 }` would otherwise be ignored
    for (const k of Object.keys(options))
      if (k.includes("_") && !keys.includes(k)) {
        const camel = k.replace(/_+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
        throw new TensileError(`${op}: unknown option "${k}" (Tensile's options are camelCase: ${JSON.stringify(camel)})`);
      }
  }
  const misplaced = positional.findIndex(isOptionsObject);
  if (misplaced !== -1)
    throw new TensileError(`${op}: the options object must be the last argument, got ${fmtValue(positional[misplaced])} in the place of ${keys[misplaced] ?? "an argument"}`);
  if (positional.length > keys.length)
    throw new TensileError(`${op}: takes at most ${keys.length} positional argument${keys.length === 1 ? "" : "s"}` +
      `${after ? ` after ${after}` : ""} (${keys.join(", ")}), then an options object; got ${positional.length}` +
      ` (extra: ${describe(positional[keys.length])})`);
  const out: Record<string, unknown> = { ...options };
  positional.forEach((v, i) => {
    const key = keys[i]!;
    if (v === undefined || (v === null && !keepNull.includes(key))) return;
    if (deprecated.includes(key))
      throw new TensileError(`${op}: ${key} (${key.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase())}) is deprecated in PyTorch and not supported; pass null there and use reduction`);
    if (ignore.includes(key)) {
      if (typeof v !== "boolean") throw new TensileError(`${op}: ${key} must be a boolean or null, got ${describe(v)}`);
      return;
    }
    if (options[key] !== undefined) throw new TensileError(`${op}: ${key} given both positionally and as an option`);
    out[key] = v;
  });
  return out as O;
}

/**
 * `zero_grad(set_to_none)` of modules and optimizers: `true`/`false` positionally, as PyTorch's
 * `zero_grad(False)`, or `{ setToNone }`; absent or null is true (PyTorch 2's default). Anything else
 * is an error, never silently the default (an options object passed where a boolean was expected
 * used to read as true, and `false` where an object was expected as the default true).
 */
export function setToNoneArg(op: string, arg: unknown): boolean {
  const { setToNone = true } = positionalOptions<{ setToNone?: unknown }>(op, [arg], { keys: ["setToNone"], known: [] });
  if (typeof setToNone !== "boolean") throw new TensileError(`${op}: setToNone must be a boolean, got ${describe(setToNone)}`);
  return setToNone;
}

/**
 * An op's PyTorch positional-or-keyword parameters after its tensor operands — `dim`, `keepdim`,
 * `descending`, `min`/`max`… — given in PyTorch's order, the last of them possibly an options object
 * naming the rest, as PyTorch's keywords: `x.argmax({ dim: 1, keepdim: true })`, `x.max(1, { keepdim:
 * true })`, `cat(xs, { dim: 1 })`, `x.clamp({ min: 0 })`. Returns one value per key (undefined where
 * not given), plus, when `rest` names options the op keeps in a trailing object of its own (sum's
 * `dtype`), that object (or undefined). Without an options object `args` come back as they are (no
 * allocation: these are hot paths).
 */
export function kwArgs<A extends unknown[]>(op: string, args: A, keys: readonly string[], rest: readonly string[] = []): A {
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  if (n === 0 || !isOptionsObject(args[n - 1])) return args;
  const last = args[n - 1] as Record<string, unknown>;
  // the op's own trailing options object, after its positional values: leave it where it is
  if (rest.length && n - 1 <= keys.length && Object.keys(last).every((k) => rest.includes(k)) && !args.slice(0, n - 1).some(isOptionsObject)) {
    const out = [...args.slice(0, n - 1)];
    while (out.length < keys.length) out.push(undefined);
    return [...out, last] as A;
  }
  const named = positionalOptions<Record<string, unknown>>(op, args.slice(0, n), { keys, known: rest });
  const out: unknown[] = keys.map((k) => named[k]);
  if (rest.length) {
    const r = Object.fromEntries(rest.filter((k) => named[k] !== undefined).map((k) => [k, named[k]]));
    out.push(Object.keys(r).length ? r : undefined);
  }
  return out as A;
}
