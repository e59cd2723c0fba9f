/**
 * `CSVDataset`: a table of numeric (and categorical) features plus a label column.
 *
 * A column is categorical when it is listed in `categoricalColumns` or when none of its values is
 * a number; categorical features become one-hot columns (`categorical: "onehot"`, default) or one
 * column of category indices (`"index"`), categories sorted. A column that is numeric except for a
 * few cells is an error naming the line and column of the first bad cell. The label column is a
 * class index for text labels (`classes` lists them, sorted), else its number.
 */
import { Tensor, indexSelect, tensor } from "../../core.js";
import { TensileError } from "../../errors.js";
import { Dataset, batchIndexTensor } from "../dataset.js";
import { readText } from "../node-fs.js";
import { checkOptionsObject } from "../../utils/positional.js";

export interface CSVDatasetOptions {
  /** The first line holds column names (default true); otherwise columns are named "0", "1", .... */
  header?: boolean;
  /** The label column, by name or index (negative counts from the end); default: the last column. */
  labelColumn?: string | number;
  /** Encoding of categorical feature columns (default "onehot"). */
  categorical?: "onehot" | "index";
  /** Columns to treat as categorical even when their values look numeric. */
  categoricalColumns?: readonly (string | number)[];
  /** Field separator (default ","). */
  delimiter?: string;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Splits CSV text into rows of fields (RFC 4180 quoting), with the 1-based line each row starts on. */
export function parseCsv(text: string, delimiter = ","): { rows: string[][]; lines: number[] } {
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === "\n")
    throw new TensileError(`CSVDataset: delimiter must be one character other than a quote or newline, got ${JSON.stringify(delimiter)}`);
  const rows: string[][] = [], lines: number[] = [];
  let row: string[] = [], field = "", quoted = false, line = 1, rowLine = 1, i = 0;
  const endRow = () => {
    row.push(field);
    if (!(row.length === 1 && row[0]!.trim() === "")) { rows.push(row); lines.push(rowLine); }
    row = []; field = "";
  };
  if (text.charCodeAt(0) === 0xfeff) i = 1; // byte-order mark
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; }
        else quoted = false;
      } else {
        if (c === "\n") line++;
        field += c;
      }
    } else if (c === '"' && field === "") quoted = true;
    else if (c === delimiter) { row.push(field); field = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      endRow();
      rowLine = ++line;
    } else field += c;
  }
  if (quoted) throw new TensileError(`CSVDataset: unterminated quoted field starting on line ${rowLine}`);
  if (field !== "" || row.length > 0) endRow();
  return { rows, lines };
}

/** Rows of `[features float32 [F], label]`; batches gather both tensors in one op each. */
export class CSVDataset extends Dataset<[Tensor, number]> {
  /** float32 [N, F]. */
  readonly features: Tensor;
  /** int32 [N] (class indices or integer labels) or float32 [N] (real-valued labels). */
  readonly labels: Tensor;
  /** Names of the feature columns after encoding (one-hot columns are named `column=value`). */
  readonly featureNames: readonly string[];
  readonly labelName: string;
  /** The label classes, sorted, when the label column is text; else null. */
  readonly classes: readonly string[] | null;
  /** Sorted categories of each categorical feature column. */
  readonly categories: Readonly<Record<string, readonly string[]>>;
  private readonly labelValues: Float64Array;

