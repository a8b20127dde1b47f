//! The colorizer on a pretrained encoder: the EfficientNet-Lite trunk ([`crate::model::trunk`])
//! sees the grey photo; a small decoder with skip links from the trunk's stride-4 and
//! stride-8 maps comes back up to 1/4 of the working size, where the head predicts the ab
//! classes. The hint planes (hint a, hint b, mask) are pooled to every decoder level (see
//! `pool`) and concatenated there, so hints steer the colours without touching the trunk; a
//! global branch gives every pixel the context of the whole picture, as in the U-Net. A model
//! with a colour reference steers the decoder at 1/16 and 1/8 ([`crate::model::reference`]).

use burn::module::{ModuleVisitor, Param};
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::interpolate::{Interpolate2d, Interpolate2dConfig, InterpolateMode};
use burn::nn::{BatchNorm, BatchNormConfig};
use burn::prelude::*;
use burn::tensor::module::avg_pool2d;
use burn::tensor::ops::AvgPoolOptions;

use super::config::ModelConfig;
use super::correspond;
use super::reference::{ReferenceBranch, apply, steer};
use super::trunk::{Trunk, grey_level};
use super::unet::{GlobalContext, Stage};

/// Hint channels fed to every decoder level: mean hint a, mean hint b, mask.
const HINT_CHANNELS: usize = 3;

/// The trunk and its decoder. Build it with [`ModelConfig::init`].
#[derive(Module, Debug)]
pub struct TrunkNet {
    pub trunk: Trunk,
    /// Learnt normalisation of the tapped maps at 1/4, 1/8 and 1/16: the frozen trunk's
    /// features spread several times wider than the hint planes beside them, and a decoder
    /// fed the raw maps learns to ignore the hints.
    norms: Vec<BatchNorm>,
    bottom: Stage,
    global: GlobalContext,
    up8: Stage,
    up4: Stage,
    head: Conv2d,
    upsample: Interpolate2d,
    /// The colour reference's branch, steering `bottom` and `up8` (models trained with one).
    pub(crate) reference: Option<ReferenceBranch>,
}

impl TrunkNet {
    /// `config.widths`: decoder channels at 1/4, 1/8 and 1/16 of the working size (the fourth
    /// value is unused by this architecture and kept equal to the third).
    pub(crate) fn new(config: &ModelConfig, device: &Device) -> Self {
        let [w4, w8, w16, _] = config.widths;
        let spec = config.arch.trunk().expect("a trunk architecture");
        let [_, c4, c8, c16] = spec.tap_channels();
        Self {
            trunk: Trunk::new(spec, device),
            norms: [c4, c8, c16].iter().map(|&c| BatchNormConfig::new(c).init(device)).collect(),
            bottom: Stage::new([c16 + HINT_CHANNELS, w16], 1, 1, device),
            global: GlobalContext::new(w16, device),
            up8: Stage::new([w16 + c8 + HINT_CHANNELS, w8], 1, 1, device),
            up4: Stage::new([w8 + c4 + HINT_CHANNELS, w4], 1, 1, device),
            head: Conv2dConfig::new([w4, config.output_channels()], [1, 1]).init(device),
            upsample: Interpolate2dConfig::new()
                .with_scale_factor(Some([2.0, 2.0]))
                .with_mode(InterpolateMode::Nearest)
                .init(),
            reference: config.reference_inputs().map(|n| {
                ReferenceBranch::new(n, &config.reference_levels(), config.reference_sight_features(), false, device)
            }),
        }
    }

    /// `input`: [batch, 4, H, W] as for every architecture (L/50 − 1, hint a, hint b, mask),
    /// H and W multiples of 16; `reference`: [batch, classes + 1] for a network with the
    /// reference branch. Returns [batch, outputs, H/4, W/4].
    pub fn forward(&self, input: Tensor<4>, reference: Option<Tensor<2>>) -> Tensor<4> {
        let (lightness, hints) = split_input(input);
        self.decode(self.trunk_maps(lightness), hints, reference)
    }

    /// [`TrunkNet::forward`] with a reference photo whose parts are matched to the photo's
    /// ([`correspond`]): `guided` is the reference's input to the branch, `unguided` the "no
    /// reference" input; `reference_lightness` the reference's L channel [1, 1, h, w] (as the
    /// photo's: L/50 − 1), `reference_colours` its cells' colours [cells, classes]. One photo
    /// at a time. Returns log-probabilities, read by the decoding as class logits.
    pub fn forward_matched(
        &self,
        input: Tensor<4>,
        guided: Tensor<2>,
        unguided: Tensor<2>,
        reference_lightness: Tensor<4>,
        reference_colours: Tensor<2>,
    ) -> Tensor<4> {
        let (lightness, hints) = split_input(input);
        let maps = self.trunk_maps(lightness);
        let [_, _, h8, w8] = maps[2].dims();
        let photo = correspond::cell_features(maps[2].clone(), maps[3].clone());
        let [_, _, reference8, reference16] = self.trunk_maps(reference_lightness);
        let reference = correspond::cell_features(reference8, reference16);
        let lent = correspond::lend(photo, (h8, w8), reference, reference_colours);
        let automatic = self.decode(maps.clone(), hints.clone(), Some(unguided));
        let guided = self.decode(maps, hints, Some(guided));
        correspond::blend(automatic, guided, lent)
    }

