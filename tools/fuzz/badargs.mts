// Bad-argument probe: calls many ops with one argument replaced by a value PyTorch refuses
// (a non-integer, NaN, ±Infinity, a negative or huge size, an out-of-range dim or index) and
// reports every call that does not throw a TensileError: "MISSING" when it returns (with the
// result's shape), "CRASH" when it throws something else (TypeError, RangeError, a wasm trap).
// After each call a canary tensor is checked, so a write outside a tensor's memory shows.
//
//   node --import tsx tools/fuzz/badargs.mts [wasm|reference]
import fs from "node:fs";
import * as TS from "../../src/index.js";
import { TensileError } from "../../src/errors.js";

const T = TS as any;
const { tensor, F, setBackend } = T;
setBackend(process.argv[2] ?? "wasm");

const x4 = () => tensor(Float32Array.from({ length: 2 * 3 * 4 * 5 }, (_, i) => (i % 7) - 3), { shape: [2, 3, 4, 5] });
const x2 = () => tensor(Float32Array.from({ length: 12 }, (_, i) => i), { shape: [3, 4] });
const x1 = () => tensor(Float32Array.from({ length: 6 }, (_, i) => i), { shape: [6] });
const idx = (a: number[], shape = [a.length]) => tensor(Int32Array.from(a), { shape, dtype: "int32" });
const canary = tensor(Float32Array.from({ length: 4096 }, (_, i) => i % 251), { shape: [4096] }).mul(1);

