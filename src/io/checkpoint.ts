/**
 * Training checkpoints as one safetensors file (isomorphic: bytes in, bytes out; `node.ts` adds
 * atomic files). Layout, also in docs/io.md:
 *
 * - tensors `model.<key>` — the model's state dict;
 * - every other tensor (optimizer state, tensors in scheduler state or `extra`) under its dotted
 *   path, e.g. `optimizer.state.0.momentum_buffer`, `extra.bestLogits`;
 * - `__metadata__`: `format` = "tensile.checkpoint", `format_version` = "1", and the JSON of
 *   `epoch`, `optimizer`, `scheduler`, `extra`, `rng_state` (the default generator) and `generators`
 *   (named generators, e.g. a DataLoader's), and, when given, `optimizers` / `schedulers` (several,
 *   by name: a GAN's two optimizers, a warm-up scheduler beside a plateau one). In that JSON a tensor is `{"$tensor": "<file key>"}`
 *   and a non-finite number or -0 is `{"$float": "Infinity" | "-Infinity" | "NaN" | "-0"}`.
 */
import { Generator, Tensor, getRngState, noGrad, setRngState } from "../core.js";
import type { GeneratorState } from "../core.js";
import { TensileError } from "../errors.js";
import { isJsonObject, parseJsonStrict } from "./json.js";
import { parseSafetensors, saveBytes, setOwn, stateDictEntries } from "./safetensors.js";
import type { BytesLike, StateDictLike } from "./safetensors.js";

/** What a checkpoint needs of a model: `nn.Module`'s state-dict pair. */
export interface ModuleLike {
  stateDict(): StateDictLike;
  loadStateDict(stateDict: Record<string, Tensor>, options?: { strict?: boolean }): unknown;
}
/** What a checkpoint needs of an optimizer or LR scheduler: a state dict of JSON values and tensors. */
export interface Stateful {
  stateDict(): object;
  loadStateDict(stateDict: never): unknown;
}

export interface CheckpointContents {
  model?: ModuleLike;
  optimizer?: Stateful;
  scheduler?: Stateful;
  /** Several optimizers by name (`{ generator: optG, discriminator: optD }`), besides or instead of `optimizer`. */
  optimizers?: Record<string, Stateful>;
  /** Several LR schedulers by name, besides or instead of `scheduler`. */
  schedulers?: Record<string, Stateful>;
  /** The epoch (or step) reached; returned by `loadCheckpoint`. */
  epoch?: number;
  /** Anything else to keep: JSON values and tensors (metrics, best loss, config). */
  extra?: Record<string, unknown>;
  /** Generators to save by name besides the default one, e.g. `{ loader: loaderGenerator }`. */
  generators?: Record<string, Generator>;
}

export interface LoadCheckpointOptions {
  model?: ModuleLike;
  optimizer?: Stateful;
  scheduler?: Stateful;
  /** Optimizers to restore, by the names they were saved under (`optimizers` of the save). */
  optimizers?: Record<string, Stateful>;
  /** Schedulers to restore, by the names they were saved under. */
  schedulers?: Record<string, Stateful>;
  /** Generators to restore, by the names they were saved under. */
  generators?: Record<string, Generator>;
  /** Passed to `model.loadStateDict` (default true). */
  strict?: boolean;
  /** Restore the default generator's state (default true). */
  restoreRng?: boolean;
}

/** Everything a checkpoint holds, as plain data. */
export interface LoadedCheckpoint {
  epoch: number | null;
  extra: Record<string, unknown>;
  model: Record<string, Tensor> | null;
  optimizer: Record<string, unknown> | null;
  scheduler: Record<string, unknown> | null;
  /** The named optimizers' and schedulers' state dicts (empty when none were saved). */
  optimizers: Record<string, Record<string, unknown>>;
  schedulers: Record<string, Record<string, unknown>>;
  rngState: GeneratorState;
  generators: Record<string, GeneratorState>;
  /** The file's whole `__metadata__`. */
  metadata: Record<string, string>;
}

export const CHECKPOINT_FORMAT = "tensile.checkpoint";
const VERSION = "1";
const JSON_KEYS = ["epoch", "optimizer", "scheduler", "extra", "rng_state", "generators"] as const;
/** Written only when given, and optional on read (files from before them lack them). */
const NAMED_KEYS = ["optimizers", "schedulers"] as const;

