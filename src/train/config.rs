//! What a training run is asked to do, saved as `config.json` in its run folder so that
//! `--resume` continues the very same run.

use std::path::PathBuf;

use burn::prelude::Device;
use serde::{Deserialize, Serialize};

use super::error::TrainError;
use super::gpu_choice::GpuChoice;
use super::loss::LossKind;
use super::references::ReferenceMix;
use crate::model::Arch;

/// Crop sizes the trainer accepts: multiples of 16 (both architectures' size multiple) in this
/// range.
pub const SIZE_RANGE: std::ops::RangeInclusive<usize> = 32..=256;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Folders, zip archives or CIFAR-10 batch files.
    pub data: Vec<PathBuf>,
    /// Train on these classes (folder names, or CIFAR-10 class names) only.
    pub classes: Option<Vec<String>>,
    /// Side of the square training crops.
    pub size: usize,
    pub batch: usize,
    pub epochs: usize,
    pub lr: f64,
    pub seed: u64,
    pub loss: LossKind,
    /// Classify into a k-means palette of this many colours instead of the ab grid.
    pub palette: Option<usize>,
    /// Simulate user colour hints during training.
    pub hints: bool,
    /// Network widths (see `ModelConfig::widths`).
    pub widths: [usize; 4],
    /// Stop after this many epochs without a better validation loss.
    pub patience: usize,
    /// Fraction of photos held out when the data has no validation folder.
    pub val_fraction: f64,
    /// Validation photos evaluated each epoch (at most).
    pub val_images: usize,
    /// Use at most this many training photos (quick experiments and tests).
    pub limit: Option<usize>,
    /// Random crops, flips, rotations and shifts.
    pub augment: bool,
    /// Start from the weights of this model file (fine-tuning) instead of random ones.
    #[serde(default)]
    pub init: Option<PathBuf>,
    /// The network's layout.
    #[serde(default)]
    pub arch: Arch,
    /// The pretrained trunk's weights (`burn-colorize import-trunk`), for a new
    /// EfficientNet-Lite0 run without `init`.
    #[serde(default)]
    pub trunk: Option<PathBuf>,
    /// Train the pretrained trunk too (fine-tuning); by default it stays frozen and only the
    /// decoder learns, which is several times faster.
    #[serde(default)]
    pub train_trunk: bool,
    /// Photos per epoch (validation, report and checkpoint each) when fewer than all: long
    /// passes over large data sets are cut into epochs that continue through the shuffled photos.
    #[serde(default)]
    pub epoch_photos: Option<usize>,
    /// Train a guided model: the network takes a colour reference (a photo's colour
    /// distribution), drawn for each photo from itself, another photo of its class, or none.
    #[serde(default)]
    pub reference: bool,
    /// How often a guided run's photos get their own colours and another photo of their class
    /// as the reference (the rest get none); `None`: [`ReferenceMix::TRAINING`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_mix: Option<ReferenceMix>,
    /// A guided model whose reference branch also sees the photo's pooled trunk features, so
    /// it can judge how far a reference fits ([`crate::model::reference`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reference_sight: bool,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            data: Vec::new(),
            classes: None,
            size: 64,
            batch: 32,
            epochs: 20,
            lr: 1e-3,
            seed: 42,
            loss: LossKind::Classification,
            palette: None,
            hints: true,
            widths: [16, 32, 64, 128],
            patience: 5,
            val_fraction: 0.05,
            val_images: 500,
            limit: None,
            augment: true,
            init: None,
            arch: Arch::Unet,
            trunk: None,
            train_trunk: false,
            epoch_photos: None,
            reference: false,
            reference_mix: None,
            reference_sight: false,
        }
    }
}

