import type { EpochLogs } from "./fit.js";

/** Self-contained SVG and HTML for training curves and results: no scripts, no external assets. */

export interface Series {
  name: string;
  values: number[];
  color?: string;
}

const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];
const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-12; v += step) out.push(+v.toPrecision(12));
  return out;
}

/** A line chart over epochs (x = 1..n) as an SVG string. */
export function lineChartSvg(series: Series[], opts: { title?: string; yLabel?: string; width?: number; height?: number } = {}): string {
  opts ??= {};
  const W = opts.width ?? 560, H = opts.height ?? 320;
  const m = { l: 60, r: 130, t: 36, b: 44 };
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  const n = Math.max(1, ...series.map((s) => s.values.length));
  let lo = all.length ? Math.min(...all) : 0, hi = all.length ? Math.max(...all) : 1;
  if (hi === lo) [lo, hi] = [lo - 0.5, hi + 0.5];
  const pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  const x = (i: number) => m.l + (n === 1 ? 0.5 : i / (n - 1)) * (W - m.l - m.r);
  const y = (v: number) => m.t + (1 - (v - lo) / (hi - lo)) * (H - m.t - m.b);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
  ];
  if (opts.title) parts.push(`<text x="${W / 2 - m.r / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(opts.title)}</text>`);
  for (const t of niceTicks(lo, hi)) {
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y(t)}" y2="${y(t)}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${m.l - 6}" y="${y(t) + 4}" text-anchor="end">${+t.toPrecision(4)}</text>`);
  }
  const xt = niceTicks(1, n, Math.min(n - 1, 10) || 1).filter((v) => Number.isInteger(v));
  for (const t of xt) parts.push(`<text x="${x(t - 1)}" y="${H - m.b + 16}" text-anchor="middle">${t}</text>`);
  parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#444"/>`);
  parts.push(`<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="#444"/>`);
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 8}" text-anchor="middle">epoch</text>`);
  if (opts.yLabel) parts.push(`<text transform="rotate(-90)" x="${-(m.t + H - m.b) / 2}" y="16" text-anchor="middle">${esc(opts.yLabel)}</text>`);
  series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length]!;
    const pts = s.values.map((v, i) => (Number.isFinite(v) ? `${x(i).toFixed(1)},${y(v).toFixed(1)}` : null)).filter(Boolean);
    if (pts.length > 1) parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.join(" ")}"/>`);
    for (const p of pts) parts.push(`<circle cx="${p!.split(",")[0]}" cy="${p!.split(",")[1]}" r="2.5" fill="${color}"/>`);
    parts.push(`<rect x="${W - m.r + 12}" y="${m.t + k * 18}" width="12" height="3" fill="${color}"/>`);
    parts.push(`<text x="${W - m.r + 30}" y="${m.t + k * 18 + 5}">${esc(s.name)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n");
}

/** Loss and (when present) accuracy charts from a fit history. */
export function historyCharts(history: EpochLogs[]): { loss: string; accuracy: string | null } {
  const col = (k: string) => history.map((h) => h[k] ?? NaN);
  const has = (k: string) => history.some((h) => h[k] !== undefined);
  const loss = lineChartSvg(
    [{ name: "train loss", values: col("loss") }, ...(has("val_loss") ? [{ name: "val loss", values: col("val_loss") }] : [])],
    { title: "Loss", yLabel: "loss" },
  );
  const accuracy = has("accuracy") || has("val_accuracy") || has("test_accuracy")
    ? lineChartSvg(
        [
          ...(has("accuracy") ? [{ name: "train acc", values: col("accuracy") }] : []),
          ...(has("val_accuracy") ? [{ name: "val acc", values: col("val_accuracy") }] : []),
          ...(has("test_accuracy") ? [{ name: "test acc", values: col("test_accuracy") }] : []),
        ],
        { title: "Accuracy", yLabel: "accuracy" },
      )
    : null;
  return { loss, accuracy };
}

export interface ReportInput {
  title: string;
  history: EpochLogs[];
  /** Final metrics to list (name → value). */
  metrics?: Record<string, number | string>;
  confusion?: number[][];
  classNames?: string[];
  /** Free-form settings shown in a table (optimizer, lr, epochs...). */
  config?: Record<string, unknown>;
}

/** A single self-contained HTML page: curves, confusion matrix, final metrics, settings. */
export function trainingReportHtml(r: ReportInput): string {
  const charts = historyCharts(r.history);
  const rows = (o: Record<string, unknown>) =>
    Object.entries(o).map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : String(v))}</td></tr>`).join("");
  let cm = "";
  if (r.confusion) {
    const n = r.confusion.length;
    const names = r.classNames ?? [...Array(n).keys()].map(String);
    const max = Math.max(1, ...r.confusion.flat());
    cm = `<h2>Confusion matrix</h2><p>rows: true class, columns: predicted class</p><table class="cm"><tr><th></th>${names.map((c) => `<th>${esc(c)}</th>`).join("")}</tr>` +
      r.confusion.map((row, i) => `<tr><th>${esc(names[i]!)}</th>${row.map((v, j) => {
        const a = v / max;
        const bg = i === j ? `rgba(44,160,44,${a.toFixed(3)})` : `rgba(214,39,40,${a.toFixed(3)})`;
        return `<td style="background:${bg}">${v}</td>`;
      }).join("")}</tr>`).join("") + "</table>";
  }
  const hist = r.history.length
    ? `<h2>History</h2><table><tr>${Object.keys(r.history[0]!).map((k) => `<th>${esc(k)}</th>`).join("")}</tr>${r.history.map((h) => `<tr>${Object.values(h).map((v) => `<td>${Number.isInteger(v) ? v : v.toPrecision(5)}</td>`).join("")}</tr>`).join("")}</table>`
    : "";
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${esc(r.title)}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}.cm td{min-width:3em}.charts{display:flex;flex-wrap:wrap;gap:1em}</style>
</head><body>
<h1>${esc(r.title)}</h1>
${r.metrics ? `<h2>Final metrics</h2><table>${rows(r.metrics)}</table>` : ""}
<div class="charts">${charts.loss}${charts.accuracy ?? ""}</div>
${cm}
${r.config ? `<h2>Settings</h2><table>${rows(r.config)}</table>` : ""}
${hist}
<p>Generated by Tensile.</p>
</body></html>
`;
}
