/**
 * `models`: ready-made networks. `lenet5()` for 28×28 digits; `resnet({...})` residual networks
 * for small images with torchvision's stateDict naming; and torchvision's classic ImageNet
 * architectures with exactly torchvision 0.14's module trees (`resnet18()`, `vgg16Bn()`,
 * `mobilenetV3Large()`, …), so torchvision checkpoints load with `loadStateDict(loadTorch(path))`
 * (docs/models.md).
 */
export { LeNet5, lenet5 } from "./lenet.js";
export type { LeNet5Options } from "./lenet.js";
export { BasicBlock, Bottleneck, ResNet, resnet } from "./resnet.js";
export type { ResNetOptions } from "./resnet.js";
export {
  TorchvisionBasicBlock, TorchvisionBottleneck, TorchvisionResNet, resnet18, resnet34, resnet50, resnet101, resnet152,
  resnext50_32x4d, resnext101_32x8d, resnext101_64x4d, wideResnet50_2, wideResnet101_2,
} from "./resnets.js";
export type { TorchvisionResNetOptions } from "./resnets.js";
export { VGG, vggConfigs, vggMakeLayers, vgg11, vgg11Bn, vgg13, vgg13Bn, vgg16, vgg16Bn, vgg19, vgg19Bn } from "./vgg.js";
export type { VGGOptions } from "./vgg.js";
export { AlexNet, alexnet } from "./alexnet.js";
export type { AlexNetOptions } from "./alexnet.js";
export { Fire, SqueezeNet, squeezenet1_0, squeezenet1_1 } from "./squeezenet.js";
export type { SqueezeNetOptions } from "./squeezenet.js";
export { InvertedResidual, InvertedResidualV3, MobileNetV2, MobileNetV3, mobilenetV2, mobilenetV3Large, mobilenetV3Small } from "./mobilenet.js";
export type { MobileNetV2Options, MobileNetV3Options, MobileNetV3BlockConfig } from "./mobilenet.js";
export { DenseBlock, DenseLayer, DenseNet, densenet121, densenet161, densenet169, densenet201 } from "./densenet.js";
export type { DenseNetOptions } from "./densenet.js";
export {
  ShuffleInvertedResidual, ShuffleNetV2, channelShuffle, shufflenetV2_x0_5, shufflenetV2_x1_0, shufflenetV2_x1_5, shufflenetV2_x2_0,
} from "./shufflenet.js";
export {
  EfficientNet, MBConv, efficientnetConfig, efficientnetB0, efficientnetB1, efficientnetB2, efficientnetB3, efficientnetB4,
  efficientnetB5, efficientnetB6, efficientnetB7,
} from "./efficientnet.js";
export type { EfficientNetOptions, MBConvConfig } from "./efficientnet.js";
export { SqueezeExcitation, StochasticDepth, conv2dNormActivation, makeDivisible } from "./tv-common.js";
export type { ClassifierOptions, ConvNormActOptions } from "./tv-common.js";
export { MNASInvertedResidual, MNASNet, mnasnet0_5, mnasnet0_75, mnasnet1_0, mnasnet1_3 } from "./mnasnet.js";
export type { MNASNetOptions } from "./mnasnet.js";
// transformer-era classifiers (docs/models.md "Transformer-era architectures")
export { CNBlock, ConvNeXt, convnextTiny, convnextSmall, convnextBase, convnextLarge } from "./convnext.js";
export type { CNBlockConfig, ConvNeXtOptions } from "./convnext.js";
export { Encoder as ViTEncoder, EncoderBlock as ViTEncoderBlock, VisionTransformer, visionTransformer, vitB16, vitB32, vitL16, vitL32, vitH14 } from "./vit.js";
export type { ViTArchitecture, ViTOptions } from "./vit.js";
export {
  SwinTransformer, SwinTransformerBlock, SwinTransformerBlockV2, swinTransformer, swinT, swinS, swinB, swinV2T, swinV2S, swinV2B,
} from "./swin.js";
export type { SwinArchitecture, SwinBlockArgs, SwinOptions } from "./swin.js";
export { PatchMerging, PatchMergingV2, ShiftedWindowAttention, ShiftedWindowAttentionV2, shiftedWindowAttention } from "./swin-attention.js";
export type { ShiftedWindowAttentionArgs } from "./swin-attention.js";
export { LayerNorm2d, Permute } from "./transformer-common.js";
export {
  MaxVit, MaxVitBlock, MaxVitLayer, MaxVitMBConv, PartitionAttentionLayer, RelativePositionalMultiHeadAttention, maxvit, maxvitT,
} from "./maxvit.js";
export type { MaxVitArchitecture, MaxVitOptions } from "./maxvit.js";
// the remaining torchvision CNN classifiers (docs/models.md "GoogLeNet, Inception v3, RegNet, EfficientNetV2")
export { BasicConv2d, GoogLeNet, GoogLeNetAux, GoogLeNetInception, googlenet, transformImagenetInput } from "./googlenet.js";
export type { GoogLeNetOptions, GoogLeNetOutputs } from "./googlenet.js";
export { Inception3, InceptionA, InceptionAux, InceptionB, InceptionC, InceptionD, InceptionE, inceptionV3 } from "./inception.js";
export type { Inception3Options, InceptionOutputs } from "./inception.js";
export {
  AnyStage, BottleneckTransform, RegNet, ResBottleneckBlock, regnetBlockParams, regnetDesigns, regnetX_400mf, regnetX_800mf, regnetX_1_6gf,
  regnetX_3_2gf, regnetX_8gf, regnetX_16gf, regnetX_32gf, regnetY_400mf, regnetY_800mf, regnetY_1_6gf, regnetY_3_2gf, regnetY_8gf,
  regnetY_16gf, regnetY_32gf, regnetY_128gf,
} from "./regnet.js";
export type { RegNetBlockParams, RegNetDesign, RegNetOptions } from "./regnet.js";
export { FusedMBConv, efficientnetV2Config, efficientnetV2S, efficientnetV2M, efficientnetV2L } from "./efficientnet-v2.js";
