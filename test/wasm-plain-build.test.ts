// The wasm backend ships two SIMD builds: with relaxed SIMD (fused multiply-adds in the GEMM), used
// where the engine has it (Node 20 with a flag set at run time, Chrome, Firefox), and a plain one
// for the rest (Safari). The test run otherwise only exercises the relaxed build, so the wasm op
// suite runs again here in a child process with TENSILE_WASM_RELAXED=0, after checking that the
// variable does select the plain build.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
// (without NODE_TEST_CONTEXT, which would make the child's test runner report to this one)
const { NODE_TEST_CONTEXT: _, ...parentEnv } = process.env;
const env = { ...parentEnv, TENSILE_WASM_RELAXED: "0" };

test("TENSILE_WASM_RELAXED=0 selects the plain SIMD build", () => {
  const runtime = JSON.stringify(fileURLToPath(new URL("../src/backends/wasm/runtime.js", import.meta.url)));
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e",
    `const m = await import(${runtime}); console.log("relaxed=" + m.relaxedSimd());`], { encoding: "utf8", env, cwd: root, timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /relaxed=false/);
});

test("the plain SIMD build passes the wasm op suite (both thread counts)", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "--test", "test/wasm-backend.test.ts"], { encoding: "utf8", env, cwd: root, timeout: 300_000 });
  assert.equal(r.signal, null, `the child was killed (${r.signal})`);
  assert.equal(r.status, 0, r.stdout.slice(-4000) + r.stderr.slice(-2000));
  assert.match(r.stdout, /^# fail 0$/m);
  assert.match(r.stdout, /^# pass [1-9]/m);
});
