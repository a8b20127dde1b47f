//! The colorization network: one definition, run unchanged on whatever Burn device it is given
//! (Flex on the CPU, wgpu/WebGPU in the browser or on a desktop GPU, autodiff for training).
//!
//! Shape: a small U-Net. The input is L plus three hint channels (hint a, hint b, hint mask),
//! so the same network colorizes with or without user hints. The encoder goes down to 1/8 of
//! the working size, where two dilated convolutions widen the receptive field and a global
//! branch (mean-pooled features through a linear layer, broadcast back and fused, as in
//! Iizuka et al. and ColorED) gives every pixel the context of the whole picture. The decoder
//! comes back up to 1/2 resolution with skip links; the head predicts there, since ab is
//! upsampled to the full photo size afterwards anyway (Zhang et al. predict at 1/4).

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::interpolate::{Interpolate2d, Interpolate2dConfig, InterpolateMode};
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::activation::{relu, softmax};
use serde::{Deserialize, Serialize};

use crate::classes::{AB_RANGE, AbClasses};

/// Number of input channels: L, hint a, hint b, hint mask.
pub const INPUT_CHANNELS: usize = 4;
/// The network works on sizes divisible by this (three stride-2 stages).
pub const SIZE_MULTIPLE: usize = 8;
/// The head predicts at 1/HEAD_STRIDE of the working resolution.
pub const HEAD_STRIDE: usize = 2;

/// What the network predicts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Head {
    /// Logits over quantised ab colours (Zhang et al.); the centres travel with the model so
    /// a palette-trained model decodes with its own palette.
    Classification { centers: Vec<[f32; 2]> },
    /// Logits over a k-means palette of a few colours (cnn-image-colorization's 16/32-colour
    /// option); decoded to the single most likely palette colour.
    Palette { centers: Vec<[f32; 2]> },
    /// Two channels, ab / AB_RANGE.
    Regression,
}

/// Architecture of a model; stored inside every weights file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelConfig {
    /// Channels at full, 1/2, 1/4 and 1/8 of the working resolution.
    pub widths: [usize; 4],
    pub head: Head,
}

impl ModelConfig {
    /// The default: classification over the ~313 in-gamut ab bins, under 1M parameters.
    pub fn default_classification() -> Self {
        let classes = crate::classes::gamut_grid(crate::classes::GRID);
        Self { widths: [16, 32, 64, 128], head: Head::Classification { centers: classes.centers().to_vec() } }
    }

    /// A tiny configuration for tests and quick experiments.
    pub fn tiny(head: Head) -> Self {
        Self { widths: [8, 8, 16, 16], head }
    }

    /// Number of output channels of the head.
    pub fn output_channels(&self) -> usize {
        match &self.head {
            Head::Classification { centers } | Head::Palette { centers } => centers.len(),
            Head::Regression => 2,
        }
    }

    /// The ab classes of a classification head.
    pub fn classes(&self) -> Option<AbClasses> {
        match &self.head {
            Head::Classification { centers } | Head::Palette { centers } => {
                Some(AbClasses::from_centers(centers.clone()))
            }
            Head::Regression => None,
        }
    }

    /// Build the network with fresh random weights on `device`.
    pub fn init(&self, device: &Device) -> ColorNet {
        ColorNet::new(self, device)
    }
}

/// 3×3 convolution, batch norm, ReLU.
#[derive(Module, Debug)]
pub struct ConvBlock {
    conv: Conv2d,
    norm: BatchNorm,
}

impl ConvBlock {
    fn new(channels: [usize; 2], stride: usize, dilation: usize, device: &Device) -> Self {
        let conv = Conv2dConfig::new(channels, [3, 3])
            .with_stride([stride, stride])
            .with_dilation([dilation, dilation])
            .with_padding(PaddingConfig2d::Explicit(dilation, dilation, dilation, dilation))
            .with_bias(false)
            .init(device);
        Self { conv, norm: BatchNormConfig::new(channels[1]).init(device) }
    }

    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        relu(self.norm.forward(self.conv.forward(x)))
    }
}

