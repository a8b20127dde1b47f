//! Data-parallel training (`train --devices`): two devices, each with half of every batch, take
//! the step one device takes with the whole batch.
//!
//! The two devices are two wgpu runtimes on the best adapter (`--devices gpu,gpu`): on a machine
//! without a GPU, two runtimes on Mesa's lavapipe, which scripts/check-gpu.sh installs. Without
//! an adapter the tests say so and pass; with BURN_COLORIZE_REQUIRE_GPU=1 (check-gpu.sh) a
//! missing adapter fails.
//!
//! Batch norm computes its statistics over each device's half, so two halves equal the whole
//! batch only when they hold the same photos: the first test gives both halves the same two
//! photos and compares with one device on all four. It steps with plain gradient descent:
//! Adam divides each gradient by its own size, so on its first step a weight whose gradient
//! is rounding noise (a bias before batch norm) moves by ±LR whichever way the noise fell, and
//! the whole batch and its halves round differently (with Adam, weights differed by 4e-5 on
//! average; with gradient descent, by 1e-9). The second test, with Adam as `train` uses, gives
//! the halves different photos and compares with one device that works through the same two
//! halves and adds their gradients (the same kernels on the same shapes: equal to the bit
//! here), which catches a half lost, swapped or weighted wrongly (Adam would hide a wrong
//! scale of the whole gradient, not a wrong direction).
#![cfg(feature = "gpu")]

mod common;

use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::{AdamConfig, GradientsParams, MultiGradientsParams, SgdConfig};
use burn::prelude::*;
use burn::tensor::Distribution;
use burn_colorize::model::ColorNet;
use burn_colorize::train::batch::{Batch, Example, SoftTargets};
use burn_colorize::train::loss::classification_loss;
use burn_colorize::train::replicas::Replicas;
use burn_colorize::train::{GpuChoice, LossKind, Session, Silent, Start, TrainConfig, resolve_devices, train};
use burn_colorize::{Arch, Model, ModelConfig};

const STEPS: usize = 4;
const SIZE: usize = 64;
const LR: f64 = 1e-3;
/// Plain gradient descent's rate in the first test.
const SGD_LR: f64 = 0.05;
/// As in tests/device_train.rs: float sums run in another order on another runtime.
const LOSS_TOLERANCE: f32 = 1e-3;
const MAX_WEIGHT_DIFFERENCE: f32 = STEPS as f32 * LR as f32;
const MEAN_WEIGHT_DIFFERENCE: f32 = 1e-5;

/// Two wgpu runtimes, or None (with the reason printed) when there is no adapter.
fn two_devices() -> Option<Vec<Device>> {
    common::gpu_or_skip(resolve_devices(&[GpuChoice::Best, GpuChoice::Best]))
}

fn config(arch: Arch) -> ModelConfig {
    ModelConfig { arch, widths: arch.default_widths(), ..ModelConfig::default_classification() }
}

/// `photos` random photos (network inputs and soft targets), each repeated `repeat` times in
/// order: [A, B] repeated twice is [A, B, A, B].
fn batch(config: &ModelConfig, photos: usize, repeat: usize) -> (Batch, SoftTargets) {
    let cpu = Device::flex();
    cpu.seed(5);
    let side = SIZE / config.head_stride();
    let classes = config.output_channels() as f64;
    let inputs = Tensor::<4>::random([photos, 4, SIZE, SIZE], Distribution::Normal(0.0, 1.0), &cpu);
    let index = Tensor::<4, Int>::random([photos, 5, side, side], Distribution::Uniform(0.0, classes), &cpu);
    let weight = Tensor::<4>::random([photos, 5, side, side], Distribution::Default, &cpu);
    let rows = |t: Vec<f32>| -> Vec<Vec<f32>> { t.chunks(t.len() / photos).map(<[f32]>::to_vec).collect() };
    let inputs = rows(inputs.into_data().try_to_vec().unwrap());
    let index: Vec<i64> = index.into_data().convert::<i64>().try_to_vec().unwrap();
    let index: Vec<Vec<i64>> = index.chunks(index.len() / photos).map(<[i64]>::to_vec).collect();
    let weight = rows(weight.into_data().try_to_vec().unwrap());
    let order: Vec<usize> = (0..repeat).flat_map(|_| 0..photos).collect();
    let example =
        |i: usize| Example { crop: Vec::new(), input: inputs[i].clone(), ab_head: Vec::new(), reference: Vec::new() };
    let batch =
        Batch { size: SIZE, stride: config.head_stride(), examples: order.iter().map(|&i| example(i)).collect() };
    let soft = SoftTargets {
        index: order.iter().flat_map(|&i| index[i].clone()).collect(),
        weight: order.iter().flat_map(|&i| weight[i].clone()).collect(),
        shape: [order.len(), 5, side, side],
    };
    (batch, soft)
}

