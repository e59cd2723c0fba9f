// The kernels are compiled with V8's loop stack checks off (runtime.ts, optimizedCompile); the
// flags must be back at V8's defaults afterwards, or any other wasm module in the process could
// no longer be interrupted. A worker spinning in an endless wasm loop, compiled after the kernels,
// must still stop on terminate(). Run in a child process: if it could not stop, the child hangs,
// not the test runner.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const child = `
import { Worker } from "node:worker_threads";
const T = await import(${JSON.stringify(fileURLToPath(new URL("../src/index.js", import.meta.url)))});
await T.initWasm();
T.setBackend("wasm");
T.randn([64, 64]).matmul(T.randn([64, 64])).dataSync(); // the kernels are compiled and in use
// (module (func (export "spin") (loop (br 0))))
const spin = [0,97,115,109,1,0,0,0, 1,4,1,96,0,0, 3,2,1,0, 7,8,1,4,115,112,105,110,0,0, 10,9,1,7,0,3,64,12,0,11,11];
const w = new Worker(\`
  const { parentPort } = require("node:worker_threads");
  const m = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(\${JSON.stringify(spin)})));
  parentPort.postMessage("spinning");
  m.exports.spin();
\`, { eval: true, execArgv: [] });
await new Promise((r) => w.once("message", r));
await new Promise((r) => setTimeout(r, 100));
await w.terminate();
console.log("terminated");
`;

test("after the kernels compile, another module's endless wasm loop can still be interrupted", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", child], { encoding: "utf8", timeout: 30_000 });
  assert.equal(r.signal, null, `the child was killed (${r.signal}): the worker's loop could not be interrupted`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /terminated/);
});
