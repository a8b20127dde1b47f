//! Class rebalancing (Zhang et al., ECCV'16): weights that make rare, saturated colours count
//! as much as the common desaturated ones, which is what keeps predictions vivid.
//!
//! w ∝ ((1 − λ)·p̃ + λ/Q)⁻¹, where p̃ is the training set's ab-class histogram smoothed by a
//! Gaussian (σ = 5) in ab space, normalised so that the expected weight under p̃ is 1.

use serde::{Deserialize, Serialize};

use crate::color::classes::AbClasses;

/// Zhang et al.'s mixing with the uniform distribution.
pub const LAMBDA: f64 = 0.5;
/// Smoothing of the histogram in ab units.
pub const SIGMA: f64 = 5.0;

/// Class weights and the histogram they came from, cached in the run folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassWeights {
    pub lambda: f64,
    pub sigma: f64,
    pub pixels: u64,
    pub histogram: Vec<f64>,
    pub weights: Vec<f32>,
}

/// Count the nearest class of each ab sample.
pub fn histogram(classes: &AbClasses, samples: impl IntoIterator<Item = [f32; 2]>) -> Vec<f64> {
    let mut counts = vec![0.0; classes.len()];
    for ab in samples {
        counts[classes.nearest(ab)] += 1.0;
    }
    counts
}

/// Smooth a class histogram with a Gaussian over the class centres and normalise it.
fn smoothed(classes: &AbClasses, counts: &[f64], sigma: f64) -> Vec<f64> {
    let centers = classes.centers();
    let mut out: Vec<f64> = centers
        .iter()
        .map(|c| {
            centers
                .iter()
                .zip(counts)
                .map(|(d, &n)| {
                    let dist2 = ((c[0] - d[0]).powi(2) + (c[1] - d[1]).powi(2)) as f64;
                    n * (-dist2 / (2.0 * sigma * sigma)).exp()
                })
                .sum()
        })
        .collect();
    let total: f64 = out.iter().sum();
    if total > 0.0 {
        out.iter_mut().for_each(|p| *p /= total);
    } else {
        out.iter_mut().for_each(|p| *p = 1.0 / centers.len() as f64);
    }
    out
}

impl ClassWeights {
    /// Weights from raw class counts.
    pub fn from_counts(classes: &AbClasses, counts: Vec<f64>, lambda: f64, sigma: f64) -> Self {
        let q = classes.len() as f64;
        let p = smoothed(classes, &counts, sigma);
        let raw: Vec<f64> = p.iter().map(|&pq| 1.0 / ((1.0 - lambda) * pq + lambda / q)).collect();
        let expected: f64 = p.iter().zip(&raw).map(|(pq, w)| pq * w).sum();
        let weights = raw.iter().map(|w| (w / expected) as f32).collect();
        let pixels = counts.iter().sum::<f64>() as u64;
        Self { lambda, sigma, pixels, histogram: counts, weights }
    }

    /// Smoothed class probabilities these weights were made from.
    pub fn probabilities(&self, classes: &AbClasses) -> Vec<f64> {
        smoothed(classes, &self.histogram, self.sigma)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::color::classes::gamut_grid;

    fn skewed_weights() -> (AbClasses, ClassWeights) {
        let classes = gamut_grid(10.0);
        // Mostly near-grey pixels, a few saturated red ones.
        let samples = std::iter::repeat_n([2.0, 3.0], 9_000).chain(std::iter::repeat_n([70.0, 60.0], 100));
        let counts = histogram(&classes, samples);
        let weights = ClassWeights::from_counts(&classes, counts, LAMBDA, SIGMA);
        (classes, weights)
    }

    #[test]
    fn one_weight_per_class_with_unit_expectation() {
        let (classes, w) = skewed_weights();
        assert_eq!(w.weights.len(), classes.len());
        assert_eq!(w.histogram.iter().sum::<f64>(), 9_100.0);
        let p = w.probabilities(&classes);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        let expected: f64 = p.iter().zip(&w.weights).map(|(p, &w)| p * w as f64).sum();
        assert!((expected - 1.0).abs() < 1e-4, "E[w] = {expected}");
    }

    #[test]
    fn rare_colours_weigh_more_than_common_ones() {
        let (classes, w) = skewed_weights();
        let grey = w.weights[classes.nearest([0.0, 0.0])];
        let red = w.weights[classes.nearest([70.0, 60.0])];
        let unseen = w.weights[classes.nearest([-80.0, 80.0])];
        assert!(red > 3.0 * grey, "red {red} vs grey {grey}");
        assert!(unseen >= red, "never-seen colours get the largest weight");
        // λ = 0.5 bounds the largest weight at Q·(1/λ)/E.
        assert!(w.weights.iter().all(|&x| x.is_finite() && x > 0.0));
    }

    #[test]
    fn lambda_one_means_no_rebalancing() {
        let classes = gamut_grid(10.0);
        let counts = histogram(&classes, std::iter::repeat_n([2.0, 3.0], 100));
        let w = ClassWeights::from_counts(&classes, counts, 1.0, SIGMA);
        assert!(w.weights.iter().all(|&x| (x - 1.0).abs() < 1e-5));
    }
}
