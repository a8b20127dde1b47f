//! Training examples and batches, built on the CPU (in parallel with the training step):
//! a photo crop becomes the network input (L plus simulated hints) and its targets (soft
//! colour-class targets, rebalancing weights and plain ab) at the head's resolution.

use burn::prelude::*;
use rayon::prelude::*;

use crate::color;
use crate::color::classes::{AB_RANGE, AbClasses};
use crate::model::INPUT_CHANNELS;
use crate::model::hints::{HINT_RADIUS, HintPlanes};
use crate::pipeline::network::network_input;
use crate::rng::Rng;

/// Photos whose mean chroma (√(a²+b²)) is below this are treated as grey and skipped.
pub const NEAR_GREY_CHROMA: f32 = 3.0;

/// How many colour hints to simulate per photo.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum HintCount {
    /// Training: half the photos get none, the rest 1 + Geometric(1/8) (Zhang et al. '17).
    Random,
    /// A fixed number (evaluation with N hints; 0 for automatic colorization).
    Exactly(usize),
}

/// The target encoding a batch carries.
#[derive(Debug, Clone)]
pub struct TargetSpec {
    pub classes: AbClasses,
    /// Class rebalancing weight per class (1.0 everywhere disables rebalancing).
    pub weights: Vec<f32>,
    /// Nearest classes in each soft target (1 = hard targets, as for palettes).
    pub k: usize,
    pub sigma: f32,
}

/// One photo, ready for the network.
#[derive(Debug, Clone)]
pub struct Example {
    pub crop: Vec<u8>,
    pub input: Vec<f32>,
    /// ab at the head's resolution (means over stride×stride squares).
    pub ab_head: Vec<[f32; 2]>,
    /// The colour reference's network vector (guided models; empty otherwise).
    pub reference: Vec<f32>,
}

/// L and ab planes of an RGB crop.
pub fn lab_planes(crop: &[u8]) -> (Vec<f32>, Vec<[f32; 2]>) {
    crop.chunks_exact(3)
        .map(|p| {
            let lab = color::srgb8_to_lab([p[0], p[1], p[2]]);
            (lab[0], [lab[1], lab[2]])
        })
        .unzip()
}

/// Mean chroma of an ab plane.
pub fn mean_chroma(ab: &[[f32; 2]]) -> f32 {
    ab.iter().map(|[a, b]| (a * a + b * b).sqrt()).sum::<f32>() / ab.len().max(1) as f32
}

/// Whether a photo with these ab values is grey already (nothing to learn or measure).
pub fn is_near_grey(ab: &[[f32; 2]]) -> bool {
    mean_chroma(ab) < NEAR_GREY_CHROMA
}

/// Means of an ab plane of side `size` over `stride`×`stride` squares: the colours at the
/// resolution the head predicts.
pub fn pool_ab(ab: &[[f32; 2]], size: usize, stride: usize) -> Vec<[f32; 2]> {
    let side = size / stride;
    let mut out = vec![[0.0; 2]; side * side];
    let n = (stride * stride) as f32;
    for y in 0..side {
        for x in 0..side {
            let mut sum = [0.0; 2];
            for dy in 0..stride {
                for dx in 0..stride {
                    let p = ab[(stride * y + dy) * size + stride * x + dx];
                    sum = [sum[0] + p[0], sum[1] + p[1]];
                }
            }
            out[y * side + x] = [sum[0] / n, sum[1] / n];
        }
    }
    out
}

/// Simulated user hints: the true ab averaged over the hint patch at random points.
pub fn simulate_hints(ab: &[[f32; 2]], size: usize, count: HintCount, rng: &mut Rng) -> HintPlanes {
    let n = match count {
        HintCount::Exactly(n) => n,
        HintCount::Random if rng.chance(0.5) => 0,
        HintCount::Random => 1 + rng.geometric(1.0 / 8.0),
    };
    let mut planes = HintPlanes::empty(size, size);
    for _ in 0..n {
        let (px, py) = (rng.below(size), rng.below(size));
        planes.paint(px, py, patch_mean(ab, size, px, py));
    }
    planes
}

fn patch_mean(ab: &[[f32; 2]], size: usize, px: usize, py: usize) -> [f32; 2] {
    let (mut sum, mut n) = ([0.0; 2], 0.0);
    for y in py.saturating_sub(HINT_RADIUS)..=(py + HINT_RADIUS).min(size - 1) {
        for x in px.saturating_sub(HINT_RADIUS)..=(px + HINT_RADIUS).min(size - 1) {
            let p = ab[y * size + x];
            sum = [sum[0] + p[0], sum[1] + p[1]];
            n += 1.0;
        }
    }
    [sum[0] / n, sum[1] / n]
}

/// Turn a square RGB crop into an example with targets for a head at 1/`stride`; `None` for
/// near-grey photos.
pub fn make_example(crop: Vec<u8>, size: usize, stride: usize, hints: HintCount, rng: &mut Rng) -> Option<Example> {
    let (lightness, ab) = lab_planes(&crop);
    if is_near_grey(&ab) {
        return None;
    }
    let planes = simulate_hints(&ab, size, hints, rng);
    let input = network_input(&lightness, &planes);
    Some(Example { crop, input, ab_head: pool_ab(&ab, size, stride), reference: Vec::new() })
}

/// Soft classification targets as flat arrays (built on the CPU, off the training thread).
#[derive(Debug, Clone)]
pub struct SoftTargets {
    pub index: Vec<i64>,
    pub weight: Vec<f32>,
    pub shape: [usize; 4],
}

impl SoftTargets {
    pub fn to_tensors(&self, device: &Device) -> (Tensor<4, Int>, Tensor<4>) {
        (
            Tensor::from_data(TensorData::new(self.index.clone(), self.shape), device),
            Tensor::from_data(TensorData::new(self.weight.clone(), self.shape), device),
        )
    }

