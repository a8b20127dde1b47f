//! The network itself ([`ColorNet`]: the U-Net or the decoder on the pretrained trunk), built
//! from a [`ModelConfig`], and the decoding of its output into ab colour ([`decode_ab`]).

use burn::prelude::*;
use burn::tensor::activation::softmax;

use super::config::{Arch, Head, ModelConfig};
use super::reference::ReferenceBranch;
use super::trunk_net::TrunkNet;
use super::unet::UNet;
use crate::color::classes::AB_RANGE;

impl ModelConfig {
    /// Build the network with fresh random weights on `device`.
    pub fn init(&self, device: &Device) -> ColorNet {
        match self.arch {
            Arch::Unet => ColorNet::UNet(UNet::new(self, device)),
            Arch::EfficientnetLite0 | Arch::EfficientnetLite2 => ColorNet::Trunk(TrunkNet::new(self, device)),
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
    /// The U-Net trained from scratch ([`crate::model::unet`]).
    UNet(UNet),
    /// The decoder on an ImageNet-pretrained EfficientNet-Lite trunk ([`crate::model::trunk_net`]).
    Trunk(TrunkNet),
}

impl ColorNet {
    /// `input`: [batch, 4, H, W] with H and W multiples of [`ModelConfig::size_multiple`],
    /// normalised by [`crate::pipeline`] (L/50 − 1, hint ab / AB_RANGE, mask 0 or 1).
    /// Returns [batch, outputs, H/s, W/s] with s = [`ModelConfig::head_stride`]: logits or
    /// normalised ab.
    pub fn forward(&self, input: Tensor<4>) -> Tensor<4> {
        self.forward_guided(input, None)
    }

    /// [`ColorNet::forward`] with a colour reference: `reference` is [batch, classes + 1]
    /// ([`crate::color::reference`]), or `None` for none (a network with the reference branch
    /// then reads the learnt "no reference" input; one without ignores any reference).
    pub fn forward_guided(&self, input: Tensor<4>, reference: Option<Tensor<2>>) -> Tensor<4> {
        let reference = match (self.reference_inputs(), reference) {
            (Some(n), None) => Some(Tensor::zeros([input.dims()[0], n], &input.device())),
            (Some(_), given) => given,
            (None, _) => None,
        };
        match self {
            Self::UNet(net) => net.forward(input, reference),
            Self::Trunk(net) => net.forward(input, reference),
        }
    }

    /// [`ColorNet::forward_guided`] with a reference photo's picture as well as its colour
    /// distribution `reference` ([1, classes + 1]): `picture` is its L channel [1, 1, h, w]
    /// (L/50 − 1) and its cells' colours [cells, classes] ([`crate::color::reference::ReferenceCells`]).
    /// A trunk network matches the picture's parts to the photo's ([`super::correspond`]); a
    /// U-Net, which has no pretrained features to match with, reads the distribution alone.
    pub fn forward_referenced(
        &self,
        input: Tensor<4>,
        reference: Tensor<2>,
        picture: Option<(Tensor<4>, Tensor<2>)>,
    ) -> Tensor<4> {
        match (self, picture) {
            (Self::Trunk(net), Some((lightness, colours))) if net.reference.is_some() => {
                let unguided = Tensor::zeros(reference.dims(), &reference.device());
                net.forward_matched(input, reference, unguided, lightness, colours)
            }
            _ => self.forward_guided(input, Some(reference)),
        }
    }

    /// Length of the reference input when the network has the reference branch.
    fn reference_inputs(&self) -> Option<usize> {
        let branch = match self {
            Self::UNet(net) => &net.reference,
            Self::Trunk(net) => &net.reference,
        };
        branch.as_ref().map(|b| b.inputs())
    }

    /// The same network with a new reference branch for `config` (which must ask for one): a
    /// trained automatic model becomes the start of a guided one. The branch starts silent
    /// (its last layer at zero), so the colours stay those of the automatic model until it is
    /// trained.
    pub fn with_reference_branch(mut self, config: &ModelConfig, device: &Device) -> Self {
        let inputs = config.reference_inputs().expect("a config with the reference input");
        let sight = config.reference_sight_features();
        let branch = Some(ReferenceBranch::new(inputs, &config.reference_levels(), sight, true, device));
        match &mut self {
            Self::UNet(net) => net.reference = branch,
            Self::Trunk(net) => net.reference = branch,
        }
        self
    }

    /// The same guided network with its reference branch given sight of the photo (`config`
    /// must ask for it); the sight starts at zero, so the colours stay the same until trained.
    pub fn with_reference_sight(mut self, config: &ModelConfig, device: &Device) -> Self {
        let features = config.reference_sight_features().expect("a config with reference sight");
        if let Self::Trunk(net) = &mut self {
            net.reference = net.reference.take().map(|branch| branch.with_sight(features, device));
        }
        self
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
    use crate::model::config::INPUT_CHANNELS;

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
    fn a_new_reference_branch_leaves_the_colours_as_they_were() {
        let device = Device::flex();
        let plain = ModelConfig::tiny(Head::Classification { centers: vec![[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]] });
        let guided = ModelConfig { reference: true, ..plain.clone() };
        let net = plain.init(&device);
        let input = Tensor::<4>::random([1, INPUT_CHANNELS, 8, 8], burn::tensor::Distribution::Default, &device);
        let before = net.forward(input.clone());
        let net = net.with_reference_branch(&guided, &device);
        let reference = Tensor::<2>::ones([1, guided.reference_inputs().unwrap()], &device);
        for after in [net.forward(input.clone()), net.forward_guided(input, Some(reference))] {
            assert_eq!((after - before.clone()).abs().max().into_scalar::<f32>(), 0.0);
        }
        assert_eq!(guided.reference_inputs(), Some(4), "three classes and the flag");
    }

    #[test]
    fn sight_added_to_a_guided_trunk_model_leaves_its_colours_and_survives_the_file() {
        let device = Device::flex();
        let head = Head::Classification { centers: vec![[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]] };
        let guided = ModelConfig {
            arch: crate::model::Arch::EfficientnetLite0,
            widths: [8, 8, 16, 16],
            head,
            reference: true,
            reference_sight: false,
        };
        let sighted = ModelConfig { reference_sight: true, ..guided.clone() };
        let net = guided.init(&device);
        let input = Tensor::<4>::random([1, INPUT_CHANNELS, 32, 32], burn::tensor::Distribution::Default, &device);
        let reference = Tensor::<2>::ones([1, 4], &device);
        let before = net.forward_guided(input.clone(), Some(reference.clone()));
        let net = net.with_reference_sight(&sighted, &device);
        let after = net.forward_guided(input.clone(), Some(reference.clone()));
        assert_eq!((after.clone() - before).abs().max().into_scalar::<f32>(), 0.0);
        let file = crate::Model { config: sighted.clone(), net }.to_bytes().unwrap();
        let loaded = crate::Model::from_bytes(&file, &device).unwrap();
        assert_eq!(loaded.config, sighted);
        let again = loaded.net.forward_guided(input, Some(reference));
        assert!((again - after).abs().max().into_scalar::<f32>() < 1e-6);
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
