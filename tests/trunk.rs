//! The imported EfficientNet-Lite0 and -Lite2 trunks against reference numbers computed once
//! with PyTorch from the same checkpoints (scripts/torch/efficientnet_lite.py, which keeps BatchNorm
//! unfolded and implements TensorFlow padding on its own): feature statistics and sampled
//! values at strides 2, 4, 8 and 16 on a synthetic grey image. The test also shows that a
//! wrong BatchNorm epsilon, symmetric padding or the wrong input scaling would fail it.
//!
//! Needs the checkpoints: `bash scripts/import-trunk.sh --download` fetches them
//! (target/efficientnet-lite0/ and target/efficientnet-lite2/), or set EFFICIENTNET_LITE0_PTH and
//! EFFICIENTNET_LITE2_PTH. Without one, its test says so and passes vacuously.
#![cfg(feature = "train")]

use std::path::PathBuf;

use burn::nn::PaddingConfig2d;
use burn::prelude::*;
use burn_colorize::model::trunk::{LITE0, LITE2, Trunk, TrunkSpec};
use burn_colorize::train::import::{BN_EPSILON, import_trunk_with};
use serde_json::Value;

/// The checkpoint of `spec`: from `variable`, else where scripts/import-trunk.sh puts it.
fn checkpoint(spec: &TrunkSpec, variable: &str) -> Option<PathBuf> {
    let folder = spec.name.to_lowercase();
    let path = std::env::var_os(variable)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target").join(folder).join(spec.checkpoint));
    if path.exists() {
        Some(path)
    } else {
        eprintln!("SKIPPED: {} is missing (run `bash scripts/import-trunk.sh`)", path.display());
        None
    }
}

fn reference(text: &str) -> Value {
    serde_json::from_str(text).expect("valid fixture")
}

/// The fixture's input, as scripts/torch/efficientnet_lite.py's `synthetic_grey` makes it.
fn synthetic_grey(h: usize, w: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(h * w);
    for y in 0..h {
        for x in 0..w {
            let (x, y) = (x as f64, y as f64);
            let g = 127.5 + 90.0 * (0.31 * x + 0.1 * y).sin() * (0.17 * y).cos() + 30.0 * (0.05 * x * y / 7.0).cos();
            out.push(g.clamp(0.0, 255.0).round_ties_even() as f32);
        }
    }
    out
}

fn input(reference: &Value, scale: impl Fn(f32) -> f32, device: &Device) -> Tensor<4> {
    let (h, w) = (reference["height"].as_u64().unwrap() as usize, reference["width"].as_u64().unwrap() as usize);
    let plane: Vec<f32> = synthetic_grey(h, w).into_iter().map(scale).collect();
    let rgb: Vec<f32> = plane.iter().chain(&plane).chain(&plane).copied().collect();
    Tensor::from_data(TensorData::new(rgb, [1, 3, h, w]), device)
}

/// The largest disagreement with the fixture, relative to each tap's spread (0 = identical).
fn worst_error(trunk: &Trunk, rgb: Tensor<4>, reference: &Value) -> f32 {
    let taps = trunk.forward(rgb);
    let mut worst = 0f32;
    for (tap, expected) in taps.into_iter().zip(reference["taps"].as_array().unwrap()) {
        let [_, c, h, w] = tap.dims();
        let shape: Vec<usize> =
            expected["shape"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect();
        assert_eq!(shape, vec![c, h, w], "tap shape");
        let values = tap.into_data().try_to_vec::<f32>().unwrap();
        let spread = expected["std"].as_f64().unwrap() as f32;
        for sample in expected["samples"].as_array().unwrap() {
            let s: Vec<f64> = sample.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
            let got = values[(s[0] as usize * h + s[1] as usize) * w + s[2] as usize];
            worst = worst.max((got - s[3] as f32).abs() / spread);
        }
        for (ch, mean) in expected["channel_means"].as_array().unwrap().iter().enumerate() {
            let got = values[ch * h * w..(ch + 1) * h * w].iter().sum::<f32>() / (h * w) as f32;
            worst = worst.max((got - mean.as_f64().unwrap() as f32).abs() / spread);
        }
    }
    worst
}

/// Agreement required: float32 rounding differences stay far below this.
const TOLERANCE: f32 = 1e-3;

#[test]
fn imported_lite0_trunk_matches_pytorch_and_catches_wrong_settings() {
    check(&LITE0, "EFFICIENTNET_LITE0_PTH", include_str!("fixtures/trunk_reference.json"));
}

#[test]
fn imported_lite2_trunk_matches_pytorch_and_catches_wrong_settings() {
    check(&LITE2, "EFFICIENTNET_LITE2_PTH", include_str!("fixtures/trunk_reference_lite2.json"));
}

fn check(spec: &'static TrunkSpec, variable: &str, fixture: &str) {
    let Some(pth) = checkpoint(spec, variable) else { return };
    let device = Device::flex();
    let reference = reference(fixture);
    let scaled = |g: f32| (g - 127.0) / 128.0;
    let trunk = import_trunk_with(&pth, spec, BN_EPSILON, &device).unwrap();
    let error = worst_error(&trunk, input(&reference, scaled, &device), &reference);
    assert!(error < TOLERANCE, "imported trunk differs from PyTorch by {error} (relative to the features' spread)");

    let wrong_epsilon = import_trunk_with(&pth, spec, 1e-5, &device).unwrap();
    let error = worst_error(&wrong_epsilon, input(&reference, scaled, &device), &reference);
    assert!(error > 10.0 * TOLERANCE, "burn's default epsilon would go unnoticed ({error})");

    let error = worst_error(&trunk, input(&reference, |g| g / 255.0, &device), &reference);
    assert!(error > 10.0 * TOLERANCE, "0..1 input scaling would go unnoticed ({error})");

    let error = worst_error(&symmetric_padding(trunk), input(&reference, scaled, &device), &reference);
    assert!(error > 10.0 * TOLERANCE, "symmetric padding would go unnoticed ({error})");
}

/// The same weights with PyTorch-style symmetric padding (k/2 on every side).
fn symmetric_padding(mut trunk: Trunk) -> Trunk {
    let pad = |k: usize| PaddingConfig2d::Explicit(k / 2, k / 2, k / 2, k / 2);
    trunk.stem.padding = pad(3);
    for block in &mut trunk.blocks {
        block.depthwise.padding = pad(block.depthwise.kernel_size[0]);
    }
    trunk
}
