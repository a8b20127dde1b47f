//! The training loop: epochs of Adam steps on the autodiff device, validation with the real
//! inference pipeline, reports, atomic checkpoints, early stopping and exact resumption.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use burn::tensor::Bytes;
use indicatif::{ProgressBar, ProgressStyle};

use super::augment::Augment;
use super::batch::{HintCount, TargetSpec};
use super::checkpoint::{Checkpoint, Progress, write_atomic};
use super::config::TrainConfig;
use super::data::{Dataset, Item};
use super::error::TrainError;
use super::loader::{Recipe, epoch_photos, spawn_epoch};
use super::loss::{LossKind, classification_loss, regression_loss};
use super::report::{EpochRow, write_reports};
use super::setup::{initial_net, model_config, target_spec};
use super::validate::{Validation, validate};
use crate::model::ColorNet;
use crate::rng::Rng;
use crate::weights::Model;

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

/// Train from scratch into `run_dir`, or continue the run there when `resume` is true.
/// `stop_after` ends this invocation after that many epochs (the run itself may go on later).
pub fn train(
    config: Option<TrainConfig>,
    run_dir: &Path,
    device: Device,
    device_name: &str,
    stop_after: Option<usize>,
) -> Result<RunSummary, TrainError> {
    let dir = RunDir(run_dir.to_path_buf());
    let resume = config.is_none();
    let config = match config {
        Some(config) => start_run(&dir, config)?,
        None => read_config(&dir)?,
    };
    config.validate()?;
    println!("training on {device_name}");
    let data = Arc::new(Dataset::open(&config.data, config.classes.as_deref(), config.val_fraction)?);
    let (train_items, val_items) = select_items(&data, &config);
    println!("{} training photos, {} validation photos", train_items.len(), val_items.len());
    let spec = target_spec(&config, &data, &train_items, run_dir)?.map(Arc::new);
    let ad = device.clone().autodiff();
    ad.seed(config.seed);
    let model_config = model_config(&config, spec.as_deref());
    let restored = if resume { restore(&dir, &ad)? } else { None };
    let (mut net, mut optim, mut progress) = match restored {
        Some(state) => state,
        None => (initial_net(&config, &model_config, &ad)?, AdamConfig::new().init(), Progress::default()),
    };
    if !config.train_trunk {
        net = net.freeze_trunk();
    }
    let recipe = training_recipe(&config, model_config.head_stride());
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
        let (trained, train_loss, seen) =
            train_epoch(&config, &data, &train_items, (recipe, spec.clone()), epoch, lr, net, &mut optim, &ad)?;
        net = trained;
        let seconds = started.elapsed().as_secs_f64();
        let speed = seen as f64 / seconds.max(1e-9);
        speeds.push(speed);
        let model = Model { config: model_config.clone(), net: net.valid() };
        let validation = validate(&config, &data, &val_items, spec.as_deref(), &model, &device, epoch, run_dir)?;
        println!("epoch {}: train loss {train_loss:.4} | {validation} | {speed:.1} img/s", epoch + 1);
        rows.push(EpochRow::new(epoch + 1, train_loss, &validation, lr, seconds, speed));
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
            println!("stopping early: no better validation loss for {} epochs", config.patience);
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
fn select_items(data: &Dataset, config: &TrainConfig) -> (Vec<Item>, Vec<Item>) {
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
        println!("no validation photos in the data: validating on the training photos");
        pick(&train, Some(config.val_images), 2)
    } else {
        pick(&data.val, Some(config.val_images), 2)
    };
    (train, val)
}