const BAD = [1.5, NaN, Infinity, -Infinity, -7, 2 ** 31, 1e300, -0.5];
// Huge values are left out where they would be a legitimate (if impossible) allocation size; PyTorch
// would try to allocate too.
const ALLOCATES = /expand|repeat|tile|pad|padding|dilation|adaptive|interpolate|fold|zeros|full|arange|linspace|eye|randn|randperm|multinomial|bincount|histc|oneHot|repeatInterleave|tensorSplit|stft|fft|unflatten|outputPadding|diagEmbed|lpPool|kernel/;
type Probe = [string, (v: any) => any];
const probes: Probe[] = [
  ["narrow start", (v) => x2().narrow(1, v, 1)],
  ["narrow length", (v) => x2().narrow(1, 0, v)],
  ["narrow dim", (v) => x2().narrow(v, 0, 1)],
  ["select index", (v) => x2().select(0, v)],
  ["select dim", (v) => x2().select(v, 0)],
  ["index number", (v) => x2().index([v])],
  ["unfold size", (v) => x2().unfold(1, v, 1)],
  ["unfold step", (v) => x2().unfold(1, 2, v)],
  ["unfold dim", (v) => x2().unfold(v, 2, 1)],
  ["expand size", (v) => x1().reshape([1, 6]).expand([v, 6])],
  ["reshape size", (v) => x2().reshape([v, -1])],
  ["view size", (v) => x2().view([v, 4])],
  ["repeat count", (v) => x2().repeat([v, 1])],
  ["tile count", (v) => T.tile(x2(), [v, 1])],
  ["roll shift", (v) => T.roll(x2(), v, 0)],
  ["roll dim", (v) => T.roll(x2(), 1, v)],
  ["flip dim", (v) => T.flip(x2(), [v])],
  ["chunk n", (v) => T.chunk(x2(), v, 0)],
  ["split size", (v) => T.split(x2(), v, 0)],
  ["tensorSplit n", (v) => T.tensorSplit(x2(), v, 0)],
  ["topk k", (v) => T.topk(x1(), v)],
  ["kthvalue k", (v) => T.kthvalue(x1(), v)],
  ["sum dim", (v) => T.sum(x2(), v)],
  ["cumsum dim", (v) => T.cumsum(x2(), v)],
  ["softmax dim", (v) => T.softmax(x2(), v)],
  ["transpose dim", (v) => x2().transpose(v, 0)],
  ["permute dim", (v) => x2().permute([v, 0])],
  ["unsqueeze dim", (v) => x2().unsqueeze(v)],
  ["squeeze dim", (v) => x2().squeeze(v)],
  ["diagonal offset", (v) => T.diagonal(x2(), v)],
  ["tril k", (v) => T.tril(x2(), v)],
  ["gather dim", (v) => T.gather(x2(), v, idx([0, 1, 2], [3, 1]))],
  ["gather index", (v) => T.gather(x2(), 1, tensor([[v], [0], [1]]))],
  ["indexSelect idx", (v) => T.indexSelect(x2(), 0, idx([Number.isFinite(v) ? v | 0 : 99]))],
  ["scatter idx", (v) => T.scatter(x2(), 1, idx([Number.isFinite(v) ? v | 0 : 99, 0, 0], [3, 1]), 1.0)],
  ["take idx", (v) => T.take(x2(), idx([Number.isFinite(v) ? v | 0 : 99]))],
  ["indexAdd idx", (v) => T.indexAdd(x2(), 0, idx([Number.isFinite(v) ? v | 0 : 99]), tensor([[1, 1, 1, 1]]))],
  ["indexPut idx", (v) => T.indexPut(x2(), [idx([Number.isFinite(v) ? v | 0 : 99])], tensor([1]))],
  ["embedding idx", (v) => F.embedding(idx([Number.isFinite(v) ? v | 0 : 99]), x2())],
  ["oneHot classes", (v) => T.oneHot(idx([0, 1]), v)],
  ["repeatInterleave n", (v) => T.repeatInterleave(x1(), v)],
  ["pad amount", (v) => F.pad(x2(), [v, 0])],
  ["pad reflect amount", (v) => F.pad(x2().reshape([1, 3, 4]), [v, 0], "reflect")],
  ["pad circular amount", (v) => F.pad(x2().reshape([1, 3, 4]), [v, 0], "circular")],
  ["conv2d stride", (v) => F.conv2d(x4(), x4().narrow(0, 0, 1).narrow(2, 0, 2).narrow(3, 0, 2), null, { stride: v })],
  ["conv2d padding", (v) => F.conv2d(x4(), x4().narrow(0, 0, 1).narrow(2, 0, 2).narrow(3, 0, 2), null, { padding: v })],
  ["conv2d dilation", (v) => F.conv2d(x4(), x4().narrow(0, 0, 1).narrow(2, 0, 2).narrow(3, 0, 2), null, { dilation: v })],
  ["conv2d groups", (v) => F.conv2d(x4(), x4().narrow(0, 0, 1).narrow(2, 0, 2).narrow(3, 0, 2), null, { groups: v })],
  ["convT2d outputPadding", (v) => F.convTranspose2d(x4(), x4().narrow(0, 0, 3).narrow(2, 0, 2).narrow(3, 0, 2), null, { stride: 2, outputPadding: v })],
  ["maxPool2d kernel", (v) => F.maxPool2d(x4(), v)],
  ["maxPool2d stride", (v) => F.maxPool2d(x4(), 2, { stride: v })],
  ["maxPool2d padding", (v) => F.maxPool2d(x4(), 3, { padding: v })],
  ["maxPool2d dilation", (v) => F.maxPool2d(x4(), 2, { dilation: v })],
  ["avgPool2d kernel", (v) => F.avgPool2d(x4(), v)],
  ["avgPool2d divisor", (v) => F.avgPool2d(x4(), 2, { divisorOverride: v })],
  ["adaptiveAvgPool2d size", (v) => F.adaptiveAvgPool2d(x4(), v)],
  ["adaptiveMaxPool2d size", (v) => F.adaptiveMaxPool2d(x4(), v)],
  ["lpPool2d p", (v) => F.lpPool2d(x4(), v, 2)],
  ["interpolate size", (v) => F.interpolate(x4(), { size: [v, 2], mode: "nearest" })],
  ["interpolate scale", (v) => F.interpolate(x4(), { scaleFactor: v, mode: "bilinear" })],
  ["unfold(F) kernel", (v) => F.unfold(x4(), v)],
  ["fold outputSize", (v) => F.fold(tensor(new Float32Array(2 * 4 * 4), { shape: [2, 4, 4] }), [v, 3], 2)],
  ["pixelShuffle r", (v) => F.pixelShuffle(x4(), v)],
  ["groupNorm groups", (v) => F.groupNorm(x4(), v)],
  ["layerNorm shape", (v) => F.layerNorm(x4(), [v])],
  ["crossEntropy target", (v) => F.crossEntropy(x2(), idx([0, 1, Number.isFinite(v) ? v | 0 : 99]))],
  ["crossEntropy ignoreIndex", (v) => F.crossEntropy(x2(), idx([0, 1, 2]), { ignoreIndex: v })],
  ["nllLoss target", (v) => F.nllLoss(x2(), idx([0, 1, Number.isFinite(v) ? v | 0 : 99]))],
  ["zeros size", (v) => T.zeros([v, 2])],
  ["full size", (v) => T.full([2, v], 1)],
  ["arange end", (v) => T.arange(0, v)],
  ["linspace steps", (v) => T.linspace(0, 1, v)],
  ["eye n", (v) => T.eye(v)],
  ["randn size", (v) => T.randn([v])],
  ["randint high", (v) => T.randint(0, v, [3])],
  ["randperm n", (v) => T.randperm(v)],
  ["multinomial n", (v) => T.multinomial(tensor([0.5, 0.5]), v)],
  ["bincount minlength", (v) => T.bincount(idx([0, 1]), undefined, v)],
  ["histc bins", (v) => T.histc(x1(), v)],
  ["diagEmbed offset", (v) => T.diagEmbed(x1(), v)],
  ["movedim", (v) => T.movedim(x2(), v, 0)],
  ["flatten startDim", (v) => T.flatten(x4(), v)],
  ["unflatten sizes", (v) => T.unflatten(x2(), 1, [v, 2])],
  ["rot90 k", (v) => T.rot90(x2(), v)],
  ["quantile q", (v) => T.quantile(x1(), v)],
  ["norm p", (v) => T.norm(x1(), v)],
  ["pow exponent", (v) => T.pow(x1(), v)],
  ["clamp bound", (v) => T.clamp(x1(), v, 2)],
  ["polygamma n", (v) => T.polygamma(v, x1())],
  ["mvlgamma p", (v) => T.mvlgamma(x1().add(5), v)],
  ["matrixPower n", (v) => T.matrixPower(T.eye(3), v)],
  ["stft nFft", (v) => T.stft(tensor(new Float32Array(64)), v, { returnComplex: false })],
  ["fft n", (v) => T.fft.fft(x1(), v)],
  ["cdist p", (v) => T.cdist(x2(), x2(), v)],
  ["dropout p", (v) => F.dropout(x2(), v, true)],
  ["softmax on int dim", (v) => F.softmax(x2(), v)],
  ["logsumexp dim", (v) => T.logsumexp(x2(), v)],
  ["var correction", (v) => T.var(x2(), 1, { correction: v })],
  ["embeddingBag offsets", (v) => F.embeddingBag(idx([0, 1, 2]), x2(), idx([0, Number.isFinite(v) ? v | 0 : 99]))],
  ["maxUnpool1d idx", (v) => F.maxUnpool1d(tensor([[[1, 2]]]), idx([0, Number.isFinite(v) ? v | 0 : 99], [1, 1, 2]), 2)],
  ["ctcLoss lengths", (v) => F.ctcLoss(T.randn([5, 1, 3]).logSoftmax(2), idx([1, 2], [1, 2]), idx([Number.isFinite(v) ? v | 0 : 99]), idx([2]))],
];

