//! `Flex::conv2d` against a direct evaluation of the convolution's definition, over the
//! shapes the fast paths split on: depthwise planes (phase planes at every stride, the
//! row path with dilation and stride together), asymmetric padding handed to the depthwise
//! path, 1×1 convolutions split into column blocks, and im2col tiles on small maps.

use super::*;
use crate::Flex;
use burn_backend::ops::{ConvOptions, ModuleOps};
use burn_backend::{TensorData, TensorMetadata};

/// A deterministic value in [-1, 1) for element `i` of a tensor seeded by `seed`.
fn value(seed: usize, i: usize) -> f32 {
    let x = (i
        .wrapping_mul(2_654_435_761)
        .wrapping_add(seed.wrapping_mul(40_503)))
        % 1000;
    x as f32 / 500.0 - 1.0
}

fn filled(seed: usize, shape: &[usize]) -> Vec<f32> {
    (0..shape.iter().product::<usize>())
        .map(|i| value(seed, i))
        .collect()
}

struct Case {
    batch: usize,
    channels: [usize; 2],
    size: [usize; 2],
    kernel: [usize; 2],
    stride: [usize; 2],
    padding: [(usize, usize); 2],
    dilation: [usize; 2],
    groups: usize,
    bias: bool,
}

/// The definition: every output sums its group's inputs under the kernel, zero outside.
fn reference(case: &Case, x: &[f32], w: &[f32], bias: Option<&[f32]>, out: [usize; 2]) -> Vec<f32> {
    let [c_in, c_out] = case.channels;
    let [in_h, in_w] = case.size;
    let [k_h, k_w] = case.kernel;
    let (in_per_group, out_per_group) = (c_in / case.groups, c_out / case.groups);
    let mut y = vec![0.0f32; case.batch * c_out * out[0] * out[1]];
    for b in 0..case.batch {
        for co in 0..c_out {
            let g = co / out_per_group;
            for oh in 0..out[0] {
                for ow in 0..out[1] {
                    let mut sum = bias.map_or(0.0, |bias| bias[co]);
                    for ci in 0..in_per_group {
                        let channel = g * in_per_group + ci;
                        for kh in 0..k_h {
                            for kw in 0..k_w {
                                let ih = (oh * case.stride[0] + kh * case.dilation[0]) as isize
                                    - case.padding[0].0 as isize;
                                let iw = (ow * case.stride[1] + kw * case.dilation[1]) as isize
                                    - case.padding[1].0 as isize;
                                if ih < 0 || iw < 0 || ih >= in_h as isize || iw >= in_w as isize {
                                    continue;
                                }
                                let xi = ((b * c_in + channel) * in_h + ih as usize) * in_w
                                    + iw as usize;
                                let wi = ((co * in_per_group + ci) * k_h + kh) * k_w + kw;
                                sum += x[xi] * w[wi];
                            }
                        }
                    }
                    y[((b * c_out + co) * out[0] + oh) * out[1] + ow] = sum;
                }
            }
        }
    }
    y
}

fn check(case: Case) {
    let [c_in, c_out] = case.channels;
    let x_shape = [case.batch, c_in, case.size[0], case.size[1]];
    let w_shape = [c_out, c_in / case.groups, case.kernel[0], case.kernel[1]];
    let (x, w, bias) = (
        filled(1, &x_shape),
        filled(2, &w_shape),
        filled(3, &[c_out]),
    );
    let bias = case.bias.then_some(bias);
    let options =
        ConvOptions::new_with_padding(case.stride, case.padding, case.dilation, case.groups);
    let out = Flex::conv2d(
        FlexTensor::from_data(TensorData::new(x.clone(), x_shape.to_vec())),
        FlexTensor::from_data(TensorData::new(w.clone(), w_shape.to_vec())),
        bias.clone()
            .map(|b| FlexTensor::from_data(TensorData::new(b, vec![c_out]))),
        options,
    );
    let shape = out.shape().to_vec();
    let size = |i: usize| {
        (case.size[i] + case.padding[i].0 + case.padding[i].1
            - case.dilation[i] * (case.kernel[i] - 1)
            - 1)
            / case.stride[i]
            + 1
    };
    assert_eq!(shape, vec![case.batch, c_out, size(0), size(1)]);
    let got: Vec<f32> = out.into_data().try_into_vec().unwrap();
    let want = reference(&case, &x, &w, bias.as_deref(), [size(0), size(1)]);
    for (i, (g, e)) in got.iter().zip(&want).enumerate() {
        assert!(
            (g - e).abs() <= 1e-4 * (1.0 + e.abs()),
            "element {i}: {g} against {e} (shape {shape:?})"
        );
    }
}

fn depthwise(
    channels: usize,
    size: [usize; 2],
    kernel: usize,
    stride: usize,
    padding: (usize, usize),
    dilation: usize,
) -> Case {
    Case {
        batch: 2,
        channels: [channels, channels],
        size,
        kernel: [kernel, kernel],
        stride: [stride, stride],
        padding: [padding, padding],
        dilation: [dilation, dilation],
        groups: channels,
        bias: true,
    }
}

#[test]
fn depthwise_matches_the_definition_at_every_stride_padding_and_dilation() {
    for size in [[7, 9], [8, 8], [17, 33], [70, 66]] {
        for (kernel, stride, padding, dilation) in [
            (3, 1, (1, 1), 1),
            (5, 1, (2, 2), 1),
            (3, 1, (2, 2), 2),
            (3, 2, (0, 1), 1),
            (3, 2, (1, 1), 1),
            (5, 2, (1, 2), 1),
            (5, 2, (2, 2), 1),
            (3, 3, (1, 1), 1),
            (3, 2, (2, 2), 2),
            (3, 1, (0, 0), 1),
        ] {
            check(depthwise(6, size, kernel, stride, padding, dilation));
        }
    }
}

#[test]
fn depthwise_without_bias_and_with_unequal_strides() {
    let mut case = depthwise(4, [11, 13], 3, 1, (1, 2), 1);
    case.bias = false;
    check(case);
    let mut case = depthwise(4, [11, 13], 3, 1, (1, 1), 1);
    case.stride = [1, 2];
    check(case);
}

#[test]
fn pointwise_matches_the_definition_when_split_into_column_blocks() {
    for (batch, size, channels, groups) in [
        (1, [64, 64], [16, 96], 1),
        (1, [5, 7], [8, 4], 1),
        (2, [32, 32], [24, 144], 1),
        (1, [32, 32], [8, 8], 2),
    ] {
        for bias in [false, true] {
            check(Case {
                batch,
                channels,
                size,
                kernel: [1, 1],
                stride: [1, 1],
                padding: [(0, 0), (0, 0)],
                dilation: [1, 1],
                groups,
                bias,
            });
        }
    }
}

#[test]
fn im2col_matches_the_definition_on_small_and_large_maps() {
    for (size, channels, stride, padding, groups) in [
        ([8, 8], [19, 32], 1, (1, 1), 1),
        ([16, 16], [20, 12], 1, (1, 1), 1),
        ([33, 31], [6, 8], 2, (0, 1), 1),
        ([40, 40], [8, 6], 1, (1, 1), 2),
    ] {
        for bias in [false, true] {
            check(Case {
                batch: 2,
                channels,
                size,
                kernel: [3, 3],
                stride: [stride, stride],
                padding: [padding, padding],
                dilation: [1, 1],
                groups,
                bias,
            });
        }
    }
}
