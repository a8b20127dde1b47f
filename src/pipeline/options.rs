//! What a caller can tune about one colorization, checked before any work is done.

use super::decode::DEFAULT_MAX_MEGAPIXELS;
use crate::color::classes::DEFAULT_TEMPERATURE;
use crate::color::reference::ColorReference;
use crate::error::{Error, Result};
use crate::model::hints::Hint;

/// Default working size: the long side the network sees, in pixels. 128 matches the scale the
/// bundled model was trained at (whole 128-px scenes): on the BSDS500 photos it gives better
/// colours than 256 and lets hints reach further (MODEL_CARD.md); colour (ab) is smooth, so
/// the upsampled result still looks sharp, the full-size lightness carrying the detail.
pub const DEFAULT_SIZE: u32 = 128;

/// What the user can tune.
#[derive(Debug, Clone, PartialEq)]
pub struct ColorizeOptions {
    /// Long side of the working image the network sees (8..=2048).
    pub size: u32,
    /// Multiplier on predicted chroma (0 = grey, 1 = as predicted, up to 4).
    pub saturation: f32,
    /// Annealed-mean temperature (0 = most likely colour, 1 = mean; default 0.38).
    pub temperature: f32,
    /// User colour hints, in input-image pixels.
    pub hints: Vec<Hint>,
    /// Refuse inputs over this many megapixels.
    pub max_megapixels: f64,
    /// Let colour edges follow the photo's edges (joint bilateral upsampling, see
    /// [`crate::pipeline::upsample`]) instead of plain bilinear upsampling of the predicted colour.
    pub edge_aware: bool,
    /// Spread each hint over its region after the network ([`crate::pipeline::propagate`]), so hints
    /// work however well the network learnt to follow them. Off: the network's answer alone.
    pub propagate_hints: bool,
    /// A photo that lends its colours ([`crate::color::reference`]); needs a model trained with
    /// a reference input.
    pub reference: Option<ColorReference>,
}

impl Default for ColorizeOptions {
    fn default() -> Self {
        Self {
            size: DEFAULT_SIZE,
            saturation: 1.0,
            temperature: DEFAULT_TEMPERATURE,
            hints: Vec::new(),
            max_megapixels: DEFAULT_MAX_MEGAPIXELS,
            edge_aware: true,
            propagate_hints: true,
            reference: None,
        }
    }
}

impl ColorizeOptions {
    /// Reject values that would give nonsense rather than silently clamping them.
    pub fn validate(&self) -> Result<()> {
        if !(8..=2048).contains(&self.size) {
            return Err(Error::InvalidOption(format!("working size {} is outside 8..=2048", self.size)));
        }
        if !(0.0..=4.0).contains(&self.saturation) {
            return Err(Error::InvalidOption(format!("saturation {} is outside 0..=4", self.saturation)));
        }
        if !(0.0..=1.0).contains(&self.temperature) {
            return Err(Error::InvalidOption(format!("temperature {} is outside 0..=1", self.temperature)));
        }
        if self.max_megapixels.is_nan() || self.max_megapixels <= 0.0 {
            return Err(Error::InvalidOption("the megapixel limit must be positive".into()));
        }
        Ok(())
    }
}
