/** PyTorch's `torch.utils` (the data part is `data`): gradient checkpointing, TensorBoard event files; and torchvision.utils' image grids (`makeGrid`, `saveImage`). */
export { checkpoint, checkpointSequential, type CheckpointOptions } from "./checkpoint.js";
export * as tensorboard from "./tensorboard.js";
export { makeGrid, saveImage, imagePng, type MakeGridOptions } from "./image-grid.js";
