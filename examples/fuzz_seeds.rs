//! Writes the fuzz targets' seed corpora into `fuzz/seeds/<target>/` (or the folder given):
//! small valid inputs of every kind the targets read, generated here and never taken from
//! `../shared/data`. Run by scripts/fuzz.sh with the test build's settings
//! (`cargo run --features native --example fuzz_seeds`), so it costs no build of its own.

// The project's test helpers (EXIF segments, the tiny model), shared rather than copied.
#[path = "../tests/common/mod.rs"]
mod common;

use std::io::Cursor;
use std::path::{Path, PathBuf};

use burn::module::{Module, ModuleMapper, Param};
use burn::prelude::{Device, Tensor};
use burn_colorize::{Arch, Model, ModelConfig};
use image::{DynamicImage, ImageFormat, RgbaImage};

const SIZES: [(u32, u32); 5] = [(1, 1), (2, 3), (17, 5), (33, 31), (64, 48)];

fn main() {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "fuzz/seeds".into()));
    let counts = [
        ("decode_colorize", images(&out.join("decode_colorize"))),
        ("rgba_options", requests(&out.join("rgba_options"))),
        ("reference", references(&out.join("reference"))),
        ("model_load", models(&out.join("model_load"))),
    ];
    for (target, count) in counts {
        println!("{target}: {count} seeds");
    }
}

fn save(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::create_dir_all(dir).expect("create the seed folder");
    std::fs::write(dir.join(name), bytes).expect("write a seed");
}

/// A colourful pattern with varying alpha.
fn pattern(width: u32, height: u32) -> RgbaImage {
    RgbaImage::from_fn(width, height, |x, y| {
        image::Rgba([(x * 37 % 256) as u8, (y * 59 % 256) as u8, ((x + y) * 23 % 256) as u8, (255 - x * 7 % 200) as u8])
    })
}

/// Every colour type each format takes, at odd sizes; JPEGs also with each EXIF orientation.
fn images(dir: &Path) -> usize {
    let formats =
        [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::WebP, ImageFormat::Gif, ImageFormat::Tiff, ImageFormat::Bmp];
    let mut count = 0;
    for (width, height) in SIZES {
        let rgba = DynamicImage::ImageRgba8(pattern(width, height));
        let kinds = [
            ("l8", DynamicImage::ImageLuma8(rgba.to_luma8())),
            ("la8", DynamicImage::ImageLumaA8(rgba.to_luma_alpha8())),
            ("rgb8", DynamicImage::ImageRgb8(rgba.to_rgb8())),
            ("rgba8", rgba.clone()),
            ("l16", DynamicImage::ImageLuma16(rgba.to_luma16())),
            ("rgb16", DynamicImage::ImageRgb16(rgba.to_rgb16())),
            ("rgba16", DynamicImage::ImageRgba16(rgba.to_rgba16())),
        ];
        for format in formats {
            for (kind, image) in &kinds {
                let mut bytes = Cursor::new(Vec::new());
                if image.write_to(&mut bytes, format).is_ok() {
                    let name = format!("{width}x{height}-{kind}.{}", format.extensions_str()[0]);
                    save(dir, &name, bytes.get_ref());
                    count += 1;
                }
            }
        }
        let mut jpeg = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(rgba.to_rgb8()).write_to(&mut jpeg, ImageFormat::Jpeg).expect("JPEG encodes");
        for orientation in 1..=8 {
            save(
                dir,
                &format!("{width}x{height}-exif{orientation}.jpg"),
                &common::with_exif_orientation(jpeg.get_ref(), orientation),
            );
            count += 1;
        }
    }
    count
}

