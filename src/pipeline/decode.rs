//! Reading user images safely: format sniffing, decompression-bomb limits checked on the header
//! before any pixel is decoded, EXIF orientation, and the split into what the colorizer keeps
//! from the input (its lightness and alpha at full size).

#[cfg(feature = "codecs")]
use std::io::Cursor;

#[cfg(feature = "codecs")]
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};

use crate::color;
use crate::error::{Error, Result};

/// File extensions picked up when a folder is searched for images.
pub const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "webp", "bmp", "gif", "tif", "tiff"];

/// Whether a path's extension is one of [`IMAGE_EXTENSIONS`] (any case).
pub fn has_image_extension(path: impl AsRef<std::path::Path>) -> bool {
    path.as_ref()
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Default cap on decoded image size, against decompression bombs.
pub const DEFAULT_MAX_MEGAPIXELS: f64 = 100.0;

/// What the pipeline keeps of an input photo: lightness and alpha at full size.
#[derive(Debug, Clone)]
pub struct Photo {
    pub width: u32,
    pub height: u32,
    /// CIE L* (0..=100) per pixel, row-major.
    pub lightness: Vec<f32>,
    /// Alpha (0..=1) per pixel when the input had an alpha channel.
    pub alpha: Option<Vec<f32>>,
    /// The input had more than 8 bits per channel; the output keeps 16 bits (PNG).
    pub high_depth: bool,
}

/// Check encoded bytes without decoding them, and return the width and height in their header:
/// not empty, a format we recognise, within `max_megapixels`, and for JPEG, not cut short.
///
/// The browser module decodes with the browser's own codecs (`createImageBitmap`), which would
/// allocate a decompression bomb's pixels before anyone could look at its size; this runs first.
pub fn check_header(bytes: &[u8], max_megapixels: f64) -> Result<(u32, u32)> {
    if bytes.is_empty() {
        return Err(Error::EmptyInput);
    }
    let kind = imagesize::image_type(bytes).map_err(|_| Error::NotAnImage)?;
    let size = imagesize::blob_size(bytes)
        .map_err(|e| Error::Decode(format!("could not read the image's size from its header: {e}")))?;
    let (width, height) = (size.width as u32, size.height as u32);
    check_dimensions(width, height, max_megapixels)?;
    if kind == imagesize::ImageType::Jpeg {
        require_complete_jpeg(bytes)?;
    }
    Ok((width, height))
}

/// Decode encoded bytes into an image, refusing anything over `max_megapixels`.
#[cfg(feature = "codecs")]
pub fn decode_image(bytes: &[u8], max_megapixels: f64) -> Result<DynamicImage> {
    if bytes.is_empty() {
        return Err(Error::EmptyInput);
    }
    let reader =
        ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| Error::Decode(e.to_string()))?;
    if reader.format().is_none() {
        return Err(Error::NotAnImage);
    }
    // Some decoders read past the header before reporting dimensions; check them first.
    if let Ok(size) = imagesize::blob_size(bytes) {
        check_dimensions(size.width as u32, size.height as u32, max_megapixels)?;
    }
    if reader.format() == Some(image::ImageFormat::Jpeg) {
        require_complete_jpeg(bytes)?;
    }
    let mut decoder = reader.into_decoder().map_err(decode_error)?;
    let (width, height) = decoder.dimensions();
    check_dimensions(width, height, max_megapixels)?;
    let mut limits = Limits::default();
    // Room for the decoded pixels at the deepest layout we accept (RGBA f32), plus slack.
    limits.max_alloc = Some((max_megapixels * 1e6 * 16.0) as u64 + (64 << 20));
    decoder.set_limits(limits).map_err(decode_error)?;
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// Reject zero-sized and oversized images from their header alone.
pub fn check_dimensions(width: u32, height: u32, max_megapixels: f64) -> Result<()> {
    if width == 0 || height == 0 {
        return Err(Error::ZeroSize { width, height });
    }
    let megapixels = width as f64 * height as f64 / 1e6;
    if megapixels > max_megapixels {
        return Err(Error::TooLarge { width, height, megapixels, limit_megapixels: max_megapixels });
    }
    Ok(())
}

/// RGBA pixels as handed over by JavaScript (an `ImageData`'s data) as an image, refused when
/// the length does not match `width`×`height` or either is zero.
pub fn rgba_image(pixels: &[u8], width: u32, height: u32) -> Result<image::RgbaImage> {
    if width == 0 || height == 0 {
        return Err(Error::ZeroSize { width, height });
    }
    let expected = width as u64 * height as u64 * 4;
    if pixels.len() as u64 != expected {
        return Err(Error::InvalidOption(format!(
            "pixel data of {} bytes does not hold {width}x{height} RGBA pixels ({expected} bytes)",
            pixels.len()
        )));
    }
    Ok(image::RgbaImage::from_raw(width, height, pixels.to_vec()).expect("length checked above"))
}

/// Refuse a JPEG cut short (see [`jpeg_is_complete`]).
fn require_complete_jpeg(bytes: &[u8]) -> Result<()> {
    if jpeg_is_complete(bytes) {
        Ok(())
    } else {
        Err(Error::Decode("the JPEG data ends before its end-of-image marker".into()))
    }
}

/// Whether a JPEG's entropy-coded data reaches an end-of-image marker.
///
/// The JPEG decoder fills a cut-off image with grey instead of failing, which would silently
/// colorize half a photo. Marker segments are walked from the start (so an EXIF thumbnail's
/// own end marker is skipped) up to the first start-of-scan; the end marker must follow it.
/// Files whose structure we cannot follow are left to the decoder to judge.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let mut pos = 2;
    while pos + 4 <= bytes.len() {
        if bytes[pos] != 0xFF {
            return true;
        }
        match bytes[pos + 1] {
            0xFF => pos += 1,
            0xDA => return bytes[pos..].windows(2).any(|w| w == [0xFF, 0xD9]),
            _ => pos += 2 + u16::from_be_bytes([bytes[pos + 2], bytes[pos + 3]]) as usize,
        }
    }
    false
}

