import type { Tensor } from "./tensor.js";

/** PyTorch-like repr: `tensor([[1.0000, 2.0000]], requires_grad=True)`, summarised past 1000 elements. */
export function formatTensor(t: Tensor): string {
  const flat = t.dataSync();
  const isFloat = t.dtype === "float32" || t.dtype === "float64";
  const vals = Array.from(flat as ArrayLike<number>, Number);
  const finite = vals.filter(Number.isFinite);
  const maxAbs = finite.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const minAbs = finite.filter((v) => v !== 0).reduce((m, v) => Math.min(m, Math.abs(v)), Infinity);
  const sci = isFloat && finite.length > 0 && (maxAbs >= 1e8 || (minAbs < 1e-4 && minAbs !== Infinity));
  const allInt = isFloat && finite.every(Number.isInteger);
  const fmt = (v: number): string => {
    if (t.dtype === "bool") return v ? "True" : "False";
    if (!isFloat) return String(v);
    if (Number.isNaN(v)) return "nan";
    if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
    if (sci) return v.toExponential(4).replace(/e([+-])(\d)$/, "e$10$2");
    if (allInt) return `${v.toFixed(0)}.`;
    return v.toFixed(4);
  };
  const strs = vals.map(fmt);
  const width = strs.reduce((m, s) => Math.max(m, s.length), 0);
  const summarise = vals.length > 1000;
  const indent = "tensor(".length;
  const build = (d: number, off: number): string => {
    if (t.ndim === 0) return strs[0]!;
    const n = t.shape[d]!;
    const step = t.shape.slice(d + 1).reduce((a, b) => a * b, 1);
    const idx = summarise && n > 6 ? [0, 1, 2, -1, n - 3, n - 2, n - 1] : [...Array(n).keys()];
    if (d === t.ndim - 1) return "[" + idx.map((i) => (i < 0 ? "..." : strs[off + i]!.padStart(width))).join(", ") + "]";
    const sep = "," + "\n".repeat(t.ndim - 1 - d) + " ".repeat(indent + d + 1);
    return "[" + idx.map((i) => (i < 0 ? "..." : build(d + 1, off + i * step))).join(sep) + "]";
  };
  const extras: string[] = [];
  if (t.numel() === 0) extras.push(`size=(${t.shape.join(", ")}${t.ndim === 1 ? "," : ""})`);
  if (t.dtype !== "float32" && t.dtype !== "int32" && t.dtype !== "bool") extras.push(`dtype=${t.dtype}`);
  if (t.dtype === "int32") extras.push("dtype=int32");
  if (t.gradFn) extras.push(`grad_fn=<${t.gradFn.name[0]!.toUpperCase()}${t.gradFn.name.slice(1)}Backward0>`);
  else if (t.requiresGrad) extras.push("requires_grad=True");
  return `tensor(${build(0, 0)}${extras.map((e) => ", " + e).join("")})`;
}
