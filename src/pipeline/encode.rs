//! Output files: PNG (lossless, alpha and 16-bit kept) or JPEG (feature `codecs`).

use std::io::Cursor;

use image::DynamicImage;

use crate::error::{Error, Result};

/// Output file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Lossless; keeps alpha and 16-bit depth.
    Png,
    /// 8-bit, no alpha (alpha is dropped), at the given quality (1..=100; others are refused).
    Jpeg { quality: u8 },
}

/// Encode an output image.
pub fn encode(image: &DynamicImage, format: OutputFormat) -> Result<Vec<u8>> {
    let mut out = Cursor::new(Vec::new());
    match format {
        OutputFormat::Png => image.write_to(&mut out, image::ImageFormat::Png),
        OutputFormat::Jpeg { quality } => {
            if !(1..=100).contains(&quality) {
                return Err(Error::InvalidOption(format!("JPEG quality {quality} is out of range: use 1 to 100")));
            }
            let rgb = image.to_rgb8();
            let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
            rgb.write_with_encoder(encoder)
        }
    }
    .map_err(|e| Error::Encode(e.to_string()))?;
    Ok(out.into_inner())
}
