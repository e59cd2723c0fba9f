/**
 * Port of tools/gen-port-contrastive-fixtures.py: representation-learning losses as PyTorch users
 * write them, compared with torch 1.13 in float64 on both backends — SimCLR's NT-Xent (normalize,
 * z @ z.T / τ, the diagonal masked with −inf or −9e15, arange/cat labels, crossEntropy) under SGD
 * momentum and a LambdaLR warm-up + cosine schedule; knowledge distillation (a fixed teacher in eval
 * mode under noGrad, T²·klDiv(batchmean) + CE, and the logTarget form); a siamese CNN with
 * TripletMarginLoss, CosineEmbeddingLoss and MarginRankingLoss on pairwiseDistance, trained with
 * Adam, and its cosine-similarity / cdist matrices.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as T from "../src/index.js";
import { nn, optim, type Tensor } from "../src/index.js";
import * as F from "../src/nn/functional/index.js";
import { type TensorSpec, decode } from "./helpers/fixtures.js";
import { close, spec } from "./helpers/port.js";
import { gradcheck } from "./helpers/gradcheck.js";

const fixturePath = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
type SD = Record<string, TensorSpec>;
const fx = JSON.parse(readFileSync(fixturePath("port-contrastive.json"), "utf8")) as {
  config: { d: number; n: number; simSteps: number; warmup: number; tau: number; kdSteps: number; kdT: number; kdAlpha: number; classes: number; siSteps: number };
  simclr: { views: TensorSpec[][]; steps: { loss: number; lr: number }[]; firstSim: TensorSpec; firstSim9e15: TensorSpec; loss9e15: number; lossPosNeg: number; final: SD; embSim: TensorSpec };
  kd: { x: TensorSpec[]; y: TensorSpec[]; steps: { loss: number; soft: number; softLogTarget: number; hard: number; teacherLogits: TensorSpec }[]; final: SD };
  siamese: { batches: TensorSpec[][]; steps: { loss: number; triplet: number; cosine: number; ranking: number; dPos: TensorSpec; dNeg: TensorSpec }[];
    cosMatrix: TensorSpec; distMatrix: TensorSpec; distMatrixL1: TensorSpec; final: SD };
};
const C = fx.config;
const init = () => T.loadTorch<Record<string, Record<string, Tensor>>>(fixturePath("port-contrastive-init.pt"));

function closeTensor(what: string, got: Tensor, want: TensorSpec, rtol: number, atol = 0): void {
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  const g = got.dataSync(), w = want.data.map(decode);
  w.forEach((e, i) => {
    if (!Number.isFinite(e)) assert.equal(Number(g[i]), e, `${what}[${i}]`);
    else close(`${what}[${i}]`, Number(g[i]), e, rtol, atol);
  });
}
function closeStateDict(what: string, model: nn.Module, want: SD): void {
  const sd = model.stateDict();
  assert.deepEqual(Object.keys(sd), Object.keys(want), `${what}: state-dict keys`);
  for (const [k, w] of Object.entries(want)) closeTensor(`${what} ${k}`, sd[k]!, w, 1e-8, 1e-12);
}

// ---- the programs, as a PyTorch user writes them ----

class SimCLR extends nn.Module {
  encoder = new nn.Sequential(new nn.Linear(C.d, 16), new nn.ReLU(), new nn.Linear(16, 8));
  projector = new nn.Sequential(new nn.Linear(8, 8), new nn.ReLU(), new nn.Linear(8, 4));
  override forward(x: Tensor): Tensor {
    return this.projector.forward(this.encoder.forward(x));
  }
}

function ntXent(z1: Tensor, z2: Tensor, tau: number, fill = -Infinity): [Tensor, Tensor] {
  const n = z1.shape[0]!;
  const z = F.normalize(T.cat([z1, z2], { dim: 0 }), { dim: 1 });
  let sim = z.matmul(z.T).div(tau);
  const mask = T.eye(2 * n, { dtype: "bool" });
  sim = sim.maskedFill(mask, fill);
  const labels = T.cat([T.arange(n, 2 * n), T.arange(0, n)]);
  return [F.crossEntropy(sim, labels), sim];
}

const lrLambda = (step: number): number =>
  step < C.warmup ? (step + 1) / C.warmup : 0.5 * (1 + Math.cos((Math.PI * (step - C.warmup)) / (C.simSteps - C.warmup)));

function runSimCLR() {
  const model = new SimCLR().double();
  model.loadStateDict(init().simclr!);
  const opt = new optim.SGD(model.parameters(), { lr: 0.3, momentum: 0.9, weightDecay: 1e-4 });
  const sched = new optim.lrScheduler.LambdaLR(opt, lrLambda);
  const steps: { loss: number; lr: number }[] = [];
  let firstSim: Tensor | undefined, firstSim9e15: Tensor | undefined, loss9e15 = NaN, lossPosNeg = NaN;
  fx.simclr.views.forEach(([a, b], step) => {
    const v1 = spec(a!), v2 = spec(b!);
    model.train();
    const lr = opt.paramGroups[0]!.lr;
    const [loss, sim] = ntXent(model.forward(v1), model.forward(v2), C.tau);
    if (step === 0) {
      firstSim = sim.detach();
      const [l2, s2] = ntXent(model.forward(v1), model.forward(v2), C.tau, -9e15);
      loss9e15 = l2.item();
      firstSim9e15 = s2.detach();
      // the other common form: positives from the ±N diagonals, negatives by a boolean mask
      const n = v1.shape[0]!;
      const z = F.normalize(T.cat([model.forward(v1), model.forward(v2)]), { dim: 1 });
      const s3 = z.matmul(z.T).div(C.tau);
      const pos = T.cat([T.diagonal(s3, { offset: n }), T.diag(s3, { diagonal: -n })]).view(2 * n, 1);
      const eye = T.eye(2 * n, { dtype: "bool" });
      const keep = eye.bitwiseOr(eye.roll(n, 1)).bitwiseNot();
      const logits = T.cat([pos, s3.index([keep]).view(2 * n, -1)], { dim: 1 });
      lossPosNeg = F.crossEntropy(logits, T.zeros([2 * n], { dtype: "int32" }), { reduction: "sum" }).item() / (2 * n);
    }
    opt.zeroGrad();
    loss.backward();
    opt.step();
    sched.step();
    steps.push({ loss: loss.item(), lr });
  });
  model.eval();
  const embSim = T.noGrad(() => {
    const h = F.normalize(model.encoder.forward(spec(fx.simclr.views[0]![0]!)), { dim: 1 });
    return h.matmul(h.T);
  });
  return { model, steps, firstSim: firstSim!, firstSim9e15: firstSim9e15!, loss9e15, lossPosNeg, embSim };
}

class Teacher extends nn.Module {
  net = new nn.Sequential(new nn.Linear(C.d, 24), new nn.ReLU(), new nn.Dropout(0.5), new nn.Linear(24, C.classes));
  override forward(x: Tensor): Tensor {
    return this.net.forward(x);
  }
}
class Student extends nn.Module {
  fc1 = new nn.Linear(C.d, 8);
  fc2 = new nn.Linear(8, C.classes);
  override forward(x: Tensor): Tensor {
    return this.fc2.forward(F.relu(this.fc1.forward(x)));
  }
}

function runDistillation() {
  const sd = init();
  const teacher = new Teacher().double(), student = new Student().double();
  teacher.loadStateDict(sd.teacher!);
  student.loadStateDict(sd.student!);
  teacher.eval();
  const opt = new optim.SGD(student.parameters(), { lr: 0.1, momentum: 0.9 });
  const Tk = C.kdT, alpha = C.kdAlpha;
  const steps = fx.kd.x.map((xs, step) => {
    const x = spec(xs), y = spec(fx.kd.y[step]!);
    const t = T.noGrad(() => teacher.forward(x));
    const s = student.forward(x);
    const soft = F.klDiv(F.logSoftmax(s.div(Tk), { dim: 1 }), F.softmax(t.div(Tk), { dim: 1 }), { reduction: "batchmean" });
    const softLogTarget = F.klDiv(F.logSoftmax(s.div(Tk), { dim: 1 }), F.logSoftmax(t.div(Tk), { dim: 1 }), { reduction: "batchmean", logTarget: true });
    const hard = F.crossEntropy(s, y);
    const loss = soft.mul(alpha * Tk * Tk).add(hard.mul(1 - alpha));
    opt.zeroGrad();
    loss.backward();
    opt.step();
    return { loss: loss.item(), soft: soft.item(), softLogTarget: softLogTarget.item(), hard: hard.item(), teacherLogits: t, teacherGrad: t.requiresGrad };
  });
  return { student, teacher, steps };
}

class Embed extends nn.Module {
  conv = new nn.Conv2d(1, 3, 3);
  fc = new nn.Linear(3 * 4 * 4, 6);
  override forward(x: Tensor): Tensor {
    return this.fc.forward(T.flatten(F.relu(this.conv.forward(x)), 1));
  }
}

function runSiamese() {
  const model = new Embed().double();
  model.loadStateDict(init().siamese!);
  const triplet = new nn.TripletMarginLoss({ margin: 1.0, p: 2 });
  const cosine = new nn.CosineEmbeddingLoss({ margin: 0.2 });
  const ranking = new nn.MarginRankingLoss({ margin: 0.5 });
  const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });
  const steps = fx.siamese.batches.map((batch) => {
    const [a, p, n, pairT] = batch.map(spec) as [Tensor, Tensor, Tensor, Tensor];
    const ea = model.forward(a), ep = model.forward(p), en = model.forward(n);
    const dPos = F.pairwiseDistance(ea, ep), dNeg = F.pairwiseDistance(ea, en);
    const lTri = triplet.forward(ea, ep, en);
    const pairOther = T.where(pairT.view(-1, 1).gt(0), ep, en);
    const lCos = cosine.forward(ea, pairOther, pairT);
    const lRank = ranking.forward(dNeg, dPos, T.onesLike(dPos));
    const loss = lTri.add(lCos).add(lRank.mul(0.5));
    opt.zeroGrad();
    loss.backward();
    opt.step();
    return { loss: loss.item(), triplet: lTri.item(), cosine: lCos.item(), ranking: lRank.item(), dPos: dPos.detach(), dNeg: dNeg.detach() };
  });
  model.eval();
  const [a, p] = fx.siamese.batches[0]!.map(spec) as [Tensor, Tensor];
  const { cosMatrix, distMatrix, distMatrixL1 } = T.noGrad(() => {
    const ea = model.forward(a), ep = model.forward(p);
    return { cosMatrix: F.cosineSimilarity(ea.unsqueeze(1), ep.unsqueeze(0), { dim: 2 }), distMatrix: T.cdist(ea, ep), distMatrixL1: T.cdist(ea, ep, { p: 1 }) };
  });
  return { model, steps, cosMatrix, distMatrix, distMatrixL1 };
}

// ---- the comparisons ----

for (const backend of ["reference", "wasm"] as const) {
  test(`port contrastive (${backend}): SimCLR NT-Xent with a LambdaLR warm-up + cosine schedule matches torch`, () => {
    T.withBackend(backend, () => {
      const r = runSimCLR();
      closeTensor("first similarity matrix (−inf diagonal)", r.firstSim, fx.simclr.firstSim, 1e-12, 1e-14);
      closeTensor("first similarity matrix (−9e15 diagonal)", r.firstSim9e15, fx.simclr.firstSim9e15, 1e-12, 1e-14);
      close("NT-Xent with the −9e15 mask", r.loss9e15, fx.simclr.loss9e15, 1e-12);
      close("NT-Xent, positives by diagonal(offset) / diag(diagonal), negatives by a mask", r.lossPosNeg, fx.simclr.lossPosNeg, 1e-12);
      r.steps.forEach((s, i) => {
        close(`step ${i} lr`, s.lr, fx.simclr.steps[i]!.lr, 1e-14);
        close(`step ${i} loss`, s.loss, fx.simclr.steps[i]!.loss, 1e-9);
      });
      closeStateDict("SimCLR final", r.model, fx.simclr.final);
      closeTensor("encoder cosine-similarity matrix (eval, noGrad)", r.embSim, fx.simclr.embSim, 1e-10, 1e-13);
      // the encoder kept for downstream use: saved as torch.save does, reloaded into a fresh encoder
      const path = join(mkdtempSync(join(tmpdir(), "port-contrastive-")), "encoder.pt");
      try {
        T.saveTorch(r.model.encoder.stateDict(), path);
        const encoder = new SimCLR().double().encoder.eval();
        encoder.loadStateDict(T.loadTorch<Record<string, Tensor>>(path));
        const h = T.noGrad(() => F.normalize(encoder.forward(spec(fx.simclr.views[0]![0]!)), { dim: 1 }));
        closeTensor("reloaded encoder's similarity matrix", h.matmul(h.T), fx.simclr.embSim, 1e-10, 1e-13);
      } finally {
        rmSync(dirname(path), { recursive: true, force: true });
      }
    });
  });

  test(`port contrastive (${backend}): knowledge distillation (T²·KL batchmean + CE, and logTarget) matches torch`, () => {
    T.withBackend(backend, () => {
      const r = runDistillation();
      r.steps.forEach((s, i) => {
        const want = fx.kd.steps[i]!;
        closeTensor(`step ${i} teacher logits (eval: Dropout off)`, s.teacherLogits, want.teacherLogits, 1e-12, 1e-14);
        assert.equal(s.teacherGrad, false, "teacher logits under noGrad do not require grad");
        close(`step ${i} loss`, s.loss, want.loss, 1e-9);
        close(`step ${i} KL`, s.soft, want.soft, 1e-9);
        close(`step ${i} KL (logTarget)`, s.softLogTarget, want.softLogTarget, 1e-9);
        close(`step ${i} CE`, s.hard, want.hard, 1e-9);
      });
      closeStateDict("student final", r.student, fx.kd.final);
      assert.ok(r.teacher.parameters().every((p) => p.grad === null), "the teacher got no gradients");
    });
  });

  test(`port contrastive (${backend}): siamese CNN with triplet, cosine-embedding and margin-ranking losses under Adam matches torch`, () => {
    T.withBackend(backend, () => {
      const r = runSiamese();
      r.steps.forEach((s, i) => {
        const want = fx.siamese.steps[i]!;
        close(`step ${i} loss`, s.loss, want.loss, 1e-9);
        close(`step ${i} triplet`, s.triplet, want.triplet, 1e-9, 1e-15);
        close(`step ${i} cosine embedding`, s.cosine, want.cosine, 1e-9, 1e-15);
        close(`step ${i} margin ranking`, s.ranking, want.ranking, 1e-9, 1e-15);
        closeTensor(`step ${i} d(anchor, positive)`, s.dPos, want.dPos, 1e-9);
        closeTensor(`step ${i} d(anchor, negative)`, s.dNeg, want.dNeg, 1e-9);
      });
      closeStateDict("siamese final", r.model, fx.siamese.final);
      closeTensor("cosine-similarity matrix", r.cosMatrix, fx.siamese.cosMatrix, 1e-10, 1e-13);
      closeTensor("cdist matrix", r.distMatrix, fx.siamese.distMatrix, 1e-10, 1e-13);
      closeTensor("cdist matrix, p = 1", r.distMatrixL1, fx.siamese.distMatrixL1, 1e-10, 1e-13);
    });
  });
}

test("port contrastive: NT-Xent (−9e15 mask) and the distillation loss pass a float64 numerical gradcheck", () => {
  const z2 = spec(fx.simclr.views[0]![1]!).index([":", ":4"]);
  gradcheck((z1) => ntXent(z1, z2, C.tau, -9e15)[0], spec(fx.simclr.views[0]![0]!).index([":", ":4"]), "NT-Xent");
  const t = spec(fx.kd.steps[0]!.teacherLogits), y = spec(fx.kd.y[0]!);
  gradcheck((s) => F.klDiv(F.logSoftmax(s.div(3), { dim: 1 }), F.softmax(t.div(3), { dim: 1 }), { reduction: "batchmean" }).mul(9 * 0.7)
    .add(F.crossEntropy(s, y).mul(0.3)), t.mul(0.5).add(0.1), "distillation loss");
});

// ---- regressions for what the port hit ----

test("port contrastive: diagonal / diag / tril / triu / cdist / topk take PyTorch's keywords (they were read as the offset or p and refused)", () => {
  for (const backend of ["reference", "wasm"] as const)
    T.withBackend(backend, () => {
      const s = T.arange(16, { dtype: "float64" }).view(4, 4);
      assert.deepEqual(T.diagonal(s, { offset: 2 }).toArray(), [2, 7]);
      assert.deepEqual(s.diagonal({ offset: -1 }).toArray(), [4, 9, 14]);
      const b = T.arange(18, { dtype: "float64" }).view(2, 3, 3);
      assert.deepEqual(T.diagonal(b, { dim1: 1, dim2: 2 }).toArray(), [[0, 4, 8], [9, 13, 17]]);
      assert.deepEqual(b.diagonal(1, { dim1: -2, dim2: -1 }).toArray(), [[1, 5], [10, 14]]);
      assert.deepEqual(T.diag(s, { diagonal: -2 }).toArray(), [8, 13]);
      assert.deepEqual(s.diag({ diagonal: 1 }).toArray(), [1, 6, 11]);
      assert.deepEqual(s.tril({ diagonal: -1 }).toArray(), [[0, 0, 0, 0], [4, 0, 0, 0], [8, 9, 0, 0], [12, 13, 14, 0]]);
      assert.deepEqual(T.triu(s, { diagonal: 2 }).toArray(), [[0, 0, 2, 3], [0, 0, 0, 7], [0, 0, 0, 0], [0, 0, 0, 0]]);
      assert.deepEqual(s.clone().triu_({ diagonal: 3 }).toArray(), [[0, 0, 0, 3], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]);
      // the kNN monitor of SSL code: sim.topk(k=knn_k, dim=-1)
      const top = s.topk({ k: 2, dim: 1 });
      assert.deepEqual(top.values.toArray(), [[3, 2], [7, 6], [11, 10], [15, 14]]);
      assert.deepEqual(T.topk(s, 1, { dim: 0, largest: false }).indices.toArray(), [[0, 0, 0, 0]]);
      assert.throws(() => s.topk({ dim: 1 } as never), /topk: selected index k \(undefined\) out of range/);
      // the diagonal view still carries gradient to the right places
      const x = T.arange(9, { dtype: "float64" }).view(3, 3).requiresGrad_();
      x.diagonal({ offset: 1 }).sum().backward();
      assert.deepEqual(x.grad!.toArray(), [[0, 1, 0], [0, 0, 1], [0, 0, 0]]);
      const a = T.tensor([[0, 0], [1, 2]], { dtype: "float64" });
      assert.deepEqual(T.cdist(a, a, { p: 1 }).toArray(), [[0, 3], [3, 0]]);
      assert.deepEqual(T.cdist(a, a, 1, { computeMode: "donot_use_mm_for_euclid_dist" }).toArray(), [[0, 3], [3, 0]]);
      assert.throws(() => T.diagonal(s, { offst: 1 } as never), /diagonal: unknown option "offst" \(expected one of: offset, dim1, dim2\)/);
      assert.throws(() => T.diagonal(s, { offset: 1.5 }), /diagonal: offset must be an integer, got 1\.5/);
      assert.throws(() => s.tril({ diagonal: 0.5 }), /tril: diagonal must be an integer, got 0\.5/);
      assert.throws(() => T.cdist(a, a, { p: -1 }), /cdist: only supports non-negative p values, got -1/);
      assert.throws(() => T.cdist(a, a, { q: 1 } as never), /cdist: unknown option "q" \(expected one of: p, computeMode\)/);
    });
});