/// The network every run starts from, on `device`, loaded from one model file.
fn start(file: &[u8], device: &Device) -> ColorNet {
    Model::from_bytes(file, device).expect("load model").net.freeze_trunk()
}

/// STEPS steps of `Replicas` over `devices` on `batch`: the losses and the network.
/// `sgd`: plain gradient descent instead of Adam (see the first test).
fn replicated(file: &[u8], devices: &[Device], batch: &(Batch, SoftTargets), sgd: bool) -> (Vec<f32>, ColorNet) {
    let devices: Vec<Device> = devices.iter().map(|d| d.clone().autodiff()).collect();
    let mut net = start(file, &devices[0]);
    let mut replicas = Replicas::new(devices);
    let (mut optim, lr) = if sgd { (SgdConfig::new().init(), SGD_LR) } else { (AdamConfig::new().init(), LR) };
    let mut losses = Vec::new();
    for _ in 0..STEPS {
        let (b, soft) = batch.clone();
        let (stepped, loss) = replicas.step(net, &mut optim, lr, b, Some(soft), LossKind::Classification).unwrap();
        net = stepped;
        losses.push(loss as f32);
    }
    (losses, net)
}

/// STEPS steps on one device working through `halves` in turn, each loss weighted by its half
/// of the batch and the gradients added (burn's `step_multi` with both on one device).
fn accumulated(file: &[u8], device: &Device, halves: &[(Batch, SoftTargets)]) -> (Vec<f32>, ColorNet) {
    let device = device.clone().autodiff();
    let mut net = start(file, &device);
    let mut optim = AdamConfig::new().init();
    let mut losses = Vec::new();
    for _ in 0..STEPS {
        let mut grads = MultiGradientsParams::default();
        let mut total = 0.0;
        for (batch, soft) in halves {
            let (index, weight) = soft.to_tensors(&device);
            let loss = classification_loss(net.forward(batch.inputs(&device)), index, weight) * 0.5;
            total += loss.clone().into_scalar::<f32>();
            grads.grads.push((GradientsParams::from_grads(loss.backward(), &net), device.clone()));
        }
        net = optim.step_multi(LR, net, grads);
        losses.push(total);
    }
    (losses, net)
}

/// Every float parameter in module order; `trained_only`: those the optimizer moves (not
/// batch-norm statistics nor the frozen trunk).
struct Weights {
    values: Vec<f32>,
    trained_only: bool,
}

impl ModuleVisitor for Weights {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let tensor = param.val();
        if !self.trained_only || tensor.is_require_grad() {
            self.values.extend(tensor.into_data().convert::<f32>().try_to_vec::<f32>().expect("f32 weights"));
        }
    }
}

fn weights(net: &ColorNet, trained_only: bool) -> Vec<f32> {
    let mut visitor = Weights { values: Vec::new(), trained_only };
    net.visit(&mut visitor);
    visitor.values
}

/// The two runs' losses and weights agree, and the steps moved the weights.
fn assert_agree(
    what: &str,
    (losses, net): (Vec<f32>, ColorNet),
    (other_losses, other): (Vec<f32>, ColorNet),
    trained_only: bool,
) {
    println!("{what}: losses {losses:?} and {other_losses:?}");
    for (a, b) in losses.iter().zip(&other_losses) {
        assert!((a - b).abs() <= LOSS_TOLERANCE * a.abs(), "{what}: loss {b} against {a}");
    }
    assert!(losses[STEPS - 1] < losses[0], "{what}: training did not lower the loss: {losses:?}");
    let (a, b) = (weights(&net, trained_only), weights(&other, trained_only));
    assert_eq!(a.len(), b.len());
    let differences: Vec<f32> = a.iter().zip(&b).map(|(x, y)| (x - y).abs() / x.abs().max(1.0)).collect();
    let max = differences.iter().cloned().fold(0.0, f32::max);
    let mean = differences.iter().sum::<f32>() / differences.len() as f32;
    println!("{what}: {} weights differ by at most {max:.2e}, {mean:.2e} on average", a.len());
    assert!(max <= MAX_WEIGHT_DIFFERENCE, "{what}: a weight differs by {max}");
    assert!(mean <= MEAN_WEIGHT_DIFFERENCE, "{what}: weights differ by {mean} on average");
}