/** `{ name: obj.stateDict() }` of a record of optimizers or schedulers, checked. */
function namedStates(op: string, what: "optimizers" | "schedulers", objs: unknown): Record<string, unknown> {
  if (typeof objs !== "object" || objs === null || Array.isArray(objs) || typeof (objs as Stateful).stateDict === "function")
    throw new TensileError(`${op}: ${what} must be an object of ${what} by name ({ name: ${what.slice(0, -1)} }); one alone goes in ${what.slice(0, -1)}`);
  const out: Record<string, unknown> = {};
  for (const [name, obj] of Object.entries(objs)) {
    if (typeof (obj as Stateful | undefined)?.stateDict !== "function") throw new TensileError(`${op}: ${what}.${name} must have stateDict()`);
    setOwn(out, name, (obj as Stateful).stateDict());
  }
  return out;
}

const FLOAT_NAMES = new Map<string, number>([["Infinity", Infinity], ["-Infinity", -Infinity], ["NaN", NaN], ["-0", -0]]);

/** How deeply checkpoint JSON may nest: the limit of the reader (`parseJsonStrict`). */
const MAX_DEPTH = 64;

/**
 * JSON-encodes `value`, moving its tensors into `tensors` under dotted paths from `path`. `depth` is
 * the JSON depth of `value` (the reader refuses more than `MAX_DEPTH`, so the writer does too, rather
 * than write a file it cannot read back); `open` holds the arrays and objects being encoded (a cycle
 * is an error, not a stack overflow).
 */
function encode(op: string, value: unknown, path: string, tensors: Map<string, Tensor>, depth = 0, open = new Set<object>()): unknown {
  const deeper = (): number => {
    if (depth + 1 > MAX_DEPTH)
      throw new TensileError(`${op}: the value at ${path} nests more than ${MAX_DEPTH} levels deep (arrays, objects, and the {"$tensor"}/{"$float"} wrappers count), which checkpoints cannot hold`);
    return depth + 1;
  };
  if (typeof value === "object" && value !== null && open.has(value))
    throw new TensileError(`${op}: the value at ${path} contains itself (a cycle); checkpoints hold JSON values and tensors`);
  if (value instanceof Tensor) {
    deeper();
    if (tensors.has(path)) throw new TensileError(`${op}: two tensors would both be stored as "${path}" (a key containing "." collides with a nested one)`);
    tensors.set(path, value);
    return { $tensor: path };
  }
  if (typeof value === "number") {
    if (Number.isFinite(value) && !Object.is(value, -0)) return value;
    deeper();
    return { $float: Object.is(value, -0) ? "-0" : String(value) };
  }
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (Array.isArray(value)) {
    const d = value.length ? deeper() : depth;
    open.add(value);
    const out = value.map((v, i) => (v === undefined || typeof v === "function" ? null : encode(op, v, `${path}.${i}`, tensors, d, open)));
    open.delete(value);
    return out;
  }
  if (typeof value === "object" && (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)) {
    const out: Record<string, unknown> = {};
    open.add(value);
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined || typeof v === "function") continue;
      if (k === "$tensor" || k === "$float") throw new TensileError(`${op}: the key "${k}" at ${path} is reserved by the checkpoint format`);
      setOwn(out, k, encode(op, v, `${path}.${k}`, tensors, deeper(), open));
    }
    open.delete(value);
    return out;
  }
  const what = value instanceof Generator ? "a Generator (pass it in `generators`)" : typeof value === "object" ? `a ${value.constructor?.name ?? "object"}` : `a ${typeof value}`;
  throw new TensileError(`${op}: cannot store ${what} at ${path}; checkpoints hold JSON values and tensors`);
}

function decode(op: string, value: unknown, tensors: Record<string, Tensor>, used: Set<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => decode(op, v, tensors, used));
  if (!isJsonObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === "$tensor") {
    const key = value.$tensor as string;
    const t = tensors[key];
    if (!(t instanceof Tensor)) throw new TensileError(`${op}: the checkpoint refers to tensor "${key}", which the file does not contain`);
    used.add(key);
    return t;
  }
  if (keys.length === 1 && keys[0] === "$float" && FLOAT_NAMES.has(value.$float as string)) return FLOAT_NAMES.get(value.$float as string);
  const out: Record<string, unknown> = {};
  for (const k of keys) setOwn(out, k, decode(op, value[k], tensors, used));
  return out;
}

