"""PyTorch oracle for Tensile's optimizers and learning-rate schedulers.

Run from the repository root with Debian's torch (1.13):

    /usr/bin/python3 tools/gen-optim-fixtures.py [--out DIR]

It writes four files (deterministic: two runs give identical bytes):

- fixtures/optim-trajectories.json: a small least-squares problem (W [3, 4], b [3], X [8, 4],
  Y [8, 3], loss = mse_loss(X @ W.T + b, Y)) trained 10 steps by every optimizer and its main
  options, in float32 and float64; per step the loss (before the update) and W, b after it, plus
  the optimizer's state_dict() after the last step.
- fixtures/optim-text-net.json: the README's network (Linear(784, 500) -> ReLU -> Linear(500, 10),
  CrossEntropyLoss) trained 3 steps from weights and a batch that both sides compute from formulas
  (written in the file), for five optimizers; the 3 losses and the final weights (fc1.weight
  subsampled: every 37th element plus its row sums).
- fixtures/optim-lbfgs.json: L-BFGS with and without the strong Wolfe line search on the same data
  (a tanh model and the linear one), a few step(closure) calls each: returned losses, parameters,
  closure calls and the state's counters per step, and the state_dict() at the end.
- fixtures/optim-schedulers.json: the learning rate of every param group after construction and
  after each of 30+ scheduler steps, for each scheduler with representative options (momentum /
  beta1 too where OneCycleLR cycles it), and the scheduler's state_dict() at the end.

Options are written as Tensile receives them (camelCase, docs/optim.md); this script converts them
to PyTorch's keyword arguments.
"""
import argparse
import json
import math
import os
import re
import sys

sys.dont_write_bytecode = True

import numpy as np  # noqa: E402
import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
from torch.optim import lr_scheduler as lrs  # noqa: E402

GENERATOR = "tools/gen-optim-fixtures.py"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

torch.set_num_threads(1)  # summation order independent of the machine


def snake(name):
    """camelCase -> snake_case (weightDecay -> weight_decay, tMax -> T_max, t0 -> T_0)."""
    special = {"tMax": "T_max", "t0": "T_0", "tMult": "T_mult"}
    if name in special:
        return special[name]
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def kwargs(options):
    return {snake(k): (tuple(v) if k in ("betas", "etas", "stepSizes") else v) for k, v in options.items()}


def optimizer_kwargs(options):
    """kwargs() for an optimizer: ASGD's t0 stays t0 (T_0 is CosineAnnealingWarmRestarts')."""
    return {("t0" if k == "T_0" else k): v for k, v in kwargs(options).items()}


def f32(values):
    """Shortest decimal strings that round-trip float32 (keeps the files small)."""
    return [float(str(v)) for v in np.asarray(values, dtype=np.float32).reshape(-1)]


def flat(t):
    t = t.detach()
    if t.dtype == torch.float32:
        return f32(t.numpy())
    return [float(v) for v in t.reshape(-1).tolist()]


def json_value(v):
    """State-dict values as JSON: tensors -> flat lists (scalars -> numbers), tuples -> lists."""
    if isinstance(v, torch.Tensor):
        return flat(v)[0] if v.dim() == 0 else flat(v)
    if isinstance(v, (list, tuple)):
        return [json_value(x) for x in v]
    if isinstance(v, dict):
        return {str(k): json_value(x) for k, x in v.items()}
    if isinstance(v, float) and not math.isfinite(v):
        return "inf" if v > 0 else "-inf"
    return v


