/** PyTorch's `torch.utils` (the data part is `data`): gradient checkpointing, TensorBoard event files. */
export { checkpoint, checkpointSequential, type CheckpointOptions } from "./checkpoint.js";
export * as tensorboard from "./tensorboard.js";
