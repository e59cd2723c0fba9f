"""PyTorch oracle for Tensile's utils.tensorboard.SummaryWriter: the event files torch 1.13's
torch.utils.tensorboard.SummaryWriter writes for a fixed list of calls, record by record.

    /usr/bin/python3 tools/gen-tensorboard-fixtures.py [--out DIR]

torch.utils.tensorboard needs the `tensorboard` package, which Debian does not ship for
/usr/bin/python3. Install it (pure Python, from PyPI or a local mirror) into tools/.tbsite, which
this script puts on sys.path and git ignores:

    pip install --no-deps --target tools/.tbsite tensorboard==2.21.0 protobuf==6.33.6 absl-py six

Writes fixtures/tensorboard.json (deterministic: every call passes a wall time; the one event
PyTorch stamps with the clock, the file-version event, is recorded without its time). A second
writer, in a directory of its own, makes the plugin calls (pr curves, custom scalars, embeddings):
its events go to "pluginRun", the projector files it writes to "projector" (text files verbatim,
sprites as their pixels), so the records of "runs" are those of the first writer alone. Each record
is kept whole (length, masked CRC-32C, Event bytes, masked CRC-32C, base64) with its decoded
fields; images also as the pixels of their PNG (the PNG bytes themselves depend on the encoder).
"graphs": add_graph's output for an MLP (nn.Sequential) and a small CNN with a residual add
(GraphNet): each GraphDef node (name, op, inputs, attr string, attr keys, output shape) and the
record of the RunMetadata event that follows it. Tensile's graphs are compared with these
structurally (scopes, IO nodes, shapes, parameters, op kinds): node names come from torch's JIT.

add_hparams' session-start record holds a protobuf map, whose order on the wire changes from run to
run: a record that decodes the same as the committed fixture's is kept as committed (keep_equal).

torch 1.13's make_histogram calls np.greater(counts, 0, dtype=np.int32), which this numpy
rejects ("No loop matching the specified signature"): the script patches that one call to
np.greater(counts, 0).astype(np.int32), the same values.
"""
import argparse
import base64
import io
import json
import os
import struct
import sys
import tempfile
import time

sys.dont_write_bytecode = True
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools", ".tbsite"))

import numpy as np  # noqa: E402
import torchfix.pin_cpu  # noqa: E402,F401  (before torch: the same kernels on every machine)
import torch  # noqa: E402
import torch.utils.tensorboard.summary as tb_summary  # noqa: E402
from torch.utils.tensorboard import SummaryWriter  # noqa: E402
from tensorboard.compat.proto import event_pb2  # noqa: E402
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c  # noqa: E402
from google.protobuf.json_format import MessageToDict  # noqa: E402
from PIL import Image  # noqa: E402

HEADER = {"generator": "tools/gen-tensorboard-fixtures.py", "torch": torch.__version__}


def _greater_int32(a, b, dtype=None):  # see the docstring
    return np.greater(a, b).astype(np.int32) if dtype is not None else np.greater(a, b)


class _NpShim:
    def __getattr__(self, name):
        return _greater_int32 if name == "greater" else getattr(np, name)


tb_summary.np = _NpShim()


def values():
    """200 float32 values: a spread of signs and magnitudes, zeros, and exact bucket edges."""
    g = torch.Generator().manual_seed(0)
    v = torch.randn(190, generator=g) * torch.logspace(-3, 2, 190)
    extra = torch.tensor([0.0, 0.0, -0.0, 1e-12, -1e-12, 1.0, -1.0, 3.5, 1e-30, 250.0])
    return torch.cat([v, extra]).to(torch.float32)


def images():
    g = torch.Generator().manual_seed(1)
    return {
        "chw1": torch.rand(1, 5, 4, generator=g),
        "hwc3": torch.rand(3, 2, 3, generator=g),
        "hw": torch.rand(2, 3, generator=g),
        "chw4": torch.rand(4, 2, 2, generator=g),
        "nchw": torch.rand(10, 1, 3, 2, generator=g),
    }


