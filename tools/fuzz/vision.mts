// The Tensile side of the fuzz family "vision" (tools/fuzz/fam_vision.py): calls the
// `data.transforms.functional` op a "tv:NAME" case names with torchvision's arguments turned into
// Tensile's signature (options objects, camelCase), or, for a `tr` case, runs the matching transform
// (transforms.resize(...), transforms.pad(...), ...) on the int32 (0–255) image. tools/fuzz/replay.mts
// calls `callVision` for every call whose fn starts with "tv:"; the format is in fam_vision.py.
import * as TS from "../../src/index.js";

const TR = (TS as any).data.transforms;
const TF = TR.functional;
const dec = (v: any) => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v);

function arg(a: any, vals: Record<string, any>): any {
  if (Array.isArray(a)) return a.map((x) => arg(x, vals));
  if (a !== null && typeof a === "object") {
    if ("$t" in a) return vals[a.$t];
    if ("$null" in a) return null;
  }
  return dec(a);
}

/** torchvision's keyword arguments (snake_case) as Tensile's options object. */
function opts(kw: Record<string, any>, vals: Record<string, any>, keys: string[]): Record<string, any> {
  const o: Record<string, any> = {};
  const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
  for (const k of keys) if (k in kw) o[camel(k)] = arg(kw[k], vals);
  return o;
}

function functional(name: string, a: any[], kw: Record<string, any>, vals: Record<string, any>): any {
  const grid = ["interpolation", "fill"];
  switch (name) {
    case "resize": return TF.resize(a[0], a[1], opts(kw, vals, ["interpolation", "max_size", "antialias"]));
    case "center_crop": return TF.centerCrop(a[0], a[1]);
    case "crop": return TF.crop(a[0], a[1], a[2], a[3], a[4]);
    case "pad": return TF.pad(a[0], a[1], kw.fill ?? 0, kw.padding_mode ?? "constant");
    case "resized_crop": return TF.resizedCrop(a[0], a[1], a[2], a[3], a[4], a[5], opts(kw, vals, ["interpolation", "antialias"]));
    case "hflip": return TF.hflip(a[0]);
    case "vflip": return TF.vflip(a[0]);
    case "rotate": return TF.rotate(a[0], a[1], opts(kw, vals, [...grid, "expand", "center"]));
    case "affine": return TF.affine(a[0], a[1], a[2], a[3], a[4], opts(kw, vals, [...grid, "center"]));
    case "perspective": return TF.perspective(a[0], a[1], a[2], opts(kw, vals, grid));
    case "elastic_transform": return TF.elasticTransform(a[0], a[1], opts(kw, vals, grid));
    case "gaussian_blur": return TF.gaussianBlur(a[0], a[1], a[2]);
    case "adjust_brightness": return TF.adjustBrightness(a[0], a[1]);
    case "adjust_contrast": return TF.adjustContrast(a[0], a[1]);
    case "adjust_saturation": return TF.adjustSaturation(a[0], a[1]);
    case "adjust_hue": return TF.adjustHue(a[0], a[1]);
    case "adjust_gamma": return TF.adjustGamma(a[0], a[1], a[2]);
    case "adjust_sharpness": return TF.adjustSharpness(a[0], a[1]);
    case "rgb_to_grayscale": return TF.rgbToGrayscale(a[0], kw.num_output_channels ?? 1);
    case "invert": return TF.invert(a[0]);
    case "posterize": return TF.posterize(a[0], a[1]);
    case "solarize": return TF.solarize(a[0], a[1]);
    case "autocontrast": return TF.autocontrast(a[0]);
    case "equalize": return TF.equalize(a[0]);
    case "normalize": return TR.normalize(a[1], a[2])(a[0]);
    case "erase": return TF.erase(a[0], a[1], a[2], a[3], a[4], a[5]);
    case "five_crop": return TF.fiveCrop(a[0], a[1]);
    case "ten_crop": return TF.tenCrop(a[0], a[1], a[2]);
    case "convert_image_dtype": return TF.convertImageDtype(a[0], kw.dtype);
  }
  throw new Error(`vision.mts: no Tensile call for ${name}`);
}

/** The transform (applied with probability 1) that runs `name` on an int32 image. */
function transform(name: string, a: any[], kw: Record<string, any>, vals: Record<string, any>): any {
  const x = a[0];
  switch (name) {
    case "resize": return TR.resize(a[1], opts(kw, vals, ["interpolation", "antialias"]))(x);
    case "center_crop": return TR.centerCrop(a[1])(x);
    case "pad": return TR.pad(a[1], { fill: kw.fill ?? 0, paddingMode: kw.padding_mode ?? "constant" })(x);
    case "rgb_to_grayscale": return TR.grayscale(kw.num_output_channels ?? 1)(x);
    case "gaussian_blur": return TR.gaussianBlur(a[1], a[2])(x);
    case "posterize": return TR.randomPosterize(a[1], 1)(x);
    case "equalize": return TR.randomEqualize(1)(x);
    case "autocontrast": return TR.randomAutocontrast(1)(x);
    case "invert": return TR.randomInvert(1)(x);
    case "adjust_sharpness": return TR.randomAdjustSharpness(a[1], 1)(x);
    case "hflip": return TR.randomHorizontalFlip(1)(x);
  }
  throw new Error(`vision.mts: no Tensile transform for ${name}`);
}

export function callVision(spec: any, vals: Record<string, any>): any {
  const name: string = spec.fn.slice(3);
  const a = (spec.args as any[]).map((x) => arg(x, vals));
  const kw = spec.kw ?? {};
  return spec.tr ? transform(name, a, kw, vals) : functional(name, a, kw, vals);
}
