//! Evaluation of a model on colour photos at their full size, optionally with N simulated
//! true-colour hints per photo (as Zhang et al. '17 measure interactive colorization).

use std::path::PathBuf;

use image::RgbImage;
use image::imageops::{self, FilterType};

use super::batch::{is_near_grey, lab_planes};
use super::data::{Dataset, Item};
use super::error::TrainError;
use super::events::{Event, Reporter};
use super::metrics::{QualitySummary, QualityTotals, grey_baseline};
use super::references::{ReferenceMix, ReferencePool};
use crate::color::reference::ColorReference;
use crate::model::hints::{HINT_RADIUS, Hint};
use crate::pipeline::decode::Photo;
use crate::pipeline::{ColorizeOptions, Colorizer, working_size};
use crate::rng::Rng;

#[derive(Debug, Clone, PartialEq)]
pub struct EvalOptions {
    /// Simulated hints per photo.
    pub hints: usize,
    /// Colorization options (working size, temperature, ...).
    pub colorize: ColorizeOptions,
    /// Evaluate at most this many photos.
    pub limit: Option<usize>,
    pub seed: u64,
    /// Write a grid of the first photos here: one row each, grey | colorized | original.
    pub grid: Option<PathBuf>,
    /// Only the validation split (photos under val/, validation/ or test/), not all photos.
    pub validation_only: bool,
    /// The colour reference each photo is coloured with.
    pub reference: EvalReference,
}

/// Where `evaluate` takes each photo's colour reference from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EvalReference {
    /// None: automatic colours.
    #[default]
    None,
    /// The photo's own colours (the upper bound of what a reference can lend).
    Own,
    /// The photo's own colours in another framing: mirrored and cropped to 3/4 of its width
    /// and height at a random place, as a colour photo of the same scene from another spot
    /// would be (its parts match the photo's, but not where they are).
    Reframed,
    /// Another photo of the same class (folder) of the same data, as a user's reference would
    /// be: a different photo of the same kind of scene or thing.
    Category,
}

/// Photos in an evaluation grid, and the height each is scaled to.
const GRID_ROWS: usize = 6;
const GRID_HEIGHT: u32 = 160;

/// `count` hints at random points of `truth`, each the mean true colour of the square of
/// half-width `half` (photo pixels) around its point, as training reveals the mean colour of
/// the patch a hint covers.
pub fn simulated_hints(truth: &RgbImage, count: usize, half: usize, rng: &mut Rng) -> Vec<Hint> {
    let (w, h) = (truth.width() as usize, truth.height() as usize);
    (0..count)
        .map(|_| {
            let (x, y) = (rng.below(w), rng.below(h));
            let mut sum = [0u32; 3];
            let mut n = 0;
            for yy in y.saturating_sub(half)..=(y + half).min(h - 1) {
                for xx in x.saturating_sub(half)..=(x + half).min(w - 1) {
                    let p = truth.get_pixel(xx as u32, yy as u32);
                    (0..3).for_each(|c| sum[c] += p[c] as u32);
                    n += 1;
                }
            }
            let mean = |c: usize| ((sum[c] + n / 2) / n) as u8;
            Hint { x: x as f32 + 0.5, y: y as f32 + 0.5, r: mean(0), g: mean(1), b: mean(2) }
        })
        .collect()
}

/// Half-width, in photo pixels, of the part of a `width`-pixel-wide photo that one hint patch
/// covers at working size `size` (sides multiples of `multiple`).
pub fn hint_footprint(width: u32, height: u32, size: u32, multiple: usize) -> usize {
    let (working, _) = working_size(width, height, size, multiple);
    let scale = width as f32 / working as f32;
    ((HINT_RADIUS as f32 + 0.5) * scale - 0.5).round().max(0.0) as usize
}

