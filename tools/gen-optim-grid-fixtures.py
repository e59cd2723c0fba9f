"""PyTorch oracle for the option grid of Tensile's optimizers and learning-rate schedulers.

Run from the repository root with Debian's torch (1.13):

    /usr/bin/python3 tools/gen-optim-grid-fixtures.py [--out DIR]

It writes three files (deterministic: two runs give identical bytes), read by test/optim-grid.test.ts,
test/optim-grid-errors.test.ts and test/optim-sched-grid.test.ts:

- fixtures/optim-grid.json: every optimizer over a grid of its options (each case also sets other
  options on a second and a third param group), on a bookkeeping scenario that exercises what
  fixtures/optim-trajectories.json does not: parameters A [2, 3], B [3] (group 0), C [2] and F [2]
  (group 1; F has requires_grad False, so never a grad), D [3] added with add_param_group after
  step 3 (for Adagrad, given to the constructor as group 2: see run_opt_case); B's grad set to None before step 3 (skipped); zero_grad(set_to_none) True or False per
  case; after step 4 the state_dict() is taken, loaded into a fresh optimizer on copies of the
  parameters (three groups), and that one runs steps 5 and 6. The loss at step k is
  sum(c * (p - target_k) * (p - target_k)) over the parameters the optimizer holds; targets and
  weights c are written in the file (float32 values). Recorded: every parameter after every step,
  and both state dicts (after step 4, and of the resumed optimizer at the end). LBFGS (one group
  only) runs step(closure) 3 times, is resumed the same way, then runs 2 more.
- fixtures/optim-grid-errors.json: the exception type and message PyTorch raises for each bad
  argument (bad option values, params given as a tensor, an empty list, a parameter in two groups,
  a non-leaf tensor; scheduler options), keyed by the ids test/optim-grid-errors.test.ts uses (null
  where PyTorch accepts the argument).
- fixtures/optim-sched-grid.json: schedulers (and swa_utils.SWALR) over a grid of options, two
  param groups, ~30 steps: get_last_lr() (the groups' lr) and momentum after each step; after
  step 12 the scheduler's and the optimizer's state_dict(), which a fresh optimizer and scheduler
  load to run the remaining steps (recorded separately); CosineAnnealingWarmRestarts also with
  fractional epochs step(epoch). Plus swa_utils.AveragedModel / update_bn on a small model.

Options are written as Tensile receives them (camelCase); this script converts them.
"""
import argparse
import copy
import math
import os
import re
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
from torch.optim import lr_scheduler as lrs  # noqa: E402
from torch.optim import swa_utils  # noqa: E402
from torchfix.fixio import num, write_json  # noqa: E402

GENERATOR = "tools/gen-optim-grid-fixtures.py"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
torch.set_num_threads(1)

SPECIAL = {"tMax": "T_max", "t0": "T_0", "tMult": "T_mult"}


def snake(name, optimizer=False):
    if not optimizer and name in SPECIAL:
        return SPECIAL[name]
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def kw(options, optimizer=False):
    return {snake(k, optimizer): (tuple(v) if k in ("betas", "etas", "stepSizes") else v) for k, v in options.items()}


def jv(v):
    """JSON value: tensors as flat lists (0-d as numbers), float32 through its shortest decimal."""
    if isinstance(v, torch.Tensor):
        t = v.detach()
        if t.dtype == torch.float32:
            vals = [float(str(x)) for x in t.numpy().reshape(-1)]
        else:
            vals = [float(x) if t.is_floating_point() else int(x) for x in t.reshape(-1).tolist()]
        vals = [num(x) for x in vals]
        return vals[0] if t.dim() == 0 else vals
    if isinstance(v, (list, tuple)):
        return [jv(x) for x in v]
    if isinstance(v, dict):
        return {str(k): jv(x) for k, x in v.items()}
    if isinstance(v, float):
        return num(v)
    return v


# ---------------------------------------------------------------------------------------------
# optimizers

SHAPES = {"A": [2, 3], "B": [3], "C": [2], "D": [3], "F": [2]}
STEPS = 6


def numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def init_values(name):
    off = "ABCDF".index(name)
    return [0.4 * math.sin(1.1 * i + 0.7 * off + 0.2) for i in range(numel(SHAPES[name]))]


def weights(name):
    off = "ABCDF".index(name)
    return [0.5 + 0.25 * ((i + off) % 3) for i in range(numel(SHAPES[name]))]


def targets(name, k):
    """Targets of step k (1-based): they move and flip sign so gradients change sign (Rprop)."""
    off = "ABCDF".index(name)
    return [0.3 * math.cos(1.7 * i + off + 0.9 * k) * (-1) ** k for i in range(numel(SHAPES[name]))]


def f32list(vals, dtype):
    t = torch.tensor(vals, dtype=torch.float64).to(dtype)
    return jv(t)


