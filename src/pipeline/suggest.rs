//! Suggested colours: the few colours the network finds most likely at one point of a photo.
//!
//! The classification head predicts a distribution over ab colours at every pixel; Zhang et
//! al. '17 show its modes to the user beside the colour picker, so a wrong colour can be fixed
//! with one click on a plausible alternative ("that car could be red, blue or white"). Each
//! suggestion is rendered at the photo's own lightness at that point, which is how it will
//! look once used as a hint.

use serde::Serialize;

use super::Colorizer;
use super::decode::Photo;
use super::network::read_floats;
use super::options::ColorizeOptions;
use crate::color;
use crate::error::{Error, Result};
use crate::model::Head;
use crate::model::hints::{inside, to_working};

/// Suggestions asked for when the caller does not say.
pub const DEFAULT_SUGGESTIONS: usize = 6;
/// At most this many suggestions per point.
pub const MAX_SUGGESTIONS: usize = 32;
/// Suggested colours are at least this far apart in ab (colour bins are 10 apart, so this
/// keeps a bin's direct neighbours from being offered as separate colours).
pub const MIN_SEPARATION: f32 = 15.0;

/// One suggested colour at a point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Suggestion {
    /// sRGB at the photo's lightness at that point.
    pub r: u8,
    pub g: u8,
    pub b: u8,
    /// The predicted CIE ab.
    pub ab: [f32; 2],
    /// Probability the network gives this colour (its bin and the merged nearby bins).
    pub probability: f32,
}

impl Suggestion {
    /// `#rrggbb`.
    pub fn hex(&self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }
}

impl Colorizer {
    /// The `k` most likely distinct colours at (`x`, `y`) in image pixels, most likely first,
    /// given the hints (and working size) in `options`. A regression model has one colour to
    /// offer, its prediction.
    pub async fn suggest(
        &self,
        photo: &Photo,
        options: &ColorizeOptions,
        (x, y): (f32, f32),
        k: usize,
    ) -> Result<Vec<Suggestion>> {
        if !inside(x, y, (photo.width, photo.height)) {
            return Err(Error::PointOutside { x, y, width: photo.width, height: photo.height });
        }
        if !(1..=MAX_SUGGESTIONS).contains(&k) {
            return Err(Error::InvalidOption(format!("{k} suggestions asked for: use 1..={MAX_SUGGESTIONS}")));
        }
        let output = self.forward(photo, options)?;
        let [_, channels, oh, ow] = output.dims();
        let (px, py) = (to_working(x, photo.width, ow), to_working(y, photo.height, oh));
        let at_point = output.slice([0..1, 0..channels, py..py + 1, px..px + 1]);
        let values = read_floats(at_point).await?;
        let lightness = photo.lightness[y as usize * photo.width as usize + x as usize];
        let colours = match &self.model().config.head {
            Head::Regression => {
                vec![([values[0] * crate::color::classes::AB_RANGE, values[1] * crate::color::classes::AB_RANGE], 1.0)]
            }
            Head::Classification { .. } | Head::Palette { .. } => {
                let classes = self.model().config.classes().expect("class heads have classes");
                classes.top_k(&values, k, MIN_SEPARATION)
            }
        };
        Ok(colours.into_iter().map(|(ab, probability)| suggestion(lightness, ab, probability)).collect())
    }
}

fn suggestion(lightness: f32, ab: [f32; 2], probability: f32) -> Suggestion {
    let rgb = color::lab_to_srgb_in_gamut(lightness, ab[0], ab[1]).map(color::to_u8);
    Suggestion { r: rgb[0], g: rgb[1], b: rgb[2], ab, probability }
}
