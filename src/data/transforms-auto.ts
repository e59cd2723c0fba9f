/**
 * Learned and random augmentation policies of torchvision.transforms.autoaugment: `autoAugment`
 * (the ImageNet, CIFAR-10 and SVHN policies), `randAugment` and `trivialAugmentWide`, built from the
 * functional ops with torchvision 0.14's op tables and magnitude bins.
 *
 * torchvision runs these on uint8 images; on float images [0, 1] here, Solarize's threshold
 * (0–255 in the tables) is divided by 255, and Posterize and Equalize quantise to 8-bit levels (see
 * `functional.posterize`/`equalize`). Random draws come from `generator` (else the default).
 */
import { Generator, Tensor } from "../core.js";
import { TensileError } from "../errors.js";
import { randomInt, uniform } from "./random.js";
import type { ImageLike, Transform } from "./transforms.js";
import { type Fill, type Interpolation, checkInterpolation, fillForFloat, fillList, imageChannels, imageSize, linspace32, viaFloat } from "./transforms-common.js";
import * as C from "./transforms-functional-color.js";
import * as G from "./transforms-functional-geometry.js";

export type AugmentOp = "Identity" | "ShearX" | "ShearY" | "TranslateX" | "TranslateY" | "Rotate" | "Brightness" | "Color" | "Contrast"
  | "Sharpness" | "Posterize" | "Solarize" | "AutoContrast" | "Equalize" | "Invert";

export interface AugmentOptions {
  /** For the geometric ops: nearest (default) or bilinear. */
  interpolation?: Interpolation;
  /** Fill for the area the geometric ops uncover (default: none, i.e. zeros). */
  fill?: Fill | null;
  generator?: Generator;
}

/** torchvision's `_apply_op` on a float image: the named op at `magnitude` (signed already). */
export function applyAugmentOp(img: Tensor, op: AugmentOp, magnitude: number, options: { interpolation?: Interpolation; fill?: Fill | null } = {}): Tensor {
  const interpolation = options.interpolation ?? "nearest";
  const fill = fillList("applyAugmentOp", options.fill, img.ndim === 2 ? 1 : img.shape[img.ndim - 3]!);
  const deg = (m: number) => (Math.atan(m) * 180) / Math.PI;
  switch (op) {
    case "ShearX": return G.affine(img, 0, [0, 0], 1, [deg(magnitude), 0], { interpolation, fill, center: [0, 0] });
    case "ShearY": return G.affine(img, 0, [0, 0], 1, [0, deg(magnitude)], { interpolation, fill, center: [0, 0] });
    case "TranslateX": return G.affine(img, 0, [Math.trunc(magnitude), 0], 1, [0, 0], { interpolation, fill });
    case "TranslateY": return G.affine(img, 0, [0, Math.trunc(magnitude)], 1, [0, 0], { interpolation, fill });
    case "Rotate": return G.rotate(img, magnitude, { interpolation, fill });
    case "Brightness": return C.adjustBrightness(img, 1 + magnitude);
    case "Color": return C.adjustSaturation(img, 1 + magnitude);
    case "Contrast": return C.adjustContrast(img, 1 + magnitude);
    case "Sharpness": return C.adjustSharpness(img, 1 + magnitude);
    case "Posterize": return C.posterize(img, Math.trunc(magnitude));
    case "Solarize": return C.solarize(img, magnitude / 255);
    case "AutoContrast": return C.autocontrast(img);
    case "Equalize": return C.equalize(img);
    case "Invert": return C.invert(img);
    case "Identity": return img;
    default: throw new TensileError(`applyAugmentOp: the provided operator ${JSON.stringify(op)} is not recognized`);
  }
}

/** [magnitudes (empty: none), signed] per op. */
type Space = [AugmentOp, number[], boolean][];

const lin = (end: number, bins: number) => linspace32(0, end, bins);
/** 8 − round(k / ((bins − 1) / steps)) for k < bins, in float32 with round half to even (torch.round). */
function posterizeBits(bins: number, steps: number): number[] {
  const d = Math.fround((bins - 1) / steps);
  return Array.from({ length: bins }, (_, k) => {
    const v = Math.fround(k / d), f = Math.floor(v);
    return 8 - (v - f === 0.5 ? (f % 2 === 0 ? f : f + 1) : Math.round(v));
  });
}

