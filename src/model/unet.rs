//! The U-Net architecture, trained from scratch: small enough for CIFAR-sized experiments and
//! the original bundled model.
//!
//! The input is L plus three hint channels (hint a, hint b, hint mask), so the same network
//! colorizes with or without user hints. The encoder goes down to 1/8 of the working size,
//! where two dilated convolutions widen the receptive field and a global branch (mean-pooled
//! features through a linear layer, broadcast back and fused, as in Iizuka et al. and ColorED)
//! gives every pixel the context of the whole picture. The decoder comes back up to 1/2
//! resolution with skip links; the head predicts there, since ab is upsampled to the full
//! photo size afterwards anyway (Zhang et al. predict at 1/4).

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::interpolate::{Interpolate2d, Interpolate2dConfig, InterpolateMode};
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::activation::relu;

use super::config::{INPUT_CHANNELS, ModelConfig};
use super::reference::{ReferenceBranch, apply, steer};

/// 3×3 convolution, batch norm, ReLU.
#[derive(Module, Debug)]
pub struct ConvBlock {
    conv: Conv2d,
    norm: BatchNorm,
}

impl ConvBlock {
    pub(crate) fn new(channels: [usize; 2], stride: usize, dilation: usize, device: &Device) -> Self {
        let conv = Conv2dConfig::new(channels, [3, 3])
            .with_stride([stride, stride])
            .with_dilation([dilation, dilation])
            .with_padding(PaddingConfig2d::Explicit(dilation, dilation, dilation, dilation))
            .with_bias(false)
            .init(device);
        Self { conv, norm: BatchNormConfig::new(channels[1]).init(device) }
    }

    pub(crate) fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        relu(self.norm.forward(self.conv.forward(x)))
    }
}

/// Two ConvBlocks; the first may change resolution or width.
#[derive(Module, Debug)]
pub struct Stage {
    pub(crate) first: ConvBlock,
    pub(crate) second: ConvBlock,
}

impl Stage {
    pub(crate) fn new(channels: [usize; 2], stride: usize, dilation: usize, device: &Device) -> Self {
        Self {
            first: ConvBlock::new(channels, stride, dilation, device),
            second: ConvBlock::new([channels[1], channels[1]], 1, dilation, device),
        }
    }

    pub(crate) fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        self.second.forward(self.first.forward(x))
    }
}

/// Pooled whole-image features, broadcast back to every position and fused.
#[derive(Module, Debug)]
pub struct GlobalContext {
    linear: Linear,
    fuse: Conv2d,
}

impl GlobalContext {
    pub(crate) fn new(width: usize, device: &Device) -> Self {
        Self {
            linear: LinearConfig::new(width, width).init(device),
            fuse: Conv2dConfig::new([2 * width, width], [1, 1]).init(device),
        }
    }

    pub(crate) fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let [b, c, h, w] = x.dims();
        let pooled = x.clone().mean_dim(3).mean_dim(2).reshape([b, c]);
        let global = relu(self.linear.forward(pooled)).reshape([b, c, 1, 1]).expand([b, c, h, w]);
        relu(self.fuse.forward(Tensor::cat(vec![x, global], 1)))
    }
}

/// The U-Net colorizer, trained from scratch. Build it with [`ModelConfig::init`].
#[derive(Module, Debug)]
pub struct UNet {
    stem: Stage,
    down1: Stage,
    down2: Stage,
    down3: Stage,
    middle: Stage,
    global: GlobalContext,
    up2: Stage,
    up1: Stage,
    head: Conv2d,
    upsample: Interpolate2d,
    /// The colour reference's branch, steering the 1/8 level (models trained with one).
    pub(crate) reference: Option<ReferenceBranch>,
}

impl UNet {
    pub(crate) fn new(config: &ModelConfig, device: &Device) -> Self {
        let [w0, w1, w2, w3] = config.widths;
        Self {
            stem: Stage::new([INPUT_CHANNELS, w0], 1, 1, device),
            down1: Stage::new([w0, w1], 2, 1, device),
            down2: Stage::new([w1, w2], 2, 1, device),
            down3: Stage::new([w2, w3], 2, 1, device),
            middle: Stage::new([w3, w3], 1, 2, device),
            global: GlobalContext::new(w3, device),
            up2: Stage::new([w3 + w2, w2], 1, 1, device),
            up1: Stage::new([w2 + w1, w1], 1, 1, device),
            head: Conv2dConfig::new([w1, config.output_channels()], [1, 1]).init(device),
            upsample: Interpolate2dConfig::new()
                .with_scale_factor(Some([2.0, 2.0]))
                .with_mode(InterpolateMode::Nearest)
                .init(),
            reference: config
                .reference_inputs()
                .map(|n| ReferenceBranch::new(n, &config.reference_levels(), None, false, device)),
        }
    }

    /// `input`: [batch, 4, H, W] with H and W multiples of 8 ([`ModelConfig::size_multiple`]), normalised by
    /// [`crate::pipeline`] (L/50 − 1, hint ab / AB_RANGE, mask 0 or 1).
    /// `reference`: [batch, classes + 1] for a network with the reference branch.
    /// Returns [batch, outputs, H/2, W/2]: logits or normalised ab.
    pub fn forward(&self, input: Tensor<4>, reference: Option<Tensor<2>>) -> Tensor<4> {
        let steering = steer(&self.reference, reference, &input);
        let x0 = self.stem.forward(input);
        let x1 = self.down1.forward(x0);
        let x2 = self.down2.forward(x1.clone());
        let x3 = self.down3.forward(x2.clone());
        let x3 = self.global.forward(apply(&steering, 0, self.middle.forward(x3)));
        let y2 = self.up2.forward(Tensor::cat(vec![self.upsample.forward(x3), x2], 1));
        let y1 = self.up1.forward(Tensor::cat(vec![self.upsample.forward(y2), x1], 1));
        self.head.forward(y1)
    }
}

impl UNet {
    /// The last layer (class scores or ab).
    pub(crate) fn head_mut(&mut self) -> &mut Conv2d {
        &mut self.head
    }
}
