// The browser test's page script: plain ES module, no bundler. It imports Tensile straight from
// the built dist/, trains a small MLP on two moons generated here, and publishes the outcome in
// `window.__result` (which test/browser.test.ts polls). Every failure is caught and reported
// there too, so the test can print the page's own error instead of timing out.
//
// Query parameters:
//   entry    module to import (default /dist/index.js, the package's entry)
//   backend  "reference" (default) or "wasm"
//   threads  with backend=wasm: setNumThreads(threads) before training
//   steps    optimizer steps (default 40)

const q = new URLSearchParams(location.search);
const entry = q.get("entry") ?? "/dist/index.js";
const wantBackend = q.get("backend") ?? "reference";
const threads = q.has("threads") ? Number(q.get("threads")) : null;
const steps = Number(q.get("steps") ?? "40");

const result = {
  done: false,
  ok: false,
  error: null,
  entry,
  wantBackend,
  crossOriginIsolated: globalThis.crossOriginIsolated === true,
  sharedArrayBuffer: typeof SharedArrayBuffer === "function",
  hardwareConcurrency: navigator.hardwareConcurrency,
  /** What the entry lacks for the wasm backend, when backend=wasm; training then runs on reference. */
  wasmMissing: [],
  backend: null,
  numThreads: null,
  losses: [],
  accuracy: null,
  ms: null,
  /** threadStats() after training (wasm backend): workers ready and jobs they ran. */
  threadStats: null,
};

const log = (line) => {
  document.getElementById("log").textContent += line + "\n";
};

/** mulberry32: a tiny seeded generator for the data, independent of the library's RNG. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** sklearn's make_moons: two interleaved half circles, Gaussian noise, centred. */
function twoMoons(n, noise, seed) {
  const r = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const points = [];
  const labels = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const a = Math.PI * r();
    const x = label === 0 ? Math.cos(a) : 1 - Math.cos(a);
    const y = label === 0 ? Math.sin(a) : 0.5 - Math.sin(a);
    points.push([(x - 0.5) * 2 + noise * gauss(), (y - 0.25) * 2 + noise * gauss()]);
    labels.push(label);
  }
  return { points, labels };
}

async function selectBackend(tensile) {
  if (wantBackend !== "wasm") {
    tensile.setBackend(wantBackend);
    return;
  }
  const missing = result.wasmMissing;
  if (!tensile.listBackends().includes("wasm")) missing.push('a registered "wasm" backend (listBackends())');
  if (threads !== null) {
    if (typeof tensile.setNumThreads !== "function") missing.push("setNumThreads");
    if (typeof tensile.getNumThreads !== "function") missing.push("getNumThreads");
  }
  if (missing.length > 0) {
    log(`wasm backend unavailable from ${entry} (missing: ${missing.join(", ")}); training on reference`);
    tensile.setBackend("reference");
    return;
  }
  // Browsers refuse to compile large wasm modules synchronously on the main thread; initWasm also
  // starts the worker pool and resolves once it is ready (a page starts Workers only when its
  // main thread yields, which this synchronous training loop never does).
  if (typeof tensile.initWasm === "function") await tensile.initWasm(threads !== null ? { numThreads: threads } : undefined);
  tensile.setBackend("wasm");
  if (threads !== null) tensile.setNumThreads(threads);
}

async function main() {
  const tensile = await import(entry);
  const { nn, optim, tensor, manualSeed, noGrad } = tensile;
  await selectBackend(tensile);
  result.backend = tensile.getBackend().name;
  if (result.backend === "wasm" && typeof tensile.getNumThreads === "function") result.numThreads = tensile.getNumThreads();
  // Also on the console, which the test sees even if the page later hangs.
  const status = `backend ${result.backend}, threads ${result.numThreads ?? "-"}, crossOriginIsolated ${result.crossOriginIsolated}`;
  log(status);
  console.log(`tensile page: ${status}; training`);

  // 2048 points and 64 hidden units: large enough that the wasm backend splits the matmuls
  // (2·2048·64·64 flops) and the ReLUs (2048·64 elements) across its threads, small enough to
  // train in seconds on the reference backend.
  const { points, labels } = twoMoons(2048, 0.1, 1);
  const x = tensor(points);
  const y = tensor(labels, { dtype: "int32" });

  manualSeed(0);
  const model = new nn.Sequential(
    new nn.Linear(2, 64),
    new nn.ReLU(),
    new nn.Linear(64, 64),
    new nn.ReLU(),
    new nn.Linear(64, 2),
  );
  const criterion = new nn.CrossEntropyLoss();
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });

  const t0 = performance.now();
  for (let step = 0; step < steps; step++) {
    optimizer.zeroGrad();
    const loss = criterion.forward(model.forward(x), y);
    loss.backward();
    optimizer.step();
    result.losses.push(loss.item());
  }
  result.ms = performance.now() - t0;
  result.accuracy = noGrad(() => model.forward(x).argmax(1).eq(y).to("float32").mean().item());
  if (result.backend === "wasm" && typeof tensile.getNumThreads === "function") result.numThreads = tensile.getNumThreads();
  if (result.backend === "wasm" && typeof tensile.threadStats === "function") result.threadStats = tensile.threadStats();
  const l = result.losses;
  log(`loss ${l[0].toFixed(4)} -> ${l[l.length - 1].toFixed(4)} in ${steps} steps, accuracy ${result.accuracy.toFixed(3)}`);
  result.ok = true;
}

main()
  .catch((e) => {
    result.error = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ""}` : String(e);
    log(`error: ${result.error}`);
  })
  .finally(() => {
    result.done = true;
    window.__result = result;
  });
