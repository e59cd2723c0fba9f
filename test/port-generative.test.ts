/**
 * Port of two small generative programs as the PyTorch tutorials write them — a convolutional VAE
 * (pytorch/examples' VAE with conv layers) and the DCGAN tutorial's generator/discriminator pair —
 * trained in float64 on 8×8 Fashion-MNIST images and compared step by step with torch 1.13
 * (tools/gen-port-generative-fixtures.py → fixtures/port-generative*.json/.pt; the programs are in
 * test/port-generative-program.ts). Also: print(model), Adam's state after training, resuming from
 * torch's checkpoint (models + optimizers), and the API gaps the port ran into.
 *
 * Randomness cannot match torch's generator: the VAE's eps and the GAN's noise come from the
 * fixture, and both models start from torch's weights (loaded with `loadTorch`). The GAN's
 * `weights_init` is still run through `model.apply` here and its statistics checked.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type Tensor, getBackend, manualSeed, noGrad, setBackend, tensor } from "../src/core.js";
import * as nn from "../src/nn/index.js";
import * as F from "../src/nn/functional/index.js";
import * as optim from "../src/optim/index.js";
import { loadTorch, loadTorchBytes, saveTorchBytes } from "../src/io/index.js";
import { DataLoader, TensorDataset } from "../src/data/index.js";
import { backendsUnderTest } from "./helpers/backends.js";
import { gradcheck } from "./helpers/gradcheck.js";
import { assertThrowsTensile } from "./nn-helpers.js";
import {
  BATCH, Discriminator, Generator, RTOL_LOSS, RTOL_W, VAE, adamStateClose, adams, batchAt, closeTo, fixturePath, fx, lossFunction,
  near, stateDictClose, t64, trainStep, weightsInit,
} from "./port-generative-program.js";

const before = getBackend();
after(() => setBackend(before));

for (const backend of backendsUnderTest()) {
  describe(`port generative: convolutional VAE (${backend.name})`, () => {
    test("20 Adam steps: loss, BCE and KL per step, final state_dict; eval reconstructions and decoded z's", () => {
      setBackend(backend.name);
      const data = t64(fx.images);
      const model = new VAE().double();
      model.loadStateDict(loadTorch<Record<string, Tensor>>(fixturePath("port-generative-vae.pt")));
      const eps = t64(fx.vae.eps);
      const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
      // the example's train loader, unshuffled (torch's shuffle order cannot be matched): 6 batches an epoch
      const trainLoader = new DataLoader(new TensorDataset(data), { batchSize: BATCH });
      model.train();
      let step = 0;
      for (let epoch = 1; step < fx.vae.losses.length; epoch++) for (const [x] of trainLoader) {
        if (step === fx.vae.losses.length) break;
        optimizer.zeroGrad();
        const [recon, mu, logvar] = model.forward(x, eps.select(0, step));
        const [loss, bce, kld] = lossFunction(recon, x, mu, logvar);
        loss.backward();
        // the conv bias feeds a BatchNorm, which subtracts it again: its gradient is rounding noise
        // (~1e-14, different in every summation order), which Adam divides by eps = 1e-8
        const biasGrad = (model.encoder.at(0) as nn.Conv2d).bias!.grad!.abs().max().item();
        assert.ok(biasGrad < 1e-12, `step ${step}: encoder.0.bias gradient ${biasGrad}`);
        optimizer.step();
        near(loss.item(), fx.vae.losses[step]!, RTOL_LOSS, `step ${step} loss`);
        near(bce.item(), fx.vae.bce[step]!, RTOL_LOSS, `step ${step} BCE`);
        near(kld.item(), fx.vae.kld[step]!, RTOL_LOSS, `step ${step} KLD`);
        step++;
      }
      // so that bias (and the running mean, which carries it) moves by at most lr·1e-12/eps = 1e-7 a
      // step: 2e-6 in 20 steps (torch moved it by ~1e-8); everything else agrees to 1e-8
      const noise = 20 * 1e-3 * 1e-12 / 1e-8;
      stateDictClose(model, fx.vae.final, RTOL_W, "vae", { "encoder.0.bias": noise, "encoder.1.running_mean": noise });
      assert.equal(model.stateDict()["encoder.1.num_batches_tracked"]!.item(), fx.vae.losses.length);
      adamStateClose(optimizer, fx.vae.adam, 1e-6, "VAE's Adam"); // (the encoder bias's moments are noise too)
      assert.equal(String(model), fx.vae.repr, "print(model)");

      // eval mode: the model trained here (to 1e-6: its encoder bias and running mean carry the
      // rounding noise above), and the same program on torch's trained weights (to 1e-8), reloaded
      // from a torch.save checkpoint of the state_dict
      const evalX = data.index([`0:${BATCH}`]);
      const z = t64(fx.vae.z);
      const fromTorch = new VAE().double();
      const torchFinal = Object.fromEntries(Object.entries(fx.vae.final).map(([k, v]) => [k, t64(v)]));
      fromTorch.loadStateDict(loadTorchBytes<Record<string, Tensor>>(saveTorchBytes(torchFinal)));
      for (const [m, rtol, who] of [[model, 1e-6, "trained here"], [fromTorch, RTOL_W, "torch's weights"]] as const) {
        m.eval();
        noGrad(() => {
          const [recon, mu, logvar] = m.forward(evalX, t64(fx.vae.evalEps));
          assert.equal(recon.requiresGrad, false);
          closeTo(recon, fx.vae.evalRecon, rtol, `${who}: eval recon`);
          closeTo(mu, fx.vae.evalMu, rtol, `${who}: eval mu`);
          closeTo(logvar, fx.vae.evalLogvar, rtol, `${who}: eval logvar`);
          near(lossFunction(recon, evalX, mu, logvar)[0].item(), fx.vae.evalLoss, rtol, `${who}: eval loss`);
          closeTo(m.decode(z), fx.vae.samples, rtol, `${who}: decoded z`);
          closeTo(m.decode(m.encode(evalX)[0]), fx.vae.meanRecon, rtol, `${who}: reconstruction from mu`);
        });
      }
      assert.equal(fromTorch.stateDict()["encoder.1.num_batches_tracked"]!.dtype, "int32");
    });
  });

  describe(`port generative: DCGAN (${backend.name})`, () => {
    test("weights_init through model.apply: N(0, 0.02) conv weights, N(1, 0.02) BatchNorm weights, zero biases", () => {
      setBackend(backend.name);
      manualSeed(7);
      // a wider generator than the compared one, so that the statistics mean something
      const netG = new nn.Sequential(
        new nn.ConvTranspose2d(64, 32, 4, 1, 0, { bias: false }), new nn.BatchNorm2d(256), new nn.ReLU(true),
        new nn.Conv2d(32, 16, 4, 2, 1, { bias: false }));
      const ret = netG.apply(weightsInit);
      assert.equal(ret, netG);
      const stats = (t: Tensor) => {
        const v = Array.from(t.dataSync(), Number);
        const m = v.reduce((a, b) => a + b, 0) / v.length;
        return { m, s: Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1)) };
      };
      for (const conv of [netG.at(0) as nn.ConvTranspose2d, netG.at(3) as nn.Conv2d]) {
        const { m, s } = stats(conv.weight); // 32 768 and 8 192 draws
        assert.ok(Math.abs(m) < 0.002 && Math.abs(s / 0.02 - 1) < 0.05, `conv weight mean ${m} std ${s}`);
        assert.equal(conv.weight.requiresGrad, true);
      }
      const bn = netG.at(1) as nn.BatchNorm2d;
      const { m, s } = stats(bn.weight!);
      assert.ok(Math.abs(m - 1) < 0.006 && Math.abs(s / 0.02 - 1) < 0.2, `BatchNorm weight mean ${m} std ${s}`);
      assert.deepEqual(Array.from(bn.bias!.dataSync()), new Array(256).fill(0));
      assert.equal(bn.weight!.grad, null, "nn.init records no graph");
    });

    test("15 alternating D/G steps (BCELoss, Adam betas (0.5, 0.999)): losses, D(x), D(G(z)), final weights and Adam state", () => {
      setBackend(backend.name);
      manualSeed(1);
      const netG = new Generator().double();
      netG.apply(weightsInit);
      const netD = new Discriminator().double();
      netD.apply(weightsInit);
      const init = loadTorch<{ G: Record<string, Tensor>; D: Record<string, Tensor> }>(fixturePath("port-generative-gan.pt"));
      netG.loadStateDict(init.G);
      netD.loadStateDict(init.D);
      assert.equal(String(netG), fx.gan.reprG, "print(netG)");
      assert.equal(String(netD), fx.gan.reprD, "print(netD)");

      const realImages = t64(fx.images).mul(2).sub(1); // Normalize((0.5,), (0.5,))
      const noise = t64(fx.gan.noise);
      const criterion = new nn.BCELoss();
      const [optimizerD, optimizerG] = adams(netG, netD);
      const keys = ["errD", "errG", "errDReal", "errDFake", "Dx", "DGz1", "DGz2"] as const;
      for (let step = 0; step < fx.gan.errD.length; step++) {
        const stats = trainStep(netG, netD, optimizerD, optimizerG, criterion, batchAt(realImages, step), noise.select(0, step));
        for (const k of keys) near(stats[k], fx.gan[k][step]!, RTOL_LOSS, `step ${step} ${k}`);
      }
      adamStateClose(optimizerG, fx.gan.adamG, RTOL_W, "optimizerG");
      adamStateClose(optimizerD, fx.gan.adamD, RTOL_W, "optimizerD");

      // the tutorial's progress images: no_grad, still training mode (running statistics move)
      const fixedNoise = t64(fx.gan.fixedNoise);
      const fixedTrain = noGrad(() => netG.forward(fixedNoise).detach());
      closeTo(fixedTrain, fx.gan.fixedTrain, RTOL_W, "G(fixed_noise), training mode");
      stateDictClose(netG, fx.gan.finalG, RTOL_W, "netG");
      stateDictClose(netD, fx.gan.finalD, RTOL_W, "netD");
      netG.eval();
      netD.eval();
      noGrad(() => {
        closeTo(netG.forward(fixedNoise), fx.gan.fixedEval, RTOL_W, "G(fixed_noise), eval mode");
        closeTo(netD.forward(realImages.index([`0:${BATCH}`])).view(-1), fx.gan.dEval, RTOL_W, "D(real), eval mode");
      });
    });

    test("resuming from torch's checkpoint (models, Adam state_dicts, epoch): 3 more steps as torch's", () => {
      setBackend(backend.name);
      const checkpoint = loadTorch<{
        netG: Record<string, Tensor>; netD: Record<string, Tensor>; optimizerG: optim.OptimizerStateDict; optimizerD: optim.OptimizerStateDict; epoch: number;
      }>(fixturePath("port-generative-gan-ckpt.pt"));
      const netG = new Generator().double(), netD = new Discriminator().double();
      netG.loadStateDict(checkpoint.netG);
      netD.loadStateDict(checkpoint.netD);
      const [optimizerD, optimizerG] = adams(netG, netD);
      optimizerG.loadStateDict(checkpoint.optimizerG);
      optimizerD.loadStateDict(checkpoint.optimizerD);
      adamStateClose(optimizerG, fx.gan.adamG, 0, "optimizerG from torch's checkpoint");
      netG.train();
      netD.train();
      const realImages = t64(fx.images).mul(2).sub(1);
      const noise = t64(fx.gan.noise), criterion = new nn.BCELoss();
      const r = fx.gan.resume;
      for (let i = 0; i < r.errD.length; i++) {
        const step = checkpoint.epoch + i;
        const stats = trainStep(netG, netD, optimizerD, optimizerG, criterion, batchAt(realImages, step), noise.select(0, step));
        near(stats.errD, r.errD[i]!, RTOL_LOSS, `resumed step ${step} errD`);
        near(stats.errG, r.errG[i]!, RTOL_LOSS, `resumed step ${step} errG`);
      }
      stateDictClose(netG, r.finalG, RTOL_W, "resumed netG");
      stateDictClose(netD, r.finalD, RTOL_W, "resumed netD");
      adamStateClose(optimizerG, r.adamG, RTOL_W, "resumed optimizerG");
      // and the checkpoint Tensile writes back loads into the same state
      const again = loadTorchBytes<{ netG: Record<string, Tensor>; optimizerG: optim.OptimizerStateDict }>(
        saveTorchBytes({ netG: netG.stateDict(), optimizerG: optimizerG.stateDict(), epoch: checkpoint.epoch + r.errD.length }));
      const g2 = new Generator().double();
      g2.loadStateDict(again.netG);
      const o2 = new optim.Adam(g2.parameters(), { lr: 2e-3, betas: [0.5, 0.999] });
      o2.loadStateDict(again.optimizerG);
      stateDictClose(g2, r.finalG, RTOL_W, "netG after a Tensile checkpoint");
      adamStateClose(o2, r.adamG, RTOL_W, "optimizerG after a Tensile checkpoint");
    });
  });
}

describe("port generative: what the port ran into (regressions)", () => {
  test("conv layers take PyTorch's positional arguments, then an options object (the DCGAN tutorial's spelling)", () => {
    // nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False): the options object once had to stand in the stride's place
    const ct = new nn.ConvTranspose2d(4, 8, 4, 1, 0, { bias: false });
    assert.equal(ct.bias, null);
    assert.equal(String(ct), "ConvTranspose2d(4, 8, kernel_size=(4, 4), stride=(1, 1), bias=False)");
    const c = new nn.Conv2d(1, 4, 4, 2, 1, { bias: false, dtype: "float64" });
    assert.equal(String(c), "Conv2d(1, 4, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1), bias=False)");
    assert.equal(c.weight.dtype, "float64");
    assert.deepEqual(new nn.ConvTranspose2d(4, 1, 3, 2, 1, 1, { dtype: "float64" }).outputPadding, [1, 1]);
    assert.deepEqual(new nn.Conv1d(2, 3, 3, 1, { padding: "same" }).padding, "same");
    assert.equal(new nn.Conv3d(2, 3, 3, 1, 0, 1, { groups: 1, bias: false }).bias, null);
    assert.equal(new nn.ConvTranspose1d(2, 3, 3, 2, { outputPadding: 1, bias: false }).bias, null);
    assert.equal(new nn.ConvTranspose3d(2, 3, 3, 2, 1, { bias: false }).bias, null);
    const lazy = new nn.LazyConvTranspose2d(8, 4, 1, 0, { bias: false });
    assert.equal(lazy.bias, null);
    assert.deepEqual(lazy.forward(tensor(new Float32Array(4), { shape: [1, 4, 1, 1] })).shape, [1, 8, 4, 4]);
    assert.equal(new nn.LazyConv2d(4, 4, 2, 1, { bias: false }).bias, null);
    // the old forms still work
    assert.deepEqual(new nn.Conv2d(1, 6, 5, { padding: 2 }).padding, [2, 2]);
    assert.deepEqual(new nn.Conv2d(1, 6, 5, 1, 2, 1, 1, false).padding, [2, 2]);
    // and the usual refusals name the layer
    assertThrowsTensile(() => new nn.Conv2d(1, 4, 4, 2, { stride: 3 }), /^Conv2d: stride given both positionally and as an option/);
    assertThrowsTensile(() => new nn.ConvTranspose2d(1, 4, 4, { bias: false, padding_mode: "zeros" } as never), /^ConvTranspose2d: unknown option "padding_mode"/);
    assertThrowsTensile(() => new nn.Conv2d(1, 4, 4, ...([{ stride: 2 }, 1] as unknown as [number])), /^Conv2d: the options object must be the last argument/);
    assertThrowsTensile(() => new nn.ConvTranspose2d(1, 4, 4, 1, 0, 0, 1, true, 1, "reflect" as never), /^ConvTranspose2d: Only "zeros" padding mode is supported/);
    assertThrowsTensile(() => new nn.Conv2d(1, 4, 4, 1, 0, 1, 1, true, "zeros", 5 as never), /^Conv2d: takes at most 6 positional arguments/);
  });

  test("nn.init given the tutorial's m.weight.data (Tensile's async read) says what to pass instead", () => {
    const conv = new nn.Conv2d(1, 2, 3);
    const dataHint = /expected a Tensor to fill, got a function \(Tensile's x\.data is an async read of the values, not PyTorch's \.data: pass the parameter itself/;
    assertThrowsTensile(() => nn.init.normal_(conv.weight.data as never, 0.0, 0.02), /^normal_: /, dataHint);
    assertThrowsTensile(() => nn.init.constant_(conv.bias!.data as never, 0), /^constant_: /, dataHint);
    assertThrowsTensile(() => nn.init.kaimingUniform_(conv.weight.data as never), /^kaimingUniform_: /, dataHint);
    assertThrowsTensile(() => nn.init.xavierNormal_(conv.weight.data as never), /^xavierNormal_: /, dataHint);
    assertThrowsTensile(() => nn.init.uniform_(null as never), /^uniform_: expected a Tensor to fill, got null$/);
    // what the port writes instead: the parameter itself (no graph recorded, requiresGrad kept)
    nn.init.constant_(conv.bias!, 0);
    assert.deepEqual(Array.from(conv.bias!.dataSync()), [0, 0]);
    assert.equal(conv.bias!.requiresGrad, true);
    assert.equal(conv.bias!.gradFn ?? null, null);
  });

  test("loadStateDict: torch's snake_case keys into camelCase properties say so", () => {
    class Renamed extends nn.Module {
      fcMu = new nn.Linear(2, 2);
    }
    const torchKeys = { "fc_mu.weight": tensor([[1, 0], [0, 1]]), "fc_mu.bias": tensor([0, 0]) };
    assertThrowsTensile(() => new Renamed().loadStateDict(torchKeys),
      /Missing key\(s\) in state_dict: "fcMu.weight", "fcMu.bias"/, /keys are property names: "fcMu.weight" is "fc_mu.weight" in the checkpoint/);
  });
});

describe("port generative: float64 gradchecks", () => {
  test("the VAE's decoder + BCE(sum), and its whole loss", () => {
    manualSeed(3);
    const vae = new VAE().double().eval();
    const target = t64(fx.images).narrow(0, 0, 2);
    gradcheck((z) => F.binaryCrossEntropy(vae.decode(z), target, { reduction: "sum" }), t64(fx.vae.z).narrow(0, 0, 2), "decoder + BCE");
    gradcheck((mu) => lossFunction(vae.decode(mu), target, mu, mu.mul(0.3))[0], t64(fx.vae.z).narrow(0, 0, 2), "VAE loss");
  });
});
