/**
 * The Tensile side of tools/gen-port-generative-fixtures.py, shared by test/port-generative.test.ts
 * and test/port-generative-grid.test.ts: the fixture, comparison helpers, and the two programs —
 * a convolutional VAE (pytorch/examples' VAE with conv layers) and the DCGAN tutorial's pair —
 * written almost line for line as the Python is.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Tensor, exp, full, sum, tensor } from "../src/core.js";
import * as nn from "../src/nn/index.js";
import * as F from "../src/nn/functional/index.js";
import * as optim from "../src/optim/index.js";
import { type TensorSpec, decode } from "./helpers/fixtures.js";

export const fixturePath = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
export type SD = Record<string, TensorSpec>;
export interface Fixture {
  batch: number;
  images: TensorSpec;
  vae: {
    eps: TensorSpec; losses: number[]; bce: number[]; kld: number[]; final: SD;
    evalEps: TensorSpec; evalRecon: TensorSpec; evalMu: TensorSpec; evalLogvar: TensorSpec; evalLoss: number;
    z: TensorSpec; samples: TensorSpec; meanRecon: TensorSpec; repr: string; adam: AdamState;
  };
  gan: {
    noise: TensorSpec; fixedNoise: TensorSpec; errD: number[]; errG: number[]; errDReal: number[]; errDFake: number[];
    Dx: number[]; DGz1: number[]; DGz2: number[]; finalG: SD; finalD: SD; fixedTrain: TensorSpec; fixedEval: TensorSpec; dEval: TensorSpec;
    reprG: string; reprD: string; adamG: AdamState; adamD: AdamState; grid: TensorSpec;
    resume: { errD: number[]; errG: number[]; finalG: SD; finalD: SD; adamG: AdamState };
  };
  grids: {
    cases: { name: string; input: TensorSpec; options: Record<string, unknown>; grid: TensorSpec }[];
    saveImage: { input: TensorSpec; nrow: number; mode: string; size: [number, number]; pixels: TensorSpec };
  };
}
/** torch's Adam state_dict: per-parameter state in parameter order, and the group's hyperparameters. */
export interface AdamState {
  state: { step: number; exp_avg: TensorSpec; exp_avg_sq: TensorSpec }[];
  group: Record<string, unknown>;
}
export const fx = JSON.parse(readFileSync(fixturePath("port-generative.json"), "utf8")) as Fixture;
export const BATCH = fx.batch;
const LATENT = 4, NZ = 4, NGF = 4, NDF = 4;

export const t64 = (s: TensorSpec): Tensor => tensor(Float64Array.from(s.data.map(decode)), { shape: s.shape, dtype: s.dtype ?? "float64" });
export const RTOL_LOSS = 1e-9, RTOL_W = 1e-8;

export function near(got: number, want: number, rtol: number, what: string): void {
  assert.ok(Math.abs(got - want) <= rtol * Math.max(1, Math.abs(want)), `${what}: got ${got}, torch ${want}`);
}
export function closeTo(got: Tensor, want: TensorSpec, rtol: number, what: string): void {
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  const g = got.dataSync(), w = want.data.map(decode);
  for (let i = 0; i < w.length; i++) near(Number(g[i]), w[i]!, rtol, `${what}[${i}]`);
}
/** Every entry to `rtol`, except those in `loose`, each to its own tolerance. */
export function stateDictClose(model: nn.Module, want: SD, rtol: number, what: string, loose: Record<string, number> = {}): void {
  const sd = model.stateDict();
  assert.deepEqual(Object.keys(sd), Object.keys(want), `${what}: state_dict keys`);
  for (const [k, v] of Object.entries(want)) closeTo(sd[k]!, v, loose[k] ?? rtol, `${what}.${k}`);
}

// ---- the convolutional VAE, as the Python writes it ----
// The properties keep the Python attribute names (fc_mu, not fcMu): state-dict keys are property
// names, and the weights come from torch's checkpoint.
export class VAE extends nn.Module {
  encoder = new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { stride: 2, padding: 1 }), new nn.BatchNorm2d(4), new nn.LeakyReLU(0.2), new nn.Flatten());
  fc_mu = new nn.Linear(64, LATENT);
  fc_logvar = new nn.Linear(64, LATENT);
  decoder_input = new nn.Linear(LATENT, 64);
  decoder = new nn.Sequential(
    new nn.Unflatten(1, [4, 4, 4]), new nn.ConvTranspose2d(4, 1, 3, { stride: 2, padding: 1, outputPadding: 1 }), new nn.Sigmoid());

  encode(x: Tensor): [Tensor, Tensor] {
    const h = this.encoder.forward(x);
    return [this.fc_mu.forward(h), this.fc_logvar.forward(h)];
  }
  reparameterize(mu: Tensor, logvar: Tensor, eps: Tensor): Tensor {
    const std = exp(logvar.mul(0.5));
    return mu.add(eps.mul(std));
  }
  decode(z: Tensor): Tensor {
    return this.decoder.forward(this.decoder_input.forward(z));
  }
  override forward(x: Tensor, eps: Tensor): [Tensor, Tensor, Tensor] {
    const [mu, logvar] = this.encode(x);
    return [this.decode(this.reparameterize(mu, logvar, eps)), mu, logvar];
  }
}

