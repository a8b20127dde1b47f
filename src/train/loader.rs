//! Turning data-set items into batches, in parallel and off the training thread.
//!
//! Every random choice for a photo (crop, flip, rotation, hints) comes from a generator seeded
//! by (run seed, epoch, position in the epoch), never from shared state, so batches are the
//! same whatever the thread timing, and a resumed run sees exactly the batches a straight run
//! would have seen.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, sync_channel};

use rayon::prelude::*;

use super::augment::{Augment, augment};
use super::batch::{Batch, Example, HintCount, SoftTargets, TargetSpec, make_example};
use super::data::{Dataset, Item};
use super::references::ReferencePool;
use crate::rng::Rng;

/// How to turn photos into examples.
#[derive(Debug, Clone)]
pub struct Recipe {
    pub size: usize,
    /// The model's head stride (targets are built at that resolution).
    pub stride: usize,
    pub augment: Augment,
    pub hints: HintCount,
    /// Colour references drawn for each photo (guided models), or none.
    pub references: Option<Arc<ReferencePool>>,
}

/// A batch with its classification targets already encoded.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub batch: Batch,
    pub soft: Option<SoftTargets>,
    /// Photos that could not be read, with the reason.
    pub failures: Vec<String>,
    /// Photos skipped as near-grey.
    pub grey: usize,
}

/// The generator for the photo at `position` of `epoch`.
pub fn item_rng(seed: u64, epoch: usize, position: usize) -> Rng {
    let mut rng = Rng::new(seed ^ 0x5EED_0000_0000_0000);
    let mut mixed = Rng::new(rng.next_u64() ^ ((epoch as u64) << 32) ^ position as u64);
    mixed.fork()
}

/// The order in which an epoch visits the training items.
pub fn epoch_order(count: usize, seed: u64, epoch: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..count).collect();
    Rng::new(seed.wrapping_add(0x9E37_79B9_7F4A_7C15u64.wrapping_mul(epoch as u64 + 1))).shuffle(&mut order);
    order
}

/// The photos `epoch` visits: a shuffled pass over all `count` of them, or, with `per_epoch`
/// smaller than `count`, the next `per_epoch` photos of an endless stream of shuffled passes.
/// Short epochs give a large data set a checkpoint and a validation every `per_epoch` photos
/// while every photo is still seen once per pass.
pub fn epoch_photos(count: usize, seed: u64, epoch: usize, per_epoch: Option<usize>) -> Vec<usize> {
    let Some(n) = per_epoch.filter(|&n| n > 0 && n < count) else {
        return epoch_order(count, seed, epoch);
    };
    let mut photos = Vec::with_capacity(n);
    let mut position = epoch * n;
    while photos.len() < n {
        let (pass, from) = (position / count, position % count);
        let take = (n - photos.len()).min(count - from);
        photos.extend_from_slice(&epoch_order(count, seed, pass)[from..from + take]);
        position += take;
    }
    photos
}

/// Load, augment and encode one photo.
fn example(data: &Dataset, item: &Item, recipe: &Recipe, mut rng: Rng) -> Result<Option<Example>, String> {
    let image = data.load(item).map_err(|e| e.to_string())?;
    let (w, h) = (image.width() as usize, image.height() as usize);
    let crop = augment(image.as_raw(), w, h, recipe.size, &recipe.augment, &mut rng);
    let Some(mut example) = make_example(crop, recipe.size, recipe.stride, recipe.hints, &mut rng) else {
        return Ok(None);
    };
    if let Some(pool) = &recipe.references {
        let kind = pool.draw_kind(&mut rng);
        example.reference = pool.vector(kind, data, item, &image, &mut rng);
    }
    Ok(Some(example))
}

/// Build the batch of `items` (positions `first..` of `epoch`), photos in parallel.
pub fn prepare(
    data: &Dataset,
    items: &[&Item],
    first: usize,
    epoch: usize,
    seed: u64,
    recipe: &Recipe,
    spec: Option<&TargetSpec>,
) -> Prepared {
    let results: Vec<_> = items
        .par_iter()
        .enumerate()
        .map(|(i, item)| example(data, item, recipe, item_rng(seed, epoch, first + i)))
        .collect();
    let (mut examples, mut failures, mut grey) = (Vec::new(), Vec::new(), 0);
    for (result, item) in results.into_iter().zip(items) {
        match result {
            Ok(Some(example)) => examples.push(example),
            Ok(None) => grey += 1,
            Err(e) => failures.push(format!("{}: {e}", item.name)),
        }
    }
    let batch = Batch { size: recipe.size, stride: recipe.stride, examples };
    let soft = spec.map(|spec| batch.soft_targets(spec));
    Prepared { batch, soft, failures, grey }
}

/// Batches of an epoch, prepared by a background thread two batches ahead of the trainer.
pub fn spawn_epoch(
    data: std::sync::Arc<Dataset>,
    items: Vec<Item>,
    batch_size: usize,
    epoch: usize,
    seed: u64,
    recipe: Recipe,
    spec: Option<std::sync::Arc<TargetSpec>>,
) -> Receiver<Prepared> {
    let (sender, receiver) = sync_channel(2);
    std::thread::spawn(move || {
        let refs: Vec<&Item> = items.iter().collect();
        for (b, chunk) in refs.chunks(batch_size).enumerate() {
            let prepared = prepare(&data, chunk, b * batch_size, epoch, seed, &recipe, spec.as_deref());
            if sender.send(prepared).is_err() {
                return; // the trainer stopped listening
            }
        }
    });
    receiver
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_epochs_walk_through_every_photo_once_per_pass() {
        // 10 photos, epochs of 4: epochs 0-4 cover two passes of 10 exactly.
        let stream: Vec<usize> = (0..5).flat_map(|e| epoch_photos(10, 7, e, Some(4))).collect();
        assert_eq!(stream.len(), 20);
        for pass in stream.chunks(10) {
            let mut seen = pass.to_vec();
            seen.sort_unstable();
            assert_eq!(seen, (0..10).collect::<Vec<_>>());
        }
        assert_eq!(&stream[..10], epoch_order(10, 7, 0).as_slice());
        assert_eq!(&stream[10..], epoch_order(10, 7, 1).as_slice());
    }

    #[test]
    fn without_a_short_epoch_each_epoch_is_one_pass() {
        assert_eq!(epoch_photos(10, 7, 3, None), epoch_order(10, 7, 3));
        assert_eq!(epoch_photos(10, 7, 3, Some(10)), epoch_order(10, 7, 3));
        assert_eq!(epoch_photos(10, 7, 3, Some(25)), epoch_order(10, 7, 3));
    }
}
