/**
 * `io`: safetensors files, training checkpoints and PyTorch's `torch.save` files. The `*Bytes` functions work everywhere
 * (browsers included); `save`, `load`, `saveCheckpoint`, `loadCheckpoint` add atomic files on Node.
 */
export { saveBytes, loadBytes, parseSafetensors, halfToFloat } from "./safetensors.js";
export type { BytesLike, StateDictLike, SaveBytesOptions, SafetensorsContents, SafetensorsDType } from "./safetensors.js";
export { saveCheckpointBytes, loadCheckpointBytes, readCheckpointBytes, CHECKPOINT_FORMAT } from "./checkpoint.js";
export type { CheckpointContents, LoadCheckpointOptions, LoadedCheckpoint, ModuleLike, Stateful } from "./checkpoint.js";
export { save, load, loadWithMetadata, saveCheckpoint, loadCheckpoint, readCheckpoint, writeFileAtomic, exportOnnx } from "./node.js";
export { exportOnnxBytes } from "./onnx.js";
export type { ExportOnnxOptions } from "./onnx.js";
export type { FileOptions, AtomicWriteFs } from "./node.js";
export { loadTorchBytes, saveTorchBytes, loadTorch, saveTorch } from "./torch-file.js";
export type { TorchValue, TorchDict, TorchSaveable } from "./torch-file.js";