/** Serialises a training state to safetensors bytes (see the module comment for the layout). */
export function saveCheckpointBytes(contents: CheckpointContents, op = "saveCheckpointBytes"): Uint8Array {
  if (typeof contents !== "object" || contents === null) throw new TensileError(`${op}: expected { model, optimizer, scheduler, epoch, extra, generators }`);
  const { model, optimizer, scheduler, optimizers, schedulers, epoch, extra, generators } = contents;
  const tensors = new Map<string, Tensor>();
  if (model !== undefined) {
    if (typeof model?.stateDict !== "function") throw new TensileError(`${op}: model must have stateDict() (an nn.Module)`);
    for (const [k, t] of stateDictEntries(`${op}: model`, model.stateDict())) tensors.set(`model.${k}`, t);
  }
  const json: Record<(typeof JSON_KEYS)[number], unknown> = {
    epoch: epoch ?? null, optimizer: null, scheduler: null, extra: extra ?? {}, rng_state: getRngState(), generators: {},
  };
  if (epoch !== undefined && typeof epoch !== "number") throw new TensileError(`${op}: epoch must be a number, got ${typeof epoch}`);
  for (const [name, obj] of [["optimizer", optimizer], ["scheduler", scheduler]] as const) {
    if (obj === undefined) continue;
    if (typeof obj?.stateDict !== "function") throw new TensileError(`${op}: ${name} must have stateDict()`);
    json[name] = obj.stateDict();
  }
  if (generators !== undefined) {
    const states: Record<string, GeneratorState> = {};
    for (const [name, g] of Object.entries(generators)) {
      if (!(g instanceof Generator)) throw new TensileError(`${op}: generators.${name} is not a Generator`);
      states[name] = g.getState();
    }
    json.generators = states;
  }
  const metadata: Record<string, string> = { format: CHECKPOINT_FORMAT, format_version: VERSION };
  for (const k of JSON_KEYS) metadata[k] = JSON.stringify(encode(op, json[k], k, tensors));
  for (const [k, objs] of [["optimizers", optimizers], ["schedulers", schedulers]] as const)
    if (objs !== undefined) metadata[k] = JSON.stringify(encode(op, namedStates(op, k, objs), k, tensors));
  return saveBytes(tensors, { metadata }, op);
}

/** Reads checkpoint bytes into plain data, without applying anything. */
export function readCheckpointBytes(bytes: BytesLike, op = "loadCheckpointBytes", source = "the data"): LoadedCheckpoint {
  const { tensors, metadata } = parseSafetensors(bytes, op, source);
  if (metadata?.format !== CHECKPOINT_FORMAT)
    throw new TensileError(`${op}: ${source} is a safetensors file but not a Tensile checkpoint (its __metadata__ has no format "${CHECKPOINT_FORMAT}"); use load() for plain state dicts`);
  if (metadata.format_version !== VERSION)
    throw new TensileError(`${op}: ${source} has checkpoint format version ${JSON.stringify(metadata.format_version)}; this Tensile reads version ${VERSION}`);
  const used = new Set<string>();
  const field = (k: (typeof JSON_KEYS)[number]): unknown => {
    if (metadata[k] === undefined) throw new TensileError(`${op}: ${source}: checkpoint metadata lacks "${k}"`);
    return decode(op, parseJsonStrict(metadata[k]!, `${op}: ${source}: checkpoint metadata "${k}"`), tensors, used);
  };
  const epoch = field("epoch"), optimizer = field("optimizer"), scheduler = field("scheduler"), extra = field("extra");
  const rngState = field("rng_state"), generators = field("generators");
  const named = (k: (typeof NAMED_KEYS)[number]): Record<string, Record<string, unknown>> => {
    if (metadata[k] === undefined) return {};
    const v = decode(op, parseJsonStrict(metadata[k]!, `${op}: ${source}: checkpoint metadata "${k}"`), tensors, used);
    if (!isJsonObject(v)) throw new TensileError(`${op}: ${source}: checkpoint metadata "${k}" must be an object`);
    return v as Record<string, Record<string, unknown>>;
  };
  const optimizers = named("optimizers"), schedulers = named("schedulers");
  if (epoch !== null && typeof epoch !== "number") throw new TensileError(`${op}: ${source}: checkpoint epoch is ${JSON.stringify(epoch)}, not a number`);
  if (!isJsonObject(extra) || !isJsonObject(generators)) throw new TensileError(`${op}: ${source}: checkpoint metadata "extra" and "generators" must be objects`);
  let model: Record<string, Tensor> | null = null;
  for (const [k, t] of Object.entries(tensors)) {
    if (k.startsWith("model.")) setOwn((model ??= {}), k.slice(6), t);
    else if (!used.has(k)) throw new TensileError(`${op}: ${source}: tensor "${k}" is neither a model weight ("model.*") nor referenced by the checkpoint metadata`);
  }
  return {
    epoch: epoch as number | null, extra: extra as Record<string, unknown>, model,
    optimizer: optimizer as Record<string, unknown> | null, scheduler: scheduler as Record<string, unknown> | null,
    optimizers, schedulers, rngState: rngState as GeneratorState, generators: generators as unknown as Record<string, GeneratorState>, metadata,
  };
}

