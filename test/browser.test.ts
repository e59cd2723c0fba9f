/**
 * The library runs in a browser: headless Chromium loads the built package straight from dist/ as
 * ES modules (no bundler), trains a small MLP and reports its losses. Runs:
 *   - a plain page (not cross-origin isolated): the reference backend, then the wasm backend,
 *     which must fall back to one thread there (no SharedArrayBuffer);
 *   - a cross-origin-isolated page (COOP/COEP headers): the wasm backend on 2 threads.
 * Any page error or console error fails the run — an import of a Node-only module (node:fs...)
 * anywhere reachable from dist/index.js shows up here.
 *
 * Needs the build (dist/): rebuilt here with `npm run build` when missing or older than src/.
 * Needs Chromium at /usr/bin/chromium (`apt-get install -y chromium`) or $TENSILE_CHROMIUM;
 * skipped, saying so, without it. $TENSILE_BROWSER_ENTRY (a path under dist/, e.g. `dist/core.js`)
 * replaces the package entry, to narrow down which module breaks a page.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium } from "playwright-core";
import { unresolvableStaticImports } from "./browser/imports.js";
import { startStaticServer } from "./browser/server.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const chromiumPath = process.env.TENSILE_CHROMIUM ?? "/usr/bin/chromium";
const PAGE_TIMEOUT_MS = 60_000;

/** The package's entry as a repo-relative path ("dist/index.js"), read from package.json. */
function packageEntry(): string {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    main?: string;
    exports?: { ".": { import?: string } };
  };
  const entry = pkg.exports?.["."]?.import ?? pkg.main;
  assert.ok(entry, "package.json names no entry (exports['.'].import or main)");
  return entry.replace(/^\.\//, "");
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (e.name.endsWith(".ts")) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds at most once per run; a failed build fails every test that needs dist/. */
let buildOutcome: { error: unknown } | undefined;
function ensureBuilt(entry: string): void {
  if (!buildOutcome) {
    try {
      const note = build(entry);
      if (note) console.log(note);
      buildOutcome = { error: null };
    } catch (e) {
      buildOutcome = { error: e };
    }
  }
  if (buildOutcome.error) throw buildOutcome.error;
}

/**
 * Builds dist/ when the entry is missing or older than a source file. Type errors do not stop tsc
 * from emitting (and `npm run typecheck` reports them), so a failed build only fails this test when
 * it left no entry behind; otherwise its output is returned as a note.
 */
function build(entry: string): string | null {
  const file = join(root, entry);
  const src = join(root, "src");
  if (existsSync(file) && statSync(file).mtimeMs >= newestMtime(src)) return null;
  const r = spawnSync("npm", ["run", "build"], { cwd: root, encoding: "utf8", timeout: 300_000 });
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim();
  if (!existsSync(file)) {
    throw new Error(`${entry} is missing and \`npm run build\` did not produce it (exit ${r.status}):\n${output}`);
  }
  return r.status === 0 ? null : `\`npm run build\` exited ${r.status}; testing what it emitted:\n${output}`;
}

interface PageResult {
  done: boolean;
  ok: boolean;
  error: string | null;
  crossOriginIsolated: boolean;
  sharedArrayBuffer: boolean;
  wasmMissing: string[];
  backend: string | null;
  numThreads: number | null;
  losses: number[];
  accuracy: number | null;
  ms: number | null;
  threadStats: { workersReady: number; jobsOnWorkers: number } | null;
}

interface Run {
  result: PageResult;
  /** pageerror events, console errors, failed requests and HTTP errors, each once. */
  errors: string[];
  warnings: string[];
  workers: number;
}

test("no module statically reachable from the package entry imports a Node built-in or a bare package", () => {
  const entry = packageEntry();
  ensureBuilt(entry);
  const { modules, bad } = unresolvableStaticImports(root, entry);
  assert.ok(modules > 10, `only ${modules} modules reachable from ${entry}`);
  const list = bad.map((b) => `  ${b.at}: ${b.statement}`).join("\n");
  assert.deepEqual(bad, [], `a browser cannot load ${entry} without a bundler; move these behind an adapter:\n${list}`);
});

const haveChromium = existsSync(chromiumPath);
const skip = haveChromium ? false : `Chromium not found at ${chromiumPath} (apt-get install -y chromium, or set TENSILE_CHROMIUM)`;

describe("browser: Tensile from dist/ in headless Chromium", { skip }, () => {
  let context: BrowserContext;
  let userDataDir: string;
  let entry: string;

  before(async () => {
    entry = packageEntry();
    ensureBuilt(entry);
    entry = process.env.TENSILE_BROWSER_ENTRY?.replace(/^\.?\//, "") ?? entry;
    userDataDir = mkdtempSync(join(tmpdir(), "tensile-chromium-"));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath,
      headless: true,
      args: [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic",
      ],
    });
  });

  after(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  /** Serves dist/ and the test page (with COOP/COEP when `isolated`), opens the page, waits for its result. */
  async function runPage(isolated: boolean, query: Record<string, string>, waitForWorker = false): Promise<Run> {
    const server = await startStaticServer({
      mounts: { "/dist/": join(root, "dist"), "/test/browser/": join(root, "test/browser") },
      isolated,
    });
    const page = await context.newPage();
    const errors = new Set<string>();
    const warnings: string[] = [];
    const consoleLines: string[] = [];
    let workers = 0;
    const firstWorker = new Promise<void>((ok) => page.once("worker", () => ok()));
    page.on("pageerror", (e) => errors.add(`pageerror: ${e.stack ?? e.message}`));
    page.on("console", (m) => {
      const where = m.location().url ? ` (${m.location().url}:${m.location().lineNumber})` : "";
      consoleLines.push(`${m.type()}: ${m.text()}`);
      if (m.type() === "error") errors.add(`console.error: ${m.text()}${where}`);
      else if (m.type() === "warning") warnings.push(m.text());
    });
    page.on("worker", (w) => {
      workers++;
      w.on("console", (m) => {
        if (m.type() === "error") errors.add(`worker console.error: ${m.text()}`);
      });
    });
    page.on("requestfailed", (r) => errors.add(`request failed: ${r.url()} (${r.failure()?.errorText})`));
    page.on("response", (r) => {
      if (r.status() >= 400) errors.add(`HTTP ${r.status()}: ${r.url()}`);
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      const params = new URLSearchParams({ entry: "/" + entry, ...query });
      await page.goto(`${server.origin}/test/browser/index.html?${params}`, { waitUntil: "commit" });
      // The deadline is kept here in Node: a page whose main thread is stuck cannot run
      // Playwright's in-page polling, so its own timeout fires late.
      const finished = page.waitForFunction(() => (window as { __result?: { done?: boolean } }).__result?.done === true, null, {
        timeout: 0,
      });
      finished.catch(() => {}); // rejects when the page closes after a hang
      const hung = new Promise<"hung">((ok) => (timer = setTimeout(() => ok("hung"), PAGE_TIMEOUT_MS)));
      if ((await Promise.race([finished, hung])) === "hung") {
        throw new Error(
          `the page did not finish within ${PAGE_TIMEOUT_MS / 1000} s (its main thread may be blocked).\n` +
            `page console:\n${consoleLines.join("\n") || "(empty)"}\nworkers started: ${workers}\n` +
            `errors:\n${[...errors].join("\n") || "(none)"}`,
        );
      }
      const result = (await page.evaluate(() => (window as unknown as { __result: unknown }).__result)) as PageResult;
      if (waitForWorker) {
        // A page's worker starts only once its main thread yields, so it may appear after the result.
        let workerTimer: NodeJS.Timeout | undefined;
        await Promise.race([firstWorker, new Promise((ok) => (workerTimer = setTimeout(ok, 10_000)))]);
        clearTimeout(workerTimer);
      }
      return { result, errors: [...errors], warnings, workers };
    } finally {
      clearTimeout(timer);
      await new Promise((ok) => setImmediate(ok)); // let pending console and worker events arrive
      // A renderer stuck in a loop may not answer; the context's close in after() still ends it.
      let closeTimer: NodeJS.Timeout | undefined;
      await Promise.race([page.close().catch(() => {}), new Promise((ok) => (closeTimer = setTimeout(ok, 5000)))]);
      clearTimeout(closeTimer);
      await server.close();
    }
  }

  function assertTrained(run: Run, label: string, t: { diagnostic(message: string): void }): void {
    const { result, errors } = run;
    const l0 = result.losses[0]?.toFixed(4), l1 = result.losses.at(-1)?.toFixed(4);
    t.diagnostic(`${label}: backend ${result.backend}, threads ${result.numThreads ?? "-"}, workers ${run.workers}, ` +
      `loss ${l0} -> ${l1}, accuracy ${result.accuracy?.toFixed(3)}, ${result.ms?.toFixed(0)} ms`);
    for (const w of new Set(run.warnings)) t.diagnostic(`${label}: console warning: ${w}`);
    // A failed import says only "Failed to fetch dynamically imported module"; the console errors
    // name the module (and the specifier, such as node:fs) at fault.
    const listed = errors.join("\n") || "(none)";
    assert.ok(result.error === null, `${label}: the page threw:\n${result.error}\npage and console errors:\n${listed}`);
    assert.deepEqual(errors, [], `${label}: page or console errors:\n${errors.join("\n")}`);
    assert.ok(result.ok, `${label}: the page did not report success`);
    const l = result.losses;
    assert.equal(l.length, 40, `${label}: expected 40 losses, got ${l.length}`);
    assert.ok(l.every(Number.isFinite), `${label}: non-finite loss in ${l.join(", ")}`);
    // Untrained 2-class logits give about ln 2 ≈ 0.69.
    assert.ok(l[0]! > 0.5 && l[0]! < 1, `${label}: first loss ${l[0]} is not near ln 2`);
    assert.ok(l.at(-1)! < 0.5 * l[0]!, `${label}: loss went ${l[0]} -> ${l.at(-1)} (expected below half)`);
    assert.ok(result.accuracy! > 0.8, `${label}: accuracy after training ${result.accuracy}`);
  }

  let referenceLosses: number[] | null = null;

  /**
   * Same seed, same data, same initial weights (the RNG runs in JS on every backend): the first
   * losses must agree with the reference backend's to float32 rounding, which later steps amplify.
   */
  function assertMatchesReference(run: Run, label: string): void {
    if (!referenceLosses) return;
    for (let i = 0; i < 10; i++) {
      const [a, b] = [run.result.losses[i]!, referenceLosses[i]!];
      assert.ok(Math.abs(a - b) <= 1e-3 * Math.abs(b), `${label}: loss ${i} is ${a}, the reference backend's ${b}`);
    }
  }

  test("reference backend in a plain page", async (t) => {
    const run = await runPage(false, { backend: "reference" });
    assertTrained(run, "reference", t);
    assert.equal(run.result.backend, "reference");
    assert.equal(run.result.crossOriginIsolated, false, "the plain page should not be cross-origin isolated");
    referenceLosses = run.result.losses;
  });

  test("wasm backend in a plain page runs single-threaded", async (t) => {
    const run = await runPage(false, { backend: "wasm", threads: "2" });
    assertTrained(run, "plain page, wasm requested", t);
    assert.equal(run.result.crossOriginIsolated, false);
    if (run.result.wasmMissing.length > 0) {
      t.todo(`wasm backend not reachable from /${entry}: missing ${run.result.wasmMissing.join(", ")} (trained on reference)`);
      return;
    }
    assert.equal(run.result.backend, "wasm");
    assert.equal(run.result.numThreads, 1, "without cross-origin isolation the wasm backend must use one thread");
    assert.equal(run.workers, 0, "no worker should start without shared memory");
    assertMatchesReference(run, "plain page, wasm");
  });

  test("wasm backend with 2 threads in a cross-origin-isolated page", async (t) => {
    const run = await runPage(true, { backend: "wasm", threads: "2" }, true);
    assertTrained(run, "isolated page", t);
    assert.equal(run.result.crossOriginIsolated, true, "COOP/COEP headers should make the page cross-origin isolated");
    assert.equal(run.result.sharedArrayBuffer, true, "SharedArrayBuffer should exist in an isolated page");
    if (run.result.wasmMissing.length > 0) {
      t.todo(`wasm backend not reachable from /${entry}: missing ${run.result.wasmMissing.join(", ")} (trained on reference)`);
      return;
    }
    assert.equal(run.result.backend, "wasm");
    assert.equal(run.result.numThreads, 2, "setNumThreads(2) in an isolated page should give 2 threads");
    assert.ok(run.workers >= 1, "the wasm backend started no worker (2048x64 matmuls should be split across threads)");
    assertMatchesReference(run, "isolated page, wasm");
    // `await initWasm({ numThreads: 2 })` resolved only once the worker was ready, so the page's
    // synchronous training loop (which never yields) really ran kernels on it.
    const stats = run.result.threadStats;
    assert.ok(stats, "the page reported threadStats()");
    assert.equal(stats.workersReady, 1, "one worker ready for 2 threads");
    assert.ok(stats.jobsOnWorkers > 0, `no kernel job ran on the worker: ${JSON.stringify(stats)}`);
  });
});
