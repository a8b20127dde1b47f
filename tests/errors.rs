//! Every bad input yields a clear error, never a panic.

mod common;

use burn_colorize::{ColorizeOptions, Error, Photo};
use common::*;
use image::{DynamicImage, ImageFormat};

fn decode(bytes: &[u8]) -> Error {
    match Photo::from_bytes(bytes, 100.0) {
        Ok(photo) => panic!("bad input accepted as a {}x{} photo", photo.width, photo.height),
        Err(e) => e,
    }
}

#[test]
fn empty_input() {
    let e = decode(&[]);
    assert!(matches!(e, Error::EmptyInput), "{e}");
    assert!(e.to_string().contains("empty"));
}

#[test]
fn not_an_image() {
    let e = decode(b"hello, this is a text file and not a picture at all");
    assert!(matches!(e, Error::NotAnImage), "{e}");
    assert!(e.to_string().contains("not an image"));
}

#[test]
fn truncated_png_and_jpeg() {
    let image = DynamicImage::ImageRgb8(scene(64, 64));
    for format in [ImageFormat::Png, ImageFormat::Jpeg] {
        let bytes = encode(&image, format);
        let e = decode(&bytes[..bytes.len() / 2]);
        assert!(matches!(e, Error::Decode(_)), "{format:?}: {e}");
        assert!(e.to_string().contains("truncated or corrupt"), "{e}");
    }
}

#[test]
fn zero_size() {
    let e = decode(&png_header(0, 10));
    assert!(matches!(e, Error::ZeroSize { width: 0, height: 10 }), "{e}");
    assert!(e.to_string().contains("zero size (0x10)"), "{e}");
}

#[test]
fn absurd_header_dimensions_are_refused_before_decoding() {
    let e = decode(&png_header(100_000, 100_000));
    assert!(matches!(e, Error::TooLarge { width: 100_000, height: 100_000, .. }), "{e}");
    assert!(e.to_string().contains("10000.0 megapixels"), "{e}");
}

#[test]
fn megapixel_limit_is_configurable() {
    let bytes = encode(&DynamicImage::ImageRgb8(scene(200, 100)), ImageFormat::Png);
    assert!(Photo::from_bytes(&bytes, 0.01).is_err());
    let colorizer = tiny_colorizer();
    let options = ColorizeOptions { max_megapixels: 0.01, ..Default::default() };
    let e = pollster::block_on(colorizer.colorize_bytes(&bytes, &options)).unwrap_err();
    assert!(matches!(e, Error::TooLarge { .. }), "{e}");
    assert!(Photo::from_bytes(&bytes, 0.03).is_ok());
}

#[test]
fn bad_options_are_refused() {
    let bytes = encode(&DynamicImage::ImageRgb8(scene(16, 16)), ImageFormat::Png);
    let colorizer = tiny_colorizer();
    for options in [
        ColorizeOptions { size: 4, ..Default::default() },
        ColorizeOptions { saturation: -1.0, ..Default::default() },
        ColorizeOptions { temperature: f32::NAN, ..Default::default() },
    ] {
        let e = pollster::block_on(colorizer.colorize_bytes(&bytes, &options)).unwrap_err();
        assert!(matches!(e, Error::InvalidOption(_)), "{e}");
    }
}

#[test]
fn hint_outside_the_image() {
    let bytes = encode(&DynamicImage::ImageRgb8(scene(16, 16)), ImageFormat::Png);
    let hints = vec![burn_colorize::Hint { x: 16.0, y: 3.0, r: 255, g: 0, b: 0 }];
    let e =
        pollster::block_on(tiny_colorizer().colorize_bytes(&bytes, &ColorizeOptions { hints, ..Default::default() }))
            .unwrap_err();
    assert!(e.to_string().contains("outside the 16x16 image"), "{e}");
}
