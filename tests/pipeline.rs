//! Full-resolution pipeline: sizes, lightness, alpha, bit depth, formats, orientation.

mod common;

use burn_colorize::pipeline::resize_plane;
use burn_colorize::{ColorizeOptions, OutputFormat, Photo, encode as encode_output};
use common::*;
use image::{DynamicImage, ImageBuffer, ImageFormat, Luma, LumaA, Rgba};

fn colorize(bytes: &[u8], options: &ColorizeOptions) -> DynamicImage {
    pollster::block_on(tiny_colorizer().colorize_bytes(bytes, options)).expect("colorize")
}

#[test]
fn output_has_the_input_size_and_lightness_for_odd_sizes() {
    let colorizer = tiny_colorizer();
    for (w, h) in [(1, 1), (3, 5), (4000, 3), (37, 23), (300, 200)] {
        let input = DynamicImage::ImageRgb8(scene(w, h));
        let out =
            pollster::block_on(colorizer.colorize_bytes(&encode_png(&input), &ColorizeOptions::default())).unwrap();
        assert_eq!((out.width(), out.height()), (w, h), "size of {w}x{h}");
        let dl = max_lightness_difference(&input, &out);
        assert!(dl <= 1.0, "{w}x{h}: L changed by {dl}");
    }
}

fn encode_png(image: &DynamicImage) -> Vec<u8> {
    encode_output(image, OutputFormat::Png).unwrap()
}

#[test]
fn grey_input_gets_colour_and_keeps_its_lightness() {
    let grey = DynamicImage::ImageRgb8(scene(64, 48)).to_luma8();
    let input = DynamicImage::ImageLuma8(grey);
    let options = ColorizeOptions { saturation: 4.0, ..Default::default() };
    let out = colorize(&encode(&input, ImageFormat::Png), &options);
    assert!(out.color().has_color());
    assert!(max_lightness_difference(&input, &out) <= 1.0);
    assert!(mean_chroma(&out) > 0.5, "an untrained classification head still predicts some colour");
}

#[test]
fn saturation_zero_gives_a_grey_image() {
    let input = DynamicImage::ImageRgb8(scene(40, 30));
    let out = colorize(&encode_png(&input), &ColorizeOptions { saturation: 0.0, ..Default::default() });
    assert!(mean_chroma(&out) < 1.0, "chroma {}", mean_chroma(&out));
}

#[test]
fn alpha_is_kept_exactly() {
    let rgba = ImageBuffer::from_fn(20, 10, |x, y| Rgba([x as u8 * 10, y as u8 * 20, 50, (x * 12 + y) as u8]));
    let input = DynamicImage::ImageRgba8(rgba.clone());
    let out = colorize(&encode_png(&input), &ColorizeOptions::default());
    let out = out.as_rgba8().expect("RGBA output for RGBA input");
    let alphas: Vec<u8> = out.pixels().map(|p| p[3]).collect();
    assert_eq!(alphas, rgba.pixels().map(|p| p[3]).collect::<Vec<_>>());
    let grey_alpha = DynamicImage::ImageLumaA8(ImageBuffer::from_fn(5, 4, |x, _| LumaA([100, x as u8 * 60])));
    let out = colorize(&encode_png(&grey_alpha), &ColorizeOptions::default());
    assert_eq!(out.to_rgba8().get_pixel(3, 0)[3], 180);
}

#[test]
fn sixteen_bit_input_gives_sixteen_bit_output_with_its_lightness() {
    let grey16 = ImageBuffer::from_fn(33, 17, |x, y| Luma([(x * 1900 + y * 100) as u16]));
    let input = DynamicImage::ImageLuma16(grey16);
    let out = colorize(&encode_png(&input), &ColorizeOptions::default());
    assert!(matches!(out, DynamicImage::ImageRgb16(_)), "got {:?}", out.color());
    let dl = max_lightness_difference(&input, &out);
    assert!(dl <= 0.05, "16-bit L changed by {dl}");
    let png = encode_output(&out, OutputFormat::Png).unwrap();
    assert_eq!(image::load_from_memory(&png).unwrap().color(), image::ColorType::Rgb16);
}