def write(name, obj, out_dir):
    path = os.path.join(out_dir, name)
    with open(path, "w", encoding="utf-8") as f:
        # One line per case keeps diffs readable without an indent per number.
        f.write("{\n")
        items = list(obj.items())
        for i, (k, v) in enumerate(items):
            if isinstance(v, list) and v and isinstance(v[0], dict):
                f.write(f"{json.dumps(k)}: [\n")
                for j, case in enumerate(v):
                    f.write(json.dumps(case, separators=(",", ":"), allow_nan=False))
                    f.write(",\n" if j + 1 < len(v) else "\n")
                f.write("]")
            else:
                f.write(f"{json.dumps(k)}: {json.dumps(v, separators=(',', ':'), allow_nan=False)}")
            f.write(",\n" if i + 1 < len(items) else "\n")
        f.write("}\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


# ---------------------------------------------------------------------------------------------
# a. trajectories on a small least-squares problem

PROBLEM = {
    "W": [0.3 * math.sin(0.9 * k + 0.1) for k in range(12)],
    "b": [0.1 * math.cos(1.3 * k) for k in range(3)],
    "X": [math.sin(0.5 * k + 0.3) for k in range(32)],
    "Y": [0.5 * math.cos(0.8 * k) for k in range(24)],
}
PROBLEM_FORMULAS = {
    "W": "0.3*sin(0.9*k + 0.1), k = flat index, shape [3, 4]",
    "b": "0.1*cos(1.3*k), shape [3]",
    "X": "sin(0.5*k + 0.3), shape [8, 4]",
    "Y": "0.5*cos(0.8*k), shape [8, 3]",
}

# (name, optimizer class name, options or param groups)
TRAJECTORY_CASES = [
    ("sgd", "SGD", {"lr": 0.1}),
    ("sgd-momentum", "SGD", {"lr": 0.1, "momentum": 0.9}),
    ("sgd-dampening", "SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.3}),
    ("sgd-nesterov", "SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("sgd-weight-decay", "SGD", {"lr": 0.1, "momentum": 0.5, "weightDecay": 0.1}),
    ("sgd-maximize", "SGD", {"lr": 0.01, "momentum": 0.9, "maximize": True}),
    ("adam", "Adam", {"lr": 0.05}),
    ("adam-amsgrad", "Adam", {"lr": 0.05, "amsgrad": True}),
    ("adam-weight-decay", "Adam", {"lr": 0.05, "betas": [0.8, 0.99], "eps": 1e-6, "weightDecay": 0.1}),
    ("adam-maximize", "Adam", {"lr": 0.05, "maximize": True}),
    ("adamw", "AdamW", {"lr": 0.05}),
    ("adamw-amsgrad", "AdamW", {"lr": 0.05, "weightDecay": 0.1, "amsgrad": True}),
    ("rmsprop", "RMSprop", {"lr": 0.01}),
    ("rmsprop-momentum", "RMSprop", {"lr": 0.01, "momentum": 0.9, "weightDecay": 0.05}),
    ("rmsprop-centered", "RMSprop", {"lr": 0.01, "alpha": 0.9, "centered": True, "momentum": 0.5}),
    ("rmsprop-maximize", "RMSprop", {"lr": 0.01, "maximize": True}),
    ("adagrad", "Adagrad", {"lr": 0.1}),
    ("adagrad-options", "Adagrad", {"lr": 0.1, "lrDecay": 0.05, "weightDecay": 0.1, "initialAccumulatorValue": 0.1}),
    ("adadelta", "Adadelta", {"lr": 1.0}),
    ("adadelta-options", "Adadelta", {"lr": 0.5, "rho": 0.8, "eps": 1e-5, "weightDecay": 0.1}),
    ("adamax", "Adamax", {"lr": 0.05}),
    ("adamax-weight-decay", "Adamax", {"lr": 0.05, "betas": [0.8, 0.99], "weightDecay": 0.1}),
    ("nadam", "NAdam", {"lr": 0.05}),
    ("nadam-options", "NAdam", {"lr": 0.05, "momentumDecay": 0.01, "weightDecay": 0.1}),
    ("radam", "RAdam", {"lr": 0.05}),
    ("radam-options", "RAdam", {"lr": 0.05, "betas": [0.8, 0.99], "eps": 1e-6, "weightDecay": 0.1}),
    ("rprop", "Rprop", {"lr": 0.01}),
    ("rprop-options", "Rprop", {"lr": 0.02, "etas": [0.3, 1.5], "stepSizes": [0.005, 0.05]}),
    ("rprop-maximize", "Rprop", {"lr": 0.01, "maximize": True}),
    ("asgd", "ASGD", {"lr": 0.1}),
    ("asgd-averaging", "ASGD", {"lr": 0.1, "lambd": 0.01, "alpha": 0.5, "t0": 3, "weightDecay": 0.1}),
    ("asgd-maximize", "ASGD", {"lr": 0.01, "maximize": True, "t0": 0}),
    ("sgd-two-groups", "SGD", {"groups": [{"params": ["W"]}, {"params": ["b"], "lr": 0.01, "momentum": 0.5}],
                               "defaults": {"lr": 0.1, "momentum": 0.9}}),
    ("adam-two-groups", "Adam", {"groups": [{"params": ["W"], "lr": 0.02}, {"params": ["b"], "amsgrad": True}],
                                 "defaults": {"lr": 0.05, "weightDecay": 0.01}}),
]


def run_trajectory(cls_name, spec, dtype):
    W = torch.tensor(PROBLEM["W"], dtype=dtype).reshape(3, 4).requires_grad_()
    b = torch.tensor(PROBLEM["b"], dtype=dtype).requires_grad_()
    X = torch.tensor(PROBLEM["X"], dtype=dtype).reshape(8, 4)
    Y = torch.tensor(PROBLEM["Y"], dtype=dtype).reshape(8, 3)
    named = {"W": W, "b": b}
    cls = getattr(torch.optim, cls_name)
    if "groups" in spec:
        groups = [dict(kwargs({k: v for k, v in g.items() if k != "params"}), params=[named[n] for n in g["params"]])
                  for g in spec["groups"]]
        opt = cls(groups, **kwargs(spec["defaults"]))
    else:
        opt = cls([W, b], **optimizer_kwargs(spec))
    losses, Ws, bs = [], [], []
    for _ in range(10):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(X @ W.T + b, Y)
        loss.backward()
        opt.step()
        losses.append(flat(loss)[0])
        Ws.append(flat(W))
        bs.append(flat(b))
    sd = opt.state_dict()
    state = {str(k): {sk: json_value(sv) for sk, sv in v.items()} for k, v in sd["state"].items()}
    groups = [{k: json_value(v) for k, v in g.items()} for g in sd["param_groups"]]
    return {"losses": losses, "W": Ws, "b": bs, "stateDict": {"state": state, "param_groups": groups}}


def trajectories():
    cases = []
    for name, cls_name, spec in TRAJECTORY_CASES:
        for dtype in (torch.float32, torch.float64):
            case = {"name": name, "optimizer": cls_name, "dtype": str(dtype).replace("torch.", "")}
            if "groups" in spec:
                case["groups"] = spec["groups"]
                case["options"] = spec["defaults"]
            else:
                case["options"] = spec
            case.update(run_trajectory(cls_name, spec, dtype))
            cases.append(case)
    return {
        "generator": GENERATOR,
        "torch": torch.__version__,
        "problem": "loss = mse_loss(X @ W.T + b, Y); each step: zero_grad, loss, backward, step. "
                   "losses[i] is the loss before step i+1; W[i], b[i] are the parameters after it.",
        "formulas": PROBLEM_FORMULAS,
        "init": PROBLEM,
        "cases": cases,
    }


# ---------------------------------------------------------------------------------------------
# a2. L-BFGS: step(closure) on the same data, with a tanh model (not quadratic) and the linear one

LBFGS_CASES = [
    # (name, model, options, outer steps)
    ("lbfgs", "tanh", {"maxIter": 5}, 4),
    ("lbfgs-lr-history", "tanh", {"lr": 0.5, "maxIter": 8, "historySize": 2}, 3),
    ("lbfgs-max-eval", "tanh", {"lr": 0.8, "maxIter": 10, "maxEval": 4}, 3),
    ("lbfgs-strong-wolfe", "tanh", {"maxIter": 5, "lineSearchFn": "strong_wolfe"}, 4),
    ("lbfgs-strong-wolfe-history", "tanh", {"maxIter": 10, "historySize": 3, "lineSearchFn": "strong_wolfe"}, 3),
    ("lbfgs-strong-wolfe-short-steps", "tanh", {"lr": 0.02, "maxIter": 4, "lineSearchFn": "strong_wolfe"}, 3),
    ("lbfgs-strong-wolfe-long-steps", "tanh", {"lr": 50, "maxIter": 3, "lineSearchFn": "strong_wolfe"}, 3),
    ("lbfgs-linear-converges", "linear", {"lineSearchFn": "strong_wolfe"}, 3),
    ("lbfgs-linear-tolerance", "linear", {"maxIter": 30, "toleranceGrad": 1e-4, "toleranceChange": 1e-6}, 2),
]


def lbfgs_kwargs(options):
    kw = kwargs(options)
    return kw


def run_lbfgs(model, options, steps, dtype):
    W = torch.tensor(PROBLEM["W"], dtype=dtype).reshape(3, 4).requires_grad_()
    b = torch.tensor(PROBLEM["b"], dtype=dtype).requires_grad_()
    X = torch.tensor(PROBLEM["X"], dtype=dtype).reshape(8, 4)
    Y = torch.tensor(PROBLEM["Y"], dtype=dtype).reshape(8, 3)
    opt = torch.optim.LBFGS([W, b], **lbfgs_kwargs(options))
    calls = [0]

    def closure():
        calls[0] += 1
        opt.zero_grad()
        z = X @ W.T + b
        loss = torch.nn.functional.mse_loss(torch.tanh(z) if model == "tanh" else z, Y)
        loss.backward()
        return loss

    losses, Ws, bs, evals, func_evals, n_iters = [], [], [], [], [], []
    for _ in range(steps):
        calls[0] = 0
        loss = opt.step(closure)
        losses.append(flat(loss)[0])
        Ws.append(flat(W))
        bs.append(flat(b))
        evals.append(calls[0])
        st = opt.state[W]
        func_evals.append(st["func_evals"])
        n_iters.append(st["n_iter"])
    sd = opt.state_dict()
    state = {str(k): {sk: json_value(sv) for sk, sv in v.items()} for k, v in sd["state"].items()}
    groups = [{k: json_value(v) for k, v in g.items()} for g in sd["param_groups"]]
    return {"losses": losses, "W": Ws, "b": bs, "closureCalls": evals, "funcEvals": func_evals, "nIter": n_iters,
            "stateDict": {"state": state, "param_groups": groups}}


def lbfgs():
    cases = []
    for name, model, options, steps in LBFGS_CASES:
        for dtype in (torch.float32, torch.float64):
            case = {"name": name, "model": model, "dtype": str(dtype).replace("torch.", ""), "options": options,
                    "steps": steps}
            case.update(run_lbfgs(model, options, steps, dtype))
            cases.append(case)
    return {
        "generator": GENERATOR,
        "torch": torch.__version__,
        "problem": "closure: zero_grad; z = X @ W.T + b; loss = mse_loss(tanh(z) if model == 'tanh' else z, Y); "
                   "backward; return loss. Each outer step: loss = opt.step(closure). losses[i] is the loss "
                   "step i+1 returned (the closure's first value); W[i], b[i] the parameters after it; "
                   "closureCalls[i] how often it called the closure; funcEvals/nIter the state's counters after it.",
        "formulas": PROBLEM_FORMULAS,
        "init": PROBLEM,
        "cases": cases,
    }


# ---------------------------------------------------------------------------------------------
# b. the README's network, 3 steps

TEXT_FORMULAS = {
    "weights": "the k-th tensor of the state dict (fc1.weight k=0, fc1.bias k=1, fc2.weight k=2, "
               "fc2.bias k=3), flat index i: 0.05*sin(0.37*i + k)",
    "x": "x[n][j] = 0.5 + 0.5*sin(0.0123*(784*n + j) + 0.7*n), shape [64, 784]",
    "y": "y[n] = n % 10",
    "fc1.weight": "fc1WeightEvery37 = flat[0::37]; fc1WeightRowSums = sum over dim 1",
}

TEXT_CASES = [
    ("sgd", "SGD", {"lr": 0.01}),
    ("sgd-nesterov", "SGD", {"lr": 0.01, "momentum": 0.9, "nesterov": True}),
    ("adam", "Adam", {"lr": 0.001}),
    ("adamw", "AdamW", {"lr": 0.001}),
    ("rmsprop", "RMSprop", {"lr": 0.001}),
]


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(784, 500)
        self.relu = torch.nn.ReLU()
        self.fc2 = torch.nn.Linear(500, 10)

    def forward(self, x):
        return self.fc2(self.relu(self.fc1(x)))


def text_net():
    n = torch.arange(64, dtype=torch.float64).reshape(64, 1)
    j = torch.arange(784, dtype=torch.float64).reshape(1, 784)
    x = (0.5 + 0.5 * torch.sin(0.0123 * (784 * n + j) + 0.7 * n)).float()
    y = torch.arange(64) % 10
    cases = []
    for name, cls_name, options in TEXT_CASES:
        net = Net()
        with torch.no_grad():
            for k, p in enumerate(net.state_dict().values()):
                i = torch.arange(p.numel(), dtype=torch.float64)
                p.copy_((0.05 * torch.sin(0.37 * i + k)).reshape(p.shape))
        opt = getattr(torch.optim, cls_name)(net.parameters(), **kwargs(options))
        criterion = torch.nn.CrossEntropyLoss()
        losses = []
        for _ in range(3):
            opt.zero_grad()
            loss = criterion(net(x), y)
            loss.backward()
            opt.step()
            losses.append(flat(loss)[0])
        sd = net.state_dict()
        cases.append({
            "name": name, "optimizer": cls_name, "options": options, "losses": losses,
            "fc1WeightEvery37": flat(sd["fc1.weight"].reshape(-1)[::37]),
            "fc1WeightRowSums": flat(sd["fc1.weight"].sum(1)),
            "fc1.bias": flat(sd["fc1.bias"]),
            "fc2.weight": flat(sd["fc2.weight"]),
            "fc2.bias": flat(sd["fc2.bias"]),
        })
    return {"generator": GENERATOR, "torch": torch.__version__, "formulas": TEXT_FORMULAS, "cases": cases}


# ---------------------------------------------------------------------------------------------
# c. learning-rate schedulers

LAMBDAS = {
    "pow095": (lambda e: 0.95 ** e, "epoch => 0.95 ** epoch"),
    "inverse": (lambda e: 1.0 / (1.0 + 0.1 * e), "epoch => 1 / (1 + 0.1 * epoch)"),
    "const09": (lambda e: 0.9, "epoch => 0.9"),
    "halfPow": (lambda x: 0.5 ** x, "x => 0.5 ** x"),
}

# Metric sequence fed to ReduceLROnPlateau: improves, stalls, improves a little (below threshold), ...
PLATEAU_METRICS = [1.0, 0.9, 0.85, 0.86, 0.87, 0.85, 0.849999, 0.84, 0.9, 0.95, 0.95, 0.95, 0.7, 0.69, 0.7,
                   0.71, 0.72, 0.73, 0.74, 0.75, 0.76, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5,
                   0.49, 0.48, 0.47, 0.47, 0.47, 0.47, 0.47, 0.47]

# (name, scheduler, optimizer spec, scheduler options, steps)
# optimizer spec: {"optimizer": name, "lrs": [lr per group], plus optimizer options}
SCHEDULER_CASES = [
    ("step", "StepLR", {"optimizer": "SGD", "lrs": [0.1]}, {"stepSize": 7, "gamma": 0.5}, 35),
    ("step-two-groups", "StepLR", {"optimizer": "SGD", "lrs": [0.1, 0.03]}, {"stepSize": 3}, 35),
    ("multistep", "MultiStepLR", {"optimizer": "SGD", "lrs": [0.1]}, {"milestones": [5, 12, 12, 30], "gamma": 0.3}, 35),
    ("exponential", "ExponentialLR", {"optimizer": "SGD", "lrs": [0.1, 0.2]}, {"gamma": 0.9}, 35),
    ("constant", "ConstantLR", {"optimizer": "SGD", "lrs": [0.1]}, {"factor": 0.25, "totalIters": 6}, 35),
    ("linear", "LinearLR", {"optimizer": "SGD", "lrs": [0.1]}, {"startFactor": 0.2, "endFactor": 0.9, "totalIters": 10}, 35),
    ("linear-default", "LinearLR", {"optimizer": "SGD", "lrs": [0.05]}, {}, 35),
    ("polynomial", "PolynomialLR", {"optimizer": "SGD", "lrs": [0.1]}, {"totalIters": 20, "power": 2.0}, 35),
    ("cosine", "CosineAnnealingLR", {"optimizer": "SGD", "lrs": [0.1]}, {"tMax": 10, "etaMin": 0.001}, 45),
    ("cosine-two-groups", "CosineAnnealingLR", {"optimizer": "SGD", "lrs": [0.1, 0.5]}, {"tMax": 16}, 40),
    ("warm-restarts", "CosineAnnealingWarmRestarts", {"optimizer": "SGD", "lrs": [0.1]}, {"t0": 5}, 35),
    ("warm-restarts-tmult2", "CosineAnnealingWarmRestarts", {"optimizer": "SGD", "lrs": [0.1]},
     {"t0": 3, "tMult": 2, "etaMin": 0.01}, 50),
    ("lambda", "LambdaLR", {"optimizer": "SGD", "lrs": [0.1]}, {"lrLambda": "pow095"}, 35),
    ("lambda-per-group", "LambdaLR", {"optimizer": "SGD", "lrs": [0.1, 0.2]}, {"lrLambda": ["pow095", "inverse"]}, 35),
    ("multiplicative", "MultiplicativeLR", {"optimizer": "SGD", "lrs": [0.1]}, {"lrLambda": "const09"}, 35),
    ("onecycle-cos", "OneCycleLR", {"optimizer": "SGD", "lrs": [0.1], "momentum": 0.9},
     {"maxLr": 0.5, "totalSteps": 34}, 34),
    ("onecycle-linear", "OneCycleLR", {"optimizer": "SGD", "lrs": [0.1, 0.1], "momentum": 0.9},
     {"maxLr": [0.5, 0.2], "epochs": 4, "stepsPerEpoch": 8, "annealStrategy": "linear", "pctStart": 0.25}, 32),
    ("onecycle-three-phase-adam", "OneCycleLR", {"optimizer": "Adam", "lrs": [0.001]},
     {"maxLr": 0.01, "totalSteps": 40, "threePhase": True, "divFactor": 10.0, "finalDivFactor": 100.0}, 40),
    ("onecycle-no-momentum", "OneCycleLR", {"optimizer": "Adagrad", "lrs": [0.01]},
     {"maxLr": 0.1, "totalSteps": 30, "cycleMomentum": False}, 30),
    ("cyclic-triangular", "CyclicLR", {"optimizer": "SGD", "lrs": [0.1], "momentum": 0.9},
     {"baseLr": 0.01, "maxLr": 0.1, "stepSizeUp": 4, "stepSizeDown": 6}, 35),
    ("cyclic-triangular2", "CyclicLR", {"optimizer": "SGD", "lrs": [0.1, 0.2], "momentum": 0.9},
     {"baseLr": [0.01, 0.02], "maxLr": [0.1, 0.3], "stepSizeUp": 5, "mode": "triangular2", "baseMomentum": 0.7}, 35),
    ("cyclic-exp-range", "CyclicLR", {"optimizer": "Adam", "lrs": [0.1]},
     {"baseLr": 0.001, "maxLr": 0.01, "stepSizeUp": 3, "mode": "exp_range", "gamma": 0.97, "cycleMomentum": False}, 35),
    ("cyclic-custom-scale", "CyclicLR", {"optimizer": "SGD", "lrs": [0.1], "momentum": 0.9},
     {"baseLr": 0.01, "maxLr": 0.1, "stepSizeUp": 2, "scaleFn": "halfPow", "scaleMode": "cycle"}, 35),
    ("plateau", "ReduceLROnPlateau", {"optimizer": "SGD", "lrs": [0.1, 0.05]},
     {"patience": 2, "factor": 0.5, "minLr": [0.0, 0.01]}, len(PLATEAU_METRICS)),
    ("plateau-max-abs-cooldown", "ReduceLROnPlateau", {"optimizer": "SGD", "lrs": [0.1]},
     {"mode": "max", "thresholdMode": "abs", "threshold": 0.01, "patience": 1, "cooldown": 2, "factor": 0.3},
     len(PLATEAU_METRICS)),
    ("sequential-warmup-cosine", "SequentialLR", {"optimizer": "SGD", "lrs": [0.1]},
     {"schedulers": [["LinearLR", {"startFactor": 0.1, "totalIters": 5}], ["CosineAnnealingLR", {"tMax": 25}]],
      "milestones": [5]}, 35),
    ("sequential-three", "SequentialLR", {"optimizer": "SGD", "lrs": [0.1, 0.3]},
     {"schedulers": [["ConstantLR", {"factor": 0.5, "totalIters": 3}], ["ExponentialLR", {"gamma": 0.9}],
                     ["StepLR", {"stepSize": 4, "gamma": 0.5}]],
      "milestones": [4, 15]}, 35),
    ("chained", "ChainedScheduler", {"optimizer": "SGD", "lrs": [0.1]},
     {"schedulers": [["ConstantLR", {"factor": 0.1, "totalIters": 2}], ["ExponentialLR", {"gamma": 0.9}]]}, 35),
]

# Keys of PyTorch's scheduler state_dict that hold functions or flags with no meaning in Tensile.
SKIP_STATE_KEYS = {"anneal_func", "_get_lr_called_within_step", "verbose", "lr_lambdas", "_scale_fn_ref",
                   "_scale_fn_custom"}


def make_scheduler(cls_name, opt, options):
    cls = getattr(lrs, cls_name)
    kw = kwargs(options)
    if cls_name in ("SequentialLR", "ChainedScheduler"):
        subs = [make_scheduler(n, opt, o) for n, o in options["schedulers"]]
        if cls_name == "ChainedScheduler":
            return cls(subs)
        return cls(opt, subs, options["milestones"])
    if "scale_fn" in kw:
        kw["scale_fn"] = LAMBDAS[kw["scale_fn"]][0]
    if "lr_lambda" in kw:
        ll = kw["lr_lambda"]
        kw["lr_lambda"] = [LAMBDAS[n][0] for n in ll] if isinstance(ll, list) else LAMBDAS[ll][0]
    return cls(opt, **kw)


def scheduler_state(s):
    sd = s.state_dict()
    out = {}
    for k, v in sd.items():
        if k in SKIP_STATE_KEYS:
            continue
        if k == "_schedulers":
            v = [scheduler_state_from_dict(x) for x in v]
        out[k] = json_value(v)
    return out


def scheduler_state_from_dict(sd):
    return {k: json_value(v) for k, v in sd.items() if k not in SKIP_STATE_KEYS}


def schedulers():
    cases = []
    for name, cls_name, ospec, options, steps in SCHEDULER_CASES:
        p = torch.zeros(2, requires_grad=True)
        extra = {k: v for k, v in ospec.items() if k not in ("optimizer", "lrs")}
        groups = [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in ospec["lrs"][1:]]
        groups.insert(0, {"params": [p], "lr": ospec["lrs"][0]})
        opt = getattr(torch.optim, ospec["optimizer"])(groups, **kwargs(extra))
        sched = make_scheduler(cls_name, opt, options)
        lrs_per_step = [[g["lr"] for g in opt.param_groups]]
        momentum_key = "betas" if ospec["optimizer"] == "Adam" else "momentum"
        momenta = [[json_value(g.get(momentum_key)) for g in opt.param_groups]]
        for t in range(steps):
            opt.step()
            if cls_name == "ReduceLROnPlateau":
                sched.step(PLATEAU_METRICS[t])
            else:
                sched.step()
            group_lrs = [g["lr"] for g in opt.param_groups]
            # ReduceLROnPlateau has no get_last_lr() in 1.13; the others' equals the groups' lr.
            assert cls_name == "ReduceLROnPlateau" or list(sched.get_last_lr()) == group_lrs
            lrs_per_step.append(group_lrs)
            momenta.append([json_value(g.get(momentum_key)) for g in opt.param_groups])
        case = {"name": name, "scheduler": cls_name, "optimizer": ospec, "options": options, "lrs": lrs_per_step}
        if cls_name in ("OneCycleLR", "CyclicLR"):
            case["momenta"] = momenta
        if cls_name == "ReduceLROnPlateau":
            case["metrics"] = PLATEAU_METRICS
        case["stateDict"] = scheduler_state(sched)
        cases.append(case)
    return {
        "generator": GENERATOR,
        "torch": torch.__version__,
        "protocol": "lrs[0]: each group's lr after the scheduler is constructed; lrs[t]: get_last_lr() after "
                    "optimizer.step(); scheduler.step() (scheduler.step(metrics[t-1]) for ReduceLROnPlateau) "
                    "t times. momenta: group momentum (SGD) or betas (Adam) alongside. stateDict: the "
                    "scheduler's state_dict() at the end, without function-valued and logging keys.",
        "lambdas": {k: v[1] for k, v in LAMBDAS.items()},
        "cases": cases,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(0)
    write("optim-trajectories.json", trajectories(), args.out)
    write("optim-schedulers.json", schedulers(), args.out)
    write("optim-text-net.json", text_net(), args.out)
    write("optim-lbfgs.json", lbfgs(), args.out)


if __name__ == "__main__":
    main()