/// Colorize every photo of `data` (both splits, or the validation split only) at full size and
/// measure the results. Photos that are grey already ([`is_near_grey`]) are counted and
/// skipped, as in training.
/// Progress goes to `reporter` (one phase, "evaluating").
pub fn evaluate(
    colorizer: &Colorizer,
    data: &Dataset,
    options: &EvalOptions,
    reporter: &mut dyn Reporter,
) -> Result<QualitySummary, TrainError> {
    let train = if options.validation_only { &[][..] } else { &data.train[..] };
    let mut items: Vec<_> = train.iter().chain(&data.val).collect();
    if items.is_empty() {
        return Err(TrainError::Data("no photos to evaluate (no val/ or test/ folder for --split val?)".into()));
    }
    if let Some(limit) = options.limit.filter(|&n| n < items.len()) {
        // Evenly spaced, so a limited run still covers every folder (class) of the data.
        items = (0..limit).map(|i| items[i * items.len() / limit]).collect();
    }
    let pool = ReferencePool::new(
        &items.iter().map(|&item| item.clone()).collect::<Vec<_>>(),
        colorizer.model().config.reference_classes(),
        ReferenceMix::TRAINING,
    );
    reporter.report(Event::Begin { label: "evaluating".into(), total: items.len() as u64 });
    let (mut totals, mut alone) = (QualityTotals::default(), 0);
    let mut rows = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let truth = data.load(item)?;
        reporter.report(Event::Advance { done: i as u64 + 1, loss: None });
        if is_near_grey(&lab_planes(truth.as_raw()).1) {
            // A grey original has no colour to measure against (its grey baseline is exact).
            totals.skip_grey();
            continue;
        }
        let mut rng = Rng::new(options.seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let multiple = colorizer.model().config.size_multiple();
        let half = hint_footprint(truth.width(), truth.height(), options.colorize.size, multiple);
        let hints = simulated_hints(&truth, options.hints, half, &mut rng);
        let colour = image::DynamicImage::ImageRgb8(truth.clone());
        let photo = Photo::from_image(&colour)?;
        let lender = reference_photo(options.reference, &pool, data, item, &truth, &mut rng);
        alone += usize::from(options.reference == EvalReference::Category && lender.is_none());
        let reference = lender.as_ref().map(ColorReference::from_rgb_unchecked);
        let run = ColorizeOptions { hints, reference, ..options.colorize.clone() };
        let colour = |run: &ColorizeOptions| pollster::block_on(colorizer.colorize_photo(&photo, run));
        let prediction = colour(&run)?.to_rgb8();
        let grey = grey_baseline(truth.as_raw());
        totals.add(prediction.as_raw(), &grey, truth.as_raw());
        if options.grid.is_some() && rows.len() < GRID_ROWS {
            let grey = RgbImage::from_raw(truth.width(), truth.height(), grey).expect("same size");
            // grey | colorized | original; with a reference, grey | without it | the reference |
            // with it | original, so the grid shows what the reference changed.
            let without = match &lender {
                Some(_) => Some(colour(&ColorizeOptions { reference: None, ..run.clone() })?.to_rgb8()),
                None => None,
            };
            rows.push([Some(grey), without, lender, Some(prediction), Some(truth)].into_iter().flatten().collect());
        }
    }
    reporter.report(Event::End);
    if alone > 0 {
        reporter.warn(format!("{alone} photos have no other photo of their class: coloured without a reference"));
    }
    if totals.is_empty() {
        return Err(TrainError::Data(format!(
            "all {} photos are grey: nothing to measure colour against",
            items.len()
        )));
    }
    if let Some(path) = &options.grid {
        save_rows(path, &rows)?;
    }
    Ok(totals.summary())
}

/// The photo that lends its colours to `item` (decoded: `truth`) under `kind`, if any.
fn reference_photo(
    kind: EvalReference,
    pool: &ReferencePool,
    data: &Dataset,
    item: &Item,
    truth: &RgbImage,
    rng: &mut Rng,
) -> Option<RgbImage> {
    match kind {
        EvalReference::None => None,
        EvalReference::Own => Some(truth.clone()),
        EvalReference::Reframed => Some(reframe(truth, rng)),
        EvalReference::Category => pool.other_of_class(data, item, rng),
    }
}

