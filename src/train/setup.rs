//! What a run computes once before its first epoch and caches in its folder: the colour
//! classes (the ab grid, or a k-means palette learnt from the training photos) and the class
//! rebalancing weights from the training set's ab histogram.

use std::path::Path;

use rayon::prelude::*;

use super::augment::{Augment, augment};
use super::batch::{TargetSpec, lab_planes, pool_ab};
use super::checkpoint::write_atomic;
use super::config::TrainConfig;
use super::data::{Dataset, Item};
use super::error::TrainError;
use super::events::Reporter;
use super::loss::LossKind;
use super::rebalance::{ClassWeights, LAMBDA, SIGMA, histogram};
use crate::color::classes::{AbClasses, GRID, SOFT_K, SOFT_SIGMA, gamut_grid};
use crate::color::palette::kmeans;
use crate::model::file::Model;
use crate::model::{ColorNet, Head, ModelConfig};
use crate::rng::Rng;
use burn::prelude::Device;

/// Photos sampled for the ab histogram and the palette (enough for stable statistics).
const STATISTICS_PHOTOS: usize = 1000;

/// The architecture a run trains.
pub fn model_config(config: &TrainConfig, spec: Option<&TargetSpec>) -> ModelConfig {
    let head = match (config.loss, spec) {
        (LossKind::Classification, Some(spec)) => {
            let centers = spec.classes.centers().to_vec();
            if config.palette.is_some() { Head::Palette { centers } } else { Head::Classification { centers } }
        }
        _ => Head::Regression,
    };
    ModelConfig {
        arch: config.arch,
        widths: config.widths,
        head,
        reference: config.reference,
        reference_sight: config.reference_sight,
    }
}

/// The network a new run starts from: random weights, or those of the `--init` model
/// (fine-tuning), which must have the run's architecture; or, with `--trunk`, the decoder of an
/// `--init` model on another pretrained trunk, moved onto this run's trunk.
pub fn initial_net(
    config: &TrainConfig,
    architecture: &ModelConfig,
    device: &Device,
    reporter: &mut dyn Reporter,
) -> Result<ColorNet, TrainError> {
    let Some(path) = &config.init else { return fresh_net(config, architecture, device, reporter) };
    let bytes = std::fs::read(path).map_err(TrainError::io(path))?;
    let model = Model::from_bytes(&bytes, device)?;
    let other_trunk = config.trunk.is_some()
        && model.config.arch != architecture.arch
        && (ModelConfig { arch: architecture.arch, ..model.config.clone() }) == *architecture;
    if other_trunk && let ColorNet::Trunk(from) = model.net {
        let ColorNet::Trunk(mut net) = fresh_net(config, architecture, device, reporter)? else {
            unreachable!("a trunk architecture builds a trunk network")
        };
        let kept = net.adopt_decoder(from);
        reporter.note(format!(
            "moved the decoder of {} onto this trunk; layers that read the new trunk's maps start afresh: {}",
            path.display(),
            kept.join(", ")
        ));
        return Ok(ColorNet::Trunk(net));
    }
    // An automatic model becomes the start of a guided one: the same network, and a reference
    // branch that starts at zero (the colours stay the model's until it learns).
    if !model.config.reference && (ModelConfig { reference: true, ..model.config.clone() }) == *architecture {
        reporter.note(format!("starting from the weights of {}, with a new colour-reference branch", path.display()));
        return Ok(model.net.with_reference_branch(architecture, device));
    }
    // A guided model becomes the start of one whose reference branch sees the photo; the
    // sight starts at zero, so the colours stay the model's until it learns.
    if model.config.reference
        && !model.config.reference_sight
        && (ModelConfig { reference_sight: true, ..model.config.clone() }) == *architecture
    {
        reporter.note(format!(
            "starting from the weights of {}, its reference branch given sight of the photo",
            path.display()
        ));
        return Ok(model.net.with_reference_sight(architecture, device));
    }
    if &model.config != architecture {
        return Err(TrainError::Config(format!(
            "--init {}: its architecture ({}) differs from this run's ({}); train with its --widths, loss and palette",
            path.display(),
            describe(&model.config),
            describe(architecture)
        )));
    }
    reporter.note(format!("starting from the weights of {}", path.display()));
    Ok(model.net)
}

