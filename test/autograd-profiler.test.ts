/**
 * autograd.profiler (torch.autograd.profiler.profile / record_function): the events a known program
 * makes, their nesting and times, key averages and PyTorch's table, shapes, module events, the
 * Chrome trace, and that the instrumentation is gone afterwards — even when the profiled code throws.
 * On every backend.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as T from "../src/index.js";
import { Tensor, getBackend, manualSeed, randn, tensor, withBackend } from "../src/core.js";
import { TensileError } from "../src/errors.js";
import { backendsUnderTest } from "./helpers/backends.js";
import type { ProfilerEvent } from "../src/autograd/profiler.js";

const { profile, recordFunction } = T.autograd.profiler;

/** Parent of each event: the innermost earlier event whose interval holds it, one level up. */
function checkNesting(events: readonly ProfilerEvent[]): void {
  const open: ProfilerEvent[] = [];
  for (const e of events) {
    while (open.length && open[open.length - 1]!.depth >= e.depth) open.pop();
    assert.equal(e.depth, open.length, `${e.name}: depth ${e.depth} under ${open.map((o) => o.name).join(" > ")}`);
    const p = open[open.length - 1];
    if (p) {
      assert.ok(e.start >= p.start - 1e-9 && e.start + e.duration <= p.start + p.duration + 1e-6, `${e.name} lies inside ${p.name}`);
    }
    assert.ok(e.duration >= 0 && e.selfDuration >= 0 && e.selfDuration <= e.duration + 1e-9, `${e.name}: self ≤ total`);
    open.push(e);
  }
}

