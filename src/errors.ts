/** Every bad input to Tensile throws a TensileError whose message names the op and the values at fault. */
export class TensileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TensileError";
  }
}

/** Throws `TensileError(`${op}: ${message}`)` unless `cond` holds. */
export function check(cond: unknown, op: string, message: string | (() => string)): asserts cond {
  if (!cond) throw new TensileError(`${op}: ${typeof message === "function" ? message() : message}`);
}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}