#[cfg(feature = "codecs")]
fn decode_error(e: image::ImageError) -> Error {
    match e {
        image::ImageError::Limits(l) => Error::Decode(format!("over the decoding limits: {l}")),
        image::ImageError::Unsupported(u) => Error::Decode(format!("unsupported image: {u}")),
        other => Error::Decode(other.to_string()),
    }
}

impl Photo {
    /// Split an image into full-size lightness and alpha; colour inputs are made grey first.
    pub fn from_image(image: &image::DynamicImage) -> Result<Self> {
        let (width, height) = (image.width(), image.height());
        check_dimensions(width, height, f64::INFINITY)?;
        let has_alpha = image.color().has_alpha();
        let high_depth = image.color().bytes_per_pixel() / image.color().channel_count() > 1;
        let (lightness, alpha) = if high_depth {
            let rgba = image.to_rgba32f();
            let l = rgba.pixels().map(|p| color::lightness_of_srgb([p[0], p[1], p[2]])).collect();
            let a = has_alpha.then(|| rgba.pixels().map(|p| p[3].clamp(0.0, 1.0)).collect());
            (l, a)
        } else if let (Some(grey), false) = (image.as_luma8(), has_alpha) {
            (grey.pixels().map(|p| color::lightness_of_srgb8([p[0]; 3])).collect(), None)
        } else if let (Some(rgb), false) = (image.as_rgb8(), has_alpha) {
            (rgb.pixels().map(|p| color::lightness_of_srgb8(p.0)).collect(), None)
        } else {
            let converted;
            let rgba = match image.as_rgba8() {
                Some(rgba) => rgba,
                None => {
                    converted = image.to_rgba8();
                    &converted
                }
            };
            let l = rgba.pixels().map(|p| color::lightness_of_srgb8([p[0], p[1], p[2]])).collect();
            let a = has_alpha.then(|| rgba.pixels().map(|p| p[3] as f32 / 255.0).collect());
            (l, a)
        };
        Ok(Self { width, height, lightness, alpha, high_depth })
    }

    /// Decode bytes straight into a photo.
    #[cfg(feature = "codecs")]
    pub fn from_bytes(bytes: &[u8], max_megapixels: f64) -> Result<Self> {
        Self::from_image(&decode_image(bytes, max_megapixels)?)
    }
}
