/**
 * Looking at attributions (after Captum's `visualization.visualize_image_attr`): normalisation,
 * ASCII heat maps for a terminal and self-contained SVG heat maps. Strings only; writing files is
 * the caller's (e.g. `io.writeFileAtomic`).
 */
import { Tensor } from "../core.js";
import { TensileError, fmtShape, fmtValue } from "../errors.js";
import { checkKeys } from "./common.js";

/** Which attributions to show (Captum's `sign`). */
export type Sign = "all" | "positive" | "negative" | "absolute_value";
const SIGNS: readonly Sign[] = ["all", "positive", "negative", "absolute_value"];

export interface NormalizeOptions {
  /** Default "absolute_value", as Captum. */
  sign?: Sign;
  /**
   * Percent of the attribution mass treated as outliers (Captum's `outlier_perc`, default 2): the
   * scale is the smallest |value| such that the values at or below it hold (100 − outlierPerc)% of
   * the total |attribution|, and larger values are clipped.
   */
  outlierPerc?: number;
}

/** A 2-D map [H, W] as numbers, from [H, W] or [C, H, W] (channels summed, as Captum does). */
function map2d(op: string, values: Tensor): { h: number; w: number; data: Float64Array } {
  if (!(values instanceof Tensor)) throw new TensileError(`${op}: expected a Tensor of shape [H, W] or [C, H, W], got ${fmtValue(values)}`);
  if (values.ndim !== 2 && values.ndim !== 3)
    throw new TensileError(`${op}: expected a map of shape [H, W] or [C, H, W] (one example), got ${fmtShape(values.shape)}`);
  const v = values.ndim === 3 ? values.detach().to("float64").sum(0) : values.detach().to("float64");
  return { h: v.shape[0]!, w: v.shape[1]!, data: v.dataSync() as Float64Array };
}

/**
 * Attributions scaled to [-1, 1] ("all") or [0, 1] (the other signs) as Captum's
 * `_normalize_attr`: values of the other sign are dropped (set to 0), the rest divided by the
 * cumulative-sum threshold of `outlierPerc` and clipped. All zeros stay zeros.
 */
export function normalizeAttribution(values: ArrayLike<number>, options: NormalizeOptions = {}): Float64Array {
  options ??= {};
  const op = "normalizeAttribution";
  if (!(Array.isArray(values) || ArrayBuffer.isView(values)))
    throw new TensileError(`${op}: expected an array of numbers (use tensor.dataSync() for a Tensor), got ${fmtValue(values)}`);
  checkKeys(op, options, ["sign", "outlierPerc"]);
  const sign = options.sign ?? "absolute_value";
  if (!SIGNS.includes(sign)) throw new TensileError(`${op}: unknown sign ${fmtValue(sign)}; expected one of ${SIGNS.map((s) => `"${s}"`).join(", ")}`);
  const outlierPerc = options.outlierPerc ?? 2;
  if (typeof outlierPerc !== "number" || !(outlierPerc >= 0 && outlierPerc < 100))
    throw new TensileError(`${op}: outlierPerc must be in [0, 100), got ${fmtValue(outlierPerc)}`);
  const kept = Float64Array.from(values, (x) =>
    sign === "all" ? x : sign === "positive" ? Math.max(x, 0) : sign === "negative" ? Math.min(x, 0) : Math.abs(x));
  const mags = Float64Array.from(kept, Math.abs).sort();
  const totalMass = mags.reduce((a, b) => a + b, 0);
  let scale = 0;
  if (totalMass > 0) {
    const want = totalMass * (1 - outlierPerc / 100);
    let acc = 0;
    for (const m of mags) {
      acc += m;
      scale = m;
      if (acc >= want) break;
    }
  }
  if (!(scale > 0)) return new Float64Array(kept.length);
  const lo = sign === "all" || sign === "negative" ? -1 : 0;
  const hi = sign === "negative" ? 0 : 1;
  return kept.map((x) => Math.min(hi, Math.max(lo, x / scale)));
}

/** Light to dark, for magnitudes. */
const RAMP = " .:-=+*#%@";
/** With sign "all": positive values on RAMP, negative ones on this ramp. */
const NEG_RAMP = " ,;~ooxxXX";

export interface AsciiHeatmapOptions extends NormalizeOptions {}

/**
 * A map of shape [H, W] (or [C, H, W], channels summed) as H lines of W characters, darker for
 * larger attributions (" .:-=+*#%@"). With sign "all" negative values use " ,;~ooxxXX" so the
 * two signs can be told apart. Normalised as `normalizeAttribution`.
 */
export function asciiHeatmap(values: Tensor, options: AsciiHeatmapOptions = {}): string {
  options ??= {};
  checkKeys("asciiHeatmap", options, ["sign", "outlierPerc"]);
  const { h, w, data } = map2d("asciiHeatmap", values);
  const norm = normalizeAttribution(data, options);
  const char = (v: number) => {
    const level = Math.min(RAMP.length - 1, Math.round(Math.abs(v) * (RAMP.length - 1)));
    return v < 0 && (options.sign ?? "absolute_value") === "all" ? NEG_RAMP[level]! : RAMP[level]!;
  };
  const lines: string[] = [];
  for (let r = 0; r < h; r++) {
    let line = "";
    for (let c = 0; c < w; c++) line += char(norm[r * w + c]!);
    lines.push(line);
  }
  return lines.join("\n");
}

