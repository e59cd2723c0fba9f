/**
 * torchvision's RegNets (torchvision.models.regnet, 0.14): every `regnet_x_*` and `regnet_y_*`
 * builder as `regnetX_400mf()` … `regnetX_32gf()`, `regnetY_400mf()` … `regnetY_128gf()`, the class
 * `RegNet` and `regnetBlockParams` (torchvision's `BlockParams.from_init_params`), with torchvision's
 * module tree (`stem.0`, `trunk_output.block2.block2-0.f.b.0`, `….f.se.fc1`, `….proj.1`, `fc`).
 *
 * A RegNet is four stages of residual bottleneck blocks (1×1 → grouped 3×3 [→ squeeze-excitation for
 * RegNetY] → 1×1) whose widths follow a quantised linear rule w_j = w0 + wa·j, snapped to powers of
 * wm and multiples of 8. The rule is computed in float32 as torchvision does (its torch ops), so the
 * widths are torchvision's.
 */
import { type Tensor, noGrad } from "../core.js";
import { check } from "../errors.js";
import { Module } from "../nn/module.js";
import { Linear } from "../nn/layers/linear.js";
import { ReLU } from "../nn/layers/activation.js";
import { Sequential } from "../nn/layers/container.js";
import { Conv2d } from "../nn/layers/conv.js";
import { BatchNorm2d } from "../nn/layers/norm.js";
import { AdaptiveAvgPool2d } from "../nn/layers/pool.js";
import { normal_ } from "../nn/init.js";
import { type ClassifierOptions, type NormFactory, SqueezeExcitation, batchNorm, checkPositiveInt, conv2dNormActivation, makeDivisible } from "./tv-common.js";

/** Per-stage settings of a RegNet (torchvision's `BlockParams`). */
export interface RegNetBlockParams {
  depths: number[];
  widths: number[];
  groupWidths: number[];
  bottleneckMultipliers: number[];
  strides: number[];
  /** Squeeze-excitation width as a fraction of each block's input width (RegNetY: 0.25); none when null. */
  seRatio: number | null;
}

/** The design-space parameters of `regnetBlockParams` (torchvision's `from_init_params` arguments). */
export interface RegNetDesign {
  depth: number;
  w0: number;
  wa: number;
  wm: number;
  groupWidth: number;
  bottleneckMultiplier?: number;
  seRatio?: number | null;
}

const f32 = Math.fround;
/** Python's round(): half to even. */
const roundHalfEven = (v: number) => {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
};

/**
 * torchvision's `BlockParams.from_init_params`: block j's width w0 + wa·j is snapped to
 * w0·wm^round(log(w_j / w0) / log wm), rounded to a multiple of 8; runs of equal widths form the
 * stages (stride 2 each); then each stage width is made divisible by its group width (which is
 * capped at the bottleneck width). Evaluated in float32, as torchvision's tensor code.
 *
 * @example
 * models.regnetBlockParams({ depth: 16, w0: 48, wa: 27.89, wm: 2.09, groupWidth: 8, seRatio: 0.25 }).widths;   // [48, 104, 208, 440]
 */
export function regnetBlockParams(d: RegNetDesign): RegNetBlockParams {
  const { depth, w0, wa, wm, groupWidth, bottleneckMultiplier = 1, seRatio = null } = d;
  check(wa >= 0 && w0 > 0 && wm > 1 && w0 % 8 === 0, "RegNet", () => `Invalid RegNet settings: w0=${w0}, wa=${wa}, wm=${wm} (need wa >= 0, w0 > 0 a multiple of 8, wm > 1)`);
  checkPositiveInt("RegNet", "depth", depth);
  checkPositiveInt("RegNet", "groupWidth", groupWidth);
  check(bottleneckMultiplier > 0, "RegNet", () => `bottleneckMultiplier must be positive, got ${bottleneckMultiplier}`);
  const logWm = f32(Math.log(wm)), wmF = f32(wm);
  const blockWidths: number[] = [];
  for (let j = 0; j < depth; j++) {
    const cont = f32(f32(j * f32(wa)) + w0);
    const capacity = roundHalfEven(f32(f32(Math.log(f32(cont / w0))) / logWm));
    blockWidths.push(roundHalfEven(f32(f32(w0 * f32(Math.pow(wmF, capacity))) / 8)) * 8);
  }
  // Runs of equal widths are the stages (torchvision zips them with one stride per distinct width).
  const widths: number[] = [], depths: number[] = [];
  for (const w of blockWidths) {
    if (widths.length > 0 && widths[widths.length - 1] === w) depths[depths.length - 1]!++;
    else (widths.push(w), depths.push(1));
  }
  const n = Math.min(widths.length, new Set(blockWidths).size);
  const bottleneckWidths = widths.slice(0, n).map((w) => Math.trunc(w * bottleneckMultiplier));
  const groupWidths = bottleneckWidths.map((wb) => Math.min(groupWidth, wb));
  return {
    depths: depths.slice(0, n),
    widths: bottleneckWidths.map((wb, i) => Math.trunc(makeDivisible(wb, groupWidths[i]!) / bottleneckMultiplier)),
    groupWidths,
    bottleneckMultipliers: new Array<number>(n).fill(bottleneckMultiplier),
    strides: new Array<number>(n).fill(2),
    seRatio,
  };
}