/** The op table of AutoAugment and RandAugment (RandAugment adds Identity, AutoAugment adds Invert). */
function standardSpace(bins: number, h: number, w: number): Space {
  return [
    ["ShearX", lin(0.3, bins), true], ["ShearY", lin(0.3, bins), true],
    ["TranslateX", lin((150 / 331) * w, bins), true], ["TranslateY", lin((150 / 331) * h, bins), true],
    ["Rotate", lin(30, bins), true], ["Brightness", lin(0.9, bins), true], ["Color", lin(0.9, bins), true],
    ["Contrast", lin(0.9, bins), true], ["Sharpness", lin(0.9, bins), true],
    ["Posterize", posterizeBits(bins, 4), false], ["Solarize", lin(255, bins).reverse(), false],
    ["AutoContrast", [], false], ["Equalize", [], false],
  ];
}

/** The op table of AutoAugment for an image of height h and width w. */
export function autoAugmentSpace(bins: number, h: number, w: number): Space {
  return [...standardSpace(bins, h, w), ["Invert", [], false]];
}

/** The op table of RandAugment for an image of height h and width w (as torchvision's `_augmentation_space`). */
export function randAugmentSpace(bins: number, h: number, w: number): Space {
  return [["Identity", [], false], ...standardSpace(bins, h, w)];
}

/** The op table of TrivialAugmentWide. */
export function trivialAugmentSpace(bins: number): Space {
  return [
    ["Identity", [], false], ["ShearX", lin(0.99, bins), true], ["ShearY", lin(0.99, bins), true],
    ["TranslateX", lin(32, bins), true], ["TranslateY", lin(32, bins), true], ["Rotate", lin(135, bins), true],
    ["Brightness", lin(0.99, bins), true], ["Color", lin(0.99, bins), true], ["Contrast", lin(0.99, bins), true],
    ["Sharpness", lin(0.99, bins), true], ["Posterize", posterizeBits(bins, 6), false], ["Solarize", lin(255, bins).reverse(), false],
    ["AutoContrast", [], false], ["Equalize", [], false],
  ];
}