/**
 * Restores a training state from checkpoint bytes into the objects given: the model's weights,
 * the optimizer's and scheduler's state, the named generators and (unless `restoreRng: false`) the
 * default generator. All or nothing: if any part fails to load (a shape mismatch, a missing
 * part), the parts already restored are rolled back before the error is rethrown.
 * Returns the checkpoint's contents (`epoch`, `extra`, ...).
 */
export function loadCheckpointBytes(bytes: BytesLike, options: LoadCheckpointOptions = {}, op = "loadCheckpointBytes", source = "the data"): LoadedCheckpoint {
  const ck = readCheckpointBytes(bytes, op, source);
  const { model, optimizer, scheduler, optimizers = {}, schedulers = {}, generators = {}, strict = true, restoreRng = true } = options;
  const missing = (what: string): never => {
    throw new TensileError(`${op}: ${source} holds no ${what} state, but a ${what} was given to restore`);
  };
  if (optimizer && ck.optimizer === null) missing("optimizer");
  if (scheduler && ck.scheduler === null) missing("scheduler");
  const namedPairs: [Stateful, unknown][] = [];
  for (const [what, objs] of [["optimizers", optimizers], ["schedulers", schedulers]] as const) {
    if (typeof objs !== "object" || objs === null || typeof (objs as unknown as Stateful).stateDict === "function")
      throw new TensileError(`${op}: ${what} must be an object of ${what} by name; one alone goes in ${what.slice(0, -1)}`);
    for (const [name, obj] of Object.entries(objs)) {
      if (typeof obj?.loadStateDict !== "function") throw new TensileError(`${op}: ${what}.${name} must have loadStateDict()`);
      if (!Object.hasOwn(ck[what], name))
        throw new TensileError(`${op}: ${source} holds no ${what.slice(0, -1)} named "${name}" (it has: ${Object.keys(ck[what]).join(", ") || "none"})`);
      namedPairs.push([obj, ck[what][name]]);
    }
  }
  for (const [name, g] of Object.entries(generators)) {
    if (!(g instanceof Generator)) throw new TensileError(`${op}: generators.${name} is not a Generator`);
    if (!(name in ck.generators))
      throw new TensileError(`${op}: ${source} holds no generator named "${name}" (it has: ${Object.keys(ck.generators).join(", ") || "none"})`);
  }
  const undo: (() => void)[] = [];
  try {
    if (model) {
      const prev = Object.fromEntries(stateDictEntries(op, model.stateDict()).map(([k, t]) => [k, noGrad(() => t.clone())]));
      // A model without parameters or buffers saves no "model.*" tensors.
      model.loadStateDict(ck.model ?? {}, { strict });
      undo.push(() => model.loadStateDict(prev, { strict: false }));
    }
    for (const [obj, saved] of [[optimizer, ck.optimizer], [scheduler, ck.scheduler], ...namedPairs] as const) {
      if (!obj) continue;
      const prev = obj.stateDict(); // its tensors are not modified by loadStateDict, which copies
      obj.loadStateDict(saved as never);
      undo.push(() => obj.loadStateDict(prev as never));
    }
    for (const [name, g] of Object.entries(generators)) {
      const prev = g.getState();
      g.setState(ck.generators[name]!);
      undo.push(() => g.setState(prev));
    }
    if (restoreRng) setRngState(ck.rngState);
  } catch (e) {
    for (const u of undo.reverse()) {
      try { u(); } catch { /* keep the original error */ }
    }
    throw e;
  }
  return ck;
}
