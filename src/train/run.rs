//! The training loop: epochs of Adam steps on the autodiff device, validation with the real
//! inference pipeline, reports, atomic checkpoints, early stopping and exact resumption.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use burn::module::Module;
use burn::optim::{AdamConfig, ModuleOptimizer};
use burn::prelude::*;
use burn::tensor::Bytes;

use super::augment::Augment;
use super::batch::{HintCount, TargetSpec};
use super::checkpoint::{Checkpoint, Progress, write_atomic};
use super::config::TrainConfig;
use super::data::{Dataset, Item};
use super::error::TrainError;
use super::events::{Event, Reporter};
use super::loader::{Recipe, epoch_photos, spawn_epoch};
use super::references::{ReferenceMix, ReferencePool};
use super::replicas::Replicas;
use super::report::{EpochRow, write_reports};
use super::setup::{initial_net, model_config, target_spec};
use super::validate::{Validation, ValidationSet, validate};
use crate::model::file::Model;
use crate::model::{ColorNet, ModelConfig};
use crate::rng::Rng;

/// Files of a run folder.
pub struct RunDir(pub PathBuf);

impl RunDir {
    pub fn config(&self) -> PathBuf {
        self.0.join("config.json")
    }
    pub fn last(&self) -> PathBuf {
        self.0.join("last.ckpt")
    }
    /// The checkpoint before `last`, used when `last` turns out damaged.
    pub fn previous(&self) -> PathBuf {
        self.0.join("previous.ckpt")
    }
    pub fn best_checkpoint(&self) -> PathBuf {
        self.0.join("best.ckpt")
    }
    /// The best weights, in the model file format the CLI and the browser load.
    pub fn best_model(&self) -> PathBuf {
        self.0.join("best.bclz")
    }
}

/// What a finished (or stopped) run reports.
#[derive(Debug, Clone)]
pub struct RunSummary {
    pub epochs_done: usize,
    pub best_epoch: usize,
    pub last: Option<Validation>,
    pub stopped_early: bool,
    pub images_per_second: f64,
}

/// How a call to [`train`] begins: a new run with its configuration, or the run already in
/// the folder, continued where its last checkpoint left it.
#[allow(clippy::large_enum_variant)] // one per call to `train`: its size does not matter
#[derive(Debug, Clone)]
pub enum Start {
    New(TrainConfig),
    Resume,
}

/// Where one call to [`train`] works and for how long.
#[derive(Debug, Clone)]
pub struct Session<'a> {
    /// The run folder (config, checkpoints, metrics, the best model).
    pub run_dir: &'a Path,
    pub device: Device,
    /// Further devices for data-parallel training, each with a replica of the network on its
    /// share of every batch ([`super::replicas`]); empty: `device` alone.
    pub replicas: Vec<Device>,
    /// The device(s) in words, for the first line of the report.
    pub device_name: String,
    /// End this call after that many epochs (the run itself may go on later with
    /// [`Start::Resume`]).
    pub stop_after: Option<usize>,
}

impl<'a> Session<'a> {
    /// The whole run on the CPU.
    pub fn cpu(run_dir: &'a Path) -> Self {
        Self { run_dir, device: Device::flex(), replicas: Vec::new(), device_name: "CPU".into(), stop_after: None }
    }
}

