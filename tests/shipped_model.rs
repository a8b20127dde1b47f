//! The shipped model gives a known picture on a generated test card. The expected picture
//! (tests/fixtures/card-shipped.png) is what the native build makes; tests/web.rs checks that
//! the browser (WebGPU and CPU) makes the same one, so native and wasm agree on the real
//! weights. After retraining the model, regenerate it:
//! `UPDATE_FIXTURES=1 cargo test --features native --test shipped_model`.
#![cfg(feature = "native")]

mod common;

use std::path::PathBuf;

use burn::prelude::Device;
use burn_colorize::weights::DEFAULT_MODEL;
use burn_colorize::{ColorizeOptions, Colorizer, Model};
use image::{DynamicImage, ImageFormat};

/// Working size of the check: small, so SwiftShader's WebGPU runs it in seconds.
pub const SIZE: u32 = 64;
/// Largest difference per 8-bit channel allowed between builds (float sums differ in order).
const TOLERANCE: i32 = 4;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

#[test]
fn shipped_weights_give_the_recorded_picture() {
    let input = common::encode(&DynamicImage::ImageRgb8(common::scene(64, 48)), ImageFormat::Png);
    let device = Device::flex();
    let colorizer = Colorizer::new(Model::from_bytes(DEFAULT_MODEL.unwrap(), &device).unwrap(), device);
    let options = ColorizeOptions { size: SIZE, ..ColorizeOptions::default() };
    let output = pollster::block_on(colorizer.colorize_bytes(&input, &options)).unwrap().to_rgb8();
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        std::fs::write(fixture("card.png"), &input).unwrap();
        output.save(fixture("card-shipped.png")).unwrap();
        return;
    }
    let recorded_input = std::fs::read(fixture("card.png")).expect("tests/fixtures/card.png");
    assert_eq!(recorded_input, input, "the test card changed: regenerate the fixtures (see this file's header)");
    let expected = image::open(fixture("card-shipped.png")).expect("tests/fixtures/card-shipped.png").to_rgb8();
    let worst = output.as_raw().iter().zip(expected.as_raw()).map(|(a, b)| (*a as i32 - *b as i32).abs()).max();
    assert!(
        worst.unwrap() <= TOLERANCE,
        "the shipped model's output moved by {worst:?} levels: if models/default.bclz was retrained on purpose, \
         regenerate the fixtures (see this file's header)"
    );
    assert!(common::mean_chroma(&DynamicImage::ImageRgb8(output)) > 3.0, "the shipped model gives colour");
}