impl TrainConfig {
    pub fn validate(&self) -> Result<(), TrainError> {
        let fail = |m: String| Err(TrainError::Config(m));
        if !SIZE_RANGE.contains(&self.size) || !self.size.is_multiple_of(16) {
            return fail(format!("--size {} must be a multiple of 16 from 32 to 256", self.size));
        }
        if let Some(spec) = self.arch.trunk()
            && self.trunk.is_none()
            && self.init.is_none()
        {
            return fail(format!(
                "--arch {} starts from the ImageNet trunk: give --trunk (written by \
                 `burn-colorize import-trunk`, see scripts/import-trunk.sh) or --init MODEL",
                spec.name.to_lowercase()
            ));
        }
        if self.batch == 0 || self.epochs == 0 {
            return fail("--batch and --epochs must be at least 1".into());
        }
        if !(self.lr > 0.0 && self.lr < 1.0) {
            return fail(format!("--lr {} is outside (0, 1)", self.lr));
        }
        if let Some(k) = self.palette {
            if !matches!(k, 16 | 32) {
                return fail(format!("--palette {k}: choose 16 or 32 colours"));
            }
            if self.loss != LossKind::Classification {
                return fail("--palette needs --loss classification".into());
            }
        }
        if let Some(ReferenceMix { own, category }) = self.reference_mix {
            if !self.reference {
                return fail("--reference-mix needs --reference".into());
            }
            if !(own >= 0.0 && category >= 0.0 && own + category <= 1.0) {
                return fail(format!(
                    "--reference-mix {own},{category}: give two fractions from 0 to 1 whose sum is at most 1 \
                     (the rest of the photos get no reference)"
                ));
            }
        }
        if self.reference_sight && !(self.reference && self.arch.trunk().is_some()) {
            return fail("--reference-sight needs --reference and a pretrained-trunk --arch".into());
        }
        if self.epoch_photos == Some(0) {
            return fail("--epoch-photos must be at least 1".into());
        }
        if self.data.is_empty() {
            return fail("no --data given".into());
        }
        Ok(())
    }
}

/// Where training runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceChoice {
    /// A hardware GPU when there is one, else the CPU (LibTorch in a `libtorch` build).
    Auto,
    /// A GPU through wgpu (Vulkan, Metal or DX12); a software adapter (lavapipe) when no
    /// hardware GPU is there.
    Gpu,
    /// The CPU (Flex backend, all cores).
    Cpu,
    /// The CPU through burn's LibTorch backend (PyTorch's kernels; feature `libtorch`).
    Libtorch,
}

/// The devices `--devices` names (the first holds the network between steps), and a
/// sentence naming them. Two or more for data-parallel training.
pub fn resolve_devices(choices: &[GpuChoice]) -> Result<(Vec<Device>, String), TrainError> {
    let devices = gpu_devices(choices).map_err(TrainError::Config)?;
    let names: Vec<String> = devices.iter().enumerate().map(|(i, (_, name))| format!("{i}: {name}")).collect();
    let summary = format!("{} devices, each on its share of every batch ({})", devices.len(), names.join("; "));
    Ok((devices.into_iter().map(|(device, _)| device).collect(), summary))
}

#[cfg(not(feature = "gpu"))]
fn gpu_devices(_choices: &[GpuChoice]) -> Result<Vec<(Device, String)>, String> {
    Err("--devices: this build has no GPU support (rebuild with `--features gpu`)".into())
}

#[cfg(feature = "gpu")]
fn gpu_devices(choices: &[GpuChoice]) -> Result<Vec<(Device, String)>, String> {
    super::gpu::open_many(choices)
}

/// The device to train on, and a sentence saying which it is.
pub fn resolve_device(choice: DeviceChoice) -> Result<(Device, String), TrainError> {
    let cpu = || (Device::flex(), format!("CPU (Flex backend, {} threads)", rayon_threads()));
    match choice {
        DeviceChoice::Cpu => Ok(cpu()),
        DeviceChoice::Libtorch => libtorch_device().map_err(TrainError::Config),
        DeviceChoice::Gpu => gpu_device(true).map_err(TrainError::Config),
        DeviceChoice::Auto => Ok(gpu_device(false).unwrap_or_else(|why| {
            // A LibTorch build was made to train faster on the CPU: prefer it there.
            let (device, name) = libtorch_device().unwrap_or_else(|_| cpu());
            (device, format!("{name}; no GPU: {why}"))
        })),
    }
}

fn rayon_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(not(feature = "libtorch"))]
fn libtorch_device() -> Result<(Device, String), String> {
    Err("this build has no LibTorch backend (rebuild with `--features libtorch`: scripts/libtorch.sh does it)".into())
}

/// burn's LibTorch backend on the CPU. PyTorch sizes its own thread pool (a thread per
/// physical core unless `OMP_NUM_THREADS` says otherwise).
#[cfg(feature = "libtorch")]
#[allow(deprecated)] // burn 0.22 deprecates burn-tch, but it trains twice as fast as Flex here
fn libtorch_device() -> Result<(Device, String), String> {
    Ok((Device::libtorch(), "CPU (LibTorch backend: PyTorch's kernels)".into()))
}

#[cfg(not(feature = "gpu"))]
fn gpu_device(_software_too: bool) -> Result<(Device, String), String> {
    Err("this build has no GPU support (rebuild with `--features gpu`)".into())
}

/// A hardware GPU; with `software_too`, a software adapter (lavapipe) when there is none.
#[cfg(feature = "gpu")]
fn gpu_device(software_too: bool) -> Result<(Device, String), String> {
    if software_too { super::gpu::any_device() } else { super::gpu::hardware_device() }
}
