//! `burn-colorize bench --train`: training steps per second on synthetic batches, with the
//! time split between forward (with the loss), backward and the optimizer step. The same step
//! as `train` (rebalanced soft cross-entropy over 5 gathered classes, Adam) without data
//! loading, to compare frameworks (scripts/bench-train.sh runs the PyTorch twin).

use std::time::Instant;

use burn::optim::{AdamConfig, GradientsParams};
use burn::prelude::*;
use burn::tensor::Distribution;
use burn_colorize::model::ColorNet;
use burn_colorize::train::loss::classification_loss;
use burn_colorize::{Arch, ModelConfig};

use super::CliError;
use super::train::ArchArg;

/// Options of `bench --train`.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// Crop size for --train.
    #[arg(long, default_value_t = 64)]
    pub train_size: usize,

    /// Batch size for --train.
    #[arg(long, default_value_t = 32)]
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
}

/// Seconds spent in each part of the timed steps.
#[derive(Default)]
struct Split {
    forward: f64,
    backward: f64,
    step: f64,
}

pub fn run(options: &Options) -> Result<(), CliError> {
    let (size, batch) = (options.train_size, options.batch);
    if size % 16 != 0 || size == 0 || batch == 0 {
        return Err(CliError::Usage(format!("--train-size {size} must be a multiple of 16, --batch at least 1")));
    }
    let device = Device::flex().autodiff();
    device.seed(0);
    let arch = options.arch.into();
    let mut config = ModelConfig::default_classification();
    config.arch = arch;
    config.widths = arch.default_widths();
    let mut net = config.init(&device);
    if !options.train_trunk {
        net = net.freeze_trunk();
    }
    let side = size / config.head_stride();
    let classes = config.output_channels();
    let inputs = Tensor::<4>::random([batch, 4, size, size], Distribution::Normal(0.0, 1.0), &device);
    let index = Tensor::<4, Int>::random([batch, 5, side, side], Distribution::Uniform(0.0, classes as f64), &device);
    let weight = Tensor::<4>::random([batch, 5, side, side], Distribution::Default, &device);
    let mut optim = AdamConfig::new().init();
    let mut split = Split::default();
    let mut step = |net: ColorNet, split: &mut Split| {
        let start = Instant::now();
        let loss = classification_loss(net.forward(inputs.clone()), index.clone(), weight.clone());
        let _ = loss.clone().into_scalar::<f32>();
        let forward = Instant::now();
        let grads = GradientsParams::from_grads(loss.backward(), &net);
        let backward = Instant::now();
        let net = optim.step(1e-3, net, grads);
        split.forward += (forward - start).as_secs_f64();
        split.backward += (backward - forward).as_secs_f64();
        split.step += backward.elapsed().as_secs_f64();
        net
    };
    for _ in 0..3 {
        net = step(net, &mut Split::default());
    }
    for _ in 0..options.steps {
        net = step(net, &mut split);
    }
    let total = split.forward + split.backward + split.step;
    let speed = (options.steps * batch) as f64 / total;
    let per_step = |s: f64| s * 1e3 / options.steps as f64;
    println!(
        "{arch:?}{}, {size}x{size}, batch {batch}: forward {:.0} ms, backward {:.0} ms, optimizer {:.0} ms per step",
        if options.train_trunk { " (trunk trained)" } else { "" },
        per_step(split.forward),
        per_step(split.backward),
        per_step(split.step)
    );
    println!("RESULT burn {} cpu images_per_second={speed:.1}", env!("CARGO_PKG_VERSION"));
    Ok(())
}

impl From<ArchArg> for Arch {
    fn from(arch: ArchArg) -> Self {
        match arch {
            ArchArg::Unet => Arch::Unet,
            ArchArg::EfficientnetLite0 => Arch::EfficientnetLite0,
        }
    }
}