    /// The targets of photos `rows` of the batch (a share of it for one training device).
    pub fn rows(&self, rows: std::ops::Range<usize>) -> SoftTargets {
        let [_, k, h, w] = self.shape;
        let photo = k * h * w;
        let span = rows.start * photo..rows.end * photo;
        SoftTargets {
            index: self.index[span.clone()].to_vec(),
            weight: self.weight[span].to_vec(),
            shape: [rows.len(), k, h, w],
        }
    }
}

/// A batch of examples as flat arrays, ready to become tensors.
#[derive(Debug, Clone)]
pub struct Batch {
    pub size: usize,
    /// The head predicts at 1/stride of `size`.
    pub stride: usize,
    pub examples: Vec<Example>,
}

impl Batch {
    pub fn len(&self) -> usize {
        self.examples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.examples.is_empty()
    }

    /// Side of the head's output.
    pub fn head_side(&self) -> usize {
        self.size / self.stride
    }

    /// Network input, [B, 4, S, S].
    pub fn inputs(&self, device: &Device) -> Tensor<4> {
        let data: Vec<f32> = self.examples.iter().flat_map(|e| e.input.iter().copied()).collect();
        Tensor::from_data(TensorData::new(data, [self.len(), INPUT_CHANNELS, self.size, self.size]), device)
    }

    /// The colour references, [B, classes + 1], when the examples carry them.
    pub fn references(&self, device: &Device) -> Option<Tensor<2>> {
        let width = self.examples.first()?.reference.len();
        if width == 0 {
            return None;
        }
        let data: Vec<f32> = self.examples.iter().flat_map(|e| e.reference.iter().copied()).collect();
        Some(Tensor::from_data(TensorData::new(data, [self.len(), width]), device))
    }

    /// Soft classification targets: for each pixel the `k` nearest classes and their Gaussian
    /// weights times the rebalancing weight of the nearest class, both [B, k, h, w].
    pub fn soft_targets(&self, spec: &TargetSpec) -> SoftTargets {
        let (h, k) = (self.head_side(), spec.k);
        let plane = h * h;
        let mut index = vec![0i64; self.len() * k * plane];
        let mut weight = vec![0f32; self.len() * k * plane];
        // One photo per task: this is most of the loader's work per batch.
        let photos = index.par_chunks_mut(k * plane).zip(weight.par_chunks_mut(k * plane));
        photos.zip(&self.examples).for_each(|((index, weight), example)| {
            for (p, &ab) in example.ab_head.iter().enumerate() {
                let soft = spec.classes.soft_encode(ab, k, spec.sigma);
                let rebalance = spec.weights[soft[0].0];
                for (j, (class, w)) in soft.into_iter().enumerate() {
                    index[j * plane + p] = class as i64;
                    weight[j * plane + p] = w * rebalance;
                }
            }
        });
        SoftTargets { index, weight, shape: [self.len(), k, h, h] }
    }

    /// True ab / AB_RANGE at the head's resolution, [B, 2, h, w] (regression targets).
    pub fn ab_targets(&self, device: &Device) -> Tensor<4> {
        let plane = self.head_side() * self.head_side();
        let mut data = vec![0f32; self.len() * 2 * plane];
        for (b, example) in self.examples.iter().enumerate() {
            for (p, ab) in example.ab_head.iter().enumerate() {
                data[(b * 2) * plane + p] = ab[0] / AB_RANGE;
                data[(b * 2 + 1) * plane + p] = ab[1] / AB_RANGE;
            }
        }
        Tensor::from_data(TensorData::new(data, [self.len(), 2, self.head_side(), self.head_side()]), device)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn colourful_crop(size: usize) -> Vec<u8> {
        (0..size * size).flat_map(|i| if i % size < size / 2 { [220, 30, 30] } else { [30, 60, 220] }).collect()
    }

    #[test]
    fn grey_photos_are_skipped() {
        let grey: Vec<u8> = (0..16 * 16).flat_map(|i| [(i % 256) as u8; 3]).collect();
        assert!(make_example(grey, 16, 2, HintCount::Random, &mut Rng::new(1)).is_none());
        assert!(make_example(colourful_crop(16), 16, 2, HintCount::Random, &mut Rng::new(1)).is_some());
    }

    #[test]
    fn exact_hint_count_paints_true_colours() {
        let (_, ab) = lab_planes(&colourful_crop(16));
        let planes = simulate_hints(&ab, 16, HintCount::Exactly(3), &mut Rng::new(7));
        assert!(planes.covered() >= 3, "three hints cover at least one pixel each");
        let none = simulate_hints(&ab, 16, HintCount::Exactly(0), &mut Rng::new(7));
        assert_eq!(none.covered(), 0);
    }

    #[test]
    fn random_hint_counts_leave_many_photos_without_hints() {
        let (_, ab) = lab_planes(&colourful_crop(16));
        let mut rng = Rng::new(3);
        let without = (0..400).filter(|_| simulate_hints(&ab, 16, HintCount::Random, &mut rng).covered() == 0).count();
        assert!((150..250).contains(&without), "{without} of 400 without hints");
    }

    #[test]
    fn pool_ab_averages_stride_squares() {
        let ab: Vec<[f32; 2]> = (0..16).map(|i| [i as f32, 0.0]).collect();
        let half = pool_ab(&ab, 4, 2);
        assert_eq!(half.len(), 4);
        assert_eq!(half[0], [(0.0 + 1.0 + 4.0 + 5.0) / 4.0, 0.0]);
        let quarter = pool_ab(&ab, 4, 4);
        assert_eq!(quarter, vec![[7.5, 0.0]]);
    }
}
