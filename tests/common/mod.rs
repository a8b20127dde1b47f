//! Shared test helpers: small generated images, encoders, and a tiny untrained model.
#![allow(dead_code)]

use std::io::Cursor;

use burn::prelude::Device;
use burn_colorize::color::classes::gamut_grid;
use burn_colorize::{Colorizer, Head, Model, ModelConfig, color};
use image::{DynamicImage, ImageFormat, RgbImage};

/// A fresh, empty folder for one test, unique to this test process.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("burn-colorize-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A tiny classification model with fresh weights (tests need a network, not a good one).
pub fn tiny_model() -> Model {
    let head = Head::Classification { centers: gamut_grid(10.0).centers().to_vec() };
    Model::random(ModelConfig::tiny(head), &Device::flex())
}

pub fn tiny_colorizer() -> Colorizer {
    Colorizer::new(tiny_model(), Device::flex())
}

/// A colourful synthetic scene: gradients and a disc, with every lightness level present.
pub fn scene(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let (u, v) = ((x as f32 + 0.5) / width as f32, (y as f32 + 0.5) / height as f32);
        let disc = (u - 0.6).powi(2) + (v - 0.4).powi(2) < 0.05;
        if disc { image::Rgb([230, 40, 30]) } else { image::Rgb([(u * 255.0) as u8, (v * 255.0) as u8, 128]) }
    })
}

pub fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).expect("encode test image");
    out.into_inner()
}

/// L* of every pixel of an image (via 16-bit to keep precision for 16-bit images).
pub fn lightness(image: &DynamicImage) -> Vec<f32> {
    image.to_rgba32f().pixels().map(|p| color::lightness_of_srgb([p[0], p[1], p[2]])).collect()
}

/// Largest |ΔL*| between two images of the same size.
pub fn max_lightness_difference(a: &DynamicImage, b: &DynamicImage) -> f32 {
    assert_eq!(a.dimensions_tuple(), b.dimensions_tuple());
    lightness(a).iter().zip(lightness(b)).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

pub trait Dims {
    fn dimensions_tuple(&self) -> (u32, u32);
}

impl Dims for DynamicImage {
    fn dimensions_tuple(&self) -> (u32, u32) {
        (self.width(), self.height())
    }
}

/// Largest difference, in 8-bit levels, between the same channel of two images' pixels.
pub fn largest_step(a: &image::RgbImage, b: &image::RgbImage) -> i32 {
    a.as_raw().iter().zip(b.as_raw()).map(|(x, y)| (*x as i32 - *y as i32).abs()).max().unwrap_or(0)
}

/// Mean chroma (√(a²+b²)) of an image.
pub fn mean_chroma(image: &DynamicImage) -> f32 {
    let rgb = image.to_rgb8();
    let sum: f32 = rgb
        .pixels()
        .map(|p| {
            let lab = color::srgb8_to_lab(p.0);
            (lab[1] * lab[1] + lab[2] * lab[2]).sqrt()
        })
        .sum();
    sum / (rgb.width() * rgb.height()) as f32
}

/// CRC-32 (PNG chunks), so tests can hand-craft PNG headers.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in bytes {
        crc ^= byte as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A PNG signature and IHDR chunk claiming `width`×`height` (8-bit RGB), and no pixel data.
pub fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut chunk = b"IHDR".to_vec();
    chunk.extend_from_slice(&width.to_be_bytes());
    chunk.extend_from_slice(&height.to_be_bytes());
    chunk.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(&chunk);
    png.extend_from_slice(&crc32(&chunk).to_be_bytes());
    png
}

/// Insert an EXIF APP1 segment with the given orientation right after a JPEG's SOI marker.
pub fn with_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut tiff = b"II*\x00\x08\x00\x00\x00".to_vec();
    tiff.extend_from_slice(&1u16.to_le_bytes()); // one IFD entry
    tiff.extend_from_slice(&0x0112u16.to_le_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_le_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&orientation.to_le_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
    let mut payload = b"Exif\x00\x00".to_vec();
    payload.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// What a GPU test trains on: the device(s) found, with their name printed; or, when wgpu has
/// no adapter, None with the reason printed (the test then passes without running), unless
/// BURN_COLORIZE_REQUIRE_GPU is set (scripts/check-gpu.sh), where a missing adapter fails.
pub fn gpu_or_skip<T>(found: Result<(T, String), impl std::fmt::Display>) -> Option<T> {
    match found {
        Ok((devices, name)) => {
            println!("training on {name}");
            Some(devices)
        }
        Err(why) if std::env::var_os("BURN_COLORIZE_REQUIRE_GPU").is_none() => {
            println!("skipped: no wgpu adapter ({why}); scripts/check-gpu.sh installs lavapipe");
            None
        }
        Err(why) => panic!("BURN_COLORIZE_REQUIRE_GPU is set but there is no wgpu adapter: {why}"),
    }
}
