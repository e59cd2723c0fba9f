import { type Tensor, relu } from "../core.js";
import { check } from "../errors.js";
import { Module } from "../nn/module.js";
import { Linear } from "../nn/layers/linear.js";
import { Conv2d } from "../nn/layers/conv.js";
import { maxPool2d } from "../nn/functional/pool.js";

export interface LeNet5Options {
  numClasses?: number;
  /** Input channels (1 for grey-scale digits). */
  inChannels?: number;
}

/**
 * LeNet-5 (LeCun et al. 1998) for 28×28 images, in its common modern form (ReLU and max pooling
 * instead of tanh and trainable sub-sampling):
 *
 *   conv1 1→6, 5×5, pad 2 → 28×28 → ReLU → max-pool 2 → 14×14
 *   conv2 6→16, 5×5      → 10×10 → ReLU → max-pool 2 → 5×5
 *   flatten 16·5·5 = 400 → fc1 120 → ReLU → fc2 84 → ReLU → fc3 numClasses
 *
 * Shapes: [N, inChannels, 28, 28] → logits [N, numClasses]. 61,706 parameters for 10 classes.
 * stateDict keys: conv1.*, conv2.*, fc1.*, fc2.*, fc3.* (weight and bias each).
 */
export class LeNet5 extends Module {
  conv1: Conv2d;
  conv2: Conv2d;
  fc1: Linear;
  fc2: Linear;
  fc3: Linear;

  constructor(options: LeNet5Options = {}) {
    super();
    const { numClasses = 10, inChannels = 1 } = options ?? {};
    check(Number.isInteger(numClasses) && numClasses > 0, "lenet5", () => `numClasses must be a positive integer, got ${numClasses}`);
    this.conv1 = new Conv2d(inChannels, 6, 5, { padding: 2 });
    this.conv2 = new Conv2d(6, 16, 5);
    this.fc1 = new Linear(16 * 5 * 5, 120);
    this.fc2 = new Linear(120, 84);
    this.fc3 = new Linear(84, numClasses);
  }

  override forward(x: Tensor): Tensor {
    check(x.ndim === 4 && x.shape[2] === 28 && x.shape[3] === 28, "LeNet5", () =>
      `expected input [N, ${this.conv1.inChannels}, 28, 28], got [${x.shape.join(", ")}]`);
    x = maxPool2d(relu(this.conv1.forward(x)), 2);
    x = maxPool2d(relu(this.conv2.forward(x)), 2);
    x = x.flatten(1);
    x = relu(this.fc1.forward(x));
    x = relu(this.fc2.forward(x));
    return this.fc3.forward(x);
  }
}

/** `models.lenet5({ numClasses = 10 })`: a fresh LeNet-5 for 28×28 inputs. */
export function lenet5(opts: LeNet5Options = {}): LeNet5 {
  return new LeNet5(opts);
}
