/**
 * `autograd.profiler` (PyTorch's `torch.autograd.profiler.profile` / `torch.profiler.profile`): where
 * the time of a piece of code goes, op by op.
 *
 * ```ts
 * const prof = autograd.profiler.profile(() => trainStep(), { recordShapes: true });
 * console.log(prof.keyAverages().table({ sortBy: "selfCpuTimeTotal", rowLimit: 10 }));
 * prof.exportChromeTrace("trace.json"); // chrome://tracing or ui.perfetto.dev
 * ```
 *
 * While `fn` runs, three levels are timed, nested as they call each other:
 * - every `Tensor` method (`matmul`, `relu`, `backward`…), the user-level ops (PyTorch's `aten::`);
 * - every backend primitive they call (`kernel:matmul`, `kernel:unary(exp)`), where the arithmetic
 *   happens (on wasm, synchronously, so the time is the kernel's);
 * - every backward rule the engine runs (`relu backward`, PyTorch's `ReluBackward0`);
 * - and the user's own ranges, `recordFunction(name, fn)` (PyTorch's `record_function`).
 *
 * The instrumentation is installed for the duration of `fn` only (the methods are wrapped, then put
 * back), so code that is not profiled pays nothing. Each event costs a few hundred nanoseconds,
 * which the totals of very small ops include. Functions that are not Tensor methods (`F.relu`,
 * `matmul(a, b)`) appear through the methods and kernels they call.
 */
import { TensileError, fmtShape } from "../errors.js";
import { getBackend, listBackends } from "../backends/registry.js";
import type { Backend } from "../backends/backend.js";
import { writeFileAtomic } from "../io/atomic.js";
import { Tensor } from "../tensor/tensor.js";
import { profileHook } from "./profile-hook.js";

export type EventKind = "op" | "kernel" | "backward" | "module" | "user";

/** One timed call. Times are milliseconds from the start of the profile. */
export interface ProfilerEvent {
  readonly name: string;
  readonly kind: EventKind;
  readonly start: number;
  /** Wall time of the call, its children included (PyTorch's CPU total). */
  duration: number;
  /** `duration` less its children's (PyTorch's self CPU). */
  selfDuration: number;
  /** Nesting level: 0 for calls made by the profiled code itself. */
  readonly depth: number;
  /** The shapes of the tensor arguments (`recordShapes`); non-tensor arguments are `[]`. */
  readonly inputShapes?: readonly (readonly number[])[];
}

export interface ProfileOptions {
  /** Record the shapes of each call's tensor arguments (PyTorch's `record_shapes`). */
  recordShapes?: boolean;
  /** Time backend primitives as well as Tensor methods (default true). */
  kernels?: boolean;
  /**
   * Modules whose `forward` calls, and their submodules', become events named by class and path
   * (`Linear (fc1)`, `ReLU (layers.1)`): where a model's time goes, layer by layer.
   */
  modules?: ModuleLike | readonly ModuleLike[];
}

/** What `modules` needs of a module (an `nn.Module`; autograd does not import nn). */
export interface ModuleLike {
  namedModules(): Iterable<[string, object]>;
}

export type SortKey = "cpuTimeTotal" | "selfCpuTimeTotal" | "count" | "cpuTimeAvg" | "name";

/** The events of one name (and shapes, with `groupByInputShape`), summed: a row of `table()`. */
export interface KeyAverage {
  readonly name: string;
  readonly kind: EventKind;
  readonly inputShapes?: readonly (readonly number[])[];
  count: number;
  /** Total and self times over all calls, in ms. */
  cpuTimeTotal: number;
  selfCpuTimeTotal: number;
  readonly cpuTimeAvg: number;
}