for (const backend of backendsUnderTest()) {
  describe(`autograd.profiler on ${backend.name}`, () => {
    test("a forward and backward: op, kernel and backward-rule events, nested and timed", () => withBackend(backend, () => {
      manualSeed(0);
      const x = randn([2, 3]), w = randn([3, 4], { requiresGrad: true });
      const prof = profile(() => {
        const y = x.matmul(w).relu().sum();
        y.backward();
      });
      const names = prof.events.map((e) => e.name);
      for (const n of ["matmul", "relu", "sum", "backward", "relu backward", "matmul backward", "sum backward", "kernel:matmul", "kernel:unary(relu)"])
        assert.ok(names.includes(n), `no ${n} event in ${names.join(", ")}`);
      checkNesting(prof.events);
      const top = prof.events.filter((e) => e.depth === 0);
      assert.deepEqual(top.map((e) => e.name), ["matmul", "relu", "sum", "backward"]);
      const kernel = prof.events.find((e) => e.name === "kernel:unary(relu)")!;
      assert.equal(prof.events.filter((e) => e.depth === kernel.depth - 1 && e.start <= kernel.start).at(-1)!.name, "relu", "relu's kernel runs inside relu");
      for (const e of prof.events.filter((e) => e.name.endsWith(" backward")))
        assert.ok(e.depth >= 1 && prof.events.some((p) => p.name === "backward" && p.depth === 0 && p.start <= e.start), `${e.name} runs inside backward`);
      // self times add up to the top-level totals, which fit in the profile's wall time
      const self = prof.events.reduce((s, e) => s + e.selfDuration, 0);
      const topTotal = top.reduce((s, e) => s + e.duration, 0);
      assert.ok(Math.abs(self - topTotal) <= 1e-6 * Math.max(1, topTotal), `Σ self ${self} = Σ top-level ${topTotal}`);
      assert.ok(topTotal <= prof.totalTime + 1e-6);
      assert.ok(w.grad, "the profiled code ran");
    }));

    test("keyAverages counts calls and sums times; table() is PyTorch's, sorted and limited", () => withBackend(backend, () => {
      const a = randn([8, 8]);
      const prof = profile(() => {
        for (let i = 0; i < 3; i++) recordFunction("step", () => a.exp().mul(2));
      });
      const rows = prof.keyAverages();
      const row = (n: string) => rows.find((r) => r.name === n)!;
      assert.equal(row("step").count, 3);
      assert.equal(row("step").kind, "user");
      assert.equal(row("exp").count, 3);
      assert.equal(row("mul").count, 3);
      assert.equal(row("kernel:unary(exp)").count, 3);
      const exps = prof.events.filter((e) => e.name === "exp");
      assert.ok(Math.abs(row("exp").cpuTimeTotal - exps.reduce((s, e) => s + e.duration, 0)) < 1e-9);
      assert.ok(Math.abs(row("exp").cpuTimeAvg - row("exp").cpuTimeTotal / 3) < 1e-9);
      const table = rows.table({ sortBy: "cpuTimeTotal", rowLimit: 2 });
      const lines = table.split("\n");
      assert.match(lines[1]!, /^Name\s+Self CPU %\s+Self CPU\s+CPU total %\s+CPU total\s+CPU time avg\s+# of Calls$/);
      assert.equal(lines.length, 3 + 2 + 1 + 1 + 1, "two rows, three rules, the footer, a final newline");
      assert.match(lines[3]!, /^step\s+[\d.]+%\s+[\d.]+(us|ms|s)\s+100\.00%/, "the range holds everything: 100% of the total");
      assert.match(table, /Self CPU time total: [\d.]+(us|ms|s)\n$/);
      const byCount = rows.table({ sortBy: "count" }).split("\n").slice(3, -3).map((l) => Number(l.trim().split(/\s+/).at(-1)));
      assert.deepEqual(byCount, [...byCount].sort((x, y) => y - x), "sorted by calls, descending");
    }));

    test("recordShapes: each op's tensor arguments, `this` first; groupByInputShape splits rows", () => withBackend(backend, () => {
      const a = randn([2, 3]), b = randn([3, 4]), c = randn([5, 3]);
      const prof = profile(() => {
        a.matmul(b);
        c.matmul(b);
        a.matmul(b);
      }, { recordShapes: true });
      const mm = prof.events.filter((e) => e.name === "matmul");
      assert.deepEqual(mm.map((e) => e.inputShapes), [[[2, 3], [3, 4]], [[5, 3], [3, 4]], [[2, 3], [3, 4]]]);
      const rows = prof.keyAverages({ groupByInputShape: true }).filter((r) => r.name === "matmul");
      assert.deepEqual(rows.map((r) => [r.inputShapes, r.count]), [[[[2, 3], [3, 4]], 2], [[[5, 3], [3, 4]], 1]]);
      assert.match(prof.keyAverages({ groupByInputShape: true }).table(), /Input Shapes/);
      const plain = profile(() => a.matmul(b));
      assert.equal(plain.events[0]!.inputShapes, undefined);
      assert.throws(() => plain.keyAverages({ groupByInputShape: true }), (e: unknown) => e instanceof TensileError && /recordShapes/.test(e.message));
    }));

    test("modules: each layer's forward is an event named by class and path", () => withBackend(backend, () => {
      manualSeed(1);
      const { nn } = T;
      const model = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Linear(3, 2));
      const x = randn([5, 4]);
      const forwards = () => model.modules().map((m) => (m as unknown as { forward: unknown }).forward);
      const before = forwards();
      const prof = profile(() => model.forward(x), { modules: model });
      const mods = prof.events.filter((e) => e.kind === "module").map((e) => [e.name, e.depth]);
      assert.deepEqual(mods, [["Sequential", 0], ["Linear (0)", 1], ["ReLU (1)", 1], ["Linear (2)", 1]]);
      assert.deepEqual(forwards(), before, "every forward is put back");
      assert.throws(() => profile(() => 0, { modules: [model, {} as never] }), /modules must be nn.Module instances/);
      assert.deepEqual(forwards(), before, "nothing was left wrapped by the refused call");
      const plain = new nn.Linear(2, 2);
      const proto = Object.getPrototypeOf(plain) as { forward: unknown };
      profile(() => plain.forward(randn([1, 2])), { modules: plain });
      assert.equal(proto.forward, Object.getPrototypeOf(new nn.Linear(2, 2)).forward, "the class's forward is untouched");
    }));

    test("the instrumentation is removed afterwards, also when the profiled code throws; profiles do not nest", () => withBackend(backend, () => {
      const matmul = Tensor.prototype.matmul;
      const b = getBackend();
      const kernels = { matmul: b.matmul, unary: b.unary };
      assert.throws(() => profile(() => {
        randn([2, 2]).matmul(randn([3, 3]));
      }), TensileError);
      assert.equal(Tensor.prototype.matmul, matmul);
      assert.equal(b.matmul, kernels.matmul);
      assert.equal(b.unary, kernels.unary);
      assert.throws(() => profile(() => profile(() => 0)), /already running/);
      assert.equal(Tensor.prototype.matmul, matmul, "restored after the nested refusal");
      assert.equal(recordFunction("outside", () => 42), 42, "recordFunction outside a profile just runs");
      assert.throws(() => profile(42 as never), /expected a function/);
    }));

    test("an async function is profiled until its promise settles; a Chrome trace is written atomically", async () => {
      const prof = await withBackend(backend, () => profile(async () => {
        const a = tensor([1, 2, 3]);
        await new Promise((r) => setTimeout(r, 1));
        a.exp();
      }));
      assert.ok(prof.events.some((e) => e.name === "exp"), "the op after the await is in the profile");
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tensile-prof-"));
      const file = path.join(dir, "trace.json");
      prof.exportChromeTrace(file);
      const trace = JSON.parse(fs.readFileSync(file, "utf8")) as { traceEvents: { name: string; ph: string; ts: number; dur: number }[] };
      assert.equal(trace.traceEvents.length, prof.events.length);
      assert.ok(trace.traceEvents.every((e) => e.ph === "X" && e.ts >= 0 && e.dur >= 0));
      assert.deepEqual(fs.readdirSync(dir), ["trace.json"], "no temporary file left behind");
      fs.rmSync(dir, { recursive: true });
    });
  });
}