/// Train a new run or continue one (`start`) in `session.run_dir`. Progress goes to
/// `reporter`; nothing is printed.
pub fn train(start: Start, session: Session, reporter: &mut dyn Reporter) -> Result<RunSummary, TrainError> {
    let Session { run_dir, device, replicas, device_name, stop_after } = session;
    let dir = RunDir(run_dir.to_path_buf());
    let resume = matches!(start, Start::Resume);
    let config = match start {
        Start::New(config) => start_run(&dir, config)?,
        Start::Resume => read_config(&dir)?,
    };
    config.validate()?;
    reporter.note(format!("training on {device_name}"));
    let data = Arc::new(Dataset::open(&config.data, config.classes.as_deref(), config.val_fraction)?);
    let (train_items, val_items) = select_items(&data, &config, reporter);
    reporter.note(format!("{} training photos, {} validation photos", train_items.len(), val_items.len()));
    let spec = target_spec(&config, &data, &train_items, run_dir, reporter)?.map(Arc::new);
    let ad = device.clone().autodiff();
    ad.seed(config.seed);
    let mut replicas =
        Replicas::new(std::iter::once(ad.clone()).chain(replicas.into_iter().map(|d| d.autodiff())).collect());
    let model_config = model_config(&config, spec.as_deref());
    let restored = if resume { restore(&dir, &ad, reporter)? } else { None };
    let (mut net, mut optim, mut progress) = match restored {
        Some(state) => state,
        None => (initial_net(&config, &model_config, &ad, reporter)?, AdamConfig::new().init(), Progress::default()),
    };
    if !config.train_trunk {
        net = net.freeze_trunk();
    }
    let recipe = training_recipe(&config, &model_config, &train_items);
    let mut rows = super::report::read_rows(&dir.0)?;
    rows.truncate(progress.epoch);
    let mut stopped_early = false;
    let mut last = None;
    let mut speeds = Vec::new();
    let first_epoch = progress.epoch;
    while progress.epoch < config.epochs {
        if stop_after.is_some_and(|n| progress.epoch - first_epoch >= n) {
            break;
        }
        let epoch = progress.epoch;
        let lr = learning_rate(&config, epoch);
        let started = Instant::now();
        let recipe = recipe.clone();
        let plan =
            EpochPlan { config: &config, data: &data, items: &train_items, recipe, spec: spec.clone(), epoch, lr };
        let (trained, train_loss, seen) = train_epoch(plan, net, &mut optim, &mut replicas, reporter)?;
        net = trained;
        let seconds = started.elapsed().as_secs_f64();
        let speed = seen as f64 / seconds.max(1e-9);
        speeds.push(speed);
        let model = Model { config: model_config.clone(), net: net.valid() };
        let set = ValidationSet { config: &config, data: &data, items: &val_items, spec: spec.as_deref() };
        let validation = validate(&set, &model, &device, epoch, run_dir)?;
        reporter.report(Event::Epoch { epoch: epoch + 1, train_loss, validation, images_per_second: speed });
        rows.push(EpochRow::new(epoch + 1, train_loss, &validation, lr, seconds, speed).on_devices(replicas.count()));
        write_reports(&dir.0, &rows)?;
        progress.epoch += 1;
        let improved = validation.loss < progress.best_val_loss;
        if improved {
            progress.best_val_loss = validation.loss;
            progress.best_epoch = epoch + 1;
            progress.epochs_without_improvement = 0;
        } else {
            progress.epochs_without_improvement += 1;
        }
        let checkpoint =
            Checkpoint { model: model.to_bytes()?, optimizer: optimizer_bytes(&optim)?, progress: progress.clone() };
        // `last` is written last: it is what a resumed run starts from, so everything it
        // implies (the best files) must already be on disk when it appears.
        if improved {
            checkpoint.save(&dir.best_checkpoint())?;
            write_atomic(&dir.best_model(), &checkpoint.model)?;
        }
        checkpoint.save_keeping_previous(&dir.last(), &dir.previous())?;
        last = Some(validation);
        if progress.epochs_without_improvement >= config.patience {
            reporter.report(Event::StoppedEarly { patience: config.patience });
            stopped_early = true;
            break;
        }
    }
    let images_per_second = speeds.iter().sum::<f64>() / speeds.len().max(1) as f64;
    Ok(RunSummary {
        epochs_done: progress.epoch,
        best_epoch: progress.best_epoch,
        last,
        stopped_early,
        images_per_second,
    })
}

fn start_run(dir: &RunDir, config: TrainConfig) -> Result<TrainConfig, TrainError> {
    config.validate()?;
    if dir.config().exists() {
        return Err(TrainError::Config(format!(
            "{} already holds a run: continue it with --resume {0}, or choose another --out",
            dir.0.display()
        )));
    }
    std::fs::create_dir_all(&dir.0).map_err(TrainError::io(&dir.0))?;
    let json = serde_json::to_vec_pretty(&config).map_err(|e| TrainError::Config(e.to_string()))?;
    write_atomic(&dir.config(), &json)?;
    Ok(config)
}

fn read_config(dir: &RunDir) -> Result<TrainConfig, TrainError> {
    let bytes = std::fs::read(dir.config()).map_err(TrainError::io(dir.config()))?;
    serde_json::from_slice(&bytes).map_err(|e| TrainError::Config(format!("{}: {e}", dir.config().display())))
}

/// The training photos (all, or a fixed random subset of `limit`) and the validation photos
/// (a fixed random subset of `val_images`; the training photos when there are none).
fn select_items(data: &Dataset, config: &TrainConfig, reporter: &mut dyn Reporter) -> (Vec<Item>, Vec<Item>) {
    let pick = |items: &[Item], n: Option<usize>, salt: u64| {
        let mut items = items.to_vec();
        if n.is_some_and(|n| n < items.len()) {
            Rng::new(config.seed ^ salt).shuffle(&mut items);
            items.truncate(n.unwrap_or(usize::MAX));
        }
        items
    };
    let train = pick(&data.train, config.limit, 1);
    let val = if data.val.is_empty() {
        reporter.note("no validation photos in the data: validating on the training photos".into());
        pick(&train, Some(config.val_images), 2)
    } else {
        pick(&data.val, Some(config.val_images), 2)
    };
    (train, val)
}

/// The state a resumed run continues from: the last checkpoint, or the one before it when the
/// last is missing or damaged; `None` when the run was stopped before its first checkpoint.
fn restore(
    dir: &RunDir,
    ad: &Device,
    reporter: &mut dyn Reporter,
) -> Result<Option<(ColorNet, ModuleOptimizer, Progress)>, TrainError> {
    super::checkpoint::remove_temporaries(&dir.0);
    let candidates: Vec<PathBuf> = [dir.last(), dir.previous()].into_iter().filter(|p| p.exists()).collect();
    if candidates.is_empty() {
        reporter.note("no checkpoint yet: starting the run from its beginning".into());
        return Ok(None);
    }
    let mut refused = None;
    for path in candidates {
        match load_state(&path, ad) {
            Ok(state) => {
                if let Some(error) = &refused {
                    reporter.warn(format!("{error}; using {} instead", path.display()));
                }
                reporter.note(format!("resuming after epoch {}", state.2.epoch));
                return Ok(Some(state));
            }
            Err(error) => refused = refused.or(Some(error)),
        }
    }
    Err(refused.expect("at least one checkpoint was tried"))
}

