//! A colour reference: a photo that lends its colours (reference or exemplar colorization).
//!
//! The network does not see the reference's layout, only which colours it holds and how much of
//! each: a distribution over the model's ab colour classes (Zhang et al. 2017's global hint), so
//! a photo of the same street, flower or person steers the colours of a grey one without its
//! shapes having to match. The same function turns a training crop and a user's reference into
//! that distribution, so the network sees at inference what it learnt from.

use image::RgbImage;
use image::imageops::{self, FilterType};

use super::classes::{AbClasses, SOFT_K, SOFT_SIGMA};
use crate::error::{Error, Result};

/// Long side, in pixels, the reference is shrunk to before its colours are counted: enough
/// samples (up to 32×32) for a stable distribution, cheap enough for every training step, and
/// the same for a 128-px crop and a 12-megapixel photo.
pub const REFERENCE_SIDE: u32 = 32;

/// Mean chroma (√(a²+b²)) under which a reference has no colours to lend.
pub const GREY_REFERENCE_CHROMA: f32 = 3.0;

/// The colours of a reference photo: the ab of each pixel of its small copy.
#[derive(Debug, Clone, PartialEq)]
pub struct ColorReference {
    samples: Vec<[f32; 2]>,
}

impl ColorReference {
    /// The colours of an 8-bit RGB photo of any size. A grey photo is refused: it has no
    /// colours to lend (and steering towards grey is what `saturation` is for).
    pub fn from_rgb(image: &RgbImage) -> Result<Self> {
        let reference = Self::from_rgb_unchecked(image);
        if reference.mean_chroma() < GREY_REFERENCE_CHROMA {
            return Err(Error::GreyReference);
        }
        Ok(reference)
    }

    /// The colours of an encoded photo (PNG, JPEG, ...), with the same checks as an input:
    /// not empty, an image, within `max_megapixels`; and not grey.
    #[cfg(feature = "codecs")]
    pub fn from_bytes(bytes: &[u8], max_megapixels: f64) -> Result<Self> {
        let image = crate::pipeline::decode::decode_image(bytes, max_megapixels)?;
        Self::from_rgb(&image.to_rgb8())
    }

    /// The colours of RGBA pixels (the browser's decoded image); alpha is ignored.
    pub fn from_rgba(pixels: &[u8], width: u32, height: u32) -> Result<Self> {
        let rgba = crate::pipeline::decode::rgba_image(pixels, width, height)?;
        Self::from_rgb(&image::DynamicImage::ImageRgba8(rgba).to_rgb8())
    }

    /// The colours of a photo whatever they are, grey included (training, where a grey
    /// reference is as possible as in any photo collection).
    pub fn from_rgb_unchecked(image: &RgbImage) -> Self {
        let (w, h) = image.dimensions();
        let scale = REFERENCE_SIDE as f64 / w.max(h).max(1) as f64;
        let small = if scale < 1.0 {
            let side = |v: u32| ((v as f64 * scale).round() as u32).max(1);
            imageops::resize(image, side(w), side(h), FilterType::Triangle)
        } else {
            image.clone()
        };
        let samples = small.pixels().map(|p| super::srgb8_to_lab(p.0)).map(|lab| [lab[1], lab[2]]).collect();
        Self { samples }
    }

    /// Mean chroma of the reference's pixels.
    pub fn mean_chroma(&self) -> f32 {
        let sum: f32 = self.samples.iter().map(|[a, b]| (a * a + b * b).sqrt()).sum();
        sum / self.samples.len().max(1) as f32
    }

    /// The network's global input for this reference: the square root of its soft histogram over
    /// `classes` (each pixel spread over its nearest classes as the training targets are; the
    /// root lifts the few saturated colours that carry the information above the many
    /// near-grey pixels of any photo), then 1 for "a reference is given".
    pub fn network_vector(&self, classes: &AbClasses) -> Vec<f32> {
        let mut histogram = vec![0.0f32; classes.len() + 1];
        for &ab in &self.samples {
            for (class, weight) in classes.soft_encode(ab, SOFT_K, SOFT_SIGMA) {
                histogram[class] += weight;
            }
        }
        let total = self.samples.len().max(1) as f32;
        histogram.iter_mut().for_each(|v| *v = (*v / total).sqrt());
        histogram[classes.len()] = 1.0;
        histogram
    }
}

/// The global input for "no reference": zeros, with the flag 0.
pub fn no_reference(classes: usize) -> Vec<f32> {
    vec![0.0; classes + 1]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::color::classes::{GRID, gamut_grid};

    fn photo(w: u32, h: u32, colour: [u8; 3]) -> RgbImage {
        RgbImage::from_pixel(w, h, image::Rgb(colour))
    }

    #[test]
    fn a_grey_photo_has_no_colours_to_lend() {
        let err = ColorReference::from_rgb(&photo(40, 30, [120, 120, 120])).unwrap_err();
        assert!(matches!(err, Error::GreyReference), "{err}");
        assert!(err.to_string().contains("no colours to lend"), "{err}");
        assert!(ColorReference::from_rgb(&photo(40, 30, [200, 40, 30])).is_ok());
    }

    #[test]
    fn large_photos_are_counted_at_the_reference_side() {
        let reference = ColorReference::from_rgb(&photo(640, 320, [30, 90, 200])).unwrap();
        assert_eq!(reference.samples.len(), 32 * 16);
        let small = ColorReference::from_rgb(&photo(10, 5, [30, 90, 200])).unwrap();
        assert_eq!(small.samples.len(), 50, "small photos are not enlarged");
    }

    #[test]
    fn the_vector_puts_a_colour_in_its_own_classes_and_flags_the_reference() {
        let classes = gamut_grid(GRID);
        let red = ColorReference::from_rgb(&photo(20, 20, [220, 20, 20])).unwrap().network_vector(&classes);
        let blue = ColorReference::from_rgb(&photo(20, 20, [20, 40, 220])).unwrap().network_vector(&classes);
        assert_eq!(red.len(), classes.len() + 1);
        assert_eq!(red[classes.len()], 1.0);
        let squares: f32 = red[..classes.len()].iter().map(|v| v * v).sum();
        assert!((squares - 1.0).abs() < 1e-4, "the squared entries are a distribution: {squares}");
        let red_lab = crate::color::srgb8_to_lab([220, 20, 20]);
        let strongest = crate::color::classes::argmax(&red[..classes.len()]);
        assert_eq!(strongest, classes.nearest([red_lab[1], red_lab[2]]));
        let overlap: f32 = red.iter().zip(&blue).take(classes.len()).map(|(r, b)| r * b).sum();
        assert!(overlap < 1e-3, "red and blue share no classes ({overlap})");
        assert_eq!(no_reference(classes.len())[classes.len()], 0.0);
    }
}
