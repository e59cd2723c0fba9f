/** `PixelShuffle`, `PixelUnshuffle`, `ChannelShuffle`: fixed calls of their `F.` functions. */
import type { Tensor } from "../../core.js";
import { channelShuffle, pixelShuffle, pixelUnshuffle } from "../functional/shuffle.js";
import { Module } from "../module.js";
import { intArg } from "./ctor-checks.js";

/**
 * [*, C·r², H, W] → [*, C, H·r, W·r] (see `F.pixelShuffle`).
 * ```ts
 * new nn.PixelShuffle(3).forward(randn([1, 9, 4, 4])).shape; // [1, 1, 12, 12]
 * ```
 */
export class PixelShuffle extends Module {
  constructor(readonly upscaleFactor: number) {
    super();
    intArg("PixelShuffle", "upscale_factor", upscaleFactor, 1);
  }
  override forward(input: Tensor): Tensor {
    return pixelShuffle(input, this.upscaleFactor);
  }
  override extraRepr(): string {
    return `upscale_factor=${this.upscaleFactor}`;
  }
}

/**
 * [*, C, H·r, W·r] → [*, C·r², H, W] (see `F.pixelUnshuffle`).
 * ```ts
 * new nn.PixelUnshuffle(3).forward(randn([1, 1, 12, 12])).shape; // [1, 9, 4, 4]
 * ```
 */
export class PixelUnshuffle extends Module {
  constructor(readonly downscaleFactor: number) {
    super();
    intArg("PixelUnshuffle", "downscale_factor", downscaleFactor, 1);
  }
  override forward(input: Tensor): Tensor {
    return pixelUnshuffle(input, this.downscaleFactor);
  }
  override extraRepr(): string {
    return `downscale_factor=${this.downscaleFactor}`;
  }
}

/**
 * Interleaves `groups` groups of channels (see `F.channelShuffle`).
 * ```ts
 * new nn.ChannelShuffle(2).forward(randn([1, 4, 2, 2])).shape; // [1, 4, 2, 2]
 * ```
 */
export class ChannelShuffle extends Module {
  constructor(readonly groups: number) {
    super();
    intArg("ChannelShuffle", "groups", groups, 1);
  }
  override forward(input: Tensor): Tensor {
    return channelShuffle(input, this.groups);
  }
  override extraRepr(): string {
    return `groups=${this.groups}`;
  }
}
