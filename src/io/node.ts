/**
 * The Node adapter of `src/io`: `save` / `load` and checkpoints on files, written atomically.
 *
 * Nothing here imports Node at load time (only `import type`, which is erased): `node:fs` and
 * `node:path` are fetched on first use through `process.getBuiltinModule` (Node ≥ 20.16), so a
 * browser build can import the library and only these file calls fail there, saying why.
 */
import { TensileError } from "../errors.js";
import { readFile, writeFileAtomic, type FileOptions } from "./atomic.js";

export { writeFileAtomic, type AtomicWriteFs, type FileOptions } from "./atomic.js";
import type { Tensor } from "../core.js";
import { parseSafetensors, saveBytes } from "./safetensors.js";
import type { SaveBytesOptions, StateDictLike } from "./safetensors.js";
import { loadCheckpointBytes, readCheckpointBytes, saveCheckpointBytes } from "./checkpoint.js";
import type { CheckpointContents, LoadCheckpointOptions, LoadedCheckpoint } from "./checkpoint.js";
import { exportOnnxBytes } from "./onnx.js";
import type { ExportOnnxOptions } from "./onnx.js";
import type { Module } from "../nn/module.js";

/**
 * Saves a state dict to a safetensors file, atomically (as `torch.save` / `safetensors.torch.save_file`).
 * ```ts
 * save(model.stateDict(), "model.safetensors", { metadata: { epoch: "3" } });
 * ```
 */
export function save(stateDict: StateDictLike, path: string, options: SaveBytesOptions & FileOptions = {}): void {
  writeFileAtomic("save", path, saveBytes(stateDict, options, "save"), options);
}

/**
 * Exports a model to an ONNX file, atomically (as `torch.onnx.export(model, x, path)`); see
 * `exportOnnxBytes` for what is exported and how.
 */
export function exportOnnx(model: Module | ((...x: Tensor[]) => Tensor | Tensor[]), inputs: Tensor | Tensor[], path: string, options: ExportOnnxOptions & FileOptions = {}): void {
  writeFileAtomic("exportOnnx", path, exportOnnxBytes(model, inputs, options ?? {}), options ?? {});
}

/** Loads a safetensors file as a state dict (keys in file order), ready for `model.loadStateDict`. */
export function load(path: string): Record<string, Tensor> {
  return parseSafetensors(readFile("load", path), "load", path).tensors;
}

/** Reads a safetensors file's `__metadata__` (null when it has none) along with its tensors. */
export function loadWithMetadata(path: string): { tensors: Record<string, Tensor>; metadata: Record<string, string> | null } {
  return parseSafetensors(readFile("loadWithMetadata", path), "loadWithMetadata", path);
}

/**
 * Saves a training state (model, optimizer, scheduler, epoch, extra, the default generator and any
 * named generators) to one safetensors file, atomically: a crash mid-save leaves the previous
 * checkpoint intact. Layout: docs/io.md.
 * ```ts
 * saveCheckpoint("ckpt.safetensors", { model, optimizer, scheduler, epoch, generators: { loader: g } });
 * ```
 */
export function saveCheckpoint(path: string, contents: CheckpointContents, options: FileOptions = {}): void {
  writeFileAtomic("saveCheckpoint", path, saveCheckpointBytes(contents, "saveCheckpoint"), options);
}

/**
 * Restores a training state saved by `saveCheckpoint` into the given objects (see
 * `loadCheckpointBytes`) and returns the checkpoint's contents, `epoch` and `extra` among them.
 * ```ts
 * const { epoch } = loadCheckpoint("ckpt.safetensors", { model, optimizer, scheduler, generators: { loader: g } });
 * ```
 */
export function loadCheckpoint(path: string, options: LoadCheckpointOptions = {}): LoadedCheckpoint {
  return loadCheckpointBytes(readFile("loadCheckpoint", path), options, "loadCheckpoint", path);
}

/** Reads a checkpoint file into plain data without restoring anything. */
export function readCheckpoint(path: string): LoadedCheckpoint {
  return readCheckpointBytes(readFile("readCheckpoint", path), "readCheckpoint", path);
}