type Activation = () => Module;

/**
 * RegNet's bottleneck transform, a Sequential with children `a` (1×1 to w_b = round(widthOut·b)),
 * `b` (grouped 3×3, stride s, w_b / groupWidth groups), `se` (squeeze-excitation to
 * round(seRatio·widthIn) channels, when seRatio is set) and `c` (1×1 to widthOut, no activation).
 */
export class BottleneckTransform extends Sequential {
  constructor(widthIn: number, widthOut: number, stride: number, norm: NormFactory, activation: Activation,
    groupWidth: number, bottleneckMultiplier: number, seRatio: number | null) {
    const wb = roundHalfEven(widthOut * bottleneckMultiplier);
    const g = Math.floor(wb / groupWidth);
    check(g >= 1 && wb % g === 0, "RegNet", () => `bottleneck width ${wb} is not divisible into groups of width ${groupWidth}`);
    const layers: Record<string, Module> = {
      a: conv2dNormActivation(widthIn, wb, { kernelSize: 1, norm, activation }),
      b: conv2dNormActivation(wb, wb, { kernelSize: 3, stride, groups: g, norm, activation }),
    };
    if (seRatio) layers.se = new SqueezeExcitation(wb, roundHalfEven(seRatio * widthIn), activation);
    layers.c = conv2dNormActivation(wb, widthOut, { kernelSize: 1, norm, activation: null });
    super(layers);
  }
}

/** RegNet's residual block: activation(proj(x) + f(x)), `proj` a strided 1×1 conv + BN when the shape changes, else x. */
export class ResBottleneckBlock extends Module {
  declare proj: Sequential | null;
  declare f: BottleneckTransform;
  declare activation: Module;

  constructor(widthIn: number, widthOut: number, stride: number, norm: NormFactory, activation: Activation,
    groupWidth = 1, bottleneckMultiplier = 1, seRatio: number | null = null) {
    super();
    this.proj = widthIn !== widthOut || stride !== 1
      ? conv2dNormActivation(widthIn, widthOut, { kernelSize: 1, stride, norm, activation: null })
      : null;
    this.f = new BottleneckTransform(widthIn, widthOut, stride, norm, activation, groupWidth, bottleneckMultiplier, seRatio);
    this.activation = new ReLU({ inplace: true });
  }

  override forward(x: Tensor): Tensor {
    const y = this.f.forward(x) as Tensor;
    return this.activation.forward(this.proj ? (this.proj.forward(x) as Tensor).add(y) : x.add(y)) as Tensor;
  }
}

/** One RegNet stage: `depth` blocks named `block{stageIndex}-{i}`, the first with the stride and the width change. */
export class AnyStage extends Sequential {
  constructor(widthIn: number, widthOut: number, stride: number, depth: number, norm: NormFactory, activation: Activation,
    groupWidth: number, bottleneckMultiplier: number, seRatio: number | null, stageIndex: number) {
    super();
    for (let i = 0; i < depth; i++) {
      this.registerModule(`block${stageIndex}-${i}`, new ResBottleneckBlock(i === 0 ? widthIn : widthOut, widthOut, i === 0 ? stride : 1,
        norm, activation, groupWidth, bottleneckMultiplier, seRatio));
    }
  }
}