type PolicyStep = [AugmentOp, number, number | null];
const P = (a: AugmentOp, p: number, m: number | null): PolicyStep => [a, p, m];
/** torchvision's AutoAugment policies: 25 sub-policies of two (op, probability, magnitude bin) steps each. */
export const AUTO_AUGMENT_POLICIES: Record<"imagenet" | "cifar10" | "svhn", [PolicyStep, PolicyStep][]> = {
  imagenet: [
    [P("Posterize", 0.4, 8), P("Rotate", 0.6, 9)], [P("Solarize", 0.6, 5), P("AutoContrast", 0.6, null)],
    [P("Equalize", 0.8, null), P("Equalize", 0.6, null)], [P("Posterize", 0.6, 7), P("Posterize", 0.6, 6)],
    [P("Equalize", 0.4, null), P("Solarize", 0.2, 4)], [P("Equalize", 0.4, null), P("Rotate", 0.8, 8)],
    [P("Solarize", 0.6, 3), P("Equalize", 0.6, null)], [P("Posterize", 0.8, 5), P("Equalize", 1.0, null)],
    [P("Rotate", 0.2, 3), P("Solarize", 0.6, 8)], [P("Equalize", 0.6, null), P("Posterize", 0.4, 6)],
    [P("Rotate", 0.8, 8), P("Color", 0.4, 0)], [P("Rotate", 0.4, 9), P("Equalize", 0.6, null)],
    [P("Equalize", 0.0, null), P("Equalize", 0.8, null)], [P("Invert", 0.6, null), P("Equalize", 1.0, null)],
    [P("Color", 0.6, 4), P("Contrast", 1.0, 8)], [P("Rotate", 0.8, 8), P("Color", 1.0, 2)],
    [P("Color", 0.8, 8), P("Solarize", 0.8, 7)], [P("Sharpness", 0.4, 7), P("Invert", 0.6, null)],
    [P("ShearX", 0.6, 5), P("Equalize", 1.0, null)], [P("Color", 0.4, 0), P("Equalize", 0.6, null)],
    [P("Equalize", 0.4, null), P("Solarize", 0.2, 4)], [P("Solarize", 0.6, 5), P("AutoContrast", 0.6, null)],
    [P("Invert", 0.6, null), P("Equalize", 1.0, null)], [P("Color", 0.6, 4), P("Contrast", 1.0, 8)],
    [P("Equalize", 0.8, null), P("Equalize", 0.6, null)],
  ],
  cifar10: [
    [P("Invert", 0.1, null), P("Contrast", 0.2, 6)], [P("Rotate", 0.7, 2), P("TranslateX", 0.3, 9)],
    [P("Sharpness", 0.8, 1), P("Sharpness", 0.9, 3)], [P("ShearY", 0.5, 8), P("TranslateY", 0.7, 9)],
    [P("AutoContrast", 0.5, null), P("Equalize", 0.9, null)], [P("ShearY", 0.2, 7), P("Posterize", 0.3, 7)],
    [P("Color", 0.4, 3), P("Brightness", 0.6, 7)], [P("Sharpness", 0.3, 9), P("Brightness", 0.7, 9)],
    [P("Equalize", 0.6, null), P("Equalize", 0.5, null)], [P("Contrast", 0.6, 7), P("Sharpness", 0.6, 5)],
    [P("Color", 0.7, 7), P("TranslateX", 0.5, 8)], [P("Equalize", 0.3, null), P("AutoContrast", 0.4, null)],
    [P("TranslateY", 0.4, 3), P("Sharpness", 0.2, 6)], [P("Brightness", 0.9, 6), P("Color", 0.2, 8)],
    [P("Solarize", 0.5, 2), P("Invert", 0.0, null)], [P("Equalize", 0.2, null), P("AutoContrast", 0.6, null)],
    [P("Equalize", 0.2, null), P("Equalize", 0.6, null)], [P("Color", 0.9, 9), P("Equalize", 0.6, null)],
    [P("AutoContrast", 0.8, null), P("Solarize", 0.2, 8)], [P("Brightness", 0.1, 3), P("Color", 0.7, 0)],
    [P("Solarize", 0.4, 5), P("AutoContrast", 0.9, null)], [P("TranslateY", 0.9, 9), P("TranslateY", 0.7, 9)],
    [P("AutoContrast", 0.9, null), P("Solarize", 0.8, 3)], [P("Equalize", 0.8, null), P("Invert", 0.1, null)],
    [P("TranslateY", 0.7, 9), P("AutoContrast", 0.9, null)],
  ],
  svhn: [
    [P("ShearX", 0.9, 4), P("Invert", 0.2, null)], [P("ShearY", 0.9, 8), P("Invert", 0.7, null)],
    [P("Equalize", 0.6, null), P("Solarize", 0.6, 6)], [P("Invert", 0.9, null), P("Equalize", 0.6, null)],
    [P("Equalize", 0.6, null), P("Rotate", 0.9, 3)], [P("ShearX", 0.9, 4), P("AutoContrast", 0.8, null)],
    [P("ShearY", 0.9, 8), P("Invert", 0.4, null)], [P("ShearY", 0.9, 5), P("Solarize", 0.2, 6)],
    [P("Invert", 0.9, null), P("AutoContrast", 0.8, null)], [P("Equalize", 0.6, null), P("Rotate", 0.9, 3)],
    [P("ShearX", 0.9, 4), P("Solarize", 0.3, 3)], [P("ShearY", 0.8, 8), P("Invert", 0.7, null)],
    [P("Equalize", 0.9, null), P("TranslateY", 0.6, 6)], [P("Invert", 0.9, null), P("Equalize", 0.6, null)],
    [P("Contrast", 0.3, 3), P("Rotate", 0.8, 4)], [P("Invert", 0.8, null), P("TranslateY", 0.0, 2)],
    [P("ShearY", 0.7, 6), P("Solarize", 0.4, 8)], [P("Invert", 0.6, null), P("Rotate", 0.8, 4)],
    [P("ShearY", 0.3, 7), P("TranslateX", 0.9, 3)], [P("ShearX", 0.1, 6), P("Invert", 0.6, null)],
    [P("Solarize", 0.7, 2), P("TranslateY", 0.6, 7)], [P("ShearY", 0.8, 4), P("Invert", 0.8, null)],
    [P("ShearX", 0.7, 9), P("TranslateY", 0.8, 3)], [P("ShearY", 0.8, 5), P("AutoContrast", 0.7, null)],
    [P("ShearX", 0.7, 2), P("Invert", 0.1, null)],
  ],
};

function augmentArgs(op: string, options: AugmentOptions) {
  const interpolation = checkInterpolation(op, options.interpolation ?? "nearest", ["nearest", "bilinear"]);
  return { interpolation, fill: options.fill };
}

/**
 * AutoAugment (Cubuk et al., 2019): one of the policy's 25 sub-policies, picked uniformly; each of
 * its two steps runs with its probability, at its magnitude bin of 10, negated with probability ½
 * for signed ops.
 */
