"""Model set "transformer" for tools/gen-models-fixtures.py: torchvision 0.14's ConvNeXt, Vision
Transformer and Swin Transformer (v1 and v2) builders -> fixtures/models-transformer.json, read by
test/models-transformer.test.ts.

Small inputs keep the forward checks cheap: ViT takes `image_size` (so 32x32 images give 4 patches
of 16), Swin pads its feature maps to whole windows (40x40 exercises the padding, the shifted-window
mask and the odd-sized patch merging), ConvNeXt needs 32x32 at least.

ViT-L/16, ViT-L/32 and ViT-H/14 (300M-630M parameters) are checked whole for their structure; their
forward is checked on `vit_custom`: torchvision's own `VisionTransformer` class with the same patch
size, heads, width and MLP width but 2 encoder layers (torchvision's `vit_*` builders fix
`num_layers`, so it cannot come through their keyword arguments). `vit_custom` is registered on
`torchvision.models` here, only in the generator's process, so that the generator can build it by name;
Tensile's counterpart is `models.visionTransformer({...})`.

MaxViT fixes its grid sizes from `input_size`, and maxvit_t's partition size 7 needs 224x224 images
(every block's map a multiple of 7); `maxvit_custom` (torchvision's `MaxVit` class, registered the
same way; Tensile's `models.maxvit({...})`) runs window and grid attention, strided and plain MBConv
layers and the classifier on 32x32 images.

No Swin case sets `dropout`/`attention_dropout`: torchvision 0.14's `shifted_window_attention`
calls F.dropout without `training=`, so those dropouts act in eval mode too and its logits would be
random.
"""
import torchvision.models as tvm
from torchvision.models.maxvit import MaxVit
from torchvision.models.vision_transformer import VisionTransformer


def vit_custom(weights=None, **kwargs):
    assert weights is None
    return VisionTransformer(**kwargs)


def maxvit_custom(weights=None, **kwargs):
    assert weights is None
    return MaxVit(**kwargs)


tvm.vit_custom = vit_custom
tvm.maxvit_custom = maxvit_custom

MODELS = [
    ("convnext_tiny", "convnextTiny", {"num_classes": 10}, 32),
    ("convnext_tiny", "convnextTiny", {"num_classes": 7, "stochastic_depth_prob": 0.3, "layer_scale": 0.5}, 40),
    ("convnext_small", "convnextSmall", {"num_classes": 10}, 32),
    ("convnext_base", "convnextBase", {"num_classes": 10}, 32),
    ("convnext_large", "convnextLarge", {"num_classes": 10}, 32),
    ("vit_b_16", "vitB16", {"num_classes": 10, "image_size": 32}, 32),
    ("vit_b_16", "vitB16", {"num_classes": 10, "image_size": 48, "representation_size": 64, "dropout": 0.1, "attention_dropout": 0.2}, 48),
    ("vit_b_32", "vitB32", {"num_classes": 10, "image_size": 64}, 64),
    ("vit_l_16", "vitL16", {"num_classes": 10, "image_size": 32}, 32),
    ("vit_l_32", "vitL32", {"num_classes": 10, "image_size": 32}, 32),
    ("vit_h_14", "vitH14", {"num_classes": 10, "image_size": 28}, 28),
    ("vit_custom", "visionTransformer",
     {"image_size": 32, "patch_size": 16, "num_layers": 2, "num_heads": 16, "hidden_dim": 1024, "mlp_dim": 4096, "num_classes": 10}, 32),
    ("vit_custom", "visionTransformer",
     {"image_size": 64, "patch_size": 32, "num_layers": 2, "num_heads": 16, "hidden_dim": 1024, "mlp_dim": 4096, "num_classes": 10}, 64),
    ("vit_custom", "visionTransformer",
     {"image_size": 28, "patch_size": 14, "num_layers": 2, "num_heads": 16, "hidden_dim": 1280, "mlp_dim": 5120, "num_classes": 10}, 28),
    ("swin_t", "swinT", {"num_classes": 10}, 56),
    ("swin_t", "swinT", {"num_classes": 10, "mlp_ratio": 2.0}, 40),
    ("swin_s", "swinS", {"num_classes": 10}, 40),
    ("swin_b", "swinB", {"num_classes": 10}, 32),
    ("swin_v2_t", "swinV2T", {"num_classes": 10}, 64),
    ("swin_v2_s", "swinV2S", {"num_classes": 10}, 40),
    ("swin_v2_b", "swinV2B", {"num_classes": 10}, 32),
    ("maxvit_t", "maxvitT", {"num_classes": 10}, 224),
    ("maxvit_custom", "maxvit",
     {"input_size": [32, 32], "stem_channels": 16, "partition_size": 2, "block_channels": [16, 32, 64], "block_layers": [1, 2, 1],
      "head_dim": 8, "stochastic_depth_prob": 0.2, "mlp_dropout": 0.1, "attention_dropout": 0.05, "num_classes": 10}, 32),
]
