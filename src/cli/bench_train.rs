//! `burn-colorize bench --train`: training images per second on synthetic batches, with the
//! time split between forward (with the loss), backward and the optimizer step, the data
//! loader's cost per batch, and peak memory. The same step as `train` (rebalanced soft
//! cross-entropy over 5 gathered classes, Adam) on any device, to compare devices and
//! frameworks (scripts/bench-train.sh runs the PyTorch twin).

use std::path::PathBuf;
use std::time::Instant;

use burn::optim::{AdamConfig, GradientsParams};
use burn::prelude::*;
use burn::tensor::Distribution;
use burn_colorize::model::ColorNet;
use burn_colorize::train::loss::classification_loss;
use burn_colorize::train::{GpuChoice, TrainConfig, resolve_device};
use burn_colorize::{Arch, ModelConfig};

use super::CliError;
use super::memory::peak_rss_mb;
use super::train::{ArchArg, DeviceArg};

/// Options of `bench --train`.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// Crop size for --train (the default is `train`'s).
    #[arg(long, default_value_t = TrainConfig::default().size)]
    pub train_size: usize,

    /// Batch size for --train (the default is `train`'s).
    #[arg(long, default_value_t = TrainConfig::default().batch)]
    pub batch: usize,

    /// Timed training steps for --train (after 3 warm-up steps).
    #[arg(long, default_value_t = 20)]
    pub steps: usize,

    /// Architecture for --train.
    #[arg(long, value_enum, default_value_t = ArchArg::Unet)]
    pub arch: ArchArg,

    /// With --arch efficientnet-lite0: train the trunk too (fine-tuning) instead of freezing it.
    #[arg(long)]
    pub train_trunk: bool,

    /// Device for --train: auto (a hardware GPU when there is one), gpu (also a software
    /// adapter such as lavapipe), cpu (Flex) or libtorch (a `--features libtorch` build).
    #[arg(long, value_enum, default_value_t = DeviceArg::Auto)]
    pub device: DeviceArg,

    /// Data-parallel training speed on these GPUs instead (as `train --devices`: gpu:K, all,
    /// gpu; comma-separated): images/s on the first device, the first two, ... up to all.
    #[arg(long, value_delimiter = ',', value_name = "LIST", conflicts_with = "device")]
    pub devices: Option<Vec<GpuChoice>>,

    /// Photos (folder or zip) to time the data loader on [default: generated 128-px JPEGs].
    #[arg(long, value_name = "PATH")]
    pub data: Option<PathBuf>,
}

/// Seconds spent in each part of the timed steps.
#[derive(Default)]
struct Split {
    forward: f64,
    backward: f64,
    step: f64,
}

/// A fixed synthetic batch: inputs, and the 5 soft-target classes and weights per head pixel.
struct Batch {
    inputs: Tensor<4>,
    index: Tensor<4, Int>,
    weight: Tensor<4>,
}

pub fn run(options: &Options) -> Result<(), CliError> {
    let (size, batch) = (options.train_size, options.batch);
    if size % 16 != 0 || size == 0 || batch == 0 {
        return Err(CliError::Usage(format!("--train-size {size} must be a multiple of 16, --batch at least 1")));
    }
    super::memory::keep_freed_memory();
    if let Some(choices) = &options.devices {
        let plan = super::bench_parallel::Plan {
            arch: options.arch.into(),
            size,
            batch,
            steps: options.steps,
            train_trunk: options.train_trunk,
        };
        return super::bench_parallel::run(&plan, choices);
    }
    let (device, name) = resolve_device(options.device.into())?;
    println!("device: {name}");
    let device = device.autodiff();
    device.seed(0);
    let arch: Arch = options.arch.into();
    let mut config = ModelConfig::default_classification();
    config.arch = arch;
    config.widths = arch.default_widths();
    let mut net = config.init(&device);
    if !options.train_trunk {
        net = net.freeze_trunk();
    }
    let side = size / config.head_stride();
    let classes = config.output_channels();
    let data = Batch {
        inputs: Tensor::random([batch, 4, size, size], Distribution::Normal(0.0, 1.0), &device),
        index: Tensor::random([batch, 5, side, side], Distribution::Uniform(0.0, classes as f64), &device),
        weight: Tensor::random([batch, 5, side, side], Distribution::Default, &device),
    };
    let mut optim = AdamConfig::new().init();
    let mut split = Split::default();
    let mut step = |net: ColorNet, split: &mut Split| -> Result<ColorNet, CliError> {
        let sync = || device.sync().map_err(|e| CliError::Usage(format!("the device failed: {e:?}")));
        let start = Instant::now();
        let loss = classification_loss(net.forward(data.inputs.clone()), data.index.clone(), data.weight.clone());
        let _ = loss.clone().into_scalar::<f32>();
        let forward = Instant::now();
        let grads = GradientsParams::from_grads(loss.backward(), &net);
        sync()?;
        let backward = Instant::now();
        let net = optim.step(1e-3, net, grads);
        sync()?;
        split.forward += (forward - start).as_secs_f64();
        split.backward += (backward - forward).as_secs_f64();
        split.step += backward.elapsed().as_secs_f64();
        Ok(net)
    };
    for _ in 0..3 {
        net = step(net, &mut Split::default())?;
    }
    for _ in 0..options.steps {
        net = step(net, &mut split)?;
    }
    report(options, arch, config.head_stride(), &split);
    Ok(())
}

fn report(options: &Options, arch: Arch, stride: usize, split: &Split) {
    let (size, batch, steps) = (options.train_size, options.batch, options.steps);
    let total = split.forward + split.backward + split.step;
    let speed = (steps * batch) as f64 / total;
    let per_step = |s: f64| s * 1e3 / steps as f64;
    println!(
        "{arch:?}{}, {size}x{size}, batch {batch}: forward {:.0} ms, backward {:.0} ms, optimizer {:.0} ms per step",
        if options.train_trunk { " (trunk trained)" } else { "" },
        per_step(split.forward),
        per_step(split.backward),
        per_step(split.step)
    );
    match super::bench_data::measure(options.data.as_deref(), size, stride, batch, 4) {
        Ok(cost) => println!(
            "data ({}): {:.0} ms per batch on one thread, {:.0} ms on all cores ({:.0}% of a step's time)",
            cost.source,
            cost.one_thread_ms,
            cost.all_cores_ms,
            100.0 * cost.all_cores_ms / per_step(total)
        ),
        Err(error) => println!("data: not measured ({error})"),
    }
    if let Some(mb) = peak_rss_mb() {
        println!("peak memory (resident, whole process): {mb:.0} MB");
    }
    println!("RESULT burn {} {:?} images_per_second={speed:.1}", env!("CARGO_PKG_VERSION"), options.device);
}

impl From<ArchArg> for Arch {
    fn from(arch: ArchArg) -> Self {
        match arch {
            ArchArg::Unet => Arch::Unet,
            ArchArg::EfficientnetLite0 => Arch::EfficientnetLite0,
            ArchArg::EfficientnetLite2 => Arch::EfficientnetLite2,
        }
    }
}
