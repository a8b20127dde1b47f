//! User colour hints and the three hint planes the network reads (hint a, hint b, mask).
//!
//! A hint is a point in image pixels and an sRGB colour. It is written into the working-size
//! planes as a small square patch of its ab with the mask set, the same way training simulates
//! hints, so the network sees at inference exactly what it learnt from.

use serde::{Deserialize, Serialize};

use crate::color;
use crate::color::classes::AB_RANGE;
use crate::error::{Error, Result};

/// Half-width of the square patch a hint covers in the working-size planes (3×3 pixels).
pub const HINT_RADIUS: usize = 1;

/// A user hint: "this point has this colour". Coordinates are in input-image pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Hint {
    pub x: f32,
    pub y: f32,
    pub r: u8,
    pub g: u8,
    pub b: u8,
}

impl Hint {
    /// The hint colour's ab.
    pub fn ab(&self) -> [f32; 2] {
        let lab = color::srgb8_to_lab([self.r, self.g, self.b]);
        [lab[1], lab[2]]
    }
}

/// Hint planes at working size: `[a, b, mask]`, each `width * height`, row-major, normalised
/// for the network (ab / AB_RANGE, mask 0 or 1).
#[derive(Debug, Clone, PartialEq)]
pub struct HintPlanes {
    pub width: usize,
    pub height: usize,
    pub planes: [Vec<f32>; 3],
}

impl HintPlanes {
    /// Empty planes: no hints.
    pub fn empty(width: usize, height: usize) -> Self {
        let zeros = vec![0.0; width * height];
        Self { width, height, planes: [zeros.clone(), zeros.clone(), zeros] }
    }

    /// Paint one hint of colour `ab` centred on working-size pixel (`px`, `py`).
    pub fn paint(&mut self, px: usize, py: usize, ab: [f32; 2]) {
        let (x0, x1) = (px.saturating_sub(HINT_RADIUS), (px + HINT_RADIUS).min(self.width - 1));
        let (y0, y1) = (py.saturating_sub(HINT_RADIUS), (py + HINT_RADIUS).min(self.height - 1));
        for y in y0..=y1 {
            for x in x0..=x1 {
                let i = y * self.width + x;
                self.planes[0][i] = ab[0] / AB_RANGE;
                self.planes[1][i] = ab[1] / AB_RANGE;
                self.planes[2][i] = 1.0;
            }
        }
    }

    /// Number of working pixels covered by hints.
    pub fn covered(&self) -> usize {
        self.planes[2].iter().filter(|&&m| m > 0.0).count()
    }
}

/// Check user hints against the image size and paint them at working size.
pub fn hint_planes(hints: &[Hint], image: (u32, u32), working: (usize, usize)) -> Result<HintPlanes> {
    let (width, height) = image;
    let mut planes = HintPlanes::empty(working.0, working.1);
    for (index, hint) in hints.iter().enumerate() {
        if !inside(hint.x, hint.y, image) {
            return Err(Error::HintOutside { index, x: hint.x, y: hint.y, width, height });
        }
        let px = to_working(hint.x, width, working.0);
        let py = to_working(hint.y, height, working.1);
        planes.paint(px, py, hint.ab());
    }
    Ok(planes)
}

/// Whether (x, y), in image pixels, lies on the image.
pub fn inside(x: f32, y: f32, (width, height): (u32, u32)) -> bool {
    x.is_finite() && y.is_finite() && (0.0..width as f32).contains(&x) && (0.0..height as f32).contains(&y)
}

/// Map an image coordinate to the working-size pixel that covers it.
pub(crate) fn to_working(v: f32, full: u32, working: usize) -> usize {
    ((v / full as f32 * working as f32) as usize).min(working - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hint_outside_the_image_is_rejected_with_its_position() {
        let hints = [Hint { x: 5.0, y: 5.0, r: 255, g: 0, b: 0 }, Hint { x: 12.0, y: 1.0, r: 0, g: 0, b: 255 }];
        let err = hint_planes(&hints, (10, 10), (8, 8)).unwrap_err();
        assert!(matches!(err, Error::HintOutside { index: 1, .. }), "{err}");
        assert!(err.to_string().contains("outside the 10x10 image"), "{err}");
        let nan = [Hint { x: f32::NAN, y: 1.0, r: 0, g: 0, b: 0 }];
        assert!(hint_planes(&nan, (10, 10), (8, 8)).is_err());
    }

    #[test]
    fn hint_paints_its_ab_and_mask_around_the_mapped_point() {
        let red = Hint { x: 99.0, y: 0.0, r: 255, g: 0, b: 0 };
        let planes = hint_planes(&[red], (100, 50), (16, 8)).unwrap();
        assert_eq!(planes.covered(), 4, "3x3 patch clipped at the top-right corner");
        let i = 15; // (x = 15, y = 0)
        assert_eq!(planes.planes[2][i], 1.0);
        assert!((planes.planes[0][i] * AB_RANGE - 80.1).abs() < 0.5, "a of red");
        assert_eq!(planes.planes[2][16 * 7], 0.0, "far corner untouched");
    }
}