/// Two ConvBlocks; the first may change resolution or width.
#[derive(Module, Debug)]
pub struct Stage {
    first: ConvBlock,
    second: ConvBlock,
}

impl Stage {
    fn new(channels: [usize; 2], stride: usize, dilation: usize, device: &Device) -> Self {
        Self {
            first: ConvBlock::new(channels, stride, dilation, device),
            second: ConvBlock::new([channels[1], channels[1]], 1, dilation, device),
        }
    }

    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
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
    fn new(width: usize, device: &Device) -> Self {
        Self {
            linear: LinearConfig::new(width, width).init(device),
            fuse: Conv2dConfig::new([2 * width, width], [1, 1]).init(device),
        }
    }

    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let [b, c, h, w] = x.dims();
        let pooled = x.clone().mean_dim(3).mean_dim(2).reshape([b, c]);
        let global = relu(self.linear.forward(pooled)).reshape([b, c, 1, 1]).expand([b, c, h, w]);
        relu(self.fuse.forward(Tensor::cat(vec![x, global], 1)))
    }
}

/// The colorization network. Build it with [`ModelConfig::init`].
#[derive(Module, Debug)]
pub struct ColorNet {
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
}

impl ColorNet {
    fn new(config: &ModelConfig, device: &Device) -> Self {
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
        }
    }

    /// `input`: [batch, 4, H, W] with H and W multiples of [`SIZE_MULTIPLE`], normalised by
    /// [`crate::pipeline`] (L/50 − 1, hint ab / AB_RANGE, mask 0 or 1).
    /// Returns [batch, outputs, H/2, W/2]: logits or normalised ab.
    pub fn forward(&self, input: Tensor<4>) -> Tensor<4> {
        let x0 = self.stem.forward(input);
        let x1 = self.down1.forward(x0);
        let x2 = self.down2.forward(x1.clone());
        let x3 = self.down3.forward(x2.clone());
        let x3 = self.global.forward(self.middle.forward(x3));
        let y2 = self.up2.forward(Tensor::cat(vec![self.upsample.forward(x3), x2], 1));
        let y1 = self.up1.forward(Tensor::cat(vec![self.upsample.forward(y2), x1], 1));
        self.head.forward(y1)
    }
}

impl ColorNet {
    /// The same network with its class scores changed to `scale · (logits − shift[c])`, folded
    /// into the last layer so every backend and the model file carry it at no cost.
    ///
    /// A network trained with class rebalancing predicts roughly w·p (the true colour
    /// probabilities times the class weights); `shift = β·ln w` takes part (β < 1) or all
    /// (β = 1) of that push towards rare colours back out, trading vividness for accuracy.
    /// `scale` sharpens (> 1) or flattens (< 1) the distribution, like dividing the decoding
    /// temperature by it. Panics if `shift` does not have one value per output channel.
    pub fn recalibrate_head(self, scale: f32, shift: &[f32]) -> Self {
        let device = self.head.weight.val().device();
        let bias = self.head.bias.clone().expect("the head has a bias");
        assert_eq!(bias.val().dims()[0], shift.len(), "one shift per class");
        let shift = Tensor::<1>::from_data(TensorData::new(shift.to_vec(), [shift.len()]), &device);
        let weight = self.head.weight.val() * scale;
        let bias = (bias.val() - shift) * scale;
        let mut head = self.head;
        head.weight = burn::module::Param::from_tensor(weight);
        head.bias = Some(burn::module::Param::from_tensor(bias));
        Self { head, ..self }
    }
}