#[test]
fn two_devices_on_halves_of_a_batch_take_the_whole_batch_step() {
    let Some(devices) = two_devices() else { return };
    for arch in [Arch::Unet, Arch::EfficientnetLite0] {
        let config = config(arch);
        Device::flex().seed(11);
        let file = Model::random(config.clone(), &Device::flex()).to_bytes().unwrap();
        let batch = batch(&config, 2, 2);
        let one = replicated(&file, &devices[..1], &batch, true);
        let two = replicated(&file, &devices, &batch, true);
        let before = weights(&start(&file, &Device::flex()), false);
        let moved = weights(&two.1, false).iter().zip(&before).filter(|(a, b)| a != b).count();
        assert!(moved > 100, "{arch:?}: two devices moved only {moved} weights");
        // Batch-norm statistics too: each replica keeps its own on its thread and they are
        // averaged (burn's RunningState), which equals the whole batch's here.
        let (all_one, all_two) = (weights(&one.1, false), weights(&two.1, false));
        let statistics =
            all_one.iter().zip(&all_two).map(|(a, b)| (a - b).abs() / a.abs().max(1.0)).fold(0.0, f32::max);
        println!("{arch:?}: all weights and statistics differ by at most {statistics:.2e}");
        assert!(statistics < 1e-4, "{arch:?}: batch-norm statistics differ by {statistics}");
        assert_agree(&format!("{arch:?}, one device and two"), one, two, true);
    }
}

#[test]
fn two_devices_add_the_gradients_of_their_different_halves() {
    let Some(devices) = two_devices() else { return };
    let config = config(Arch::EfficientnetLite0);
    Device::flex().seed(12);
    let file = Model::random(config.clone(), &Device::flex()).to_bytes().unwrap();
    let (whole, soft) = batch(&config, 4, 1);
    let half = |rows: std::ops::Range<usize>| {
        let examples = whole.examples[rows.clone()].to_vec();
        (Batch { examples, ..whole.clone() }, soft.rows(rows))
    };
    let reference = accumulated(&file, &devices[0], &[half(0..2), half(2..4)]);
    // The tolerance is tight enough to see a lost half: one half alone ends elsewhere.
    let lost = accumulated(&file, &devices[0], &[half(0..2)]);
    let (a, b) = (weights(&reference.1, true), weights(&lost.1, true));
    let far = a.iter().zip(&b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max);
    assert!(far > MAX_WEIGHT_DIFFERENCE, "the test cannot tell a lost half: {far}");
    let two = replicated(&file, &devices, &(whole.clone(), soft.clone()), false);
    assert_agree("two devices and the accumulated halves", reference, two, true);
}

#[test]
fn a_run_on_two_devices_checkpoints_resumes_and_records_its_devices() {
    let Some(devices) = two_devices() else { return };
    let dir = common::temp_dir("data-parallel-run");
    let data = dir.join("photos");
    std::fs::create_dir_all(&data).unwrap();
    for i in 0..6u32 {
        let photo = image::DynamicImage::ImageRgb8(common::scene(48 + 8 * i, 48));
        std::fs::write(data.join(format!("{i}.png")), common::encode(&photo, image::ImageFormat::Png)).unwrap();
    }
    let config = TrainConfig {
        data: vec![data],
        size: 32,
        batch: 4,
        epochs: 2,
        widths: [8, 8, 16, 16],
        val_images: 2,
        ..TrainConfig::default()
    };
    let run = dir.join("run");
    let session = |stop_after| Session {
        run_dir: &run,
        device: devices[0].clone(),
        replicas: devices[1..].to_vec(),
        device_name: "two lavapipe runtimes".into(),
        stop_after,
    };
    let first = train(Start::New(config), session(Some(1)), &mut Silent).unwrap();
    assert_eq!(first.epochs_done, 1);
    let resumed = train(Start::Resume, session(None), &mut Silent).unwrap();
    assert_eq!(resumed.epochs_done, 2, "the resumed run finishes the second epoch");
    let metrics = std::fs::read_to_string(run.join("metrics.csv")).unwrap();
    let header: Vec<&str> = metrics.lines().next().unwrap().split(',').collect();
    let column = header.iter().position(|h| *h == "devices").expect("a devices column");
    for row in metrics.lines().skip(1) {
        assert_eq!(row.split(',').nth(column), Some("2"), "{row}");
    }
    Model::from_bytes(&std::fs::read(run.join("best.bclz")).unwrap(), &Device::flex()).expect("a loadable model");
}