/** One panel of `heatmapSvg`. */
export interface HeatmapPanel extends NormalizeOptions {
  title?: string;
  /** [H, W] or [C, H, W] (channels summed; for "original_image", 1 channel is grey, 3 are RGB). */
  values: Tensor;
  /**
   * "heat_map" (default): the normalised attributions, white to green for positive, to red for
   * negative, to blue for absolute values. "original_image": the values themselves in [0, 1],
   * drawn dark on white (0 white, 1 black) for one channel, as colours for three.
   */
  method?: "heat_map" | "original_image";
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const mix = (rgb: readonly number[], t: number): string => {
  const c = rgb.map((x) => Math.round(255 + (x - 255) * t));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
};
const GREEN = [0, 128, 0], RED = [200, 0, 0], BLUE = [31, 90, 180];

/**
 * Panels side by side in one self-contained SVG (no scripts, no external assets): one square of
 * `cellSize` pixels per element, the title above each panel, an optional caption below.
 */
export function heatmapSvg(panels: readonly HeatmapPanel[], options: { cellSize?: number; caption?: string } = {}): string {
  options ??= {};
  const op = "heatmapSvg";
  if (!Array.isArray(panels) || panels.length === 0) throw new TensileError(`${op}: expected a non-empty array of panels, got ${fmtValue(panels)}`);
  checkKeys(op, options, ["cellSize", "caption"]);
  panels.forEach((p, i) => {
    if (typeof p !== "object" || p === null) throw new TensileError(`${op}: panel ${i} must be an object { title, values, method, sign }, got ${fmtValue(p)}`);
    checkKeys(op, p, ["title", "values", "method", "sign", "outlierPerc"]);
  });
  const cell = options.cellSize ?? 6;
  if (typeof cell !== "number" || !(cell > 0)) throw new TensileError(`${op}: cellSize must be a positive number, got ${fmtValue(cell)}`);
  const gap = 16, top = 26, bottom = options.caption ? 24 : 8;
  const maps = panels.map((p) => {
    if (p.method !== undefined && p.method !== "heat_map" && p.method !== "original_image")
      throw new TensileError(`${op}: unknown method ${fmtValue(p.method)}; expected "heat_map" or "original_image"`);
    return p.method === "original_image" ? null : map2d(op, p.values);
  });
  const sizes = panels.map((p, i) => {
    if (maps[i]) return [maps[i]!.h, maps[i]!.w] as const;
    const s = p.values instanceof Tensor ? p.values.shape : [];
    if (s.length !== 2 && !(s.length === 3 && (s[0] === 1 || s[0] === 3)))
      throw new TensileError(`${op}: an original_image panel needs shape [H, W], [1, H, W] or [3, H, W], got ${fmtValue(p.values)}`);
    return [s[s.length - 2]!, s[s.length - 1]!] as const;
  });
  const width = sizes.reduce((a, [, w]) => a + w * cell, 0) + gap * (panels.length + 1);
  const height = top + Math.max(...sizes.map(([h]) => h * cell)) + bottom;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12" shape-rendering="crispEdges">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
  ];
  let x0 = gap;
  panels.forEach((p, i) => {
    const [h, w] = sizes[i]!;
    if (p.title) parts.push(`<text x="${x0 + (w * cell) / 2}" y="17" text-anchor="middle">${esc(p.title)}</text>`);
    const fills: string[] = new Array(h * w);
    if (maps[i]) {
      const sign = p.sign ?? "absolute_value";
      const norm = normalizeAttribution(maps[i]!.data, { sign: p.sign, outlierPerc: p.outlierPerc });
      norm.forEach((v, k) => {
        const color = sign === "absolute_value" ? BLUE : sign === "negative" || v < 0 ? RED : GREEN;
        fills[k] = mix(color, Math.abs(v));
      });
    } else {
      const v = p.values.detach().to("float64");
      const d = v.dataSync();
      const rgb = v.ndim === 3 && v.shape[0] === 3;
      const clip = (t: number) => Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
      for (let k = 0; k < h * w; k++) {
        if (rgb) fills[k] = `rgb(${[0, 1, 2].map((c) => Math.round(255 * clip(d[c * h * w + k]!))).join(",")})`;
        else fills[k] = mix([0, 0, 0], clip(d[k]!));
      }
    }
    parts.push(`<g transform="translate(${x0},${top})">`);
    parts.push(`<rect width="${w * cell}" height="${h * cell}" fill="white" stroke="#bbb"/>`);
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++) {
        const f = fills[r * w + c]!;
        if (f !== "rgb(255,255,255)") parts.push(`<rect x="${c * cell}" y="${r * cell}" width="${cell}" height="${cell}" fill="${f}"/>`);
      }
    }
    parts.push("</g>");
    x0 += w * cell + gap;
  });
  if (options.caption) parts.push(`<text x="${gap}" y="${height - 8}">${esc(options.caption)}</text>`);
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