/// `photo` mirrored and cropped to 3/4 of its width and height at a random place.
fn reframe(photo: &RgbImage, rng: &mut Rng) -> RgbImage {
    let mirrored = imageops::flip_horizontal(photo);
    let (w, h) = mirrored.dimensions();
    let (cw, ch) = ((w * 3 / 4).max(1), (h * 3 / 4).max(1));
    let (x, y) = (rng.below((w - cw + 1) as usize), rng.below((h - ch + 1) as usize));
    imageops::crop_imm(&mirrored, x as u32, y as u32, cw, ch).to_image()
}

/// A grid with one row per photo (grey | the reference, if any | colorized | original), each
/// scaled to the same height, 4 px white gaps.
fn save_rows(path: &std::path::Path, rows: &[Vec<RgbImage>]) -> Result<(), TrainError> {
    let gap = 4;
    let scaled: Vec<Vec<RgbImage>> = rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|image| {
                    let width = (image.width() * GRID_HEIGHT).div_ceil(image.height()).max(1);
                    imageops::resize(image, width, GRID_HEIGHT, FilterType::Triangle)
                })
                .collect()
        })
        .collect();
    let row_width = |row: &Vec<RgbImage>| row.iter().map(|i| i.width() + gap).sum::<u32>() + gap;
    let width = scaled.iter().map(row_width).max().unwrap_or(gap);
    let height = scaled.len() as u32 * (GRID_HEIGHT + gap) + gap;
    let mut canvas = RgbImage::from_pixel(width, height, image::Rgb([255; 3]));
    for (r, row) in scaled.iter().enumerate() {
        let mut x = gap;
        for image in row {
            imageops::replace(&mut canvas, image, x as i64, (gap + r as u32 * (GRID_HEIGHT + gap)) as i64);
            x += image.width() + gap;
        }
    }
    super::validate::write_png(path, canvas)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hint_patch_covers_the_same_part_of_the_photo_as_at_working_size() {
        assert_eq!(hint_footprint(128, 96, 128, 8), HINT_RADIUS, "working size = photo size");
        // 481 px wide at working size 128: one working pixel is ~3.76 photo pixels, so the
        // 3×3 patch spans ~11 photo pixels, half-width 5.
        assert_eq!(hint_footprint(481, 321, 128, 8), 5);
    }

    #[test]
    fn a_reframed_reference_is_the_photo_mirrored_and_cropped() {
        let photo = RgbImage::from_fn(40, 20, |x, y| image::Rgb([x as u8, y as u8, 0]));
        let framed = reframe(&photo, &mut Rng::new(5));
        assert_eq!(framed.dimensions(), (30, 15));
        // Mirrored: red (the column) falls from left to right; cropped: some window of 30.
        let (left, right) = (framed.get_pixel(0, 0)[0], framed.get_pixel(29, 0)[0]);
        assert_eq!(left - right, 29, "left {left}, right {right}");
        assert!((29..=39).contains(&left), "a window of the mirrored photo: {left}");
    }

    #[test]
    fn simulated_hints_carry_the_mean_colour_of_their_square() {
        // Red grows by 10 per column, so a hint's red is 10 × the mean column of its square.
        let truth = RgbImage::from_fn(20, 8, |x, _| image::Rgb([(x * 10) as u8, 50, 200]));
        let hints = simulated_hints(&truth, 30, 2, &mut Rng::new(3));
        assert_eq!(hints.len(), 30);
        for hint in hints {
            let x = hint.x as usize;
            let (x0, x1) = (x.saturating_sub(2), (x + 2).min(19));
            let mean = (x0..=x1).sum::<usize>() as f32 * 10.0 / (x1 - x0 + 1) as f32;
            assert!((hint.r as f32 - mean).abs() <= 0.5, "hint at x {x}: red {} vs {mean}", hint.r);
            assert_eq!((hint.g, hint.b), (50, 200));
        }
    }
}
