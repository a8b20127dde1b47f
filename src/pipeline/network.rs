//! The network's side of the pipeline: its input planes, reading its output back from the
//! device, and the predicted colour at its output resolution ([`AbMap`]).

use burn::prelude::*;

use crate::error::{Error, Result};
use crate::model::INPUT_CHANNELS;
use crate::model::hints::HintPlanes;

/// Predicted ab at the network's output resolution: two planes, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct AbMap {
    pub width: usize,
    pub height: usize,
    pub ab: [Vec<f32>; 2],
}

/// The network input for one image, `[4, h, w]` flattened: L/50 − 1, then the hint planes.
pub fn network_input(lightness: &[f32], hints: &HintPlanes) -> Vec<f32> {
    let mut input = Vec::with_capacity(INPUT_CHANNELS * lightness.len());
    input.extend(lightness.iter().map(|l| l / 50.0 - 1.0));
    for plane in &hints.planes {
        input.extend_from_slice(plane);
    }
    input
}

/// Read a tensor back from its device (asynchronously, as WebGPU requires).
pub(crate) async fn read_floats(tensor: Tensor<4>) -> Result<Vec<f32>> {
    let data = tensor.into_data_async().await.map_err(|e| Error::Backend(format!("{e:?}")))?;
    data.try_into_vec::<f32>().map_err(|e| Error::Backend(format!("{e:?}")))
}
