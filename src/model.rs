//! The colorization network: one definition, run unchanged on whatever Burn device it is given
//! (Flex on the CPU, wgpu/WebGPU in the browser or on a desktop GPU, autodiff for training).
//!
//! Two architectures share the input (L plus three hint channels: hint a, hint b, hint mask,
//! so the same network colorizes with or without user hints) and the head (ab colour classes,
//! decoded by [`decode_ab`]): the U-Net trained from scratch ([`crate::unet`]), and a decoder
//! on an ImageNet-pretrained EfficientNet-Lite0 trunk ([`crate::trunk_net`]), which knows
//! what things are. The model file records which one it holds ([`ModelConfig::arch`]).

use burn::prelude::*;
use burn::tensor::activation::softmax;
use serde::{Deserialize, Serialize};

use crate::classes::{AB_RANGE, AbClasses};
use crate::trunk_net::TrunkNet;
use crate::unet::UNet;

/// Number of input channels: L, hint a, hint b, hint mask.
pub const INPUT_CHANNELS: usize = 4;

/// The network's layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Arch {
    /// Small U-Net from scratch; `widths` are its channels at 1, 1/2, 1/4 and 1/8.
    #[default]
    Unet,
    /// EfficientNet-Lite0 trunk (ImageNet) and a decoder; `widths` are the decoder's channels
    /// at 1/4, 1/8 and 1/16 (the fourth repeats the third).
    EfficientnetLite0,
}

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
    /// The layout (files written before there was a choice hold the U-Net).
    #[serde(default)]
    pub arch: Arch,
    /// Layer widths; their meaning depends on `arch`.
    pub widths: [usize; 4],
    pub head: Head,
}

impl ModelConfig {
    /// The default: classification over the ~313 in-gamut ab bins, under 1M parameters.
    pub fn default_classification() -> Self {
        let classes = crate::classes::gamut_grid(crate::classes::GRID);
        Self {
            arch: Arch::Unet,
            widths: Arch::Unet.default_widths(),
            head: Head::Classification { centers: classes.centers().to_vec() },
        }
    }

    /// A tiny U-Net for tests and quick experiments.
    pub fn tiny(head: Head) -> Self {
        Self { arch: Arch::Unet, widths: [8, 8, 16, 16], head }
    }

    /// Working sizes must be multiples of this.
    pub fn size_multiple(&self) -> usize {
        match self.arch {
            Arch::Unet => 8,
            Arch::EfficientnetLite0 => 16,
        }
    }

    /// The head predicts at 1/head_stride of the working size.
    pub fn head_stride(&self) -> usize {
        match self.arch {
            Arch::Unet => 2,
            Arch::EfficientnetLite0 => 4,
        }
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
        match self.arch {
            Arch::Unet => ColorNet::UNet(UNet::new(self, device)),
            Arch::EfficientnetLite0 => ColorNet::Trunk(TrunkNet::new(self, device)),
        }
    }
}

impl Arch {
    /// Widths of the default model of each architecture.
    pub fn default_widths(self) -> [usize; 4] {
        match self {
            Arch::Unet => [16, 32, 64, 128],
            Arch::EfficientnetLite0 => [48, 96, 128, 128],
        }
    }
}

/// The network: one of the architectures, on any Burn device. Build it with
/// [`ModelConfig::init`].
// The variants differ in size (the U-Net's layers are inline), but a network is built once and
// moved rarely; boxing would not fit burn's Module derive.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum ColorNet {
    /// The U-Net trained from scratch ([`crate::unet`]).
    UNet(UNet),
    /// The decoder on the ImageNet-pretrained EfficientNet-Lite0 trunk ([`crate::trunk_net`]).
    Trunk(TrunkNet),
}

impl ColorNet {
    /// `input`: [batch, 4, H, W] with H and W multiples of [`ModelConfig::size_multiple`],
    /// normalised by [`crate::pipeline`] (L/50 − 1, hint ab / AB_RANGE, mask 0 or 1).
    /// Returns [batch, outputs, H/s, W/s] with s = [`ModelConfig::head_stride`]: logits or
    /// normalised ab.
    pub fn forward(&self, input: Tensor<4>) -> Tensor<4> {
        match self {
            Self::UNet(net) => net.forward(input),
            Self::Trunk(net) => net.forward(input),
        }
    }

    /// The same network with its class scores changed to `scale · (logits − shift[c])`, folded
    /// into the last layer so every backend and the model file carry it at no cost.
    ///
    /// A network trained with class rebalancing predicts roughly w·p (the true colour
    /// probabilities times the class weights); `shift = β·ln w` takes part (β < 1) or all
    /// (β = 1) of that push towards rare colours back out, trading vividness for accuracy.
    /// `scale` sharpens (> 1) or flattens (< 1) the distribution, like dividing the decoding
    /// temperature by it. Panics if `shift` does not have one value per output channel.
    pub fn recalibrate_head(mut self, scale: f32, shift: &[f32]) -> Self {
        let head = match &mut self {
            Self::UNet(net) => net.head_mut(),
            Self::Trunk(net) => net.head_mut(),
        };
        let device = head.weight.val().device();
        let bias = head.bias.clone().expect("the head has a bias");
        assert_eq!(bias.val().dims()[0], shift.len(), "one shift per class");
        let shift = Tensor::<1>::from_data(TensorData::new(shift.to_vec(), [shift.len()]), &device);
        head.weight = burn::module::Param::from_tensor(head.weight.val() * scale);
        head.bias = Some(burn::module::Param::from_tensor((bias.val() - shift) * scale));
        self
    }

    /// Stop gradients to the pretrained trunk (decoder-only training); a no-op for the U-Net.
    pub fn freeze_trunk(self) -> Self {
        match self {
            Self::Trunk(mut net) => {
                net.trunk = net.trunk.no_grad();
                Self::Trunk(net)
            }
            other => other,
        }
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