export interface RegNetOptions extends ClassifierOptions {
  /** Channels of the 3×3/2 stem (32). */
  stemWidth?: number;
  /** Normalisation layer (BatchNorm2d, eps 1e-5, momentum 0.1). */
  norm?: NormFactory;
}

/**
 * torchvision.models.RegNet: stem (3×3/2 conv, BN, ReLU) → `trunk_output` (`block1` … `block4`
 * stages) → global average pool → fc. Convs N(0, 2/fan_out) with fan_out = k²·out, BN 1/0, fc
 * N(0, 0.01²) with bias 0 (the squeeze-excitation convs keep PyTorch's default bias), as torchvision.
 *
 * Shapes: [N, 3, H, W] → [N, numClasses].
 *
 * @example
 * const net = new models.RegNet(models.regnetBlockParams({ depth: 13, w0: 24, wa: 36, wm: 2.5, groupWidth: 8 }), { numClasses: 10 });
 * net.forward(randn(2, 3, 32, 32)).shape;   // [2, 10]
 */
export class RegNet extends Module {
  declare stem: Sequential;
  declare trunk_output: Sequential;
  declare avgpool: AdaptiveAvgPool2d;
  declare fc: Linear;

  constructor(blockParams: RegNetBlockParams, opts: RegNetOptions = {}) {
    super();
    const op = "RegNet";
    const { numClasses = 1000, stemWidth = 32, norm = batchNorm } = opts ?? {};
    checkPositiveInt(op, "numClasses", numClasses);
    checkPositiveInt(op, "stemWidth", stemWidth);
    const p = blockParams;
    check(p && Array.isArray(p.widths) && p.widths.length > 0, op, "blockParams must have at least one stage");
    const activation = () => new ReLU({ inplace: true });
    this.stem = conv2dNormActivation(3, stemWidth, { kernelSize: 3, stride: 2, norm, activation });
    const stages: Record<string, Module> = {};
    let width = stemWidth;
    p.widths.forEach((w, i) => {
      stages[`block${i + 1}`] = new AnyStage(width, w, p.strides[i]!, p.depths[i]!, norm, activation, p.groupWidths[i]!,
        p.bottleneckMultipliers[i]!, p.seRatio, i + 1);
      width = w;
    });
    this.trunk_output = new Sequential(stages);
    this.avgpool = new AdaptiveAvgPool2d([1, 1]);
    this.fc = new Linear(width, numClasses);
    noGrad(() => {
      for (const m of this.modules()) {
        if (m instanceof Conv2d) {
          const [kh, kw] = m.kernelSize as readonly number[];
          normal_(m.weight, 0, Math.sqrt(2 / (kh! * kw! * m.outChannels)));
        } else if (m instanceof BatchNorm2d) {
          m.weight?.fill_(1);
          m.bias?.zero_();
        } else if (m instanceof Linear) {
          normal_(m.weight, 0, 0.01);
          m.bias?.zero_();
        }
      }
    });
  }

  override forward(x: Tensor): Tensor {
    check(x.ndim === 4 && x.shape[1] === 3, "RegNet", () => `expected input [N, 3, H, W], got [${x.shape.join(", ")}]`);
    const y = this.trunk_output.forward(this.stem.forward(x)) as Tensor;
    return this.fc.forward(this.avgpool.forward(y).flatten(1));
  }
}