/** What `keyAverages()` returns: the rows, and PyTorch's table of them. */
export class KeyAverages extends Array<KeyAverage> {
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  /**
   * A text table like PyTorch's `key_averages().table()`: name, self time and its share, total
   * time and its share, average, calls (and shapes). Shares are of the profile's total self time.
   */
  table(opts: { sortBy?: SortKey; rowLimit?: number } = {}): string {
    const sortBy = opts.sortBy ?? "cpuTimeTotal";
    const rows = [...this].sort((a, b) =>
      sortBy === "name" ? a.name.localeCompare(b.name) : (b[sortBy] as number) - (a[sortBy] as number) || a.name.localeCompare(b.name));
    const shown = opts.rowLimit === undefined ? rows : rows.slice(0, Math.max(0, opts.rowLimit));
    const selfTotal = this.reduce((s, r) => s + r.selfCpuTimeTotal, 0);
    const shapes = this.some((r) => r.inputShapes !== undefined);
    const head = ["Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg", "# of Calls", ...(shapes ? ["Input Shapes"] : [])];
    const pct = (v: number) => `${selfTotal > 0 ? ((100 * v) / selfTotal).toFixed(2) : "0.00"}%`;
    const body = shown.map((r) => [
      r.name, pct(r.selfCpuTimeTotal), fmtTime(r.selfCpuTimeTotal), pct(r.cpuTimeTotal), fmtTime(r.cpuTimeTotal),
      fmtTime(r.cpuTimeAvg), String(r.count),
      ...(shapes ? [r.inputShapes ? `[${r.inputShapes.map((s) => fmtShape(s as number[])).join(", ")}]` : ""] : []),
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
    const line = widths.map((w) => "-".repeat(w)).join("  ");
    const fmtRow = (row: string[]) => row.map((c, i) => (i === 0 || i === 7 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd();
    return [line, fmtRow(head), line, ...body.map(fmtRow), line, `Self CPU time total: ${fmtTime(selfTotal)}`, ""].join("\n");
  }
}

function fmtTime(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(3)}s`;
  if (ms >= 1) return `${ms.toFixed(3)}ms`;
  return `${(ms * 1000).toFixed(3)}us`;
}

/** The result of `profile`: every event in the order the calls began. */
export class Profile {
  constructor(
    readonly events: readonly ProfilerEvent[],
    /** Wall time of the whole profiled function, in ms. */
    readonly totalTime: number,
  ) {}

  /**
   * The events summed by name (and by input shapes with `groupByInputShape`, which needs
   * `recordShapes`), as PyTorch's `key_averages()`.
   */
  keyAverages(opts: { groupByInputShape?: boolean } = {}): KeyAverages {
    const byShape = opts.groupByInputShape ?? false;
    if (byShape && this.events.length && !this.events.some((e) => e.inputShapes))
      throw new TensileError("keyAverages: groupByInputShape needs a profile taken with { recordShapes: true }");
    const rows = new Map<string, KeyAverage>();
    for (const e of this.events) {
      const key = byShape ? `${e.name}\u0000${JSON.stringify(e.inputShapes ?? null)}` : e.name;
      let r = rows.get(key);
      if (!r) {
        r = { name: e.name, kind: e.kind, ...(byShape ? { inputShapes: e.inputShapes } : {}), count: 0, cpuTimeTotal: 0, selfCpuTimeTotal: 0,
          get cpuTimeAvg() { return this.count ? this.cpuTimeTotal / this.count : 0; } };
        rows.set(key, r);
      }
      r.count++;
      r.selfCpuTimeTotal += e.selfDuration;
      // a name nested in itself (a method calling itself through another) counts its time once
      if (!hasAncestorNamed(e)) r.cpuTimeTotal += e.duration;
    }
    return KeyAverages.from(rows.values()) as KeyAverages;
  }

  /** The events as a Chrome trace (the JSON that chrome://tracing and Perfetto open). */
  chromeTrace(): { traceEvents: object[]; displayTimeUnit: "ms" } {
    return {
      displayTimeUnit: "ms",
      traceEvents: this.events.map((e) => ({
        name: e.name, cat: e.kind, ph: "X", pid: 0, tid: 0,
        ts: Math.round(e.start * 1000 * 1000) / 1000, dur: Math.round(e.duration * 1000 * 1000) / 1000,
        ...(e.inputShapes ? { args: { "Input Shapes": e.inputShapes } } : {}),
      })),
    };
  }

  /** Writes `chromeTrace()` to `path`, atomically (Node; PyTorch's `export_chrome_trace`). */
  exportChromeTrace(path: string): void {
    writeFileAtomic("exportChromeTrace", path, new TextEncoder().encode(JSON.stringify(this.chromeTrace())));
  }
}

/** Whether an event of `e`'s name encloses `e` (the events are the recorder's, which know their parents). */
function hasAncestorNamed(e: ProfilerEvent): boolean {
  for (let p = (e as Recorded).parent; p; p = p.parent) if (p.name === e.name) return true;
  return false;
}

interface Recorded extends ProfilerEvent {
  parent: Recorded | null;
  childTime: number;
}

/** The running profile: its clock, its events and the stack of open ones. */
class Recorder {
  readonly events: Recorded[] = [];
  private open: Recorded | null = null;
  private readonly t0 = now();
  constructor(readonly recordShapes: boolean) {}

  begin(name: string, kind: EventKind, args?: readonly unknown[]): Recorded {
    const parent = this.open;
    const e: Recorded = {
      name, kind, start: now() - this.t0, duration: 0, selfDuration: 0, depth: parent ? parent.depth + 1 : 0, parent, childTime: 0,
      ...(this.recordShapes && args ? { inputShapes: args.map(shapeOf) } : {}),
    };
    this.events.push(e);
    this.open = e;
    return e;
  }

  end(e: Recorded): void {
    e.duration = now() - this.t0 - e.start;
    e.selfDuration = Math.max(0, e.duration - e.childTime);
    if (e.parent) e.parent.childTime += e.duration;
    this.open = e.parent;
  }

  /** Closes the innermost open event (the engine's backward rule, once it returned or threw). */
  endCurrent(): void {
    if (this.open) this.end(this.open);
  }

  /** Events left open by an exception: closed where the exception passed them. */
  unwindTo(e: Recorded): void {
    while (this.open && this.open !== e.parent) this.end(this.open);
  }

  time<T>(name: string, kind: EventKind, args: readonly unknown[] | undefined, fn: () => T): T {
    const e = this.begin(name, kind, args);
    try {
      return fn();
    } finally {
      this.unwindTo(e);
    }
  }
}

const now = (): number => performance.now();

/** The shape of a tensor or view argument; `[]` for anything else (a storage, a name, a number). */
function shapeOf(a: unknown): number[] {
  const shape = (a as { shape?: unknown } | null | undefined)?.shape;
  return Array.isArray(shape) ? [...(shape as number[])] : [];
}

let active: Recorder | null = null;

/** Tensor methods not worth an event: accessors the library calls everywhere, and the profiler's own. */
const SKIP = new Set(["constructor", "numel", "dim", "size", "stride", "isContiguous", "elementSize", "storageOffset", "dataPtr", "toString", "toJSON", "valueOf"]);

/** Wraps the Tensor methods and the backends' primitives; returns the function that puts them back. */
function instrument(rec: Recorder, kernels: boolean, modules: readonly ModuleLike[]): () => void {
  const undo: (() => void)[] = [];
  for (const root of modules)
    if (typeof (root as { namedModules?: unknown })?.namedModules !== "function")
      throw new TensileError(`profile: modules must be nn.Module instances, got ${typeof root === "object" && root ? root.constructor.name : typeof root}`);
  for (const root of modules) {
    for (const [path, m] of root.namedModules()) {
      const obj = m as { forward?: unknown };
      const orig = obj.forward;
      if (typeof orig !== "function") continue;
      const own = Object.prototype.hasOwnProperty.call(obj, "forward");
      const name = `${m.constructor.name}${path ? ` (${path})` : ""}`;
      obj.forward = function (this: unknown, ...args: unknown[]) {
        return rec.time(name, "module", args, () => (orig as (...a: unknown[]) => unknown).apply(this, args));
      };
      undo.push(() => {
        if (own) obj.forward = orig;
        else delete obj.forward;
      });
    }
  }
  const proto = Tensor.prototype as unknown as Record<string, unknown>;
  for (const key of Object.getOwnPropertyNames(proto)) {
    if (key.startsWith("_") || SKIP.has(key)) continue;
    const d = Object.getOwnPropertyDescriptor(proto, key);
    if (!d || typeof d.value !== "function") continue; // getters (shape, grad…) stay as they are
    const orig = d.value as (...a: unknown[]) => unknown;
    proto[key] = function (this: unknown, ...args: unknown[]) {
      return rec.time(key, "op", rec.recordShapes ? [this, ...args] : undefined, () => orig.apply(this, args));
    };
    undo.push(() => {
      proto[key] = orig;
    });
  }
  if (kernels) {
    const backends = new Set<Backend>([getBackend()]);
    for (const name of listBackends()) {
      try {
        backends.add(getBackend(name));
      } catch {
        // a backend that cannot start here (no wasm) has no tensors to profile
      }
    }
    for (const b of backends) {
      const obj = b as unknown as Record<string, unknown>;
      for (const key of Object.keys(obj)) {
        const orig = obj[key];
        if (typeof orig !== "function" || key === "release") continue;
        const f = orig as (...a: unknown[]) => unknown;
        obj[key] = function (this: unknown, ...args: unknown[]) {
          const name = typeof args[0] === "string" ? `kernel:${key}(${args[0]})` : `kernel:${key}`;
          return rec.time(name, "kernel", args, () => f.apply(this, args));
        };
        undo.push(() => {
          obj[key] = orig;
        });
      }
    }
  }
  profileHook.current = {
    begin: (name) => void rec.begin(`${name} backward`, "backward"),
    end: () => rec.endCurrent(),
  };
  undo.push(() => {
    profileHook.current = null;
  });
  return () => {
    for (let i = undo.length - 1; i >= 0; i--) undo[i]!();
  };
}

/**
 * Runs `fn` and returns a `Profile` of what it did (PyTorch's `with profile() as prof:`). An async
 * `fn` is profiled until its promise settles, and the result is a promise of the profile; other
 * code that runs meanwhile is profiled too. Profiles do not nest.
 */
export function profile(fn: () => Promise<unknown>, opts?: ProfileOptions): Promise<Profile>;
export function profile(fn: () => unknown, opts?: ProfileOptions): Profile;
export function profile(fn: () => unknown, opts: ProfileOptions = {}): Profile | Promise<Profile> {
  if (typeof fn !== "function") throw new TensileError(`profile: expected a function to profile, got ${typeof fn}`);
  if (active) throw new TensileError("profile: a profile is already running (profiles do not nest)");
  const rec = new Recorder(opts.recordShapes ?? false);
  active = rec;
  let restore: () => void;
  try {
    restore = instrument(rec, opts.kernels ?? true, opts.modules === undefined ? [] : Array.isArray(opts.modules) ? opts.modules : [opts.modules as ModuleLike]);
  } catch (e) {
    active = null;
    throw e;
  }
  const t0 = now();
  const finish = (): Profile => {
    restore();
    active = null;
    return new Profile(rec.events, now() - t0);
  };
  let result: unknown;
  try {
    result = fn();
  } catch (e) {
    finish();
    throw e;
  }
  if (result !== null && typeof result === "object" && typeof (result as { then?: unknown }).then === "function")
    return Promise.resolve(result).then(finish, (e: unknown) => {
      finish();
      throw e;
    });
  return finish();
}

/**
 * Times `fn` as one event named `name` when a profile is running, else just runs it (PyTorch's
 * `with record_function(name):`). The events of what `fn` calls nest under it.
 */
export function recordFunction<T>(name: string, fn: () => T): T {
  if (typeof name !== "string" || name === "") throw new TensileError(`recordFunction: name must be a non-empty string, got ${JSON.stringify(name)}`);
  const rec = active;
  return rec ? rec.time(name, "user", undefined, fn) : fn();
}