fn load_state(path: &Path, ad: &Device) -> Result<(ColorNet, ModuleOptimizer, Progress), TrainError> {
    let checkpoint = Checkpoint::load(path)?;
    let damaged = |reason: String| TrainError::Checkpoint { path: path.to_path_buf(), reason };
    let model = Model::from_bytes(&checkpoint.model, ad).map_err(|e| damaged(format!("model: {e}")))?;
    let optim = AdamConfig::new()
        .init()
        .from_bytes(Bytes::from_bytes_vec(checkpoint.optimizer))
        .map_err(|e| damaged(format!("optimizer state: {e}")))?;
    Ok((model.net, optim, checkpoint.progress))
}

fn optimizer_bytes(optim: &ModuleOptimizer) -> Result<Vec<u8>, TrainError> {
    optim.into_bytes().map(|b| b.to_vec()).map_err(|e| TrainError::Config(format!("optimizer state: {e}")))
}

/// Cosine decay from `lr` to `lr / 20` over the run (a pure function of the epoch, so resume
/// continues the schedule exactly).
pub fn learning_rate(config: &TrainConfig, epoch: usize) -> f64 {
    let t = epoch as f64 / config.epochs.max(1) as f64;
    let floor = config.lr / 20.0;
    floor + (config.lr - floor) * 0.5 * (1.0 + (std::f64::consts::PI * t).cos())
}

/// How training photos become examples: the run's crop size, augmentation, hints and colour
/// references (drawn from the training photos), with targets at the head's resolution.
fn training_recipe(config: &TrainConfig, model: &ModelConfig, items: &[Item]) -> Recipe {
    let augment = if config.augment { Augment::default() } else { Augment::NONE };
    let hints = if config.hints { HintCount::Random } else { HintCount::Exactly(0) };
    let mix = config.reference_mix.unwrap_or(ReferenceMix::TRAINING);
    let references = model.reference.then(|| Arc::new(ReferencePool::new(items, model.reference_classes(), mix)));
    Recipe { size: config.size, stride: model.head_stride(), augment, hints, references }
}

/// What one epoch trains on: the run's photos and settings, this epoch's number and rate.
struct EpochPlan<'a> {
    config: &'a TrainConfig,
    data: &'a Arc<Dataset>,
    items: &'a [Item],
    recipe: Recipe,
    spec: Option<Arc<TargetSpec>>,
    epoch: usize,
    lr: f64,
}

/// One epoch over the training photos (all, or `epoch_photos` of them); returns the network,
/// the mean loss and photos seen.
fn train_epoch(
    plan: EpochPlan,
    mut net: ColorNet,
    optim: &mut ModuleOptimizer,
    replicas: &mut Replicas,
    reporter: &mut dyn Reporter,
) -> Result<(ColorNet, f64, usize), TrainError> {
    let EpochPlan { config, data, items, recipe, spec, epoch, lr } = plan;
    let order: Vec<Item> = epoch_photos(items.len(), config.seed, epoch, config.epoch_photos)
        .into_iter()
        .map(|i| items[i].clone())
        .collect();
    let total = order.len();
    let receiver = spawn_epoch(data.clone(), order, config.batch, epoch, config.seed, recipe, spec);
    reporter.report(Event::Begin { label: format!("epoch {}/{}", epoch + 1, config.epochs), total: total as u64 });
    let (mut loss_sum, mut steps, mut seen, mut done, mut failures) = (0.0, 0usize, 0usize, 0u64, 0usize);
    for prepared in receiver {
        done += (prepared.batch.len() + prepared.grey + prepared.failures.len()) as u64;
        for failure in prepared.failures.iter().take(3usize.saturating_sub(failures)) {
            reporter.warn(format!("skipped {failure}"));
        }
        failures += prepared.failures.len();
        if prepared.batch.is_empty() {
            reporter.report(Event::Advance { done, loss: None });
            continue;
        }
        let count = prepared.batch.len();
        let (stepped, value) = replicas
            .step(net, optim, lr, prepared.batch, prepared.soft, config.loss)
            .map_err(|e| TrainError::Config(format!("epoch {}: {e}", epoch + 1)))?;
        net = stepped;
        loss_sum += value;
        steps += 1;
        seen += count;
        reporter.report(Event::Advance { done, loss: Some(loss_sum / steps as f64) });
    }
    reporter.report(Event::End);
    if failures > 0 {
        reporter.warn(format!("{failures} photos could not be read this epoch"));
    }
    if steps == 0 {
        return Err(TrainError::Data("no usable training photos (all unreadable or near-grey)".into()));
    }
    Ok((net, loss_sum / steps as f64, seen))
}