export function lossFunction(reconX: Tensor, x: Tensor, mu: Tensor, logvar: Tensor): [Tensor, Tensor, Tensor] {
  const bce = F.binaryCrossEntropy(reconX, x, { reduction: "sum" });
  const kld = sum(logvar.add(1).sub(mu.pow(2)).sub(logvar.exp())).mul(-0.5);
  return [bce.add(kld), bce, kld];
}

// ---- DCGAN, as the tutorial writes it ----
export class Generator extends nn.Module {
  main = new nn.Sequential(
    new nn.ConvTranspose2d(NZ, NGF * 2, 4, 1, 0, { bias: false }),
    new nn.BatchNorm2d(NGF * 2),
    new nn.ReLU(true),
    new nn.ConvTranspose2d(NGF * 2, 1, 4, 2, 1, { bias: false }),
    new nn.Tanh(),
  );
  override forward(input: Tensor): Tensor {
    return this.main.forward(input);
  }
}
export class Discriminator extends nn.Module {
  main = new nn.Sequential(
    new nn.Conv2d(1, NDF, 4, 2, 1, { bias: false }),
    new nn.LeakyReLU(0.2, true),
    new nn.Conv2d(NDF, NDF * 2, 4, 2, 1, { bias: false }),
    new nn.BatchNorm2d(NDF * 2),
    new nn.LeakyReLU(0.2, true),
    new nn.Dropout({ p: 0 }),
    new nn.Conv2d(NDF * 2, 1, 2, 1, 0, { bias: false }),
    new nn.Sigmoid(),
  );
  override forward(input: Tensor): Tensor {
    return this.main.forward(input);
  }
}
export function weightsInit(m: nn.Module): void {
  const classname = m.constructor.name;
  if (classname.includes("Conv")) {
    nn.init.normal_((m as nn.Conv2d).weight, 0.0, 0.02);
  } else if (classname.includes("BatchNorm")) {
    nn.init.normal_((m as nn.BatchNorm2d).weight!, 1.0, 0.02);
    nn.init.constant_((m as nn.BatchNorm2d).bias!, 0);
  }
}

/** The two Adam optimizers of the tutorial (betas (0.5, 0.999)); lr 2e-3 so that 15 steps move the pair. */
export function adams(netG: nn.Module, netD: nn.Module): [optim.Adam, optim.Adam] {
  return [new optim.Adam(netD.parameters(), { lr: 2e-3, betas: [0.5, 0.999] }), new optim.Adam(netG.parameters(), { lr: 2e-3, betas: [0.5, 0.999] })];
}

/** The `step`-th batch of `data` (batches of BATCH, cycling), as the generator's `batch`. */
export function batchAt(data: Tensor, step: number): Tensor {
  const i = (step * BATCH) % data.shape[0]!;
  return data.index([`${i}:${i + BATCH}`]);
}

/** One iteration of the DCGAN tutorial's loop; returns the numbers it prints. */
export function trainStep(netG: Generator, netD: Discriminator, optimizerD: optim.Optimizer, optimizerG: optim.Optimizer,
  criterion: nn.BCELoss, real: Tensor, noise: Tensor) {
  const realLabel = 1.0, fakeLabel = 0.0;
  // (1) Update D: maximize log(D(x)) + log(1 - D(G(z)))
  netD.zeroGrad();
  const bSize = real.size(0);
  const label = full([bSize], realLabel, { dtype: "float64" });
  let output = netD.forward(real).view(-1);
  const errDReal = criterion.forward(output, label);
  errDReal.backward();
  const dX = output.mean().item();
  const fake = netG.forward(noise);
  label.fill_(fakeLabel);
  output = netD.forward(fake.detach()).view(-1);
  const errDFake = criterion.forward(output, label);
  errDFake.backward();
  const dGz1 = output.mean().item();
  const errD = errDReal.add(errDFake);
  optimizerD.step();
  // (2) Update G: maximize log(D(G(z)))
  netG.zeroGrad();
  label.fill_(realLabel);
  output = netD.forward(fake).view(-1);
  const errG = criterion.forward(output, label);
  errG.backward();
  const dGz2 = output.mean().item();
  optimizerG.step();
  return { errD: errD.item(), errG: errG.item(), errDReal: errDReal.item(), errDFake: errDFake.item(), Dx: dX, DGz1: dGz1, DGz2: dGz2 };
}

/** An optimizer's state against torch's Adam state_dict: step, exp_avg, exp_avg_sq per parameter, and the hyperparameters. */
export function adamStateClose(opt: optim.Optimizer, want: AdamState, rtol: number, what: string): void {
  const sd = opt.stateDict();
  assert.equal(Object.keys(sd.state).length, want.state.length, `${what}: state entries`);
  want.state.forEach((w, i) => {
    const st = sd.state[i]!;
    const step = st.step as number | Tensor;
    assert.equal(typeof step === "number" ? step : step.item(), w.step, `${what}: state ${i} step`);
    closeTo(st.exp_avg as Tensor, w.exp_avg, rtol, `${what}: state ${i} exp_avg`);
    closeTo(st.exp_avg_sq as Tensor, w.exp_avg_sq, rtol, `${what}: state ${i} exp_avg_sq`);
  });
  for (const k of ["lr", "betas", "eps", "weight_decay", "amsgrad", "maximize"])
    assert.deepEqual(sd.param_groups[0]![k], want.group[k], `${what}: param_groups[0].${k}`);
}