  /**
   * `source` is CSV text when it contains a line break, else a file path (read with Node's fs).
   * Use `CSVDataset.fromText` for single-line text.
   */
  constructor(source: string, options: CSVDatasetOptions = {}) {
    super();
    checkOptionsObject("CSVDataset", "options", options);
    options ??= {};
    const text = /[\r\n]/.test(source) ? source : readText("CSVDataset", source);
    const { header = true, categorical = "onehot", delimiter = "," } = options;
    if (categorical !== "onehot" && categorical !== "index")
      throw new TensileError(`CSVDataset: categorical must be "onehot" or "index", got ${JSON.stringify(categorical)}`);
    const { rows, lines } = parseCsv(text, delimiter);
    if (header && rows.length === 0) throw new TensileError("CSVDataset: the CSV is empty (no header line)");
    const width = rows[0]?.length ?? 0;
    const names = header ? rows[0]!.map((s) => s.trim()) : Array.from({ length: width }, (_, i) => String(i));
    const body = header ? rows.slice(1) : rows;
    const bodyLines = header ? lines.slice(1) : lines;
    if (body.length === 0) throw new TensileError("CSVDataset: the CSV has no data rows");
    if (width < 2) throw new TensileError(`CSVDataset: need at least one feature column and a label column, got ${width} column(s)`);
    body.forEach((r, k) => {
      if (r.length !== width) throw new TensileError(`CSVDataset: line ${bodyLines[k]} has ${r.length} fields, expected ${width} (as in the first line)`);
    });
    const colIndex = (c: string | number, what: string): number => {
      if (typeof c === "number") {
        const j = c < 0 ? c + width : c;
        if (!Number.isInteger(c) || j < 0 || j >= width) throw new TensileError(`CSVDataset: ${what} ${c} is out of range for ${width} columns`);
        return j;
      }
      const j = names.indexOf(c);
      if (j < 0) throw new TensileError(`CSVDataset: ${what} ${JSON.stringify(c)} is not a column (columns: ${names.join(", ")})`);
      return j;
    };
    const labelCol = colIndex(options.labelColumn ?? width - 1, "labelColumn");
    const forced = new Set((options.categoricalColumns ?? []).map((c) => colIndex(c, "categoricalColumns entry")));
    const where = (k: number, j: number) => `line ${bodyLines[k]}, column ${JSON.stringify(names[j])} (column ${j})`;

    // Classify columns and find each bad cell's position for errors.
    const isCategorical = names.map((_, j) => {
      if (forced.has(j)) return true;
      let numeric = 0, firstBad = -1;
      body.forEach((r, k) => {
        const v = r[j]!.trim();
        if (v === "") throw new TensileError(`CSVDataset: empty value at ${where(k, j)}`);
        if (NUMBER.test(v)) numeric++;
        else if (firstBad < 0) firstBad = k;
      });
      if (numeric === 0) return true;
      if (firstBad >= 0)
        throw new TensileError(
          `CSVDataset: non-numeric value ${JSON.stringify(body[firstBad]![j]!.trim())} at ${where(firstBad, j)}; the other values of the column are numbers (list it in categoricalColumns to treat it as categorical)`,
        );
      return false;
    });

    const cats: Record<string, string[]> = {};
    const catIndex: (Map<string, number> | null)[] = names.map((name, j) => {
      if (!isCategorical[j]) return null;
      const values = [...new Set(body.map((r) => r[j]!.trim()))].sort();
      if (j !== labelCol) cats[name] = values;
      return new Map(values.map((v, i) => [v, i]));
    });

    const featureNames: string[] = [];
    const plan: { j: number; onehot: number }[] = [];
    names.forEach((name, j) => {
      if (j === labelCol) return;
      if (isCategorical[j] && categorical === "onehot") {
        plan.push({ j, onehot: cats[name]!.length });
        for (const v of cats[name]!) featureNames.push(`${name}=${v}`);
      } else {
        plan.push({ j, onehot: 0 });
        featureNames.push(name);
      }
    });
    const f = featureNames.length, n = body.length;
    const x = new Float32Array(n * f);
    const y = new Float64Array(n);
    body.forEach((r, k) => {
      let o = k * f;
      for (const { j, onehot } of plan) {
        const v = r[j]!.trim();
        if (onehot) { x[o + catIndex[j]!.get(v)!] = 1; o += onehot; }
        else x[o++] = catIndex[j] ? catIndex[j]!.get(v)! : Number(v);
      }
      const lv = r[labelCol]!.trim();
      y[k] = catIndex[labelCol] ? catIndex[labelCol]!.get(lv)! : Number(lv);
    });
    const integerLabels = y.every((v) => Number.isInteger(v) && Math.abs(v) <= 2147483647);
    this.features = tensor(x, { shape: [n, f], dtype: "float32" });
    this.labels = integerLabels ? tensor(Int32Array.from(y), { shape: [n], dtype: "int32" }) : tensor(Float32Array.from(y), { shape: [n], dtype: "float32" });
    this.labelValues = integerLabels ? y : Float64Array.from(Float32Array.from(y));
    this.featureNames = featureNames;
    this.labelName = names[labelCol]!;
    this.classes = isCategorical[labelCol] ? [...catIndex[labelCol]!.keys()] : null;
    this.categories = cats;
  }

  /** Parses CSV text (even a single line). */
  static fromText(text: string, options: CSVDatasetOptions = {}): CSVDataset {
    return new CSVDataset(/[\r\n]/.test(text) ? text : `${text}\n`, options);
  }

  /** Reads a CSV file (Node). */
  static fromFile(path: string, options: CSVDatasetOptions = {}): CSVDataset {
    return new CSVDataset(readText("CSVDataset", path), options);
  }

  get length(): number {
    return this.labelValues.length;
  }

  get numFeatures(): number {
    return this.featureNames.length;
  }

  getItem(index: number): [Tensor, number] {
    if (!Number.isInteger(index) || index < 0 || index >= this.length)
      throw new TensileError(`CSVDataset.getItem: index ${index} is out of range for a dataset of length ${this.length}`);
    return [this.features.index([index]), this.labelValues[index]!];
  }

  /** Features [B, F] and labels [B] (dtype of the whole label column), one gather each. */
  getBatch(indices: readonly number[]): [Tensor, Tensor] {
    const idx = batchIndexTensor("CSVDataset.getBatch", indices, this.length);
    return [indexSelect(this.features, 0, idx), indexSelect(this.labels, 0, idx)];
  }
}