/// Random weights, with the pretrained trunk loaded when the architecture has one.
fn fresh_net(
    config: &TrainConfig,
    architecture: &ModelConfig,
    device: &Device,
    reporter: &mut dyn Reporter,
) -> Result<ColorNet, TrainError> {
    match (architecture.init(device), &config.trunk) {
        (ColorNet::Trunk(mut net), Some(path)) => {
            let spec = architecture.arch.trunk().expect("a trunk architecture");
            net.trunk = super::import::load_trunk(path, spec, device)?;
            reporter.note(format!("starting from the pretrained trunk {}", path.display()));
            Ok(ColorNet::Trunk(net))
        }
        (net, _) => Ok(net),
    }
}

fn describe(config: &ModelConfig) -> String {
    let head = match &config.head {
        Head::Classification { centers } => format!("{} colour classes", centers.len()),
        Head::Palette { centers } => format!("a {}-colour palette", centers.len()),
        Head::Regression => "regression".to_string(),
    };
    let reference = if config.reference { ", colour reference" } else { "" };
    format!("{:?}, widths {:?}, {head}{reference}", config.arch, config.widths)
}

/// ab at head resolution of a fixed sample of training photos (centre crops).
fn sample_ab(data: &Dataset, items: &[Item], size: usize, seed: u64) -> Vec<[f32; 2]> {
    let mut picked: Vec<&Item> = items.iter().collect();
    Rng::new(seed ^ 3).shuffle(&mut picked);
    picked.truncate(STATISTICS_PHOTOS);
    picked
        .par_iter()
        .filter_map(|item| data.load(item).ok())
        .map(|image| {
            let (w, h) = (image.width() as usize, image.height() as usize);
            let crop = augment(image.as_raw(), w, h, size, &Augment::NONE, &mut Rng::new(0));
            pool_ab(&lab_planes(&crop).1, size, 2)
        })
        .flatten()
        .collect()
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Option<T> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<(), TrainError> {
    let json = serde_json::to_vec_pretty(value).map_err(|e| TrainError::Config(e.to_string()))?;
    write_atomic(path, &json)
}

/// The colour classes and their weights (None for regression), computed once per run folder.
pub fn target_spec(
    config: &TrainConfig,
    data: &Dataset,
    items: &[Item],
    run_dir: &Path,
    reporter: &mut dyn Reporter,
) -> Result<Option<TargetSpec>, TrainError> {
    if config.loss == LossKind::Regression {
        return Ok(None);
    }
    let mut samples = None;
    let mut sample =
        || -> Vec<[f32; 2]> { samples.get_or_insert_with(|| sample_ab(data, items, config.size, config.seed)).clone() };
    let classes = match config.palette {
        None => gamut_grid(GRID),
        Some(k) => {
            let path = run_dir.join("palette.json");
            match read_json::<Vec<[f32; 2]>>(&path).filter(|c| c.len() == k) {
                Some(centers) => AbClasses::from_centers(centers),
                None => {
                    let every_fourth: Vec<[f32; 2]> = sample().into_iter().step_by(4).collect();
                    let palette = kmeans(&every_fourth, k, 30, config.seed);
                    write_json(&path, &palette.centers().to_vec())?;
                    palette
                }
            }
        }
    };
    let path = run_dir.join("class_weights.json");
    let weights = match read_json::<ClassWeights>(&path).filter(|w| w.weights.len() == classes.len()) {
        Some(weights) => weights,
        None => {
            reporter.note("computing class rebalancing weights from the training photos' colours".into());
            let weights = ClassWeights::from_counts(&classes, histogram(&classes, sample()), LAMBDA, SIGMA);
            write_json(&path, &weights)?;
            weights
        }
    };
    let k = if config.palette.is_some() { 1 } else { SOFT_K };
    Ok(Some(TargetSpec { classes, weights: weights.weights, k, sigma: SOFT_SIGMA }))
}