const results: string[] = [];
const progress = process.env.BADARGS_PROGRESS; // a file that names the probe running (to find a hang)
const skip = new Set((process.env.BADARGS_SKIP ?? "").split(",").filter(Boolean)); // "name = value" pairs
for (const [name, f] of probes) {
  for (const v of BAD) {
    if (skip.has(`${name} = ${v}`) || (Math.abs(v) >= 2 ** 31 && ALLOCATES.test(name))) continue;
    if (progress) fs.writeFileSync(progress, `${name} = ${v}`);
    let res: string | null = null;
    try {
      const r = f(v);
      const shapes = (Array.isArray(r) ? r : [r]).map((t: any) => (t && t.shape ? `[${t.shape}]` : String(t))).join(",");
      res = `MISSING  ${name} = ${v}: returned ${shapes.slice(0, 80)}`;
    } catch (e) {
      if (!(e instanceof TensileError)) res = `CRASH    ${name} = ${v}: ${(e as Error)?.name}: ${String((e as Error)?.message).slice(0, 150)}`;
    }
    const d = canary.dataSync();
    for (let i = 0; i < d.length; i++)
      if (d[i] !== i % 251) {
        res = (res ?? "") + ` CORRUPTION canary[${i}] = ${d[i]} after ${name} = ${v}`;
        break;
      }
    // a backend left in a bad state computes wrong results afterwards (seen on wasm)
    const sum = tensor([1, 2, 3]).add(tensor([10, 20, 30])).toArray();
    if (sum.join() !== "11,22,33") res = (res ?? "") + ` POISONED: [1,2,3] + [10,20,30] = [${sum}] after ${name} = ${v}`;
    if (res) results.push(res);
  }
}
console.log(results.join("\n"));
console.log(`${probes.length} probes x ${BAD.length} values: ${results.length} not refused with a TensileError`);