/// RGBA pixels with the options objects the page and embedders send.
fn requests(dir: &Path) -> usize {
    let options = [
        r#"{}"#,
        r#"{"size": 32}"#,
        r#"{"size": 48, "hints": [{"x": 1, "y": 1, "r": 200, "g": 30, "b": 20}]}"#,
        r#"{"png": true}"#,
        r#"{"propagateHints": false, "edgeAware": false, "saturation": 1.5, "temperature": 0.5}"#,
        r#"{"maxMegapixels": 0.0001}"#,
    ];
    let mut count = 0;
    for (width, height) in SIZES {
        for (i, json) in options.iter().enumerate() {
            let mut bytes = Vec::new();
            for value in [width as u16, height as u16, json.len() as u16] {
                bytes.extend_from_slice(&value.to_le_bytes());
            }
            bytes.extend_from_slice(json.as_bytes());
            bytes.extend_from_slice(pattern(width, height).as_raw());
            save(dir, &format!("{width}x{height}-options{i}.bin"), &bytes);
            count += 1;
        }
    }
    count
}

/// Colour references: encoded photos (mode byte 0) and RGBA pixels (mode byte 1), colourful and grey.
fn references(dir: &Path) -> usize {
    let mut count = 0;
    for (width, height) in SIZES {
        let grey = DynamicImage::ImageRgba8(pattern(width, height)).grayscale().to_rgba8();
        for (kind, image) in [("colour", pattern(width, height)), ("grey", grey)] {
            let mut encoded = Cursor::new(vec![0u8]);
            encoded.set_position(1);
            DynamicImage::ImageRgba8(image.clone()).write_to(&mut encoded, ImageFormat::Png).expect("PNG encodes");
            save(dir, &format!("{width}x{height}-{kind}.png.bin"), encoded.get_ref());
            let mut raw = vec![1u8];
            raw.extend_from_slice(&(width as u16).to_le_bytes());
            raw.extend_from_slice(&(height as u16).to_le_bytes());
            raw.extend_from_slice(image.as_raw());
            save(dir, &format!("{width}x{height}-{kind}.rgba.bin"), &raw);
            count += 2;
        }
    }
    count
}

/// Small model files of both architectures, f32 and f16, with and without the colour-reference
/// input (and its sight of the photo). `unet-guided-f16.bclz` is also the guided model of the browser tests
/// (scripts/test-browser.sh): its reference branch is random, and louder than a fresh one
/// (`Louder`), so that a reference visibly changes this untrained model's colours.
fn models(dir: &Path) -> usize {
    Device::flex().seed(11); // the same test models on every run
    let unet = common::tiny_model();
    let config = ModelConfig { arch: Arch::EfficientnetLite0, ..unet.config.clone() };
    let trunk = Model::random(config.clone(), &Device::flex());
    let guided = |config: ModelConfig| {
        let model = Model::random(ModelConfig { reference: true, ..config }, &Device::flex());
        Model { net: model.net.map(&mut Louder { depth: 0 }), ..model }
    };
    save(dir, "unet-f32.bclz", &unet.to_bytes().expect("serialise"));
    save(dir, "unet-f16.bclz", &unet.to_bytes_with(true).expect("serialise"));
    save(dir, "trunk-f16.bclz", &trunk.to_bytes_with(true).expect("serialise"));
    save(dir, "unet-guided-f16.bclz", &guided(unet.config.clone()).to_bytes_with(true).expect("serialise"));
    save(dir, "trunk-guided-f16.bclz", &guided(config.clone()).to_bytes_with(true).expect("serialise"));
    let sighted = ModelConfig { reference_sight: true, ..config };
    save(dir, "trunk-sighted-f16.bclz", &guided(sighted).to_bytes_with(true).expect("serialise"));
    6
}

/// Multiplies every weight inside the reference branch (the module named `reference`) by 4.
struct Louder {
    /// How deep inside the branch the walk is (0: outside).
    depth: usize,
}

impl ModuleMapper for Louder {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        if self.depth > 0 || name == "reference" {
            self.depth += 1;
        }
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        if self.depth > 0 { param.map(|tensor| tensor * 4.0) } else { param }
    }
}
