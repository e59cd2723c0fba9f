/** PyTorch's `torch.utils` (the data part is `data`): gradient checkpointing. */
export { checkpoint, checkpointSequential, type CheckpointOptions } from "./checkpoint.js";
