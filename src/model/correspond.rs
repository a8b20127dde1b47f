//! Lending a reference photo's colours part by part: the trunk's features of the photo's cells
//! are matched to those of the reference's cells, and each photo cell takes the colours of the
//! cells it resembles, as exemplar-based colorizers do (He et al., "Deep Exemplar-based
//! Colorization", 2018), here without training: the trunk's ImageNet features are the match.
//!
//! Why: the reference branch ([`super::reference`]) sees only the reference's colour
//! distribution, and a distribution cannot tell a photo's own colours from those of another
//! photo of the same kind of scene: the branch trusts both alike, so another beach's blue turns
//! this beach's sand blue (MODEL_CARD.md). Matching parts tells them apart. Where a part of the
//! photo has a close match in the reference (the same street from another spot, the same
//! flower) it takes that part's colours; where it has none, the network's own colours stay; and
//! the branch's whole-picture prior counts only when the reference resembles the photo overall.
//!
//! The thresholds below were chosen on 300 MiniPlaces val photos (not on BSDS500), with the
//! photo's own colours in another framing (mirrored, cropped to 75 %) and with another photo of
//! its scene class as references (MODEL_CARD.md has the figures).

use burn::prelude::*;
use burn::tensor::activation::softmax;
use burn::tensor::module::interpolate;
use burn::tensor::ops::{InterpolateMode, InterpolateOptions};

/// Side, in working pixels, of a matched cell: the trunk's stride-8 map.
pub const CELL: usize = 8;
/// Temperature of the match: a photo cell takes the colours of the reference cells within about
/// 0.02 of its best cosine similarity, not an average over the whole reference.
pub const MATCH_TEMPERATURE: f32 = 0.02;
/// Cosine similarity from which a photo cell takes its match's colours; at 1 (the same part)
/// they replace the network's. Another photo of the same scene class has few cells above it.
pub const CELL_TRUST_FROM: f32 = 0.55;
/// Mean best similarity over the photo's cells from which the branch's whole-picture prior
/// counts, fully from here + [`PHOTO_TRUST_SPAN`]. Another photo of the same scene class
/// scores 0.41–0.49 (10th–90th percentile), the photo's own colours reframed 0.54–0.65; from
/// 0.50 the own colours gained 0.4 dB more and another photo lost 0.04 dB more.
pub const PHOTO_TRUST_FROM: f32 = 0.54;
pub const PHOTO_TRUST_SPAN: f32 = 0.05;

/// The photo's or the reference's cells as matched: [cells, features], row-major cells; the
/// stride-8 map beside the stride-16 map (repeated to stride 8), each unit length per cell, so
/// both the part's texture and its context count.
pub fn cell_features(map8: Tensor<4>, map16: Tensor<4>) -> Tensor<2> {
    let [batch, _, h8, w8] = map8.dims();
    assert_eq!(batch, 1, "matching works on one photo at a time");
    let map16 = nearest(map16, [h8, w8]);
    let unit = |map: Tensor<4>| map.clone() / map.powf_scalar(2.0).sum_dim(1).sqrt().clamp_min(1e-6);
    let features = Tensor::cat(vec![unit(map8), unit(map16)], 1) / std::f32::consts::SQRT_2;
    let channels = features.dims()[1];
    features.permute([0, 2, 3, 1]).reshape([h8 * w8, channels])
}

/// `map` enlarged to `size` by repeating its cells.
fn nearest(map: Tensor<4>, size: [usize; 2]) -> Tensor<4> {
    interpolate(map, InterpolateOptions::new(InterpolateMode::Nearest).with_output_size(size))
}

/// Colours lent by the reference: per photo cell at the network's output resolution (twice the
/// cells' grid), the reference's colour distribution where the cell matched, and how far to
/// trust it; and how far to trust the reference as a whole.
pub struct Lent {
    /// [1, classes, h, w].
    colours: Tensor<4>,
    /// [1, 1, h, w], 0..=1.
    cell_trust: Tensor<4>,
    /// [1, 1, 1, 1], 0..=1.
    photo_trust: Tensor<4>,
}

/// Match `photo` ([cells, features] on a `grid` of (h, w) cells) to `reference` (its cells'
/// features) and take the colours (`colours`: [reference cells, classes]) of each photo cell's
/// matches.
pub fn lend(photo: Tensor<2>, grid: (usize, usize), reference: Tensor<2>, colours: Tensor<2>) -> Lent {
    let (h, w) = grid;
    let classes = colours.dims()[1];
    let similarity = photo.matmul(reference.transpose());
    let best = similarity.clone().max_dim(1);
    let matched = softmax(similarity / MATCH_TEMPERATURE, 1).matmul(colours);
    let to_output = |t: Tensor<2>, channels: usize| {
        let t = t.reshape([1, h, w, channels]).permute([0, 3, 1, 2]);
        nearest(t, [2 * h, 2 * w])
    };
    let cell_trust = ((best.clone() - CELL_TRUST_FROM) / (1.0 - CELL_TRUST_FROM)).clamp(0.0, 1.0);
    let photo_trust = ((best.mean() - PHOTO_TRUST_FROM) / PHOTO_TRUST_SPAN).clamp(0.0, 1.0);
    Lent {
        colours: to_output(matched, classes),
        cell_trust: to_output(cell_trust, 1),
        photo_trust: photo_trust.reshape([1, 1, 1, 1]),
    }
}

