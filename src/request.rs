//! What one call of the JavaScript API asks for, read the same way in the browser (`web.rs`)
//! and natively (the fuzz targets in `fuzz/`): the options object and raw RGBA input.

use serde::Deserialize;

use crate::Result;
use crate::model::hints::Hint;
use crate::pipeline::ColorizeOptions;
use crate::pipeline::decode::{Photo, check_dimensions, rgba_image};

/// Options of `colorize(...)`, as a JavaScript object; every field is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RequestOptions {
    pub size: Option<u32>,
    pub saturation: Option<f32>,
    pub temperature: Option<f32>,
    pub hints: Vec<Hint>,
    /// Also return the result PNG-encoded.
    pub png: bool,
    pub max_megapixels: Option<f64>,
    pub edge_aware: Option<bool>,
    pub propagate_hints: Option<bool>,
}

impl RequestOptions {
    /// The pipeline's options: defaults where a field is missing, every value checked.
    pub fn colorize_options(&self) -> Result<ColorizeOptions> {
        let defaults = ColorizeOptions::default();
        let options = ColorizeOptions {
            size: self.size.unwrap_or(defaults.size),
            saturation: self.saturation.unwrap_or(defaults.saturation),
            temperature: self.temperature.unwrap_or(defaults.temperature),
            hints: self.hints.clone(),
            max_megapixels: self.max_megapixels.unwrap_or(defaults.max_megapixels),
            edge_aware: self.edge_aware.unwrap_or(defaults.edge_aware),
            propagate_hints: self.propagate_hints.unwrap_or(defaults.propagate_hints),
            reference: None,
        };
        options.validate()?;
        Ok(options)
    }
}

/// A photo from raw RGBA pixels (an `ImageData`), its size checked against the limit before
/// anything is copied.
pub fn photo_from_rgba(pixels: &[u8], width: u32, height: u32, max_megapixels: f64) -> Result<Photo> {
    check_dimensions(width, height, max_megapixels)?;
    let image = rgba_image(pixels, width, height)?;
    let mut photo = Photo::from_image(&image::DynamicImage::ImageRgba8(image))?;
    // A canvas hands every photo over as RGBA: keep alpha only when some pixel is see-through,
    // so an opaque photo costs no alpha plane and comes back as plain RGB.
    if photo.alpha.as_ref().is_some_and(|alpha| alpha.iter().all(|&a| a >= 1.0)) {
        photo.alpha = None;
    }
    Ok(photo)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    fn parse(json: &str) -> RequestOptions {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn options_take_camel_case_fields_and_default_the_rest() {
        let options = parse(r#"{"size": 96, "propagateHints": false, "maxMegapixels": 2, "png": true}"#);
        let settings = options.colorize_options().unwrap();
        assert_eq!((settings.size, settings.propagate_hints, settings.max_megapixels), (96, false, 2.0));
        assert!(options.png);
        assert_eq!(parse("{}").colorize_options().unwrap().size, ColorizeOptions::default().size);
        let err = parse(r#"{"temperature": -1}"#).colorize_options().unwrap_err().to_string();
        assert!(err.contains("temperature"), "{err}");
    }

    #[test]
    fn rgba_input_is_checked_before_it_is_copied() {
        let photo = photo_from_rgba(&[200, 10, 10, 255].repeat(6), 3, 2, 1.0).unwrap();
        assert_eq!((photo.width, photo.height), (3, 2));
        let short = photo_from_rgba(&[0; 23], 3, 2, 1.0).unwrap_err().to_string();
        assert!(short.contains("23 bytes") && short.contains("3x2"), "{short}");
        let huge = photo_from_rgba(&[], 100_000, 100_000, 100.0).unwrap_err();
        assert!(matches!(huge, Error::TooLarge { .. }), "{huge}");
        assert!(matches!(photo_from_rgba(&[], 0, 5, 1.0).unwrap_err(), Error::ZeroSize { .. }));
    }

    #[test]
    fn alpha_is_kept_only_when_some_pixel_is_see_through() {
        let opaque = photo_from_rgba(&[90, 90, 90, 255].repeat(4), 2, 2, 1.0).unwrap();
        assert!(opaque.alpha.is_none());
        let mut pixels = [90, 90, 90, 255].repeat(4);
        pixels[7] = 128;
        let alpha = photo_from_rgba(&pixels, 2, 2, 1.0).unwrap().alpha.expect("alpha kept");
        assert_eq!(alpha.len(), 4);
        assert!((alpha[1] - 128.0 / 255.0).abs() < 1e-6 && alpha[0] == 1.0, "{alpha:?}");
    }
}
