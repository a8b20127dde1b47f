//! Colour references for training a guided model: for each photo, the colours of the photo
//! itself (another crop of it, so the network learns to use a reference's colours, not to copy
//! its layout), of another photo of the same class (a MiniPlaces scene, an object category:
//! what a user's reference will be), or none (so automatic colouring stays as good as without
//! the branch).

use std::collections::HashMap;

use image::RgbImage;

use super::augment::{Augment, augment};
use super::data::{Dataset, Item};
use crate::color::classes::AbClasses;
use crate::color::reference::{ColorReference, no_reference};
use crate::rng::Rng;

/// Side of the crop an own-colour reference is taken from.
const OWN_CROP: usize = 64;

/// How often a training photo gets each kind of reference; the rest get none.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReferenceMix {
    /// Another crop of the photo itself.
    pub own: f32,
    /// Another photo of the same class.
    pub category: f32,
}

impl ReferenceMix {
    /// 40 % own colours, 30 % same class, 30 % none.
    pub const TRAINING: ReferenceMix = ReferenceMix { own: 0.4, category: 0.3 };
}

/// Which reference a photo gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferenceKind {
    None,
    Own,
    Category,
}

/// The photos references are drawn from, grouped by class, and the colour classes they are
/// counted over (the model's).
#[derive(Debug)]
pub struct ReferencePool {
    classes: AbClasses,
    by_class: HashMap<String, Vec<Item>>,
    mix: ReferenceMix,
}

impl ReferencePool {
    pub fn new(items: &[Item], classes: AbClasses, mix: ReferenceMix) -> Self {
        let mut by_class: HashMap<String, Vec<Item>> = HashMap::new();
        for item in items {
            if let Some(class) = &item.class {
                by_class.entry(class.clone()).or_default().push(item.clone());
            }
        }
        Self { classes, by_class, mix }
    }

    /// Number of values in a reference vector (classes + the "given" flag).
    pub fn inputs(&self) -> usize {
        self.classes.len() + 1
    }

    /// Draw the kind of reference a photo gets.
    pub fn draw_kind(&self, rng: &mut Rng) -> ReferenceKind {
        let u = rng.next_f32();
        if u < self.mix.own {
            ReferenceKind::Own
        } else if u < self.mix.own + self.mix.category {
            ReferenceKind::Category
        } else {
            ReferenceKind::None
        }
    }

    /// The reference vector of `kind` for `item`, whose decoded photo is `image`. A photo with
    /// no other photo of its class falls back to its own colours.
    pub fn vector(
        &self,
        kind: ReferenceKind,
        data: &Dataset,
        item: &Item,
        image: &RgbImage,
        rng: &mut Rng,
    ) -> Vec<f32> {
        let source = match kind {
            ReferenceKind::None => return no_reference(self.classes.len()),
            ReferenceKind::Category => self.other_of_class(data, item, rng),
            ReferenceKind::Own => None,
        };
        let source = source.unwrap_or_else(|| own_crop(image, rng));
        ColorReference::distribution_only(&source).network_vector(&self.classes)
    }

    /// Another readable photo of `item`'s class, if there is one.
    pub fn other_of_class(&self, data: &Dataset, item: &Item, rng: &mut Rng) -> Option<RgbImage> {
        let peers = self.by_class.get(item.class.as_ref()?)?;
        if peers.len() < 2 {
            return None;
        }
        let mut pick = rng.below(peers.len());
        if peers[pick].name == item.name {
            pick = (pick + 1) % peers.len();
        }
        data.load(&peers[pick]).ok()
    }
}

/// A random crop of 40-100 % of the photo's shorter side, flipped or not: its colours, not the
/// training crop's exact ones.
fn own_crop(image: &RgbImage, rng: &mut Rng) -> RgbImage {
    let loose = Augment { scale: (0.4, 1.0), max_rotation_degrees: 0.0, max_shift: 0.0, flip: true };
    let (w, h) = (image.width() as usize, image.height() as usize);
    let pixels = augment(image.as_raw(), w, h, OWN_CROP, &loose, rng);
    RgbImage::from_raw(OWN_CROP as u32, OWN_CROP as u32, pixels).expect("augment returns size×size RGB")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::color::classes::{GRID, gamut_grid};

    #[test]
    fn the_mix_gives_each_kind_its_share() {
        let pool = ReferencePool::new(&[], gamut_grid(GRID), ReferenceMix::TRAINING);
        let mut rng = Rng::new(5);
        let mut counts = [0usize; 3];
        for _ in 0..3000 {
            counts[pool.draw_kind(&mut rng) as usize] += 1;
        }
        let [none, own, category] = counts;
        assert!((1050..1350).contains(&own), "{counts:?}");
        assert!((750..1050).contains(&category) && (750..1050).contains(&none), "{counts:?}");
    }

    #[test]
    fn own_colours_come_from_the_photo_and_no_reference_is_flagged_off() {
        let pool = ReferencePool::new(&[], gamut_grid(GRID), ReferenceMix::TRAINING);
        let red = RgbImage::from_pixel(40, 30, image::Rgb([220, 20, 20]));
        let item = Item {
            origin: super::super::data::Origin::File("x.jpg".into()),
            name: "x.jpg".into(),
            class: Some("k".into()),
            split: super::super::data::Split::Train,
        };
        let data = Dataset::default();
        let mut rng = Rng::new(1);
        let own = pool.vector(ReferenceKind::Own, &data, &item, &red, &mut rng);
        // A class with no other photo falls back to the photo's own colours.
        let category = pool.vector(ReferenceKind::Category, &data, &item, &red, &mut rng);
        let expected = ColorReference::from_rgb(&red).unwrap().network_vector(&gamut_grid(GRID));
        let close = |a: &[f32]| a.iter().zip(&expected).all(|(x, y)| (x - y).abs() < 1e-4);
        assert!(close(&own) && close(&category), "{own:?}");
        let none = pool.vector(ReferenceKind::None, &data, &item, &red, &mut rng);
        assert!(none.iter().all(|&v| v == 0.0) && none.len() == pool.inputs());
    }
}