#[test]
fn every_supported_format_decodes() {
    let input = DynamicImage::ImageRgb8(scene(24, 16));
    for format in
        [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::WebP, ImageFormat::Bmp, ImageFormat::Gif, ImageFormat::Tiff]
    {
        let source =
            if format == ImageFormat::Gif { DynamicImage::ImageRgba8(input.to_rgba8()) } else { input.clone() };
        let out = colorize(&encode(&source, format), &ColorizeOptions::default());
        assert_eq!((out.width(), out.height()), (24, 16), "{format:?}");
    }
}

#[test]
fn exif_orientation_is_honoured() {
    let input = DynamicImage::ImageRgb8(scene(20, 10));
    let jpeg = with_exif_orientation(&encode(&input, ImageFormat::Jpeg), 6);
    let photo = Photo::from_bytes(&jpeg, 100.0).unwrap();
    assert_eq!((photo.width, photo.height), (10, 20), "orientation 6 rotates by 90 degrees");
    let out = colorize(&jpeg, &ColorizeOptions::default());
    assert_eq!((out.width(), out.height()), (10, 20));
}

#[test]
fn jpeg_output_is_a_decodable_jpeg_of_the_same_size() {
    let input = DynamicImage::ImageRgba8(DynamicImage::ImageRgb8(scene(50, 30)).to_rgba8());
    let out = colorize(&encode_png(&input), &ColorizeOptions::default());
    let jpeg = encode_output(&out, OutputFormat::Jpeg { quality: 90 }).unwrap();
    assert_eq!(image::guess_format(&jpeg).unwrap(), ImageFormat::Jpeg);
    let back = image::load_from_memory(&jpeg).unwrap();
    assert_eq!((back.width(), back.height()), (50, 30));
    for quality in [0, 101] {
        let e = encode_output(&out, OutputFormat::Jpeg { quality }).unwrap_err().to_string();
        assert!(e.contains(&format!("JPEG quality {quality} is out of range")), "{e}");
    }
}

#[test]
fn colour_input_is_made_grey_first() {
    // Two inputs with the same lightness but different colours colorize identically.
    let coloured = DynamicImage::ImageRgb8(scene(32, 32));
    let grey = DynamicImage::ImageLuma16(coloured.to_luma16());
    let a = Photo::from_image(&coloured).unwrap();
    let b = Photo::from_image(&grey).unwrap();
    let colorizer = tiny_colorizer();
    let options = ColorizeOptions::default();
    let ab_a = pollster::block_on(colorizer.predict_ab(&a, &options)).unwrap();
    let ab_b = pollster::block_on(colorizer.predict_ab(&b, &options)).unwrap();
    let diff = ab_a.ab[0].iter().zip(&ab_b.ab[0]).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max);
    assert!(diff < 1.0, "ab differs by {diff}: colour leaked into the input");
}

#[test]
fn the_working_copy_keeps_the_photos_lightness_range() {
    // L from 0 to 100 across the width; the network's working copy, smaller or larger, must
    // keep that range and mean (a float resize that clamps to 0..1 once fed it black).
    let plane: Vec<f32> = (0..200 * 10).map(|i| (i % 200) as f32 / 199.0 * 100.0).collect();
    for to in [(64, 4), (400, 20), (200, 10)] {
        let out = resize_plane(&plane, 200, 10, to, 100.0);
        assert_eq!(out.len(), to.0 * to.1);
        let mean = out.iter().sum::<f32>() / out.len() as f32;
        let (min, max) = out.iter().fold((f32::MAX, f32::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        assert!((mean - 50.0).abs() < 1.0 && min < 3.0 && max > 97.0, "{to:?}: {min}..{max}, mean {mean}");
    }
}
