//! The model file: round trip, and clear errors for wrong, truncated and mismatched files.

mod common;

use burn::prelude::Device;
use burn_colorize::model::file::read_config;
use burn_colorize::{Arch, ColorizeOptions, Colorizer, Error, Head, Model, ModelConfig, Photo};
use common::*;
use image::DynamicImage;

fn predict(model: Model) -> Vec<f32> {
    let photo = Photo::from_image(&DynamicImage::ImageRgb8(scene(40, 24))).unwrap();
    let ab = pollster::block_on(Colorizer::new(model, Device::flex()).predict_ab(&photo, &ColorizeOptions::default()));
    let ab = ab.unwrap();
    [ab.ab[0].clone(), ab.ab[1].clone()].concat()
}

#[test]
fn saved_model_loads_back_with_identical_predictions() {
    let model = tiny_model();
    let bytes = model.to_bytes().unwrap();
    let loaded = Model::from_bytes(&bytes, &Device::flex()).unwrap();
    assert_eq!(loaded.config, model.config);
    assert_eq!(predict(model), predict(loaded));
    assert_eq!(read_config(&bytes).unwrap().widths, [8, 8, 16, 16]);
}

/// A version-2 file rewritten the way version 1 stored it: the record interleaved again.
fn as_version_1(bytes: &[u8]) -> Vec<u8> {
    let config_len = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
    let start = 16 + config_len + 8;
    let planes = &bytes[start..];
    let (even, odd) = planes.split_at(planes.len().div_ceil(2));
    let mut v1 = bytes[..start].to_vec();
    v1[8..12].copy_from_slice(&1u32.to_le_bytes());
    for (i, &byte) in even.iter().enumerate() {
        v1.push(byte);
        v1.extend(odd.get(i));
    }
    v1
}

#[test]
fn files_store_their_weights_as_byte_planes_and_version_1_files_still_load() {
    let model = trunk_model();
    let bytes = model.to_bytes_with(true).unwrap();
    assert_eq!(u32::from_le_bytes(bytes[8..12].try_into().unwrap()), 2);
    let old = as_version_1(&bytes);
    assert_eq!(old.len(), bytes.len());
    assert_ne!(old, bytes, "version 2 reorders the record's bytes");
    let (a, b) =
        (Model::from_bytes(&bytes, &Device::flex()).unwrap(), Model::from_bytes(&old, &Device::flex()).unwrap());
    assert_eq!(predict(a), predict(b), "both layouts hold the same weights");
    let mut future = bytes.clone();
    future[8..12].copy_from_slice(&3u32.to_le_bytes());
    let e = Model::from_bytes(&future, &Device::flex()).unwrap_err().to_string();
    assert!(e.contains("format version 3, this build reads versions 1 to 2"), "{e}");
}

#[test]
fn regression_models_round_trip_too() {
    let model = Model::random(ModelConfig::tiny(Head::Regression), &Device::flex());
    let loaded = Model::from_bytes(&model.to_bytes().unwrap(), &Device::flex()).unwrap();
    assert_eq!(predict(model), predict(loaded));
}

#[test]
fn a_file_that_is_not_a_model() {
    let e = Model::from_bytes(b"\x89PNG\r\n\x1a\n not a model at all", &Device::flex()).unwrap_err();
    assert!(matches!(e, Error::NotAModel(_)), "{e}");
    assert!(e.to_string().contains("signature"), "{e}");
    let e = Model::from_bytes(&[], &Device::flex()).unwrap_err();
    assert!(e.to_string().contains("empty"), "{e}");
}

#[test]
fn a_truncated_model_says_how_much_is_missing() {
    let bytes = tiny_model().to_bytes().unwrap();
    for cut in [bytes.len() - 1, bytes.len() / 2, 20, 10] {
        let e = Model::from_bytes(&bytes[..cut], &Device::flex()).unwrap_err();
        assert!(matches!(e, Error::TruncatedModel(_)), "cut at {cut}: {e}");
    }
}

#[test]
fn weights_that_do_not_fit_the_architecture_are_named() {
    // Take a tiny model's weights and claim a wider architecture in the header.
    let bytes = tiny_model().to_bytes().unwrap();
    let config_len = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
    let mut config: ModelConfig = serde_json::from_slice(&bytes[16..16 + config_len]).unwrap();
    config.widths = [8, 8, 16, 32];
    let json = serde_json::to_vec(&config).unwrap();
    let mut forged = bytes[..12].to_vec();
    forged.extend_from_slice(&(json.len() as u32).to_le_bytes());
    forged.extend_from_slice(&json);
    forged.extend_from_slice(&bytes[16 + config_len..]);
    let e = Model::from_bytes(&forged, &Device::flex()).unwrap_err();
    assert!(matches!(e, Error::ModelMismatch(_)), "{e}");
    assert!(e.to_string().contains("down3") || e.to_string().contains("shape"), "should name the tensor: {e}");
}

#[test]
fn a_corrupt_architecture_section_is_reported() {
    let mut bytes = tiny_model().to_bytes().unwrap();
    bytes[16] = b'#';
    let e = Model::from_bytes(&bytes, &Device::flex()).unwrap_err();
    assert!(e.to_string().contains("architecture section is invalid"), "{e}");
}

#[test]
fn files_without_an_architecture_field_hold_the_unet() {
    // Model files written before there were two architectures have no "arch" in their config.
    let json = r#"{"widths":[8,8,16,16],"head":{"kind":"regression"}}"#;
    let config: ModelConfig = serde_json::from_str(json).unwrap();
    assert_eq!(config.arch, Arch::Unet);
}

fn trunk_model() -> Model {
    let head = Head::Classification { centers: burn_colorize::color::classes::gamut_grid(20.0).centers().to_vec() };
    Model::random(
        ModelConfig {
            arch: Arch::EfficientnetLite0,
            widths: [16, 16, 16, 16],
            head,
            reference: false,
            reference_sight: false,
        },
        &Device::flex(),
    )
}

#[test]
fn the_pretrained_trunk_architecture_round_trips_and_says_so() {
    let model = trunk_model();
    let bytes = model.to_bytes().unwrap();
    assert_eq!(read_config(&bytes).unwrap().arch, Arch::EfficientnetLite0);
    let loaded = Model::from_bytes(&bytes, &Device::flex()).unwrap();
    assert_eq!(predict(model), predict(loaded));
}

#[test]
fn f16_files_are_half_the_size_and_load_as_f32() {
    let model = trunk_model();
    let (full, half) = (model.to_bytes().unwrap(), model.to_bytes_with(true).unwrap());
    assert!(half.len() * 10 < full.len() * 6, "f16 file {} bytes vs f32 {}", half.len(), full.len());
    let loaded = Model::from_bytes(&half, &Device::flex()).unwrap();
    let (a, b) = (predict(model), predict(loaded));
    let worst = a.iter().zip(&b).map(|(x, y)| (x - y).abs()).fold(0f32, f32::max);
    assert!(worst < 0.5, "f16 weights moved a prediction by {worst} ab units");
    assert!(a != b, "the f16 file should not be bit-identical (was it stored as f32?)");
}