    /// The frozen trunk's maps at strides 2, 4, 8 and 16 of the L channel [batch, 1, H, W].
    fn trunk_maps(&self, lightness: Tensor<4>) -> [Tensor<4>; 4] {
        self.trunk.forward_grey(grey_level(lightness))
    }

    /// The decoder on the trunk's maps, with the hint planes [batch, 3, H, W] and the reference.
    fn decode(&self, maps: [Tensor<4>; 4], hints: Tensor<4>, reference: Option<Tensor<2>>) -> Tensor<4> {
        let [_, f4, f8, f16] = maps;
        let (f4, f8, f16) = (self.norms[0].forward(f4), self.norms[1].forward(f8), self.norms[2].forward(f16));
        let steering = steer(&self.reference, reference, &f16);
        let x = self.bottom.forward(Tensor::cat(vec![f16, pool(hints.clone(), 16)], 1));
        let x = self.global.forward(apply(&steering, 0, x));
        let x = self.up8.forward(Tensor::cat(vec![self.upsample.forward(x), f8, pool(hints.clone(), 8)], 1));
        let x = apply(&steering, 1, x);
        let x = self.up4.forward(Tensor::cat(vec![self.upsample.forward(x), f4, pool(hints, 4)], 1));
        self.head.forward(x)
    }

    /// Take over the decoder of `from`, a network on another trunk: every decoder layer whose
    /// weights have the same shapes here (all but the first convolutions that read trunk maps
    /// of another width). A new trunk then starts with a decoder that already knows colours,
    /// instead of a random one. Returns the names of the layers left as they were.
    pub fn adopt_decoder(&mut self, from: TrunkNet) -> Vec<&'static str> {
        let mut kept = Vec::new();
        let mut check = |fits: bool, name: &'static str| {
            if !fits {
                kept.push(name);
            }
        };
        let [n4, n8, n16]: [BatchNorm; 3] = from.norms.try_into().expect("three norms");
        check(adopt(&mut self.norms[0], n4), "norms.0");
        check(adopt(&mut self.norms[1], n8), "norms.1");
        check(adopt(&mut self.norms[2], n16), "norms.2");
        check(adopt(&mut self.bottom.first, from.bottom.first), "bottom.first");
        check(adopt(&mut self.bottom.second, from.bottom.second), "bottom.second");
        check(adopt(&mut self.global, from.global), "global");
        check(adopt(&mut self.up8.first, from.up8.first), "up8.first");
        check(adopt(&mut self.up8.second, from.up8.second), "up8.second");
        check(adopt(&mut self.up4.first, from.up4.first), "up4.first");
        check(adopt(&mut self.up4.second, from.up4.second), "up4.second");
        check(adopt(&mut self.head, from.head), "head");
        check(adopt(&mut self.reference, from.reference), "reference");
        kept
    }

    /// The last layer (class scores or ab).
    pub(crate) fn head_mut(&mut self) -> &mut Conv2d {
        &mut self.head
    }
}

/// The network input [batch, 4, H, W] as its L channel and its three hint planes.
fn split_input(input: Tensor<4>) -> (Tensor<4>, Tensor<4>) {
    let [b, _, h, w] = input.dims();
    (input.clone().slice([0..b, 0..1, 0..h, 0..w]), input.slice([0..b, 1..4, 0..h, 0..w]))
}

/// Replace `own` by `theirs` when all their weights have the same shapes; whether it did.
fn adopt<M: Module>(own: &mut M, theirs: M) -> bool {
    let fits = shapes(own) == shapes(&theirs);
    if fits {
        *own = theirs;
    }
    fits
}

/// The shapes of a module's float tensors, in visiting order.
fn shapes<M: Module>(module: &M) -> Vec<Vec<usize>> {
    struct Shapes(Vec<Vec<usize>>);
    impl ModuleVisitor for Shapes {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            self.0.push(param.val().dims().to_vec());
        }
    }
    let mut visitor = Shapes(Vec::new());
    module.visit(&mut visitor);
    visitor.0
}