/// The network's class logits with the reference (`guided`) and without (`automatic`), and the
/// colours `lent`, as one output the decoder reads as logits: the log of the class
/// probabilities, the branch's prior weighed by the photo's trust, then each cell's matched
/// colours mixed in by its own trust.
pub fn blend(automatic: Tensor<4>, guided: Tensor<4>, lent: Lent) -> Tensor<4> {
    let prior = automatic.clone() + (guided - automatic) * lent.photo_trust;
    let trust = lent.cell_trust;
    let probabilities = softmax(prior, 1) * (trust.clone().neg() + 1.0) + lent.colours * trust;
    (probabilities + 1e-8).log()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device() -> Device {
        Device::flex()
    }

    fn values(t: Tensor<4>) -> Vec<f32> {
        t.into_data().try_to_vec::<f32>().unwrap()
    }

    #[test]
    fn cells_are_unit_length_and_carry_both_maps() {
        let map8 = Tensor::<4>::random([1, 3, 4, 6], burn::tensor::Distribution::Default, &device());
        let map16 = Tensor::<4>::random([1, 5, 2, 3], burn::tensor::Distribution::Default, &device());
        let cells = cell_features(map8.clone(), map16.clone());
        assert_eq!(cells.dims(), [24, 8]);
        let norms: Vec<f32> = cells.clone().powf_scalar(2.0).sum_dim(1).into_data().try_to_vec::<f32>().unwrap();
        assert!(norms.iter().all(|n| (n - 1.0).abs() < 1e-4), "{norms:?}");
        // Cell (row 3, column 5) reads the stride-16 map at (1, 2).
        let cell: Vec<f32> = cells.slice([23..24, 3..8]).into_data().try_to_vec::<f32>().unwrap();
        let deep: Vec<f32> = map16.slice([0..1, 0..5, 1..2, 2..3]).into_data().try_to_vec::<f32>().unwrap();
        let length = deep.iter().map(|v| v * v).sum::<f32>().sqrt();
        for (got, want) in cell.iter().zip(&deep) {
            assert!((got - want / length / std::f32::consts::SQRT_2).abs() < 1e-5, "{cell:?} {deep:?}");
        }
    }

    /// Two reference cells: one red (class 0), one blue (class 1); features along two axes.
    fn reference() -> (Tensor<2>, Tensor<2>) {
        let features = Tensor::<2>::from_floats([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], &device());
        let colours = Tensor::<2>::from_floats([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], &device());
        (features, colours)
    }

    #[test]
    fn a_cell_takes_the_colours_of_the_part_it_matches_and_trusts_them_by_the_match() {
        let (features, colours) = reference();
        // Photo cells: exactly the red part; close to the blue part (cosine 0.8); like nothing.
        let photo = Tensor::<2>::from_floats([[1.0, 0.0, 0.0], [0.0, 0.8, 0.6], [0.0, 0.0, 1.0]], &device());
        let lent = lend(photo, (1, 3), features, colours);
        assert_eq!(lent.colours.dims(), [1, 3, 2, 6], "twice the cells' grid");
        let colours = values(lent.colours.slice([0..1, 0..3, 0..1, 0..6]));
        // Class-major: class 0 of the six output columns, then class 1, then class 2.
        assert!(colours[0] > 0.99 && colours[6] < 0.01, "the red part lends red: {colours:?}");
        assert!(colours[3] < 0.01 && colours[9] > 0.99, "the near-blue part lends blue: {colours:?}");
        let trust = values(lent.cell_trust);
        let expected = [1.0, (0.8 - CELL_TRUST_FROM) / (1.0 - CELL_TRUST_FROM), 0.0];
        for (column, want) in expected.iter().enumerate() {
            assert!((trust[2 * column] - want).abs() < 1e-5, "cell {column}: {trust:?}");
        }
        // Mean best similarity (1 + 0.8 + 0) / 3 = 0.6: the reference counts as a whole.
        assert_eq!(values(lent.photo_trust), [1.0]);
    }

    #[test]
    fn an_unlike_reference_leaves_the_automatic_colours() {
        let (features, colours) = reference();
        let photo = Tensor::<2>::from_floats([[0.0, 0.0, 1.0], [0.3, 0.3, 0.9]], &device());
        let lent = lend(photo, (1, 2), features, colours);
        assert_eq!(values(lent.photo_trust.clone()), [0.0]);
        let automatic = Tensor::<4>::random([1, 3, 2, 4], burn::tensor::Distribution::Default, &device());
        let guided = automatic.clone() + 5.0 * Tensor::<4>::ones([1, 3, 2, 4], &device());
        let blended = blend(automatic.clone(), guided, lent);
        let want = values(softmax(automatic, 1));
        let got = values(softmax(blended, 1));
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() < 1e-4, "{got:?} vs {want:?}");
        }
    }

    #[test]
    fn a_trusted_cell_takes_the_lent_colours_and_a_trusted_reference_its_prior() {
        let lent = Lent {
            colours: Tensor::<4>::from_floats([[[[0.0, 1.0]], [[1.0, 0.0]]]], &device()),
            cell_trust: Tensor::<4>::from_floats([[[[1.0, 0.0]]]], &device()),
            photo_trust: Tensor::<4>::ones([1, 1, 1, 1], &device()),
        };
        let automatic = Tensor::<4>::zeros([1, 2, 1, 2], &device());
        let guided = Tensor::<4>::from_floats([[[[2.0, 2.0]], [[0.0, 0.0]]]], &device());
        let got = values(softmax(blend(automatic, guided.clone(), lent), 1));
        // Left cell: the lent colours (class 1); right cell: the guided prior.
        let prior = values(softmax(guided, 1));
        let want = [0.0, prior[1], 1.0, prior[3]];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-4, "{got:?} vs {want:?}");
        }
    }
}