def calls(w, vals, imgs):
    """The calls, in order; test/utils-tensorboard.test.ts makes the same ones."""
    w.add_scalar("loss", 0.5, 3, walltime=1000.25)
    w.add_scalar("loss", torch.tensor(-1.75), 0, walltime=1000.5)
    w.add_scalar("acc", 0.0, 7, walltime=1001.0)
    w.add_scalar("big/step", 1e-3, 2 ** 40, walltime=1001.125)
    w.add_scalar("nostep", 2.5, walltime=1001.25)
    w.add_histogram("w", vals, 5, walltime=1002.0)
    w.add_histogram("w_uniform", vals, 6, bins=10, walltime=1002.5)
    w.add_histogram("w_max", vals, 7, max_bins=20, walltime=1003.0)
    w.add_histogram("constant", torch.tensor([2.0, 2.0, 2.0]), 8, bins=4, walltime=1003.5)
    w.add_histogram("edges", vals, 9, bins=np.array([-1.0, 0.0, 0.5, 2.0]), walltime=1004.0)
    w.add_text("note", "hello **world** \u00fc", 10, walltime=1004.5)
    w.add_image("chw1", imgs["chw1"], 11, walltime=1005.0)
    w.add_image("hwc3", imgs["hwc3"], 12, walltime=1005.5, dataformats="HWC")
    w.add_image("hw", imgs["hw"], 13, walltime=1006.0, dataformats="HW")
    w.add_image("chw4", imgs["chw4"], 14, walltime=1006.5)
    w.add_images("nchw", imgs["nchw"], 15, walltime=1007.0)
    w.add_scalars("run", {"a": 1.0, "b": -2.0}, 16, walltime=1007.5)
    # add_hparams takes no wall time: the clock is fixed while it runs (Tensile's walltime option)
    real_time = time.time
    time.time = lambda: 1008.0
    try:
        w.add_hparams({"lr": 0.01, "optimizer": "sgd", "batch": 64, "nesterov": True, "zero": 0.0, "none": None},
                      {"hparam/accuracy": 0.9, "hparam/loss": torch.tensor(0.25)},
                      hparam_domain_discrete={"optimizer": ["sgd", "adam"], "batch": [32, 64], "nesterov": [True, False]},
                      run_name="hp")
        w.add_hparams({"lr": torch.tensor([0.5]), "empty": ""}, {"m": 0.0}, run_name="hp2")
    finally:
        time.time = real_time


def pr_inputs():
    """Inputs of the pr-curve calls: float32 predictions in [0, 1) with 0, 1 and values outside added."""
    g = torch.Generator().manual_seed(2)
    preds = torch.rand(300, generator=g)
    labels = torch.randint(0, 2, (300,), generator=g).to(torch.int32)
    weights = torch.rand(300, generator=g)
    edge_preds = torch.tensor([0.0, 1.0, 0.5, 0.25, 0.75, 0.2499, -0.1, 1.5, 0.999, 0.001, 0.6, 0.4])
    edge_labels = torch.tensor([True, False, True, True, False, False, True, True, True, False, False, True])
    raw = torch.rand(6, 5, generator=g) * 10
    return {"preds": preds, "labels": labels, "weights": weights, "edgePreds": edge_preds,
            "edgeLabels": edge_labels, "raw": raw}


def embedding_inputs():
    g = torch.Generator().manual_seed(3)
    mat = torch.randn(6, 3, generator=g)
    # Python's float repr: exponent below 1e-4 and from 1e16, '.0' on whole numbers, -0.0, inf, nan
    mat[0] = torch.tensor([1e-5, 1e16, -0.0])
    mat[1] = torch.tensor([0.0001, 123456.0, float("inf")])
    mat[2] = torch.tensor([float("nan"), 1e15, -2.5])
    return {
        "mat": mat,
        "img": torch.rand(6, 3, 4, 5, generator=g),
        "mat2": torch.randn(4, 2, generator=g),
        "img2": torch.rand(4, 1, 3, 3, generator=g) * 1.2 - 0.1,
        "mat3": torch.randn(3, 2, generator=g, dtype=torch.float64),
        "mat4": torch.tensor([[1, -2], [3, 40]], dtype=torch.int32),
    }


