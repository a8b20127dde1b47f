#![allow(dead_code)] // each target uses one of these checks
//! The three input paths the fuzz targets drive, as plain functions the targets call with
//! libFuzzer's inputs. Each must return normally for every input: a failure is an error
//! value, never a panic, and memory stays within the megapixel limit.

use burn::prelude::*;
use burn_colorize::color::classes::gamut_grid;
use burn_colorize::color::reference::ColorReference;
use burn_colorize::request::{RequestOptions, photo_from_rgba};
use burn_colorize::{ColorizeOptions, Colorizer, Head, Model, ModelConfig, OutputFormat, Photo, encode};
use image::DynamicImage;

/// The pixel limit of every decoded input (the page's default is 100 MP; a quarter of a
/// megapixel keeps executions fast and memory small while exercising the same checks).
pub const MAX_MEGAPIXELS: f64 = 0.25;

/// Working sizes above this are lowered to it (validation still sees the requested size).
pub const MAX_WORKING_SIZE: u32 = 32;

thread_local! {
    /// A tiny untrained U-Net: the pipeline around the network is what is fuzzed, and the
    /// shipped model would cost more per execution for the same code paths.
    static COLORIZER: Colorizer = {
        let head = Head::Classification { centers: gamut_grid(10.0).centers().to_vec() };
        Colorizer::new(Model::random(ModelConfig::tiny(head), &Device::flex()), Device::flex())
    };
}

thread_local! {
    /// The same tiny U-Net with the colour-reference input, for the reference target.
    static GUIDED: Colorizer = {
        let head = Head::Classification { centers: gamut_grid(10.0).centers().to_vec() };
        let config = ModelConfig { reference: true, ..ModelConfig::tiny(head) };
        Colorizer::new(Model::random(config, &Device::flex()), Device::flex())
    };
}

/// Colorize `photo` with the tiny model; the result keeps the photo's size.
fn colorize(photo: &Photo, options: &ColorizeOptions) -> Option<DynamicImage> {
    let options = ColorizeOptions { size: options.size.min(MAX_WORKING_SIZE), ..options.clone() };
    let image = COLORIZER.with(|colorizer| pollster::block_on(colorizer.colorize_photo(photo, &options)).ok())?;
    assert_eq!((image.width(), image.height()), (photo.width, photo.height), "output keeps the size");
    Some(image)
}

/// Encoded bytes (any format, any damage) → `Photo::from_bytes` → colorize.
pub fn decode_colorize(data: &[u8]) {
    if let Ok(photo) = Photo::from_bytes(data, MAX_MEGAPIXELS) {
        colorize(&photo, &ColorizeOptions { size: 32, ..ColorizeOptions::default() });
    }
}

/// What the JavaScript API receives: raw RGBA pixels, a width and height, and an options
/// object (as JSON) → options checked → photo → colorize, and PNG encoding when asked.
/// Layout: width u16 | height u16 | JSON length u16 | JSON | pixels (little endian).
pub fn rgba_options(data: &[u8]) {
    let Some((header, rest)) = data.split_first_chunk::<6>() else { return };
    let word = |i: usize| u16::from_le_bytes([header[i], header[i + 1]]);
    let (width, height, json_len) = (word(0) as u32, word(2) as u32, word(4) as usize);
    let Some((json, pixels)) = rest.split_at_checked(json_len) else { return };
    let Ok(options) = serde_json::from_slice::<RequestOptions>(json) else { return };
    let Ok(settings) = options.colorize_options() else { return };
    let limit = settings.max_megapixels.min(MAX_MEGAPIXELS);
    let Ok(photo) = photo_from_rgba(pixels, width, height, limit) else { return };
    if let Some(image) = colorize(&photo, &settings) {
        if options.png {
            encode(&image, OutputFormat::Png).expect("a colorized photo always encodes");
        }
    }
}

/// A colour reference, as the CLI reads it (encoded bytes: first byte 0) or as the browser
/// hands it over (first byte 1, then width u16 | height u16 | RGBA pixels) → its colours →
/// a small photo coloured with it.
pub fn reference(data: &[u8]) {
    let reference = match data.split_first() {
        Some((0, bytes)) => ColorReference::from_bytes(bytes, MAX_MEGAPIXELS),
        Some((_, rest)) => {
            let Some((header, pixels)) = rest.split_first_chunk::<4>() else { return };
            let width = u16::from_le_bytes([header[0], header[1]]) as u32;
            let height = u16::from_le_bytes([header[2], header[3]]) as u32;
            ColorReference::from_rgba(pixels, width, height)
        }
        None => return,
    };
    let Ok(reference) = reference else { return };
    let photo = Photo::from_image(&DynamicImage::new_luma8(12, 9)).expect("a small grey photo");
    let options = ColorizeOptions { size: 16, reference: Some(reference), ..ColorizeOptions::default() };
    let image = GUIDED.with(|colorizer| pollster::block_on(colorizer.colorize_photo(&photo, &options)));
    assert_eq!(image.expect("a valid reference colours any photo").width(), 12);
}

/// A model file's bytes → `Model::from_bytes`; a file that loads also runs.
pub fn model_load(data: &[u8]) {
    let device = Device::flex();
    if let Ok(model) = Model::from_bytes(data, &device) {
        let side = model.config.size_multiple() * 2;
        let output = model.net.forward(Tensor::<4>::zeros([1, 4, side, side], &device));
        assert_eq!(output.dims()[0], 1);
    }
}
