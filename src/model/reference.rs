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

use burn::nn::{Initializer, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::relu;

/// Width of the branch's hidden layer.
const HIDDEN: usize = 256;

/// The reference branch. Build it with [`ReferenceBranch::new`].
#[derive(Module, Debug)]
pub struct ReferenceBranch {
    hidden: Linear,
    /// One layer per steered decoder level, giving its channels' scales then shifts.
    films: Vec<Linear>,
}

/// The branch's output for one batch: per steered level, [batch, 2 × channels].
pub struct Steering(Vec<Tensor<2>>);

impl ReferenceBranch {
    /// A branch reading `inputs` values (classes + 1) and steering levels of `widths` channels;
    /// `silent`: its last layer starts at zero (no effect until trained), else at random.
    pub fn new(inputs: usize, widths: &[usize], silent: bool, device: &Device) -> Self {
        let film = |w: usize| match silent {
            true => LinearConfig::new(HIDDEN, 2 * w).with_initializer(Initializer::Zeros),
            false => LinearConfig::new(HIDDEN, 2 * w),
        };
        let films = widths.iter().map(|&w| film(w).init(device)).collect();
        Self { hidden: LinearConfig::new(inputs, HIDDEN).init(device), films }
    }

    /// Number of values the branch reads (classes + 1).
    pub fn inputs(&self) -> usize {
        self.hidden.weight.lazy_shape()[0]
    }

    /// `reference`: [batch, classes + 1], from [`crate::color::reference`].
    pub fn forward(&self, reference: Tensor<2>) -> Steering {
        let hidden = relu(self.hidden.forward(reference));
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
pub fn steer(branch: &Option<ReferenceBranch>, reference: Option<Tensor<2>>) -> Option<Steering> {
    branch.as_ref().zip(reference).map(|(branch, reference)| branch.forward(reference))
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
        let branch = ReferenceBranch::new(5, &[3], true, &device);
        let x = Tensor::<4>::random([2, 3, 4, 4], burn::tensor::Distribution::Default, &device);
        let reference = Tensor::<2>::ones([2, 5], &device);
        let same = branch.forward(reference.clone()).apply(0, x.clone());
        assert_eq!((same - x.clone()).abs().max().into_scalar::<f32>(), 0.0, "zero-initialised FiLM");
        let random = ReferenceBranch::new(5, &[3], false, &device).forward(reference.clone()).apply(0, x.clone());
        assert!((random - x.clone()).abs().max().into_scalar::<f32>() > 1e-3, "a fresh branch steers at once");
        // A film layer of bias only: γ = 1 (scale ×2) and β = 0.5 for every channel.
        let mut branch = branch;
        let bias = Tensor::<1>::from_floats([1.0, 1.0, 1.0, 0.5, 0.5, 0.5], &device);
        branch.films[0].bias = Some(burn::module::Param::from_tensor(bias));
        let steered = branch.forward(reference).apply(0, x.clone());
        let expected = x * 2.0 + 0.5;
        assert!((steered - expected).abs().max().into_scalar::<f32>() < 1e-5);
    }
}