/// The hint planes at 1/`factor` of the working size: in each cell the mean colour of the
/// hinted pixels in it (not diluted by the unhinted ones) and a mask of 1 where any pixel is
/// hinted, so a hint reaches every level at full strength however coarse the level.
fn pool(hints: Tensor<4>, factor: usize) -> Tensor<4> {
    let [b, _, h, w] = hints.dims();
    let options = AvgPoolOptions {
        kernel_size: [factor, factor],
        stride: [factor, factor],
        padding: [(0, 0), (0, 0)],
        count_include_pad: true,
        ceil_mode: false,
    };
    let mean = avg_pool2d(hints, options);
    let (ph, pw) = (h / factor, w / factor);
    let coverage = mean.clone().slice([0..b, 2..3, 0..ph, 0..pw]);
    // The a and b planes are zero outside hints: their mean over the hinted pixels only.
    let ab = mean.slice([0..b, 0..2, 0..ph, 0..pw]) / coverage.clone().clamp_min(1e-6);
    Tensor::cat(vec![ab, coverage.sign()], 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Arch, ColorNet, Head, INPUT_CHANNELS};

    fn config() -> ModelConfig {
        let centers = vec![[0.0, 0.0], [40.0, 10.0], [-20.0, 50.0]];
        ModelConfig {
            arch: Arch::EfficientnetLite0,
            widths: [8, 8, 16, 16],
            head: Head::Classification { centers },
            reference: false,
            reference_sight: false,
        }
    }

    #[test]
    fn predicts_at_a_quarter_of_the_working_size() {
        let device = Device::flex();
        let net = config().init(&device);
        let out = net.forward(Tensor::zeros([2, INPUT_CHANNELS, 32, 48], &device));
        assert_eq!(out.dims(), [2, 3, 8, 12]);
        assert_eq!(config().head_stride(), 4);
        assert_eq!(config().size_multiple(), 16);
    }

    #[test]
    fn pooled_hints_keep_their_colour_and_mark_their_cells() {
        let device = Device::flex();
        // One hinted pixel (a = 0.5, b = −0.3) in the first 4×4 cell of an 8×8 plane.
        let planes = Tensor::<4>::zeros([1, 3, 8, 8], &device)
            .slice_assign([0..1, 0..3, 1..2, 2..3], Tensor::from_floats([[[[0.5]], [[-0.3]], [[1.0]]]], &device));
        let pooled = pool(planes, 4).into_data().try_to_vec::<f32>().unwrap();
        // Channels a, b, mask over the 2×2 cells: only cell 0 is hinted, at full strength.
        let expected = [0.5, 0.0, 0.0, 0.0, -0.3, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0];
        for (got, want) in pooled.iter().zip(expected) {
            assert!((got - want).abs() < 1e-5, "{pooled:?}");
        }
    }

    #[test]
    fn a_hint_changes_the_prediction_around_it() {
        let device = Device::flex();
        let net = config().init(&device);
        let plain = Tensor::<4>::random([1, INPUT_CHANNELS, 32, 32], burn::tensor::Distribution::Default, &device)
            .slice_assign([0..1, 1..4, 0..32, 0..32], Tensor::zeros([1, 3, 32, 32], &device));
        // A hint: ab (0.5, −0.3) with mask 1 on a 3×3 patch around (10, 10).
        let patch = |v: f32| Tensor::<4>::full([1, 1, 3, 3], v, &device);
        let hinted = plain
            .clone()
            .slice_assign([0..1, 1..2, 9..12, 9..12], patch(0.5))
            .slice_assign([0..1, 2..3, 9..12, 9..12], patch(-0.3))
            .slice_assign([0..1, 3..4, 9..12, 9..12], patch(1.0));
        let difference = (net.forward(hinted) - net.forward(plain)).abs().max().into_scalar::<f32>();
        assert!(difference > 1e-4, "the hint did not reach the head ({difference})");
    }

    #[test]
    fn a_decoder_moves_to_another_trunk_except_the_layers_reading_its_maps() {
        let device = Device::flex();
        let lite0 = config();
        let lite2 = ModelConfig { arch: Arch::EfficientnetLite2, ..config() };
        let (ColorNet::Trunk(from), ColorNet::Trunk(mut to)) = (lite0.init(&device), lite2.init(&device)) else {
            unreachable!()
        };
        let head = from.head.weight.val();
        let kept = to.adopt_decoder(from);
        // Lite0 and Lite2 taps: 24/24 channels at 1/4, 40/48 at 1/8, 112/120 at 1/16.
        assert_eq!(kept, ["norms.1", "norms.2", "bottom.first", "up8.first"]);
        let moved = (to.head.weight.val() - head).abs().max().into_scalar::<f32>();
        assert_eq!(moved, 0.0, "the head should be the old network's");
        let out = to.forward(Tensor::zeros([1, INPUT_CHANNELS, 32, 32], &device), None);
        assert_eq!(out.dims(), [1, 3, 8, 8]);
    }

    #[test]
    fn the_frozen_trunk_gets_no_gradient_and_the_decoder_does() {
        let device = Device::flex().autodiff();
        let net = config().init(&device).freeze_trunk();
        let loss = net.forward(Tensor::ones([1, INPUT_CHANNELS, 32, 32], &device)).sum();
        let grads = loss.backward();
        let ColorNet::Trunk(net) = net else { unreachable!() };
        assert!(net.trunk.stem.weight.grad(&grads).is_none(), "the trunk must stay frozen");
        assert!(net.head.weight.grad(&grads).is_some(), "the decoder must learn");
    }
}