def plugin_calls(w, pr, emb):
    """The plugin calls, in order, on a writer of their own; the test makes the same ones."""
    w.add_pr_curve("pr", pr["labels"], pr["preds"], 1, walltime=2000.0)
    w.add_pr_curve("pr_weighted", pr["labels"], pr["preds"], 2, num_thresholds=10,
                   weights=pr["weights"].numpy(), walltime=2000.5)
    w.add_pr_curve("pr_edges", pr["edgeLabels"], pr["edgePreds"], 3, num_thresholds=5, walltime=2001.0)
    w.add_pr_curve("pr_clamped", pr["labels"], pr["preds"], 4, num_thresholds=200, walltime=2001.5)
    w.add_pr_curve("pr_nostep", pr["labels"][:3], pr["preds"][:3], num_thresholds=2, walltime=2002.0)
    r = pr["raw"]
    w.add_pr_curve_raw("pr_raw", r[0], r[1], r[2], r[3], r[4], r[5], 5, num_thresholds=5, walltime=2002.5)
    # the custom-scalar calls take no wall time: the clock is fixed while they run (Tensile's walltime option)
    real_time = time.time
    time.time = lambda: 2003.0
    try:
        w.add_custom_scalars({"Taiwan": {"twse": ["Multiline", ["twse/0050", "twse/2330"]]},
                              "USA": {"dow": ["Margin", ["dow/aaa", "dow/bbb", "dow/ccc"]],
                                      "nasdaq": ["Margin", ["nasdaq/aaa", "nasdaq/bbb", "nasdaq/ccc"]]}})
        w.add_custom_scalars_multilinechart(["loss/train", "loss/val"])
        w.add_custom_scalars_marginchart(["acc", "acc_lo", "acc_hi"], category="margins", title="acc \u00fc")
    finally:
        time.time = real_time
    w.add_embedding(emb["mat"], metadata=[3, "cat", 0.5, True, "d\u00fcr", -7], label_img=emb["img"])
    w.add_embedding(emb["mat2"], metadata=[["a", 1], ["b", 2], ["c\u00fc", 3.25], ["d", False]],
                    label_img=emb["img2"], global_step=7, tag="feat/x%y\\z \"q\"", metadata_header=["name", "n"])
    w.add_embedding(emb["mat3"], global_step=123456, tag="double")
    w.add_embedding(emb["mat4"], metadata=["x", "y"], global_step=-3, tag="ints")


class GraphNet(torch.nn.Module):
    """add_graph's CNN: conv, batch norm, relu, a residual add, max pooling, flatten, linear."""

    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 4, 3, padding=1)
        self.bn = torch.nn.BatchNorm2d(4)
        self.relu = torch.nn.ReLU()
        self.conv2 = torch.nn.Conv2d(4, 4, 3, padding=1)
        self.pool = torch.nn.MaxPool2d(2)
        self.fc = torch.nn.Linear(64, 10)

    def forward(self, x):
        y = self.relu(self.bn(self.conv1(x)))
        y = self.conv2(y) + y
        return self.fc(self.pool(y).flatten(1))


def graphs():
    """add_graph on an MLP (nn.Sequential) and on GraphNet: the graph's nodes and the two records.

    SummaryWriter.add_graph takes no wall time; the calls below are its body with one
    (FileWriter.add_graph(graph(model, input), walltime)), so the records are reproducible. JIT
    debug names (`input.3`, `42`) depend on what the process traced before: the MLP goes first.
    """
    from torch.utils.tensorboard._pytorch_graph import graph
    from tensorboard.compat.proto.graph_pb2 import GraphDef
    torch.manual_seed(0)
    cases = {"mlp": (torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3)), torch.randn(2, 4)),
             "cnn": (GraphNet(), torch.randn(2, 1, 8, 8))}
    out = {}
    for name, (model, x) in cases.items():
        with tempfile.TemporaryDirectory() as d:
            w = SummaryWriter(d)
            w._get_file_writer().add_graph(graph(model, x), walltime=3000.25)
            w.close()
            (path,) = [os.path.join(d, f) for f in os.listdir(d)]
            recs = records(path)[1:]  # after the file-version event
        g = GraphDef.FromString(event_pb2.Event.FromString(recs[0][1]).graph_def)
        nodes = [{"name": n.name, "op": n.op, "inputs": list(n.input), "attr": n.attr["attr"].s.decode(),
                  "attrKeys": list(n.attr.keys()),
                  "shape": [d.size for d in n.attr["_output_shapes"].list.shape[0].dim] if "_output_shapes" in n.attr else None}
                 for n in g.node]
        out[name] = {"inputShape": list(x.shape), "producer": g.versions.producer, "nodes": nodes,
                     "events": [sorted(f.name for f, _ in event_pb2.Event.FromString(b).ListFields()) for _, b in recs],
                     "runMetadataRecord": base64.b64encode(recs[1][0]).decode()}
    return out


def records(path):
    data = open(path, "rb").read()
    out, at = [], 0
    while at < len(data):
        (n,) = struct.unpack("<Q", data[at:at + 8])
        (lcrc,) = struct.unpack("<I", data[at + 8:at + 12])
        assert lcrc == masked_crc32c(data[at:at + 8])
        body = data[at + 12:at + 12 + n]
        (dcrc,) = struct.unpack("<I", data[at + 12 + n:at + 16 + n])
        assert dcrc == masked_crc32c(body)
        out.append((data[at:at + 16 + n], body))
        at += 16 + n
    return out


