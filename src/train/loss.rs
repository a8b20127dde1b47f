//! Training losses, computed on whatever device the batch lives on.

use burn::prelude::*;
use burn::tensor::activation::log_softmax;
use serde::{Deserialize, Serialize};

/// Which loss trains the head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LossKind {
    /// Cross-entropy over ab classes with soft, rebalanced targets (keeps colours vivid).
    Classification,
    /// Huber loss on ab (for comparison with regression colorizers; tends to brown).
    Regression,
}

/// Rebalanced soft cross-entropy: −Σ_k w_k · log p(class_k), averaged over pixels.
/// `index` and `weight` are [B, k, h, w]; `logits` is [B, Q, h, w].
pub fn classification_loss(logits: Tensor<4>, index: Tensor<4, Int>, weight: Tensor<4>) -> Tensor<1> {
    let [b, _, h, w] = logits.dims();
    let picked = log_softmax(logits, 1).gather(1, index);
    (picked * weight).sum().neg() / (b * h * w) as f32
}

/// Huber loss on normalised ab (δ = 0.1, i.e. 11 ab units: quadratic for small errors,
/// linear for large ones, so outliers do not dominate).
pub fn regression_loss(prediction: Tensor<4>, target: Tensor<4>) -> Tensor<1> {
    const DELTA: f32 = 0.1;
    let error = (prediction - target).abs();
    let quadratic = error.clone().clamp_max(DELTA);
    let linear = error - quadratic.clone();
    (quadratic.powf_scalar(2.0) * 0.5 + linear * DELTA).mean()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cross_entropy_is_lowest_when_the_target_class_wins() {
        let device = Device::flex();
        let index = Tensor::<4, Int>::from_data(TensorData::new(vec![1i64], [1, 1, 1, 1]), &device);
        let weight = Tensor::<4>::ones([1, 1, 1, 1], &device);
        let good = Tensor::<4>::from_data(TensorData::new(vec![0.0f32, 5.0, 0.0], [1, 3, 1, 1]), &device);
        let bad = Tensor::<4>::from_data(TensorData::new(vec![5.0f32, 0.0, 0.0], [1, 3, 1, 1]), &device);
        let good = classification_loss(good, index.clone(), weight.clone()).into_scalar::<f32>();
        let bad = classification_loss(bad, index, weight).into_scalar::<f32>();
        assert!(good < 0.02 && bad > 4.9, "good {good}, bad {bad}");
    }

    #[test]
    fn huber_is_quadratic_then_linear() {
        let device = Device::flex();
        let zero = Tensor::<4>::zeros([1, 1, 1, 1], &device);
        let small = Tensor::<4>::full([1, 1, 1, 1], 0.05, &device);
        let large = Tensor::<4>::full([1, 1, 1, 1], 1.1, &device);
        let s = regression_loss(small, zero.clone()).into_scalar::<f32>();
        let l = regression_loss(large, zero).into_scalar::<f32>();
        assert!((s - 0.5 * 0.05 * 0.05).abs() < 1e-6, "{s}");
        assert!((l - (0.5 * 0.01 + 0.1 * 1.0)).abs() < 1e-5, "{l}");
    }
}
