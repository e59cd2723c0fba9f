"""Model set "cnn": torchvision 0.14's GoogLeNet, Inception v3, every RegNet builder and EfficientNetV2-S/M/L.

`/usr/bin/python3 tools/gen-models-fixtures.py --set cnn` reads MODELS and writes fixtures/models-cnn.json
(read by test/models-cnn.test.ts). Every builder has a case, including the 645M-parameter
regnet_y_128gf; the test decides which cases it also runs forward (see its header).

The generator then calls this file's write_extra(), which writes fixtures/models-cnn-train.json: the training-mode outputs of GoogLeNet and Inception v3 with their
auxiliary heads (torchvision's GoogLeNetOutputs / InceptionOutputs, field by field) on a batch of two
inputs, dropout 0 (so they are deterministic; batch norm uses batch statistics), after the same
formula weights as gen-models-fixtures.py, computed in float64: batch norm over two samples on
1×1 maps is ill-conditioned (torch's own float32 GoogLeNet logits differ from its float64 ones by
6e-2 of their maximum here), so the test runs these in float64 too.
"""

# (torchvision name, Tensile name, kwargs, input size). RegNets and EfficientNetV2 reduce by 32 and take
# 32×32; GoogLeNet's ceil-mode pools take 32×32 too; Inception v3 needs 75×75 (torchvision's min_size).
MODELS = [
    ("googlenet", "googlenet", {"num_classes": 10}, 32),
    ("googlenet", "googlenet", {"num_classes": 7, "aux_logits": False, "transform_input": True, "dropout": 0.3}, 40),
    ("inception_v3", "inceptionV3", {"num_classes": 10}, 75),
    ("inception_v3", "inceptionV3", {"num_classes": 7, "aux_logits": False, "transform_input": True, "dropout": 0.25}, 80),
    ("regnet_x_400mf", "regnetX_400mf", {"num_classes": 10}, 32),
    ("regnet_x_800mf", "regnetX_800mf", {"num_classes": 10}, 32),
    ("regnet_x_1_6gf", "regnetX_1_6gf", {"num_classes": 10}, 32),
    ("regnet_x_3_2gf", "regnetX_3_2gf", {"num_classes": 10}, 32),
    ("regnet_x_8gf", "regnetX_8gf", {"num_classes": 10}, 32),
    ("regnet_x_16gf", "regnetX_16gf", {"num_classes": 10}, 32),
    ("regnet_x_32gf", "regnetX_32gf", {"num_classes": 10}, 32),
    ("regnet_y_400mf", "regnetY_400mf", {"num_classes": 10}, 32),
    ("regnet_y_800mf", "regnetY_800mf", {"num_classes": 10}, 32),
    ("regnet_y_1_6gf", "regnetY_1_6gf", {"num_classes": 10}, 32),
    ("regnet_y_3_2gf", "regnetY_3_2gf", {"num_classes": 10}, 32),
    ("regnet_y_8gf", "regnetY_8gf", {"num_classes": 10}, 32),
    ("regnet_y_16gf", "regnetY_16gf", {"num_classes": 10}, 32),
    ("regnet_y_32gf", "regnetY_32gf", {"num_classes": 10}, 32),
    ("regnet_y_128gf", "regnetY_128gf", {"num_classes": 10}, 32),
    ("regnet_y_400mf", "regnetY_400mf", {"num_classes": 5, "stem_width": 24}, 48),
    ("efficientnet_v2_s", "efficientnetV2S", {"num_classes": 10}, 32),
    ("efficientnet_v2_m", "efficientnetV2M", {"num_classes": 10}, 32),
    ("efficientnet_v2_l", "efficientnetV2L", {"num_classes": 10, "stochastic_depth_prob": 0.3}, 32),
]

# Training-mode cases for the script part: (torchvision name, Tensile name, kwargs, input size, output fields).
TRAIN = [
    ("googlenet", "googlenet", {"num_classes": 10, "dropout": 0.0, "dropout_aux": 0.0}, 32, ["logits", "aux_logits2", "aux_logits1"]),
    ("inception_v3", "inceptionV3", {"num_classes": 10, "dropout": 0.0}, 299, ["logits", "aux_logits"]),
]


def _train_case(gen, tv_name, ts_name, kwargs, size, fields):
    import numpy as np
    import torch
    import torchvision.models as tvm

    torch.manual_seed(0)
    model = getattr(tvm, tv_name)(weights=None, **kwargs)
    sd = model.state_dict()
    model.load_state_dict({key: gen["formula"](k, key, list(v.shape)) if v.is_floating_point() else v for k, (key, v) in enumerate(sd.items())})
    model.train().double()
    i = np.arange(2 * 3 * size * size, dtype=np.int64)
    x = torch.from_numpy((((i * 31 + 7) % 97 - 48) / 48).astype(np.float32).reshape(2, 3, size, size)).double()
    with torch.no_grad():
        out = model(x)
    assert list(out._fields) == fields, out._fields
    return {
        "torchvision": tv_name, "name": ts_name, "options": {gen["camel"](k): v for k, v in kwargs.items()}, "size": size, "batch": 2,
        "dtype": "float64", "outputs": {gen["camel"](f): getattr(out, f).reshape(-1).tolist() for f in fields},
    }


def write_extra(out, gen):
    """Called by tools/gen-models-fixtures.py after this set: writes OUT/models-cnn-train.json."""
    import json
    import os

    body = {"models": [_train_case(gen, *c) for c in TRAIN]}
    with open(os.path.join(out, "models-cnn-train.json"), "w") as f:
        json.dump(body, f, separators=(",", ":"), allow_nan=False)