/** Each builder's design (torchvision 0.14's arguments to `BlockParams.from_init_params`). */
export const regnetDesigns = {
  regnetY_400mf: { depth: 16, w0: 48, wa: 27.89, wm: 2.09, groupWidth: 8, seRatio: 0.25 },
  regnetY_800mf: { depth: 14, w0: 56, wa: 38.84, wm: 2.4, groupWidth: 16, seRatio: 0.25 },
  regnetY_1_6gf: { depth: 27, w0: 48, wa: 20.71, wm: 2.65, groupWidth: 24, seRatio: 0.25 },
  regnetY_3_2gf: { depth: 21, w0: 80, wa: 42.63, wm: 2.66, groupWidth: 24, seRatio: 0.25 },
  regnetY_8gf: { depth: 17, w0: 192, wa: 76.82, wm: 2.19, groupWidth: 56, seRatio: 0.25 },
  regnetY_16gf: { depth: 18, w0: 200, wa: 106.23, wm: 2.48, groupWidth: 112, seRatio: 0.25 },
  regnetY_32gf: { depth: 20, w0: 232, wa: 115.89, wm: 2.53, groupWidth: 232, seRatio: 0.25 },
  regnetY_128gf: { depth: 27, w0: 456, wa: 160.83, wm: 2.52, groupWidth: 264, seRatio: 0.25 },
  regnetX_400mf: { depth: 22, w0: 24, wa: 24.48, wm: 2.54, groupWidth: 16 },
  regnetX_800mf: { depth: 16, w0: 56, wa: 35.73, wm: 2.28, groupWidth: 16 },
  regnetX_1_6gf: { depth: 18, w0: 80, wa: 34.01, wm: 2.25, groupWidth: 24 },
  regnetX_3_2gf: { depth: 25, w0: 88, wa: 26.31, wm: 2.25, groupWidth: 48 },
  regnetX_8gf: { depth: 23, w0: 80, wa: 49.56, wm: 2.88, groupWidth: 120 },
  regnetX_16gf: { depth: 22, w0: 216, wa: 55.59, wm: 2.1, groupWidth: 128 },
  regnetX_32gf: { depth: 23, w0: 320, wa: 69.86, wm: 2.0, groupWidth: 168 },
} as const satisfies Record<string, RegNetDesign>;

const b = (name: keyof typeof regnetDesigns) => (opts: RegNetOptions = {}) => new RegNet(regnetBlockParams(regnetDesigns[name]), opts);

/** `models.regnetY_400mf()`: torchvision.models.regnet_y_400mf(weights=None), 4.3M parameters. */
export const regnetY_400mf = b("regnetY_400mf");
/** `models.regnetY_800mf()`: torchvision.models.regnet_y_800mf, 6.4M parameters. */
export const regnetY_800mf = b("regnetY_800mf");
/** `models.regnetY_1_6gf()`: torchvision.models.regnet_y_1_6gf, 11.2M parameters. */
export const regnetY_1_6gf = b("regnetY_1_6gf");
/** `models.regnetY_3_2gf()`: torchvision.models.regnet_y_3_2gf, 19.4M parameters. */
export const regnetY_3_2gf = b("regnetY_3_2gf");
/** `models.regnetY_8gf()`: torchvision.models.regnet_y_8gf, 39.4M parameters. */
export const regnetY_8gf = b("regnetY_8gf");
/** `models.regnetY_16gf()`: torchvision.models.regnet_y_16gf, 83.6M parameters. */
export const regnetY_16gf = b("regnetY_16gf");
/** `models.regnetY_32gf()`: torchvision.models.regnet_y_32gf, 145.0M parameters. */
export const regnetY_32gf = b("regnetY_32gf");
/** `models.regnetY_128gf()`: torchvision.models.regnet_y_128gf, 644.8M parameters (2.6 GB of float32; `nn.utils.skipInit` before loading weights saves drawing them). */
export const regnetY_128gf = b("regnetY_128gf");
/** `models.regnetX_400mf()`: torchvision.models.regnet_x_400mf(weights=None), 5.5M parameters. */
export const regnetX_400mf = b("regnetX_400mf");
/** `models.regnetX_800mf()`: torchvision.models.regnet_x_800mf, 7.3M parameters. */
export const regnetX_800mf = b("regnetX_800mf");
/** `models.regnetX_1_6gf()`: torchvision.models.regnet_x_1_6gf, 9.2M parameters. */
export const regnetX_1_6gf = b("regnetX_1_6gf");
/** `models.regnetX_3_2gf()`: torchvision.models.regnet_x_3_2gf, 15.3M parameters. */
export const regnetX_3_2gf = b("regnetX_3_2gf");
/** `models.regnetX_8gf()`: torchvision.models.regnet_x_8gf, 39.6M parameters. */
export const regnetX_8gf = b("regnetX_8gf");
/** `models.regnetX_16gf()`: torchvision.models.regnet_x_16gf, 54.3M parameters. */
export const regnetX_16gf = b("regnetX_16gf");
/** `models.regnetX_32gf()`: torchvision.models.regnet_x_32gf, 107.8M parameters. */
export const regnetX_32gf = b("regnetX_32gf");