# name: (torch class, [(case name, defaults, group1 overrides, group2 overrides, set_to_none, dtype)])
# group 0 takes the defaults; group 1 (C, F) and group 2 (D, added after step 3) override some.
OPT_CASES = {
    "SGD": [
        ("plain", {"lr": 0.1}, {"lr": 0.05}, {"lr": 0.2}, True),
        ("momentum", {"lr": 0.1, "momentum": 0.9}, {"momentum": 0.5}, {"momentum": 0.0}, False),
        ("dampening", {"lr": 0.1, "momentum": 0.9, "dampening": 0.5}, {"dampening": 0.0}, {"lr": 0.3}, True),
        ("nesterov", {"lr": 0.1, "momentum": 0.9, "nesterov": True}, {"momentum": 0.6}, {"weightDecay": 0.1}, False),
        ("weight-decay", {"lr": 0.1, "momentum": 0.5, "weightDecay": 0.1}, {"weightDecay": 0.0}, {"momentum": 0.9}, True),
        ("maximize", {"lr": 0.05, "momentum": 0.9, "weightDecay": 0.05, "maximize": True}, {"maximize": False}, {}, False),
        ("foreach", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weightDecay": 0.01, "foreach": True}, {}, {"lr": 0.01}, True),
        ("float64", {"lr": 0.1, "momentum": 0.8, "dampening": 0.1}, {"weightDecay": 0.2}, {}, False, "float64"),
    ],
    "Adam": [
        ("default", {"lr": 0.05}, {"lr": 0.02}, {}, True),
        ("amsgrad", {"lr": 0.05, "amsgrad": True}, {"amsgrad": False}, {"lr": 0.1}, False),
        ("weight-decay", {"lr": 0.05, "weightDecay": 0.1, "betas": [0.8, 0.99]}, {"weightDecay": 0.0}, {"betas": [0.5, 0.9]}, True),
        ("maximize", {"lr": 0.05, "maximize": True, "eps": 1e-3}, {"maximize": False}, {"amsgrad": True}, False),
        ("foreach", {"lr": 0.05, "amsgrad": True, "weightDecay": 0.01, "foreach": True}, {"betas": [0.7, 0.95]}, {}, True),
        ("float64", {"lr": 0.05, "amsgrad": True, "weightDecay": 0.05}, {"maximize": True}, {}, False, "float64"),
    ],
    "AdamW": [
        ("default", {"lr": 0.05}, {"weightDecay": 0.0}, {"weightDecay": 0.5}, True),
        ("amsgrad", {"lr": 0.05, "amsgrad": True, "weightDecay": 0.1}, {"lr": 0.1}, {"amsgrad": False}, False),
        ("maximize", {"lr": 0.05, "maximize": True, "betas": [0.85, 0.98]}, {}, {"maximize": False}, True),
        ("foreach", {"lr": 0.05, "foreach": True, "weightDecay": 0.2}, {"amsgrad": True}, {}, False),
    ],
    "Adamax": [
        ("default", {"lr": 0.05}, {"lr": 0.02}, {}, True),
        ("weight-decay", {"lr": 0.05, "weightDecay": 0.1, "betas": [0.8, 0.9], "eps": 1e-3}, {"weightDecay": 0.0}, {}, False),
        ("maximize", {"lr": 0.05, "maximize": True}, {"maximize": False}, {"lr": 0.1}, True),
        ("foreach", {"lr": 0.05, "foreach": True, "weightDecay": 0.05}, {}, {}, False),
    ],
    "NAdam": [
        ("default", {"lr": 0.05}, {"lr": 0.02}, {}, True),
        ("momentum-decay", {"lr": 0.05, "momentumDecay": 0.1, "weightDecay": 0.1}, {"momentumDecay": 0.004}, {"weightDecay": 0.0}, False),
        ("betas", {"lr": 0.05, "betas": [0.7, 0.95], "eps": 1e-4}, {}, {"betas": [0.9, 0.999]}, True),
        # No foreach case: torch 1.13's foreach NAdam divides by 1 - Π_t·μ_{t+1} (Dozat's rule), its
        # default single-tensor path by 1 - Π_t·μ_t·μ_{t+1}; the two disagree by ~1e-3 relative, and
        # Tensile follows the default path (docs/optim.md).
    ],
    "RAdam": [
        ("default", {"lr": 0.05}, {"lr": 0.02}, {}, True),
        # β2 = 0.5 makes ρ_t > 5 from step 2 on: both branches of the rectification run
        ("rectified", {"lr": 0.05, "betas": [0.8, 0.5], "weightDecay": 0.1}, {"betas": [0.9, 0.999]}, {"weightDecay": 0.0}, False),
        ("foreach", {"lr": 0.05, "foreach": True, "betas": [0.9, 0.6]}, {}, {}, True),
    ],
    "Adagrad": [
        ("default", {"lr": 0.1}, {"lr": 0.05}, {}, True),
        ("lr-decay", {"lr": 0.1, "lrDecay": 0.1, "initialAccumulatorValue": 0.5}, {"initialAccumulatorValue": 0.0}, {"lrDecay": 0.0}, False),
        ("weight-decay", {"lr": 0.1, "weightDecay": 0.1, "eps": 1e-3}, {"maximize": True}, {}, True),
        ("maximize", {"lr": 0.1, "maximize": True}, {}, {"maximize": False}, False),
        ("foreach", {"lr": 0.1, "foreach": True, "lrDecay": 0.05, "weightDecay": 0.02}, {}, {}, True),
    ],
    "Adadelta": [
        ("default", {}, {"lr": 0.5}, {}, True),
        ("rho", {"lr": 2.0, "rho": 0.5, "eps": 1e-3}, {"rho": 0.95}, {"eps": 1e-6}, False),
        ("weight-decay", {"weightDecay": 0.1, "maximize": True}, {"maximize": False}, {"weightDecay": 0.0}, True),
        ("foreach", {"lr": 1.5, "foreach": True, "weightDecay": 0.05}, {}, {}, False),
    ],
    "RMSprop": [
        ("default", {"lr": 0.02}, {"lr": 0.01}, {}, True),
        ("momentum", {"lr": 0.02, "momentum": 0.9, "alpha": 0.9}, {"momentum": 0.0}, {"momentum": 0.5}, False),
        ("centered", {"lr": 0.02, "centered": True, "eps": 1e-3}, {"centered": False}, {"momentum": 0.7}, True),
        ("centered-momentum", {"lr": 0.02, "centered": True, "momentum": 0.8, "weightDecay": 0.1}, {}, {"centered": False}, False),
        ("maximize", {"lr": 0.02, "maximize": True, "weightDecay": 0.05}, {"maximize": False}, {}, True),
        ("foreach", {"lr": 0.02, "foreach": True, "centered": True, "momentum": 0.5}, {}, {}, False),
    ],
    "Rprop": [
        ("default", {"lr": 0.05}, {"lr": 0.02}, {}, True),
        ("etas", {"lr": 0.05, "etas": [0.3, 1.5], "stepSizes": [0.01, 0.08]}, {"etas": [0.6, 1.1]}, {"stepSizes": [1e-6, 50]}, False),
        ("maximize", {"lr": 0.05, "maximize": True}, {"maximize": False}, {}, True),
        ("foreach", {"lr": 0.05, "foreach": True, "etas": [0.4, 1.3]}, {}, {}, False),
    ],
    "ASGD": [
        ("default", {"lr": 0.1}, {"lr": 0.05}, {}, True),
        ("averaging", {"lr": 0.1, "t0": 2, "lambd": 0.01, "alpha": 0.5}, {"t0": 0}, {"lambd": 0.1}, False),
        ("weight-decay", {"lr": 0.1, "weightDecay": 0.1, "maximize": True, "t0": 1}, {"maximize": False}, {}, True),
        # No foreach case: torch 1.13's foreach ASGD uses the first parameter's η for the whole group
        # (here B, skipped once, is a step behind A); its default single-tensor path, which Tensile
        # follows, uses each parameter's own.
    ],
}


def make_params(dtype, values=None):
    out = {}
    for n in "ABCDF":
        v = values[n] if values else init_values(n)
        out[n] = torch.tensor(v, dtype=torch.float64).to(dtype).reshape(SHAPES[n]).requires_grad_(n != "F")
    return out


def loss_at(P, names, k, dtype):
    total = None
    for n in names:
        t = torch.tensor(targets(n, k), dtype=torch.float64).to(dtype).reshape(SHAPES[n])
        c = torch.tensor(weights(n), dtype=torch.float64).to(dtype).reshape(SHAPES[n])
        d = P[n] - t
        term = (c * d * d).sum()
        total = term if total is None else total + term
    return total


def build(cls, P, defaults, g1, g2, with_d, d_first):
    """Groups [A, B] and [C, F]; [D] too when with_d (in the constructor's list when d_first, else added)."""
    groups = [{"params": [P["A"], P["B"]]}, {"params": [P["C"], P["F"]], **kw(g1, True)}]
    if with_d and d_first:
        groups.append({"params": [P["D"]], **kw(g2, True)})
    opt = cls(groups, **kw(defaults, True))
    if with_d and not d_first:
        opt.add_param_group({"params": [P["D"]], **kw(g2, True)})
    return opt


def opt_state(opt):
    sd = opt.state_dict()
    return {"state": jv(sd["state"]), "param_groups": jv(sd["param_groups"])}


def run_opt_case(cls_name, name, defaults, g1, g2, set_to_none, dtype_name="float32"):
    dtype = torch.float64 if dtype_name == "float64" else torch.float32
    cls = getattr(torch.optim, cls_name)
    P = make_params(dtype)
    # torch 1.13's Adagrad creates its state in __init__ only, and a group added later fails on its
    # first step (KeyError: 'sum'); its D group is given to the constructor instead (no grad until step 4).
    d_first = cls_name == "Adagrad"
    opt = build(cls, P, defaults, g1, g2, d_first, d_first)
    held = ["A", "B", "C"]
    after = []
    mid = None
    for k in range(1, STEPS + 1):
        if k == 5:
            mid = copy.deepcopy(opt.state_dict())
            mid_json = opt_state(opt)
            P = make_params(dtype, {n: P[n].detach().reshape(-1).tolist() for n in "ABCDF"})
            opt = build(cls, P, defaults, g1, g2, True, d_first)
            opt.load_state_dict(mid)
        opt.zero_grad(set_to_none=set_to_none)
        loss_at(P, held, k, dtype).backward()
        if k == 3:
            P["B"].grad = None
        opt.step()
        after.append({n: jv(P[n]) for n in held})
        if k == 3:
            if not d_first:
                opt.add_param_group({"params": [P["D"]], **kw(g2, True)})
            held = held + ["D"]
    return {"name": f"{cls_name.lower()}-{name}", "optimizer": cls_name, "dtype": dtype_name, "options": defaults,
            "group1": g1, "group2": g2, "setToNone": set_to_none, "dInConstructor": d_first, "after": after, "midStateDict": mid_json,
            "endStateDict": opt_state(opt)}


LBFGS_CASES = [
    ("fixed", {"lr": 0.5, "maxIter": 4}, "float64"),
    ("history", {"lr": 1, "maxIter": 5, "historySize": 2, "toleranceChange": 1e-12}, "float64"),
    ("strong-wolfe", {"lineSearchFn": "strong_wolfe", "maxIter": 4, "historySize": 3}, "float64"),
    ("strong-wolfe-f32", {"lineSearchFn": "strong_wolfe", "maxIter": 3}, "float32"),
]


def run_lbfgs_case(name, options, dtype_name):
    dtype = torch.float64 if dtype_name == "float64" else torch.float32
    P = make_params(dtype)
    held = ["A", "B", "C"]

    def make(P):
        return torch.optim.LBFGS([P["A"], P["B"], P["C"], P["F"]], **kw(options, True))

    opt = make(P)
    after, losses, mid_json = [], [], None
    for k in range(1, 6):
        if k == 4:
            mid = copy.deepcopy(opt.state_dict())
            mid_json = opt_state(opt)
            P = make_params(dtype, {n: P[n].detach().reshape(-1).tolist() for n in "ABCDF"})
            opt = make(P)
            opt.load_state_dict(mid)

        def closure():
            opt.zero_grad()
            loss = loss_at(P, held, k, dtype)
            loss.backward()
            return loss

        losses.append(float(opt.step(closure)))
        after.append({n: jv(P[n]) for n in held})
    st = opt.state[P["A"]]
    return {"name": f"lbfgs-{name}", "optimizer": "LBFGS", "dtype": dtype_name, "options": options, "losses": losses,
            "after": after, "midStateDict": mid_json, "funcEvals": st["func_evals"], "nIter": st["n_iter"]}


def optimizers():
    cases = []
    for cls_name, specs in OPT_CASES.items():
        for spec in specs:
            cases.append(run_opt_case(cls_name, *spec))
    for spec in LBFGS_CASES:
        cases.append(run_lbfgs_case(*spec))
    problem = {}
    for dtype_name, dtype in (("float32", torch.float32), ("float64", torch.float64)):
        problem[dtype_name] = {
            "init": {n: f32list(init_values(n), dtype) for n in "ABCDF"},
            "weights": {n: f32list(weights(n), dtype) for n in "ABCD"},
            "targets": [{n: f32list(targets(n, k), dtype) for n in "ABCD"} for k in range(1, STEPS + 1)],
        }
    return {"generator": GENERATOR, "torch": torch.__version__, "shapes": SHAPES, "problem": problem,
            "protocol": "see the generator's docstring", "cases": cases}


# ---------------------------------------------------------------------------------------------
# schedulers

LAMBDAS = {
    "pow09": lambda e: 0.9 ** e,
    "step3": lambda e: 0.5 ** (e // 3),
    "mul097": lambda e: 0.97,
    "alt": lambda e: 1.1 if e % 4 == 0 else 0.95,
    "scaleHalf": lambda x: 0.5 ** x,
    "scaleIter": lambda x: 1.0 / (1.0 + 0.05 * x),
}

METRICS = [1.0, 0.95, 0.96, 0.96, 0.97, 0.9, 0.9, 0.9, 0.9, 0.9, 0.8999, 0.89, 0.95, 0.95, 0.95, 0.95, 0.5,
           0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4]

# (name, scheduler, optimizer spec, options, steps, epochs passed to step or None)
SCHED_CASES = [
    ("step", "StepLR", {"optimizer": "SGD"}, {"stepSize": 4, "gamma": 0.7}, 30),
    ("multistep-repeat", "MultiStepLR", {"optimizer": "SGD"}, {"milestones": [3, 3, 10, 20], "gamma": 0.5}, 30),
    ("exponential", "ExponentialLR", {"optimizer": "Adam"}, {"gamma": 0.93}, 30),
    ("cosine-past-tmax", "CosineAnnealingLR", {"optimizer": "SGD"}, {"tMax": 7, "etaMin": 0.005}, 30),
    ("cosine-tmax1", "CosineAnnealingLR", {"optimizer": "SGD"}, {"tMax": 1}, 30),
    ("warm-restarts", "CosineAnnealingWarmRestarts", {"optimizer": "SGD"}, {"t0": 4, "etaMin": 0.001}, 30),
    ("warm-restarts-tmult3", "CosineAnnealingWarmRestarts", {"optimizer": "SGD"}, {"t0": 2, "tMult": 3}, 30),
    ("warm-restarts-fractional", "CosineAnnealingWarmRestarts", {"optimizer": "SGD"}, {"t0": 3, "tMult": 2, "etaMin": 0.01},
     30, [0.25 * i + 0.1 for i in range(30)]),
    ("warm-restarts-fractional-tmult1", "CosineAnnealingWarmRestarts", {"optimizer": "SGD"}, {"t0": 2},
     30, [0.4 * i for i in range(30)]),
    ("cyclic-triangular-momentum", "CyclicLR", {"optimizer": "SGD", "momentum": 0.9},
     {"baseLr": [0.01, 0.005], "maxLr": [0.1, 0.05], "stepSizeUp": 3, "stepSizeDown": 5, "baseMomentum": [0.8, 0.7],
      "maxMomentum": 0.95}, 30),
    ("cyclic-triangular2-no-momentum", "CyclicLR", {"optimizer": "SGD"},
     {"baseLr": 0.01, "maxLr": 0.1, "stepSizeUp": 2, "mode": "triangular2", "cycleMomentum": False}, 30),
    ("cyclic-exp-range", "CyclicLR", {"optimizer": "SGD", "momentum": 0.5},
     {"baseLr": 0.01, "maxLr": 0.1, "stepSizeUp": 4, "mode": "exp_range", "gamma": 0.9}, 30),
    ("cyclic-scale-iterations", "CyclicLR", {"optimizer": "SGD", "momentum": 0.9},
     {"baseLr": 0.02, "maxLr": 0.2, "stepSizeUp": 3, "scaleFn": "scaleIter", "scaleMode": "iterations"}, 30),
    ("cyclic-scale-cycle-adam", "CyclicLR", {"optimizer": "Adam"},
     {"baseLr": 0.001, "maxLr": 0.01, "stepSizeUp": 2, "stepSizeDown": 1, "scaleFn": "scaleHalf", "cycleMomentum": False}, 30),
    ("onecycle-sgd-three-phase", "OneCycleLR", {"optimizer": "SGD", "momentum": 0.9},
     {"maxLr": [0.5, 0.2], "totalSteps": 30, "threePhase": True, "pctStart": 0.4, "baseMomentum": 0.8, "maxMomentum": [0.95, 0.9]}, 30),
    ("onecycle-linear-epochs", "OneCycleLR", {"optimizer": "Adam"},
     {"maxLr": 0.01, "epochs": 5, "stepsPerEpoch": 6, "annealStrategy": "linear", "divFactor": 5.0, "finalDivFactor": 50.0}, 30),
    ("onecycle-no-momentum-three-phase", "OneCycleLR", {"optimizer": "SGD"},
     {"maxLr": 0.3, "totalSteps": 31, "cycleMomentum": False, "threePhase": True, "annealStrategy": "linear"}, 30),
    ("linear-decay", "LinearLR", {"optimizer": "SGD"}, {"startFactor": 1.0, "endFactor": 0.1, "totalIters": 12}, 30),
    ("constant", "ConstantLR", {"optimizer": "SGD"}, {"factor": 0.5, "totalIters": 9}, 30),
    ("constant-zero-iters", "ConstantLR", {"optimizer": "SGD"}, {"factor": 0.5, "totalIters": 0}, 30),
    ("lambda-two", "LambdaLR", {"optimizer": "SGD"}, {"lrLambda": ["pow09", "step3"]}, 30),
    ("multiplicative-two", "MultiplicativeLR", {"optimizer": "SGD"}, {"lrLambda": ["mul097", "alt"]}, 30),
    ("polynomial", "PolynomialLR", {"optimizer": "SGD"}, {"totalIters": 13, "power": 0.5}, 30),
    ("sequential-cosine-restarts", "SequentialLR", {"optimizer": "SGD"},
     {"schedulers": [["ConstantLR", {"factor": 0.2, "totalIters": 4}], ["CosineAnnealingLR", {"tMax": 8}],
                     ["MultiStepLR", {"milestones": [3, 6]}]], "milestones": [6, 16]}, 30),
    ("chained-three", "ChainedScheduler", {"optimizer": "SGD"},
     {"schedulers": [["LinearLR", {"startFactor": 0.5, "totalIters": 6}], ["ExponentialLR", {"gamma": 0.95}],
                     ["StepLR", {"stepSize": 10, "gamma": 0.5}]]}, 30),
    ("plateau-min-rel", "ReduceLROnPlateau", {"optimizer": "SGD"}, {"patience": 1, "factor": 0.5, "minLr": [0.01, 0.0]}, 30),
    ("plateau-min-abs-cooldown", "ReduceLROnPlateau", {"optimizer": "SGD"},
     {"thresholdMode": "abs", "threshold": 0.02, "patience": 2, "cooldown": 3, "factor": 0.2}, 30),
    ("plateau-max-rel", "ReduceLROnPlateau", {"optimizer": "SGD"}, {"mode": "max", "patience": 0, "factor": 0.7, "threshold": 0.05}, 30),
    ("plateau-max-abs-eps", "ReduceLROnPlateau", {"optimizer": "SGD"},
     {"mode": "max", "thresholdMode": "abs", "patience": 1, "factor": 0.9, "eps": 0.02, "minLr": 0.03}, 30),
    ("swalr-cos", "SWALR", {"optimizer": "SGD"}, {"swaLr": [0.02, 0.01], "annealEpochs": 5}, 30),
    ("swalr-linear", "SWALR", {"optimizer": "SGD", "momentum": 0.9}, {"swaLr": 0.3, "annealEpochs": 7, "annealStrategy": "linear"}, 30),
    ("swalr-zero-epochs", "SWALR", {"optimizer": "SGD"}, {"swaLr": 0.05, "annealEpochs": 0}, 30),
]
GROUP_LRS = [0.1, 0.04]
SAVE_AT = 12
SKIP = {"anneal_func", "_get_lr_called_within_step", "verbose", "lr_lambdas", "_scale_fn_ref", "_scale_fn_custom",
        "scale_fn"}


def make_sched(cls_name, opt, options):
    if cls_name in ("SequentialLR", "ChainedScheduler"):
        subs = [make_sched(n, opt, o) for n, o in options["schedulers"]]
        return lrs.ChainedScheduler(subs) if cls_name == "ChainedScheduler" else lrs.SequentialLR(opt, subs, options["milestones"])
    k = kw(options)
    if "scale_fn" in k:
        k["scale_fn"] = LAMBDAS[k["scale_fn"]]
    if "lr_lambda" in k:
        ll = k["lr_lambda"]
        k["lr_lambda"] = [LAMBDAS[n] for n in ll] if isinstance(ll, list) else LAMBDAS[ll]
    if cls_name == "SWALR":
        return swa_utils.SWALR(opt, **k)
    return getattr(lrs, cls_name)(opt, **k)


def sched_state(s):
    out = {}
    for k, v in s.state_dict().items():
        if k in SKIP:
            continue
        if k == "_schedulers":
            v = [{kk: jv(vv) for kk, vv in x.items() if kk not in SKIP} for x in v]
        out[k] = jv(v)
    return out


def make_sched_opt(spec):
    extra = {k: v for k, v in spec.items() if k != "optimizer"}
    groups = [{"params": [torch.zeros(2, requires_grad=True)], "lr": lr} for lr in GROUP_LRS]
    return getattr(torch.optim, spec["optimizer"])(groups, **kw(extra, True))


def momenta(opt, spec):
    key = "betas" if spec["optimizer"] == "Adam" else "momentum"
    return [jv(g.get(key)) for g in opt.param_groups]


def sched_step(s, cls_name, t, epochs):
    if cls_name == "ReduceLROnPlateau":
        s.step(METRICS[t])
    elif epochs is not None:
        s.step(epochs[t])
    else:
        s.step()


def run_sched_case(name, cls_name, spec, options, steps, epochs=None):
    opt = make_sched_opt(spec)
    s = make_sched(cls_name, opt, options)
    lrs_seq = [[g["lr"] for g in opt.param_groups]]
    mom = [momenta(opt, spec)]
    mid = None
    for t in range(steps):
        opt.step()
        sched_step(s, cls_name, t, epochs)
        lrs_seq.append([g["lr"] for g in opt.param_groups])
        mom.append(momenta(opt, spec))
        if cls_name not in ("ReduceLROnPlateau",):
            assert list(s.get_last_lr()) == lrs_seq[-1], name
        if t + 1 == SAVE_AT:
            mid = {"scheduler": sched_state(s), "optimizer": opt_state(opt)}
            saved_opt = copy.deepcopy(opt.state_dict())
            saved_sched = {k: v if k in SKIP else copy.deepcopy(v) for k, v in s.state_dict().items()}
    # resume: a fresh optimizer and scheduler load the state dicts taken after SAVE_AT steps
    opt2 = make_sched_opt(spec)
    s2 = make_sched(cls_name, opt2, options)
    opt2.load_state_dict(saved_opt)
    s2.load_state_dict(saved_sched)
    resumed = []
    for t in range(SAVE_AT, steps):
        opt2.step()
        sched_step(s2, cls_name, t, epochs)
        resumed.append([g["lr"] for g in opt2.param_groups])
    case = {"name": name, "scheduler": cls_name, "optimizer": spec, "options": options, "lrs": lrs_seq,
            "momenta": mom, "mid": mid, "resumed": resumed, "endStateDict": sched_state(s)}
    if epochs is not None:
        case["epochs"] = epochs
    if cls_name == "ReduceLROnPlateau":
        case["metrics"] = METRICS[:steps]
    return case


def swa_models():
    """AveragedModel (default and EMA avg_fn, use_buffers) and update_bn on Linear(3, 2) -> BatchNorm1d(2)."""
    def model_at(k):
        m = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
        with torch.no_grad():
            for j, p in enumerate(m.parameters()):
                p.copy_(torch.tensor([0.3 * math.sin(1.3 * i + j + 0.8 * k) for i in range(p.numel())]).reshape(p.shape))
            m[1].running_mean.copy_(torch.tensor([0.1 * k, -0.2 * k]))
            m[1].running_var.copy_(torch.tensor([1.0 + 0.5 * k, 2.0 - 0.1 * k]))
            m[1].num_batches_tracked.fill_(k)
        return m

    batches = [torch.tensor([[math.cos(0.7 * i + 1.1 * j + b) for j in range(3)] for i in range(4)]) for b in range(3)]
    out = []
    for name, ema, use_buffers in (("mean", False, False), ("ema-buffers", True, True), ("mean-buffers", False, True)):
        avg_fn = (lambda a, p, n: 0.75 * a + 0.25 * p) if ema else None
        swa = swa_utils.AveragedModel(model_at(0), avg_fn=avg_fn, use_buffers=use_buffers)
        for k in range(1, 5):
            swa.update_parameters(model_at(k))
        before = {k: jv(v) for k, v in swa.state_dict().items()}
        swa_utils.update_bn([[b, None] for b in batches], swa)
        after = {k: jv(v) for k, v in swa.state_dict().items()}
        out.append({"name": name, "ema": ema, "useBuffers": use_buffers, "afterUpdates": before, "afterUpdateBn": after})
    return {"models": "Sequential(Linear(3, 2), BatchNorm1d(2)); model k: parameter j element i = "
                      "0.3*sin(1.3*i + j + 0.8*k); running_mean [0.1k, -0.2k]; running_var [1 + 0.5k, 2 - 0.1k]; "
                      "num_batches_tracked k. AveragedModel(model 0), update_parameters(model k) for k = 1..4, "
                      "then update_bn over batches b = 0..2: x[i][j] = cos(0.7*i + 1.1*j + b), [4, 3]; "
                      "ema avg_fn: 0.75*avg + 0.25*p",
            "cases": out}


def schedulers():
    cases = [run_sched_case(*c) for c in SCHED_CASES]
    return {"generator": GENERATOR, "torch": torch.__version__, "groupLrs": GROUP_LRS, "saveAt": SAVE_AT,
            "protocol": "lrs[0]: the groups' lr after construction; lrs[t]: after optimizer.step(); scheduler.step() "
                        "(step(metrics[t-1]) for ReduceLROnPlateau, step(epochs[t-1]) where epochs is given) t times; "
                        "momenta alongside (momentum for SGD, betas for Adam). mid: the scheduler's and optimizer's "
                        "state_dict() after saveAt steps; resumed: the lrs of a fresh optimizer + scheduler that "
                        "loaded them, for steps saveAt+1.., endStateDict: the scheduler's at the end (function-valued "
                        "and logging keys dropped).",
            "cases": cases, "swa": swa_models()}


# ---------------------------------------------------------------------------------------------
# errors: what PyTorch raises for bad arguments (type and message), keyed by a case id the tests share

ALL_OPTIMIZERS = ["SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Adagrad", "Adadelta", "RMSprop", "Rprop", "ASGD",
                  "LBFGS"]
BAD_OPTIONS = {
    "lr": ({"lr": -1.0}, ALL_OPTIMIZERS),
    "eps": ({"eps": -1e-8}, ["Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Adagrad", "Adadelta", "RMSprop"]),
    "beta0": ({"betas": [1.0, 0.999]}, ["Adam", "AdamW", "Adamax", "NAdam", "RAdam"]),
    "beta1": ({"betas": [0.9, -0.1]}, ["Adam", "AdamW", "Adamax", "NAdam", "RAdam"]),
    "weightDecay": ({"weightDecay": -0.5}, ["SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Adagrad", "Adadelta",
                                            "RMSprop", "ASGD"]),
    "momentum": ({"momentum": -0.5}, ["SGD", "RMSprop"]),
    "nesterov": ({"nesterov": True}, ["SGD"]),
    "nesterovDampening": ({"nesterov": True, "momentum": 0.9, "dampening": 0.1}, ["SGD"]),
    "rho": ({"rho": 1.5}, ["Adadelta"]),
    "alpha": ({"alpha": -0.5}, ["RMSprop"]),
    "lrDecay": ({"lrDecay": -0.5}, ["Adagrad"]),
    "initialAccumulatorValue": ({"initialAccumulatorValue": -0.5}, ["Adagrad"]),
    "momentumDecay": ({"momentumDecay": -0.5}, ["NAdam"]),
    "etas": ({"etas": [1.5, 1.2]}, ["Rprop"]),
    "etasPlus": ({"etas": [0.5, 0.9]}, ["Rprop"]),
}


def error_of(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 (the oracle's error, whatever its type)
        return {"type": type(e).__name__, "message": str(e)}
    return None


def optimizer_errors():
    out = {}
    for name in ALL_OPTIMIZERS:
        cls = getattr(torch.optim, name)
        base = {"lr": 0.1} if name == "SGD" else {}
        for kind, (opts, which) in BAD_OPTIONS.items():
            if name in which:
                out[f"{name}.{kind}"] = error_of(lambda: cls([torch.zeros(2, requires_grad=True)], **kw({**base, **opts}, True)))
        p = torch.zeros(2, requires_grad=True)
        out[f"{name}.tensor"] = error_of(lambda: cls(p, **kw(base, True)))
        out[f"{name}.empty"] = error_of(lambda: cls([], **kw(base, True)))
        if name != "LBFGS":
            out[f"{name}.twoGroups"] = error_of(lambda: cls([{"params": [p]}, {"params": [p]}], **kw(base, True)))
        out[f"{name}.nonLeaf"] = error_of(lambda: cls([p * 2], **kw(base, True)))
    return out


def scheduler_errors():
    def sgd(n=1, **o):
        return torch.optim.SGD([{"params": [torch.zeros(1, requires_grad=True)]} for _ in range(n)], lr=0.1, **o)

    def stepped_onecycle():
        s = lrs.OneCycleLR(sgd(momentum=0.9), max_lr=0.1, total_steps=3)
        for _ in range(4):
            s.step()

    cases = {
        "OneCycleLR.noTotal": lambda: lrs.OneCycleLR(sgd(momentum=0.9), max_lr=0.1),
        "OneCycleLR.totalSteps0": lambda: lrs.OneCycleLR(sgd(momentum=0.9), max_lr=0.1, total_steps=0),
        "OneCycleLR.epochsNegative": lambda: lrs.OneCycleLR(sgd(momentum=0.9), max_lr=0.1, epochs=-1, steps_per_epoch=2),
        "OneCycleLR.stepsPerEpochFloat": lambda: lrs.OneCycleLR(sgd(momentum=0.9), max_lr=0.1, epochs=2, steps_per_epoch=1.5),
        "OneCycleLR.pctStart": lambda: lrs.OneCycleLR(sgd(momentum=0.9), max_lr=0.1, total_steps=10, pct_start=1.5),
        "OneCycleLR.annealStrategy": lambda: lrs.OneCycleLR(sgd(momentum=0.9), max_lr=0.1, total_steps=10, anneal_strategy="exp"),
        "OneCycleLR.maxLrLength": lambda: lrs.OneCycleLR(sgd(2, momentum=0.9), max_lr=[0.1, 0.2, 0.3], total_steps=10),
        "OneCycleLR.noMomentum": lambda: lrs.OneCycleLR(torch.optim.Adagrad([torch.zeros(1, requires_grad=True)]), max_lr=0.1, total_steps=10),
        "OneCycleLR.stepBeyond": stepped_onecycle,
        "CyclicLR.mode": lambda: lrs.CyclicLR(sgd(momentum=0.9), base_lr=0.01, max_lr=0.1, mode="bad"),
        "CyclicLR.noMomentum": lambda: lrs.CyclicLR(torch.optim.Adam([torch.zeros(1, requires_grad=True)]), base_lr=0.01, max_lr=0.1),
        "CyclicLR.baseLrLength": lambda: lrs.CyclicLR(sgd(2, momentum=0.9), base_lr=[0.1], max_lr=0.2),
        "ReduceLROnPlateau.mode": lambda: lrs.ReduceLROnPlateau(sgd(), mode="up"),
        "ReduceLROnPlateau.thresholdMode": lambda: lrs.ReduceLROnPlateau(sgd(), threshold_mode="pct"),
        "ReduceLROnPlateau.factor": lambda: lrs.ReduceLROnPlateau(sgd(), factor=1.0),
        "ReduceLROnPlateau.minLrLength": lambda: lrs.ReduceLROnPlateau(sgd(2), min_lr=[0.1]),
        "StepLR.notOptimizer": lambda: lrs.StepLR(object(), step_size=3),
        "ConstantLR.factor": lambda: lrs.ConstantLR(sgd(), factor=2.0),
        "LinearLR.startFactor": lambda: lrs.LinearLR(sgd(), start_factor=1.5),
        "LinearLR.endFactor": lambda: lrs.LinearLR(sgd(), end_factor=-0.5),
        "CosineAnnealingWarmRestarts.t0": lambda: lrs.CosineAnnealingWarmRestarts(sgd(), T_0=0),
        "CosineAnnealingWarmRestarts.tMult": lambda: lrs.CosineAnnealingWarmRestarts(sgd(), T_0=2, T_mult=1.5),
        "CosineAnnealingWarmRestarts.negativeEpoch": lambda: lrs.CosineAnnealingWarmRestarts(sgd(), T_0=2).step(-1),
        "LambdaLR.length": lambda: lrs.LambdaLR(sgd(2), lr_lambda=[lambda e: 1.0]),
        "StepLR.resumeWithoutInitialLr": lambda: lrs.StepLR(sgd(), step_size=2, last_epoch=3),
        "SWALR.annealEpochs": lambda: swa_utils.SWALR(sgd(), swa_lr=0.05, anneal_epochs=-1),
        "SWALR.annealStrategy": lambda: swa_utils.SWALR(sgd(), swa_lr=0.05, anneal_strategy="exp"),
        "SWALR.swaLrLength": lambda: swa_utils.SWALR(sgd(2), swa_lr=[0.1, 0.2, 0.3]),
    }
    return {k: error_of(f) for k, f in cases.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"))
    args = ap.parse_args()
    torch.manual_seed(0)
    write_json(args.out, "optim-grid.json", optimizers())
    write_json(args.out, "optim-grid-errors.json", {"generator": GENERATOR, "torch": torch.__version__,
                                                    "optimizers": optimizer_errors(), "schedulers": scheduler_errors()})
    write_json(args.out, "optim-sched-grid.json", schedulers())


if __name__ == "__main__":
    main()
