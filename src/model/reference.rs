//! The global colour input: a reference photo's colour distribution
//! ([`crate::color::reference`]) steering the decoder, as Zhang et al. 2017's global-hint branch
//! does.
//!
//! The distribution (one value per colour class, then a "reference given" flag) goes through a
//! small MLP to one scale and one shift per channel of chosen decoder levels (FiLM, Perez et al.
//! 2018): a whole-picture prior that can raise the colours the reference holds wherever the
//! trunk's features say they fit, without the reference's layout. A branch added to a trained
//! network starts with its last layer at zero ([`ReferenceBranch::new`] with `silent`), so it
//! leaves the colours exactly as they were and fine-tuning starts from the automatic model.
//!
//! A branch with *sight* also reads the photo's own features, averaged over the picture (the
//! trunk's 1/16 map). A reference alone cannot say whether it fits: the same histogram is the
//! photo's own colours in one training step and another photo's in the next, so the branch
//! learns one average trust. Seeing how much sky, foliage or skin the photo holds beside how
//! much of their colours the reference holds, it can trust a reference that fits and discount
//! one that does not (the soft prior a reference from another photo should be).

use burn::nn::{Initializer, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::relu;

/// Width of the branch's hidden layer.
const HIDDEN: usize = 256;

/// The reference branch. Build it with [`ReferenceBranch::new`].
#[derive(Module, Debug)]
pub struct ReferenceBranch {
    hidden: Linear,
    /// The photo's pooled features into the hidden layer (no bias), for a branch with sight.
    sight: Option<Linear>,
    /// One layer per steered decoder level, giving its channels' scales then shifts.
    films: Vec<Linear>,
}

/// The branch's output for one batch: per steered level, [batch, 2 × channels].
pub struct Steering(Vec<Tensor<2>>);

impl ReferenceBranch {
    /// A branch reading `inputs` values (classes + 1) and steering levels of `widths` channels;
    /// `silent`: its last layer starts at zero (no effect until trained), else at random;
    /// `sight`: the number of pooled photo features it reads, if any.
    pub fn new(inputs: usize, widths: &[usize], sight: Option<usize>, silent: bool, device: &Device) -> Self {
        let film = |w: usize| match silent {
            true => LinearConfig::new(HIDDEN, 2 * w).with_initializer(Initializer::Zeros),
            false => LinearConfig::new(HIDDEN, 2 * w),
        };
        let films = widths.iter().map(|&w| film(w).init(device)).collect();
        let sight = sight.map(|n| LinearConfig::new(n, HIDDEN).with_bias(false).init(device));
        Self { hidden: LinearConfig::new(inputs, HIDDEN).init(device), sight, films }
    }

    /// The same branch with sight of `features` pooled photo features, whose weights start at
    /// zero: it steers exactly as before until trained (a guided model becomes the start of
    /// one with sight).
    pub fn with_sight(mut self, features: usize, device: &Device) -> Self {
        let sight = LinearConfig::new(features, HIDDEN).with_bias(false).with_initializer(Initializer::Zeros);
        self.sight = Some(sight.init(device));
        self
    }

    /// Number of values the branch reads (classes + 1).
    pub fn inputs(&self) -> usize {
        self.hidden.weight.lazy_shape()[0]
    }

    /// `reference`: [batch, classes + 1], from [`crate::color::reference`]; `photo`: the
    /// photo's pooled features [batch, features], read by a branch with sight (and only there).
    pub fn forward(&self, reference: Tensor<2>, photo: Option<Tensor<2>>) -> Steering {
        let hidden = match (&self.sight, photo) {
            (Some(sight), Some(photo)) => self.hidden.forward(reference) + sight.forward(photo),
            _ => self.hidden.forward(reference),
        };
        let hidden = relu(hidden);
        Steering(self.films.iter().map(|film| film.forward(hidden.clone())).collect())
    }
}

impl Steering {
    /// `x` ([batch, channels, h, w]) at steered level `level`, scaled by (1 + γ) and shifted by β.
    pub fn apply(&self, level: usize, x: Tensor<4>) -> Tensor<4> {
        let [b, c, _, _] = x.dims();
        let film = self.0[level].clone();
        let scale = film.clone().slice([0..b, 0..c]).reshape([b, c, 1, 1]);
        let shift = film.slice([0..b, c..2 * c]).reshape([b, c, 1, 1]);
        x.clone() * scale + x + shift
    }
}

/// The steering of an optional branch, or none (a network without the reference input).
/// `photo`: a feature map [batch, channels, h, w] of the photo, averaged for a branch with sight.
pub fn steer(branch: &Option<ReferenceBranch>, reference: Option<Tensor<2>>, photo: &Tensor<4>) -> Option<Steering> {
    let (branch, reference) = branch.as_ref().zip(reference)?;
    let pooled = branch.sight.as_ref().map(|_| {
        let [b, c, _, _] = photo.dims();
        photo.clone().mean_dim(3).mean_dim(2).reshape([b, c])
    });
    Some(branch.forward(reference, pooled))
}

/// `x` steered at `level` when there is steering, else unchanged.
pub fn apply(steering: &Option<Steering>, level: usize, x: Tensor<4>) -> Tensor<4> {
    match steering {
        Some(steering) => steering.apply(level, x),
        None => x,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_branch_changes_nothing_and_a_trained_one_scales_and_shifts() {
        let device = Device::flex();
        let branch = ReferenceBranch::new(5, &[3], None, true, &device);
        let x = Tensor::<4>::random([2, 3, 4, 4], burn::tensor::Distribution::Default, &device);
        let reference = Tensor::<2>::ones([2, 5], &device);
        let same = branch.forward(reference.clone(), None).apply(0, x.clone());
        assert_eq!((same - x.clone()).abs().max().into_scalar::<f32>(), 0.0, "zero-initialised FiLM");
        let random =
            ReferenceBranch::new(5, &[3], None, false, &device).forward(reference.clone(), None).apply(0, x.clone());
        assert!((random - x.clone()).abs().max().into_scalar::<f32>() > 1e-3, "a fresh branch steers at once");
        // A film layer of bias only: γ = 1 (scale ×2) and β = 0.5 for every channel.
        let mut branch = branch;
        let bias = Tensor::<1>::from_floats([1.0, 1.0, 1.0, 0.5, 0.5, 0.5], &device);
        branch.films[0].bias = Some(burn::module::Param::from_tensor(bias));
        let steered = branch.forward(reference, None).apply(0, x.clone());
        let expected = x * 2.0 + 0.5;
        assert!((steered - expected).abs().max().into_scalar::<f32>() < 1e-5);
    }

    #[test]
    fn sight_starts_blind_and_then_lets_the_photo_change_the_steering() {
        let device = Device::flex();
        let reference = Tensor::<2>::ones([2, 5], &device);
        let x = Tensor::<4>::ones([2, 3, 4, 4], &device);
        let photo = |v: f32| Some(Tensor::<2>::full([2, 7], v, &device));
        let blind = ReferenceBranch::new(5, &[3], None, false, &device);
        let before = blind.forward(reference.clone(), None).apply(0, x.clone());
        let sighted = blind.with_sight(7, &device);
        let after = sighted.forward(reference.clone(), photo(3.0)).apply(0, x.clone());
        assert_eq!((after - before).abs().max().into_scalar::<f32>(), 0.0, "zero-initialised sight");
        let trained = ReferenceBranch::new(5, &[3], Some(7), false, &device);
        let (dark, bright) = (photo(-1.0), photo(1.0));
        let dark = trained.forward(reference.clone(), dark).apply(0, x.clone());
        let bright = trained.forward(reference, bright).apply(0, x);
        assert!((dark - bright).abs().max().into_scalar::<f32>() > 1e-3, "the photo's features steer");
    }
}