def describe(framed, body):
    ev = event_pb2.Event.FromString(body)
    rec = {"record": base64.b64encode(framed).decode(), "event": MessageToDict(ev)}
    for v in ev.summary.value:
        if v.HasField("image"):
            im = Image.open(io.BytesIO(v.image.encoded_image_string))
            rec["pixels"] = base64.b64encode(np.asarray(im).tobytes()).decode()
            rec["event"]["summary"]["value"][0]["image"].pop("encodedImageString")
            rec.pop("record")  # the PNG bytes are the encoder's
        if v.HasField("histo"):
            # sum and sum_squares come from numpy's pairwise sum and BLAS ddot: compared with a tolerance
            rec["histoExact"] = False
    if ev.HasField("file_version"):
        rec = {"event": {"fileVersion": ev.file_version}}
    return rec


def decoded(rec):
    """A record's Event and its hparams plugin contents, decoded (maps compare as maps)."""
    from tensorboard.plugins.hparams.plugin_data_pb2 import HParamsPluginData
    ev = event_pb2.Event.FromString(base64.b64decode(rec["record"])[12:-4])
    contents = []
    for v in ev.summary.value:
        if v.metadata.plugin_data.plugin_name == "hparams":
            contents.append(HParamsPluginData.FromString(v.metadata.plugin_data.content))
            v.metadata.plugin_data.content = b""
    return ev, contents


def keep_equal(new, old):
    """The records of `new`, each replaced by the one of `old` at its place when both decode to the
    same Event: a protobuf map's order on the wire (add_hparams' session-start values) changes from
    run to run (upb seeds its hash tables with an address), so without this every regeneration
    would rewrite that record."""
    for run, recs in new.items():
        for i, rec in enumerate(recs):
            before = (old.get(run) or [])[i:i + 1]
            if before and "record" in rec and "record" in before[0] and before[0]["record"] != rec["record"]:
                if decoded(before[0]) == decoded(rec):
                    recs[i] = before[0]
    return new


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures"))
    args = ap.parse_args()
    vals, imgs = values(), images()
    with tempfile.TemporaryDirectory() as d:
        w = SummaryWriter(d)
        calls(w, vals, imgs)
        w.close()
        runs = {}
        for sub, _dirs, files in sorted(os.walk(d)):
            for f in sorted(files):
                assert f.startswith("events.out.tfevents."), f
                rel = os.path.relpath(sub, d)
                runs[rel] = [describe(fr, b) for fr, b in records(os.path.join(sub, f))]
    out = dict(HEADER)
    out["values"] = [float(x) for x in vals.tolist()]
    out["images"] = {k: {"shape": list(t.shape), "data": [float(x) for x in t.reshape(-1).tolist()]} for k, t in imgs.items()}
    out["runs"] = runs
    pr, emb = pr_inputs(), embedding_inputs()
    with tempfile.TemporaryDirectory() as d:
        w = SummaryWriter(d)
        plugin_calls(w, pr, emb)
        w.close()
        projector = {}
        for sub, _dirs, files in sorted(os.walk(d)):
            for f in sorted(files):
                path = os.path.join(sub, f)
                rel = os.path.relpath(path, d)
                if f.startswith("events.out.tfevents."):
                    out["pluginRun"] = [describe(fr, b) for fr, b in records(path)]
                elif f.endswith(".png"):
                    im = Image.open(path)
                    projector[rel] = {"mode": im.mode, "size": list(im.size),
                                      "pixels": base64.b64encode(np.asarray(im).tobytes()).decode()}
                else:
                    projector[rel] = open(path, "rb").read().decode("utf-8")
    out["prInputs"] = {k: [float(x) for x in t.reshape(-1).tolist()] for k, t in pr.items()}
    finite = lambda x: float(x) if np.isfinite(x) else str(float(x))  # JSON has no NaN nor infinities
    out["embeddingInputs"] = {k: {"shape": list(t.shape), "data": [finite(x) for x in t.reshape(-1).tolist()]}
                              for k, t in emb.items()}
    out["projector"] = projector
    out["graphs"] = graphs()
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "tensorboard.json")
    committed = os.path.join(ROOT, "fixtures", "tensorboard.json")  # also with --out (tools/check-fixtures-fresh.sh)
    if os.path.exists(committed):
        with open(committed, encoding="utf-8") as f:
            old = json.load(f)
        out["runs"] = keep_equal(out["runs"], old.get("runs", {}))
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path}: " + ", ".join(f"{k}: {len(v)} events" for k, v in runs.items()))


if __name__ == "__main__":
    main()
