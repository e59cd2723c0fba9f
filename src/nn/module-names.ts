/**
 * Helpers of `Module` kept apart so module.ts holds the class alone: the name checks of
 * `registerParameter` / `registerBuffer` / `registerModule` (PyTorch's `register_*` and `add_module`
 * rules), the order of `loadStateDict`'s unexpected keys, and a cast parameter's grad.
 */
import { Parameter, Tensor } from "../core.js";
import { TensileError } from "../errors.js";

/** Refuses a name that is not a string, is empty or contains "." (PyTorch's KeyError / TypeError). */
export function checkMemberName(owner: object, kind: string, name: unknown): asserts name is string {
  const op = `${owner.constructor.name}.register${kind}`;
  if (typeof name !== "string") throw new TensileError(`${op}: ${kind.toLowerCase()} name should be a string, got ${typeof name}`);
  if (name === "") throw new TensileError(`${op}: ${kind.toLowerCase()} name can't be empty string ""`);
  if (name.includes(".")) throw new TensileError(`${op}: ${kind.toLowerCase()} name can't contain ".", got "${name}"`);
}

/**
 * Whether `name` is an attribute a buffer may not take (PyTorch refuses any existing attribute that
 * is not a buffer): an own property holding something other than undefined or a plain tensor
 * (`training`, a child, a parameter, a `null` parameter or module slot), or a method of the class
 * (`forward`). A getter the class
 * defines stays allowed (a subclass may read its buffer through it).
 */
export function isTakenForBuffer(owner: object, name: string): boolean {
  const own = Object.getOwnPropertyDescriptor(owner, name);
  if (own) return own.get === undefined && !(own.value === undefined || (own.value instanceof Tensor && !(own.value instanceof Parameter)));
  for (let o = Object.getPrototypeOf(owner); o; o = Object.getPrototypeOf(o)) {
    const d = Object.getOwnPropertyDescriptor(o, name);
    if (d) return typeof d.value === "function";
  }
  return false;
}

/**
 * `loadStateDict`'s unexpected keys in PyTorch's order: each is reported by the deepest module on
 * its dotted path, modules in the pre-order of `namedModules("", false)` (`modulePaths`), keys of
 * one module in the state dict's order. (PyTorch skips a key whose first component past a module's
 * prefix names one of its parameters or buffers, `"w.zz"` for a parameter `w`; Tensile reports it.)
 */
export function orderUnexpectedKeys(keys: string[], modulePaths: string[]): string[] {
  const owner = (key: string): number => {
    let best = 0;
    modulePaths.forEach((p, i) => {
      if (p !== "" && key.startsWith(`${p}.`) && p.length > modulePaths[best]!.length) best = i;
    });
    return best;
  };
  return keys.map((k) => [owner(k), k] as const).sort((a, b) => a[0] - b[0]).map(([, k]) => k);
}

/** `np` with `old`'s grad passed through `cast` (PyTorch's `_apply` converts `.grad` too); returns `np`. */
export function withGrad(np: Parameter, old: Parameter, cast: (t: Tensor) => Tensor | null): Parameter {
  const g = old._peekGrad();
  if (g) np.grad = cast(g) ?? g;
  return np;
}


/**
 * Refuses a forward (pre-)hook's result that is a primitive (a number, string, boolean, …) when
 * what it would replace — the output, or the first argument — is not one. PyTorch replaces them with
 * any non-None result; in JavaScript the common capture idiom `(m, args, out) => maps.push(out)`
 * returns the array's new length, which would silently become the module's output (or its input).
 */
export function checkHookResult(owner: object, kind: "forward hook" | "forward pre-hook", result: unknown, replaced: unknown): void {
  if (result === null || (typeof result !== "number" && typeof result !== "string" && typeof result !== "boolean" && typeof result !== "bigint" && typeof result !== "symbol")) return;
  if (replaced === null || replaced === undefined || (typeof replaced !== "object" && typeof replaced !== "function")) return;
  const [what, example] = kind === "forward hook" ? ["output", "(m, args, out) => { maps.push(out); }"] : ["input", "(m, args) => { inputs.push(args[0]); }"];
  const shown = typeof result === "string" ? JSON.stringify(result) : String(result);
  throw new TensileError(
    `${owner.constructor.name}: a ${kind} returned ${shown} (a ${typeof result}), which would replace the module's ${what}` +
      ` (${replaced instanceof Tensor ? "a Tensor" : Array.isArray(replaced) ? "an array" : "an object"}); return undefined to keep it.` +
      ` arr.push(x) returns the array's new length: give the hook a block body, ${example}`,
  );
}