export function autoAugment(policy: "imagenet" | "cifar10" | "svhn" = "imagenet", options: AugmentOptions = {}): Transform<ImageLike, ImageLike> {
  const op = "autoAugment";
  options ??= {};
  const policies = AUTO_AUGMENT_POLICIES[policy];
  if (!policies || !Object.hasOwn(AUTO_AUGMENT_POLICIES, policy))
    throw new TensileError(`${op}: the provided policy ${JSON.stringify(policy)} is not recognized (expected "imagenet", "cifar10" or "svhn")`);
  const args = augmentArgs(op, options);
  const g = options.generator;
  return (img) => {
    const opArgs = { interpolation: args.interpolation, fill: fillForFloat(fillList(op, args.fill, imageChannels(img)), img) };
    const [h, w] = imageSize(op, img);
    const id = randomInt(0, policies.length, g);
    const probs = [uniform(g), uniform(g)], signs = [randomInt(0, 2, g), randomInt(0, 2, g)];
    const space = new Map(autoAugmentSpace(10, h, w).map(([n, m, s]) => [n, [m, s] as const]));
    return viaFloat(op, img, (x) => {
      policies[id]!.forEach(([name, p, bin], i) => {
        if (!(probs[i]! <= p)) return;
        const [mags, signed] = space.get(name)!;
        let m = bin === null ? 0 : mags[bin]!;
        if (signed && signs[i] === 0) m = -m;
        x = applyAugmentOp(x, name, m, opArgs);
      });
      return x;
    });
  };
}

/**
 * RandAugment (Cubuk et al., 2020): `numOps` ops (default 2) picked uniformly from 14, each at bin
 * `magnitude` (default 9) of `numMagnitudeBins` (default 31), signed ops negated with probability ½.
 */
export function randAugment(options: AugmentOptions & { numOps?: number; magnitude?: number; numMagnitudeBins?: number } = {}): Transform<ImageLike, ImageLike> {
  const op = "randAugment";
  options ??= {};
  const { numOps = 2, magnitude = 9, numMagnitudeBins = 31 } = options;
  if (!(Number.isInteger(numOps) && numOps >= 0)) throw new TensileError(`${op}: numOps should be a non-negative integer, got ${numOps}`);
  if (!(Number.isInteger(numMagnitudeBins) && numMagnitudeBins >= 2)) throw new TensileError(`${op}: numMagnitudeBins should be an integer ≥ 2, got ${numMagnitudeBins}`);
  if (!(Number.isInteger(magnitude) && magnitude >= 0 && magnitude < numMagnitudeBins))
    throw new TensileError(`${op}: magnitude should be an integer in [0, numMagnitudeBins) = [0, ${numMagnitudeBins}), got ${magnitude}`);
  const args = augmentArgs(op, options);
  const g = options.generator;
  return (img) => {
    const opArgs = { interpolation: args.interpolation, fill: fillForFloat(fillList(op, args.fill, imageChannels(img)), img) };
    const [h, w] = imageSize(op, img);
    const space = randAugmentSpace(numMagnitudeBins, h, w);
    const steps: [AugmentOp, number][] = [];
    for (let k = 0; k < numOps; k++) {
      const [name, mags, signed] = space[randomInt(0, space.length, g)]!;
      let m = mags.length > 0 ? mags[magnitude]! : 0;
      if (signed && randomInt(0, 2, g) === 1) m = -m;
      steps.push([name, m]);
    }
    return viaFloat(op, img, (x) => steps.reduce((y, [name, m]) => applyAugmentOp(y, name, m, opArgs), x));
  };
}

/** TrivialAugment Wide (Müller & Hutter, 2021): one op of 14 and one magnitude bin, both uniform. */
export function trivialAugmentWide(options: AugmentOptions & { numMagnitudeBins?: number } = {}): Transform<ImageLike, ImageLike> {
  const op = "trivialAugmentWide";
  options ??= {};
  const bins = options.numMagnitudeBins ?? 31;
  if (!(Number.isInteger(bins) && bins >= 2)) throw new TensileError(`${op}: numMagnitudeBins should be an integer ≥ 2, got ${bins}`);
  const args = augmentArgs(op, options);
  const space = trivialAugmentSpace(bins);
  const g = options.generator;
  return (img) => {
    const opArgs = { interpolation: args.interpolation, fill: fillForFloat(fillList(op, args.fill, imageChannels(img)), img) };
    const [name, mags, signed] = space[randomInt(0, space.length, g)]!;
    let m = mags.length > 0 ? mags[randomInt(0, mags.length, g)]! : 0;
    if (signed && randomInt(0, 2, g) === 1) m = -m;
    return viaFloat(op, img, (x) => applyAugmentOp(x, name, m, opArgs));
  };
}
