//! A colour reference: a photo that lends its colours (reference or exemplar colorization).
//!
//! The network does not see the reference's layout, only which colours it holds and how much of
//! each: a distribution over the model's ab colour classes (Zhang et al. 2017's global hint), so
//! a photo of the same street, flower or person steers the colours of a grey one without its
//! shapes having to match. The same function turns a training crop and a user's reference into
//! that distribution, so the network sees at inference what it learnt from.
//!
//! A reference photo also keeps a small copy of itself ([`ColorReference::cells`]), from which a
//! trunk model matches the reference's parts to the photo's ([`crate::model::correspond`]) and
//! lends each part's colours where the two look alike. Hints given without a reference lend
//! their colours as one ([`ColorReference::from_hints`]): a few true colours of the photo are a
//! sample of its own colour distribution.

use image::RgbImage;
use image::imageops::{self, FilterType};

use super::classes::{AbClasses, SOFT_K, SOFT_SIGMA};
use crate::error::{Error, Result};
use crate::model::hints::Hint;

/// Long side, in pixels, the reference is shrunk to before its colours are counted: enough
/// samples (up to 32×32) for a stable distribution, cheap enough for every training step, and
/// the same for a 128-px crop and a 12-megapixel photo.
pub const REFERENCE_SIDE: u32 = 32;

/// Long side, in pixels, of the copy whose parts are matched to the photo's: the default
/// working size, so a reference's parts are seen at the scale the model was trained at, and the
/// matching stays small (at most 16×16 cells of 8×8 pixels) whatever the photo's working size.
pub const MATCH_SIDE: u32 = 128;

/// Mean chroma (√(a²+b²)) under which a reference has no colours to lend.
pub const GREY_REFERENCE_CHROMA: f32 = 3.0;

/// The colours of a reference photo: the ab of each pixel of its small copy, and (for a photo,
/// not for hints) a copy to match its parts with the photo's.
#[derive(Debug, Clone, PartialEq)]
pub struct ColorReference {
    samples: Vec<[f32; 2]>,
    picture: Option<RgbImage>,
}

/// A reference's picture as the matching reads it: its lightness at `width`×`height`, and the
/// colour distribution of each of its `cell`×`cell` squares over the model's colour classes.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceCells {
    pub width: usize,
    pub height: usize,
    /// CIE L* (0..=100), row-major.
    pub lightness: Vec<f32>,
    /// Cell by cell (row-major), one weight per class, summing to 1.
    pub colours: Vec<f32>,
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
        Self { picture: Some(shrink(image, MATCH_SIDE)), ..Self::distribution_only(image) }
    }

    /// The colours of a photo (grey included) without a picture to match: what the reference
    /// branch reads in training, where the matching plays no part, so no copy is made per step.
    pub fn distribution_only(image: &RgbImage) -> Self {
        let small = shrink(image, REFERENCE_SIDE);
        let samples = small.pixels().map(|p| super::srgb8_to_lab(p.0)).map(|lab| [lab[1], lab[2]]).collect();
        Self { samples, picture: None }
    }

    /// The colours of hints (grey ones included): a sample of the photo's own colours, lent as
    /// a reference when the user gives hints and no reference. No picture: nothing to match.
    pub fn from_hints(hints: &[Hint]) -> Self {
        Self { samples: hints.iter().map(Hint::ab).collect(), picture: None }
    }

    /// Width and height of the picture kept for matching (at most [`MATCH_SIDE`]); `None` for
    /// hints, which have no picture.
    pub fn picture_size(&self) -> Option<(u32, u32)> {
        self.picture.as_ref().map(|p| p.dimensions())
    }

    /// The picture at `size` (whose sides are multiples of `cell`), as the matching reads it:
    /// its lightness, and each cell's colours soft-encoded over `classes` as training targets
    /// are, averaged over the cell. `None` for a reference without a picture.
    pub fn cells(&self, classes: &AbClasses, size: (usize, usize), cell: usize) -> Option<ReferenceCells> {
        let (width, height) = size;
        let resized = imageops::resize(self.picture.as_ref()?, width as u32, height as u32, FilterType::Triangle);
        let lab: Vec<[f32; 3]> = resized.pixels().map(|p| super::srgb8_to_lab(p.0)).collect();
        let (columns, rows) = (width / cell, height / cell);
        let mut colours = vec![0.0f32; columns * rows * classes.len()];
        let share = 1.0 / (cell * cell) as f32;
        for (i, pixel) in lab.iter().enumerate() {
            let (x, y) = ((i % width / cell).min(columns - 1), (i / width / cell).min(rows - 1));
            let histogram = &mut colours[(y * columns + x) * classes.len()..][..classes.len()];
            for (class, weight) in classes.soft_encode([pixel[1], pixel[2]], SOFT_K, SOFT_SIGMA) {
                histogram[class] += weight * share;
            }
        }
        Some(ReferenceCells { width, height, lightness: lab.iter().map(|p| p[0]).collect(), colours })
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

/// `image` shrunk to `side` on its long side (not enlarged).
fn shrink(image: &RgbImage, side: u32) -> RgbImage {
    let (w, h) = image.dimensions();
    let scale = side as f64 / w.max(h).max(1) as f64;
    if scale >= 1.0 {
        return image.clone();
    }
    let length = |v: u32| ((v as f64 * scale).round() as u32).max(1);
    imageops::resize(image, length(w), length(h), FilterType::Triangle)
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
    fn a_picture_is_kept_at_the_match_side_and_hints_have_none() {
        let reference = ColorReference::from_rgb(&photo(640, 320, [30, 90, 200])).unwrap();
        assert_eq!(reference.picture_size(), Some((MATCH_SIDE, MATCH_SIDE / 2)));
        let training = ColorReference::distribution_only(&photo(640, 320, [30, 90, 200]));
        assert_eq!((training.picture_size(), &training.samples), (None, &reference.samples));
        let hint = |r, g, b| Hint { x: 1.0, y: 1.0, r, g, b };
        let hints = ColorReference::from_hints(&[hint(200, 40, 30), hint(30, 90, 200)]);
        assert_eq!(hints.picture_size(), None);
        assert_eq!(hints.samples, vec![hint(200, 40, 30).ab(), hint(30, 90, 200).ab()]);
        assert!(hints.cells(&gamut_grid(GRID), (16, 16), 8).is_none());
    }

    #[test]
    fn each_cell_holds_the_colours_of_its_own_square() {
        let classes = gamut_grid(GRID);
        // Left half red, right half blue: two cells of 8×8 at 16×8.
        let picture = RgbImage::from_fn(32, 16, |x, _| image::Rgb(if x < 16 { [220, 20, 20] } else { [20, 40, 220] }));
        let cells = ColorReference::from_rgb(&picture).unwrap().cells(&classes, (16, 8), 8).unwrap();
        assert_eq!((cells.width, cells.height, cells.lightness.len()), (16, 8, 128));
        assert_eq!(cells.colours.len(), 2 * classes.len());
        let (left, right) = cells.colours.split_at(classes.len());
        for (cell, rgb) in [(left, [220, 20, 20]), (right, [20, 40, 220])] {
            assert!((cell.iter().sum::<f32>() - 1.0).abs() < 1e-4, "a distribution");
            let lab = crate::color::srgb8_to_lab(rgb);
            assert_eq!(crate::color::classes::argmax(cell), classes.nearest([lab[1], lab[2]]));
        }
        let blue_lightness = crate::color::srgb8_to_lab([20, 40, 220])[0];
        assert!((cells.lightness[15] - blue_lightness).abs() < 0.5, "{}", cells.lightness[15]);
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
