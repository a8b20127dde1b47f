//! `burn-colorize bench --train --devices LIST`: data-parallel training speed, images per second
//! with the first device alone, then the first two, and so on up to the whole list, on one
//! synthetic batch split across them ([`burn_colorize::train::replicas`], the step `train
//! --devices` takes).

use std::time::Instant;

use burn::optim::AdamConfig;
use burn::prelude::*;
use burn_colorize::rng::Rng;
use burn_colorize::train::batch::{Batch, Example, SoftTargets};
use burn_colorize::train::replicas::Replicas;
use burn_colorize::train::{GpuChoice, LossKind, resolve_devices};
use burn_colorize::{Arch, ModelConfig};

use super::error::CliError;

/// What to time: the architecture, crop size, batch, timed steps, and whether the trunk trains.
pub struct Plan {
    pub arch: Arch,
    pub size: usize,
    pub batch: usize,
    pub steps: usize,
    pub train_trunk: bool,
}

pub fn run(plan: &Plan, choices: &[GpuChoice]) -> Result<(), CliError> {
    let &Plan { arch, size, batch, steps, train_trunk } = plan;
    let (devices, name) = resolve_devices(choices)?;
    println!("devices: {name}");
    let config = ModelConfig { arch, widths: arch.default_widths(), ..ModelConfig::default_classification() };
    let (examples, soft) = synthetic(&config, size, batch);
    let mut figures = Vec::new();
    for count in 1..=devices.len() {
        let used: Vec<Device> = devices[..count].iter().map(|d| d.clone().autodiff()).collect();
        let mut net = config.init(&used[0]);
        if !train_trunk {
            net = net.freeze_trunk();
        }
        let mut replicas = Replicas::new(used);
        let mut optim = AdamConfig::new().init();
        let mut seconds = 0.0;
        for step in 0..3 + steps {
            let started = Instant::now();
            let (b, s) = (examples.clone(), soft.clone());
            net = replicas.step(net, &mut optim, 1e-3, b, Some(s), LossKind::Classification)?.0;
            if step >= 3 {
                seconds += started.elapsed().as_secs_f64();
            }
        }
        let speed = (steps * batch) as f64 / seconds;
        println!("{arch:?}, {size}x{size}, batch {batch} on {count} device(s): {speed:.1} images/s");
        figures.push(format!("devices{count}={speed:.1}"));
    }
    println!("RESULT burn {} data-parallel images_per_second {}", env!("CARGO_PKG_VERSION"), figures.join(" "));
    Ok(())
}

/// A random batch of `batch` photos of `size` px with soft targets for `config`'s head.
fn synthetic(config: &ModelConfig, size: usize, batch: usize) -> (Batch, SoftTargets) {
    let mut rng = Rng::new(0);
    let side = size / config.head_stride();
    let classes = config.output_channels();
    let input = |rng: &mut Rng| (0..4 * size * size).map(|_| rng.range_f32(-1.0, 1.0)).collect();
    let examples: Vec<Example> = (0..batch)
        .map(|_| Example { crop: Vec::new(), input: input(&mut rng), ab_head: Vec::new(), reference: Vec::new() })
        .collect();
    let targets = batch * 5 * side * side;
    let soft = SoftTargets {
        index: (0..targets).map(|_| rng.below(classes) as i64).collect(),
        weight: (0..targets).map(|_| rng.next_f32()).collect(),
        shape: [batch, 5, side, side],
    };
    (Batch { size, stride: config.head_stride(), examples }, soft)
}