/// Turn the network's output into ab values, [batch, 2, h, w], on the same device.
///
/// Classification: the annealed mean of Zhang et al., softmax(logits / T) weighted over the
/// class centres; T is floored at 1e-3 (which is the mode in practice).
/// Palette: the most likely palette colour. Regression: the output scaled back to ab units.
pub fn decode_ab(config: &ModelConfig, output: Tensor<4>, temperature: f32) -> Tensor<4> {
    let (centers, temperature) = match &config.head {
        Head::Regression => return output * AB_RANGE,
        Head::Classification { centers } => (centers, temperature),
        Head::Palette { centers } => (centers, 0.0),
    };
    let [b, q, h, w] = output.dims();
    let device = output.device();
    let probs = softmax(output / temperature.max(1e-3), 1);
    let flat = probs.permute([0, 2, 3, 1]).reshape([b * h * w, q]);
    let flat_centers: Vec<f32> = centers.iter().flatten().copied().collect();
    let centers = Tensor::<2>::from_data(TensorData::new(flat_centers, [q, 2]), &device);
    flat.matmul(centers).reshape([b, h, w, 2]).permute([0, 3, 1, 2])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_model_stays_under_one_million_parameters() {
        let device = Device::flex();
        let config = ModelConfig::default_classification();
        let params = config.init(&device).num_params();
        assert!(params <= 1_000_000, "default model has {params} parameters");
        assert!(params > 300_000, "default model suspiciously small: {params}");
    }

    #[test]
    fn forward_predicts_at_half_resolution_with_one_channel_per_class() {
        let device = Device::flex();
        let config = ModelConfig::tiny(Head::Classification { centers: vec![[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]] });
        let net = config.init(&device);
        let out = net.forward(Tensor::zeros([2, INPUT_CHANNELS, 16, 24], &device));
        assert_eq!(out.dims(), [2, 3, 8, 12]);
    }

    #[test]
    fn decode_of_confident_logits_gives_that_class_centre() {
        let device = Device::flex();
        let centers = vec![[0.0, 0.0], [40.0, -20.0], [-30.0, 60.0]];
        let config = ModelConfig::tiny(Head::Classification { centers });
        // One pixel, class 2 strongly preferred.
        let logits = Tensor::<4>::from_data(TensorData::new(vec![0.0f32, 1.0, 9.0], [1, 3, 1, 1]), &device);
        let ab = decode_ab(&config, logits, 0.01).into_data().try_to_vec::<f32>().unwrap();
        assert!((ab[0] + 30.0).abs() < 1e-2 && (ab[1] - 60.0).abs() < 1e-2, "{ab:?}");
    }

    #[test]
    fn recalibrated_head_scales_and_shifts_the_logits() {
        let device = Device::flex();
        let config = ModelConfig::tiny(Head::Classification { centers: vec![[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]] });
        let net = config.init(&device);
        let input = Tensor::<4>::random([1, INPUT_CHANNELS, 8, 8], burn::tensor::Distribution::Default, &device);
        let before = net.forward(input.clone()).into_data().try_to_vec::<f32>().unwrap();
        let shift = [0.5, -1.0, 2.0];
        let after = net.recalibrate_head(2.0, &shift).forward(input).into_data().try_to_vec::<f32>().unwrap();
        for (i, (b, a)) in before.iter().zip(&after).enumerate() {
            let expected = 2.0 * (b - shift[i / 16]);
            assert!((a - expected).abs() < 1e-4, "channel {}: {a} vs {expected}", i / 16);
        }
    }

    #[test]
    fn decode_at_temperature_one_is_the_mean() {
        let device = Device::flex();
        let config = ModelConfig::tiny(Head::Classification { centers: vec![[-50.0, 0.0], [50.0, 20.0]] });
        let logits = Tensor::<4>::from_data(TensorData::new(vec![0.0f32, 0.0], [1, 2, 1, 1]), &device);
        let ab = decode_ab(&config, logits, 1.0).into_data().try_to_vec::<f32>().unwrap();
        assert!(ab[0].abs() < 1e-3 && (ab[1] - 10.0).abs() < 1e-3, "{ab:?}");
    }
}
