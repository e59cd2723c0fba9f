"""PyTorch side of the benchmark: one workload per process, result as one JSON line on stdout.

Run by bench/run.ts with Debian's interpreter (/usr/bin/python3) as
    /usr/bin/python3 bench/torch_worker.py '<request json>'
The request and result shapes are the ones in bench/protocol.ts.
"""
import json
import math
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.nn as nn

from idx import load_fashion_mnist_train

RESULT_MARKER = "@@BENCH_RESULT "
ERROR_MARKER = "@@BENCH_ERROR "
BATCH = 64


def log(msg):
    print(f"[torch] {msg}", file=sys.stderr, flush=True)


def peak_rss_mib():
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def mlp():
    return nn.Sequential(nn.Linear(784, 500), nn.ReLU(), nn.Linear(500, 10))


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10),
    )


def train_epochs(req, model, optimizer, x, y):
    """Times `runs` epochs (or `batches` batches per run, extrapolated to an epoch by sample count)."""
    criterion = nn.CrossEntropyLoss()
    n = x.shape[0]
    batches_per_epoch = math.ceil(n / BATCH)
    limit = req.get("batches") or batches_per_epoch
    limit = min(limit, batches_per_epoch)

    def run_batches(count, perm):
        first = last = None
        seen = 0
        for b in range(count):
            idx = perm[b * BATCH:(b + 1) * BATCH]
            xb, yb = x.index_select(0, idx), y.index_select(0, idx)
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            seen += idx.shape[0]
            if b == 0:
                first = loss.item()
            if b == count - 1:
                last = loss.item()
        return seen, first, last

    run_batches(req["warmupBatches"], torch.randperm(n))
    times, losses = [], []
    for r in range(req["runs"]):
        perm = torch.randperm(n)
        t0 = time.perf_counter()
        seen, first, last = run_batches(limit, perm)
        dt = time.perf_counter() - t0
        times.append(dt * n / seen)  # seen == n for a full epoch
        losses.append([first, last])
        log(f"run {r + 1}/{req['runs']}: {dt:.2f} s for {seen} samples")
    return {
        "values": times,
        "extrapolatedFromBatches": None if limit == batches_per_epoch else limit,
        "losses": losses,
    }


def seconds_per_call(fn, min_seconds):
    """Seconds per call of fn, repeated for at least min_seconds (and at least once)."""
    calls = 0
    t0 = time.perf_counter()
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= min_seconds:
            return elapsed / calls


def micro(plan, x):
    out = {}
    model = mlp()
    model.eval()
    with torch.no_grad():
        one = x[:1].clone()
        thousand = x[:1000].clone()
        def median_call(calls):
            per_call = []
            for _ in range(calls):
                t0 = time.perf_counter_ns()
                model(one).numpy()
                per_call.append((time.perf_counter_ns() - t0) / 1000.0)
            return float(np.median(per_call))

        cold = median_call(plan["coldCalls"])  # the fresh process's first calls, as the JS workers
        out["infer.b1cold"] = {"values": [cold]}
        seconds_per_call(lambda: model(one).numpy(), plan["warmupSeconds"])  # untimed, as the JS workers
        lat = [median_call(plan["latencyCalls"]) for _ in range(plan["latencyRuns"])]
        out["infer.b1"] = {"values": lat}
        seconds_per_call(lambda: model(thousand).numpy(), 2 * plan["throughputSecondsPerRun"])  # untimed first
        thr = [1000.0 / seconds_per_call(lambda: model(thousand).numpy(), plan["throughputSecondsPerRun"])
               for _ in range(plan["throughputRuns"])]
        out["infer.b1000"] = {"values": thr}
        log(f"batch-1 latency: first {plan['coldCalls']} calls {round(cold)} us, then {[round(v) for v in lat]} us; batch-1000 {[round(v) for v in thr]} samples/s")
        for (m, k, n) in plan["gemmShapes"]:
            a, b = torch.randn(m, k), torch.randn(k, n)
            product = lambda: torch.mm(a, b).numpy()  # noqa: E731
            seconds_per_call(product, 3 * plan["gemmSecondsPerRun"])  # untimed first, as the JS workers
            vals = [2.0 * m * k * n / seconds_per_call(product, plan["gemmSecondsPerRun"]) / 1e9
                    for _ in range(plan["gemmRuns"])]
            out[f"gemm.{m}x{k}x{n}"] = {"values": vals}
            log(f"gemm {m}x{k}x{n}: {[round(v, 1) for v in vals]} GFLOP/s")
    return out


def machine_info():
    blas_lib = "/usr/lib/x86_64-linux-gnu/libblas.so.3"
    info = {
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "libblas.so.3": os.path.realpath(blas_lib) if os.path.exists(blas_lib) else "absent",
        "torchConfig": torch.__config__.show(),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", "(unset)"),
        "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE", "(unset)"),
        "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "(unset)"),
        "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "(unset)"),
        "torchThreads": str(torch.get_num_threads()),
    }
    # Which BLAS is really mapped into this process (the alternatives symlink may be bypassed).
    try:
        with open("/proc/self/maps") as f:
            libs = sorted({line.split()[-1] for line in f if "blas" in line.lower() and "/" in line})
        info["blasMapped"] = ", ".join(libs)
    except OSError:
        pass
    return info


def main():
    req = json.loads(sys.argv[1])
    torch.manual_seed(0)
    torch.set_num_threads(req["threads"])
    x_np, y_np = load_fashion_mnist_train(req["dataDir"])
    x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)
    measurements = {}
    if req["workload"] == "mlp":
        model = mlp()
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        measurements["mlp.epoch"] = train_epochs(req, model, opt, x, y)
        measurements["mlp.rss"] = {"values": [peak_rss_mib()]}
    elif req["workload"] == "cnn":
        model = cnn()
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        measurements["cnn.epoch"] = train_epochs(req, model, opt, x.view(-1, 1, 28, 28), y)
        measurements["cnn.rss"] = {"values": [peak_rss_mib()]}
    elif req["workload"] == "micro":
        measurements.update(micro(req["micro"], x))
    else:
        raise ValueError(f"unknown workload {req['workload']!r}")
    print(RESULT_MARKER + json.dumps({"info": machine_info(), "measurements": measurements}), flush=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # reported by the orchestrator as the reason this figure is missing
        import traceback
        traceback.print_exc()
        print(ERROR_MARKER + json.dumps(f"{type(e).__name__}: {e}".splitlines()[0]), flush=True)
        sys.exit(1)