/// The state a resumed run continues from: the last checkpoint, or the one before it when the
/// last is missing or damaged; `None` when the run was stopped before its first checkpoint.
fn restore(dir: &RunDir, ad: &Device) -> Result<Option<(ColorNet, ModuleOptimizer, Progress)>, TrainError> {
    super::checkpoint::remove_temporaries(&dir.0);
    let candidates: Vec<PathBuf> = [dir.last(), dir.previous()].into_iter().filter(|p| p.exists()).collect();
    if candidates.is_empty() {
        println!("no checkpoint yet: starting the run from its beginning");
        return Ok(None);
    }
    let mut refused = None;
    for path in candidates {
        match load_state(&path, ad) {
            Ok(state) => {
                if let Some(error) = &refused {
                    eprintln!("warning: {error}; using {} instead", path.display());
                }
                println!("resuming after epoch {}", state.2.epoch);
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

fn progress_bar(total: u64, epoch: usize, epochs: usize) -> ProgressBar {
    let style = ProgressStyle::with_template(&format!(
        "epoch {}/{epochs} {{bar:30}} {{pos}}/{{len}} photos | {{msg}} | {{per_sec}} | ETA {{eta}}",
        epoch + 1
    ))
    .expect("valid template");
    ProgressBar::new(total).with_style(style)
}

/// Progress as plain lines, every tenth of an epoch, when the bar is hidden (output
/// redirected to a log file, `nohup`, CI): long runs must still show they are alive.
struct PlainProgress {
    next: u64,
    step: u64,
    start: std::time::Instant,
}

impl PlainProgress {
    fn new(total: usize) -> Self {
        let step = (total as u64 / 10).max(1);
        Self { next: step, step, start: std::time::Instant::now() }
    }

    fn report(&mut self, bar: &ProgressBar, epoch: usize, epochs: usize, loss: f64) {
        let done = bar.position();
        if !bar.is_hidden() || done < self.next {
            return;
        }
        self.next = (done / self.step + 1) * self.step;
        let rate = done as f64 / self.start.elapsed().as_secs_f64().max(1e-9);
        let total = bar.length().unwrap_or(done);
        let eta = (total.saturating_sub(done)) as f64 / rate.max(1e-9);
        println!(
            "epoch {}/{epochs}: {done}/{total} photos, loss {loss:.4}, {rate:.1} img/s, ETA {eta:.0} s",
            epoch + 1
        );
    }
}

/// How training photos become examples: the run's crop size, augmentation and hints, with
/// targets at the head's resolution.
fn training_recipe(config: &TrainConfig, stride: usize) -> Recipe {
    let augment = if config.augment { Augment::default() } else { Augment::NONE };
    let hints = if config.hints { HintCount::Random } else { HintCount::Exactly(0) };
    Recipe { size: config.size, stride, augment, hints }
}

/// One epoch over the training photos (all, or `epoch_photos` of them); returns the network,
/// the mean loss and photos seen.
#[allow(clippy::too_many_arguments)]
fn train_epoch(
    config: &TrainConfig,
    data: &Arc<Dataset>,
    items: &[Item],
    (recipe, spec): (Recipe, Option<Arc<TargetSpec>>),
    epoch: usize,
    lr: f64,
    mut net: ColorNet,
    optim: &mut ModuleOptimizer,
    ad: &Device,
) -> Result<(ColorNet, f64, usize), TrainError> {
    let order: Vec<Item> = epoch_photos(items.len(), config.seed, epoch, config.epoch_photos)
        .into_iter()
        .map(|i| items[i].clone())
        .collect();
    let total = order.len();
    let receiver = spawn_epoch(data.clone(), order, config.batch, epoch, config.seed, recipe, spec);
    let bar = progress_bar(total as u64, epoch, config.epochs);
    let mut log_line = PlainProgress::new(total);
    let (mut loss_sum, mut steps, mut seen, mut failures) = (0.0, 0usize, 0usize, 0usize);
    for prepared in receiver {
        bar.inc((prepared.batch.len() + prepared.grey + prepared.failures.len()) as u64);
        for failure in prepared.failures.iter().take(3usize.saturating_sub(failures)) {
            bar.suspend(|| eprintln!("warning: skipped {failure}"));
        }
        failures += prepared.failures.len();
        if prepared.batch.is_empty() {
            continue;
        }
        let output = net.forward(prepared.batch.inputs(ad));
        let loss = match (&config.loss, &prepared.soft) {
            (LossKind::Classification, Some(soft)) => {
                let (index, weight) = soft.to_tensors(ad);
                classification_loss(output, index, weight)
            }
            _ => regression_loss(output, prepared.batch.ab_targets(ad)),
        };
        let value = loss.clone().into_scalar::<f32>() as f64;
        if !value.is_finite() {
            return Err(TrainError::Config(format!("the loss became {value} at epoch {}: lower --lr", epoch + 1)));
        }
        let grads = GradientsParams::from_grads(loss.backward(), &net);
        net = optim.step(lr, net, grads);
        loss_sum += value;
        steps += 1;
        seen += prepared.batch.len();
        bar.set_message(format!("loss {:.4}", loss_sum / steps as f64));
        log_line.report(&bar, epoch, config.epochs, loss_sum / steps as f64);
    }
    bar.finish_and_clear();
    if failures > 0 {
        eprintln!("warning: {failures} photos could not be read this epoch");
    }
    if steps == 0 {
        return Err(TrainError::Data("no usable training photos (all unreadable or near-grey)".into()));
    }
    Ok((net, loss_sum / steps as f64, seen))
}
