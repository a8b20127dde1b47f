//! Validation after every epoch: the loss on held-out photos, and the quality of the colour
//! images the real inference path (decode, upsample, recombine) makes from them, beside the
//! grey baseline; plus a grid of fixed photos (rows: grey, predicted, truth).

use std::path::Path;

use burn::prelude::*;
use image::{RgbImage, imageops};

use super::augment::Augment;
use super::batch::{Batch, HintCount, TargetSpec};
use super::config::TrainConfig;
use super::data::{Dataset, Item};
use super::error::TrainError;
use super::loader::{Recipe, prepare};
use super::loss::{classification_loss, regression_loss};
use super::metrics::{QualitySummary, QualityTotals, grey_baseline};
use crate::color::classes::DEFAULT_TEMPERATURE;
use crate::model::decode_ab;
use crate::model::file::Model;
use crate::pipeline::decode::Photo;
use crate::pipeline::{AbMap, ColorizeOptions, recombine};

/// Photos in the per-epoch grid.
pub const GRID_PHOTOS: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Validation {
    pub loss: f64,
    pub quality: QualitySummary,
}

impl std::fmt::Display for Validation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "val loss {:.4} | {}", self.loss, self.quality)
    }
}

/// Colour images made from the network's `output` for a batch, through the inference
/// pipeline's recombination.
fn colorize_batch(model: &Model, batch: &Batch, output: Tensor<4>) -> Result<Vec<Vec<u8>>, TrainError> {
    let ab = decode_ab(&model.config, output, DEFAULT_TEMPERATURE).into_data();
    let ab = ab.try_into_vec::<f32>().map_err(|e| TrainError::Config(format!("{e:?}")))?;
    let (size, side) = (batch.size, batch.head_side());
    let plane = side * side;
    let options = ColorizeOptions::default();
    Ok(batch
        .examples
        .iter()
        .enumerate()
        .map(|(b, example)| {
            let lightness = example.input[..size * size].iter().map(|v| (v + 1.0) * 50.0).collect();
            let photo = Photo { width: size as u32, height: size as u32, lightness, alpha: None, high_depth: false };
            let a = ab[(2 * b) * plane..(2 * b + 1) * plane].to_vec();
            let bb = ab[(2 * b + 1) * plane..(2 * b + 2) * plane].to_vec();
            let map = AbMap { width: side, height: side, ab: [a, bb] };
            recombine(&photo, &map, &options).to_rgb8().into_raw()
        })
        .collect())
}

/// The loss of a batch's network `output`, as in training (with the same class weights).
fn batch_loss(output: Tensor<4>, batch: &Batch, spec: Option<&TargetSpec>, device: &Device) -> f64 {
    let loss = match spec {
        Some(spec) => {
            let (index, weight) = batch.soft_targets(spec).to_tensors(device);
            classification_loss(output, index, weight)
        }
        None => regression_loss(output, batch.ab_targets(device)),
    };
    loss.into_scalar::<f32>() as f64
}

/// The photos a run validates on, and how it turns them into examples and targets.
pub struct ValidationSet<'a> {
    pub config: &'a TrainConfig,
    pub data: &'a Dataset,
    pub items: &'a [Item],
    pub spec: Option<&'a TargetSpec>,
}

/// Validate `model` after `epoch` (counting from 0): the loss as in training and the quality
/// of the colorized photos; a grid of the first few goes to `run_dir/grids/`.
pub fn validate(
    set: &ValidationSet,
    model: &Model,
    device: &Device,
    epoch: usize,
    run_dir: &Path,
) -> Result<Validation, TrainError> {
    let &ValidationSet { config, data, items, spec } = set;
    let stride = model.config.head_stride();
    let recipe =
        Recipe { size: config.size, stride, augment: Augment::NONE, hints: HintCount::Exactly(0), references: None };
    let refs: Vec<&Item> = items.iter().collect();
    let (mut totals, mut loss_sum, mut batches) = (QualityTotals::default(), 0.0, 0usize);
    let mut grid = Vec::new();
    for (b, chunk) in refs.chunks(config.batch).enumerate() {
        let prepared = prepare(data, chunk, b * config.batch, 0, config.seed, &recipe, None);
        if prepared.batch.is_empty() {
            continue;
        }
        let output = model.net.forward(prepared.batch.inputs(device));
        loss_sum += batch_loss(output.clone(), &prepared.batch, spec, device);
        batches += 1;
        let predictions = colorize_batch(model, &prepared.batch, output)?;
        for (example, prediction) in prepared.batch.examples.iter().zip(predictions) {
            let grey = grey_baseline(&example.crop);
            totals.add(&prediction, &grey, &example.crop);
            if grid.len() < GRID_PHOTOS {
                grid.push([grey, prediction, example.crop.clone()]);
            }
        }
    }
    if batches == 0 {
        return Err(TrainError::Data("no usable validation photos (all unreadable or near-grey)".into()));
    }
    save_grid(&run_dir.join("grids").join(format!("epoch-{:03}.png", epoch + 1)), &grid, config.size)?;
    Ok(Validation { loss: loss_sum / batches as f64, quality: totals.summary() })
}

/// A grid image: one column per photo; rows grey, predicted, truth; 2 px gaps.
pub fn save_grid(path: &Path, columns: &[[Vec<u8>; 3]], size: usize) -> Result<(), TrainError> {
    let gap = 2;
    let cell = size as u32 + gap;
    let mut canvas = RgbImage::from_pixel(cell * columns.len() as u32 + gap, cell * 3 + gap, image::Rgb([255; 3]));
    for (x, column) in columns.iter().enumerate() {
        for (y, pixels) in column.iter().enumerate() {
            let tile = RgbImage::from_raw(size as u32, size as u32, pixels.clone()).expect("square crop");
            imageops::replace(&mut canvas, &tile, (gap + x as u32 * cell) as i64, (gap + y as u32 * cell) as i64);
        }
    }
    write_png(path, canvas)
}

/// Write `image` as a PNG at `path` (atomically), creating its folder if needed.
pub fn write_png(path: &Path, image: RgbImage) -> Result<(), TrainError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(TrainError::io(parent))?;
    }
    let png = crate::pipeline::encode(&image::DynamicImage::ImageRgb8(image), crate::pipeline::OutputFormat::Png)?;
    super::checkpoint::write_atomic(path, &png)
}
