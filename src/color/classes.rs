//! Quantised ab colour classes (Zhang, Isola & Efros, "Colorful Image
//! Colorization", ECCV 2016).
//!
//! Colorization is posed as classification over bins of the ab plane rather
//! than regression, because regression to the mean of a multimodal colour
//! distribution gives desaturated, brownish results. This module builds the
//! bins, encodes ground-truth ab as soft targets and decodes class scores back
//! to ab (annealed mean). Palettes learnt by k-means ([`crate::color::palette`]) are
//! classes too, so the same encoding and decoding serve them.

use crate::color;

/// Spacing of the ab grid, as in Zhang et al.
pub const GRID: f32 = 10.0;
/// Half-width of the ab square the grid covers; sRGB's a and b stay within it.
pub const AB_RANGE: f32 = 110.0;
/// Number of nearest bins that share a soft target.
pub const SOFT_K: usize = 5;
/// Width (in ab units) of the Gaussian that weights the soft target.
pub const SOFT_SIGMA: f32 = 5.0;
/// Annealed-mean temperature from the paper: between the mean (T=1, dull)
/// and the mode (T=0, vivid but spatially noisy).
pub const DEFAULT_TEMPERATURE: f32 = 0.38;

/// Below this temperature the softmax is numerically the argmax.
const MIN_TEMPERATURE: f32 = 1e-3;
/// Samples per edge of each RGB cube face when tracing the gamut's ab
/// outline: ab moves under 2 units per step, far finer than a bin.
const FACE_STEPS: usize = 128;

/// A set of ab colour classes, each represented by its centre.
#[derive(Debug, Clone, PartialEq)]
pub struct AbClasses {
    centers: Vec<[f32; 2]>,
}

/// The in-gamut ab bins of a square grid with spacing `grid`.
///
/// Centres lie at multiples of `grid` in [-AB_RANGE, AB_RANGE]. A bin is
/// kept when it is one of the four grid points surrounding some sRGB colour's
/// ab, i.e. its cell widened by half a step on each side meets the gamut.
/// Why the margin: the bins exactly covering the gamut (261 for grid 10)
/// cannot bilinearly represent, or soft-encode without truncation, the
/// colours on the gamut border. With the margin grid 10 gives 307 bins, all
/// of them inside Zhang et al.'s published 313.
///
/// The gamut is sampled on the surface of the RGB cube: the ab shadow of a
/// solid equals the shadow of its boundary, and the cube's corners (the
/// primaries, where the gamut is sharpest) are sampled exactly.
pub fn gamut_grid(grid: f32) -> AbClasses {
    let n = (AB_RANGE / grid).round() as i32;
    let side = (2 * n + 1) as usize;
    let mut keep = vec![false; side * side];
    for ab in rgb_cube_surface_ab() {
        for ia in surrounding(ab[0] / grid, n) {
            for ib in surrounding(ab[1] / grid, n) {
                keep[(ia + n) as usize * side + (ib + n) as usize] = true;
            }
        }
    }
    let centers = (0..side * side)
        .filter(|&i| keep[i])
        .map(|i| [(i / side) as i32 - n, (i % side) as i32 - n].map(|k| k as f32 * grid))
        .collect();
    AbClasses { centers }
}

/// Grid indices just below and above `x` (in grid units), within +-n.
fn surrounding(x: f32, n: i32) -> impl Iterator<Item = i32> {
    let (lo, hi) = (x.floor() as i32, x.ceil() as i32);
    [lo, hi].into_iter().filter(move |k| k.abs() <= n)
}

/// ab of a dense sampling of the six faces of the RGB cube.
fn rgb_cube_surface_ab() -> impl Iterator<Item = [f32; 2]> {
    let steps = FACE_STEPS;
    (0..6).flat_map(move |face| {
        (0..=steps).flat_map(move |i| {
            (0..=steps).map(move |j| {
                let axis = face / 2;
                let mut rgb = [0.0f32; 3];
                rgb[axis] = (face % 2) as f32;
                rgb[(axis + 1) % 3] = i as f32 / steps as f32;
                rgb[(axis + 2) % 3] = j as f32 / steps as f32;
                let lab = color::srgb_to_lab(rgb);
                [lab[1], lab[2]]
            })
        })
    })
}

pub(crate) fn dist2(p: [f32; 2], q: [f32; 2]) -> f32 {
    let (da, db) = (p[0] - q[0], p[1] - q[1]);
    da * da + db * db
}

/// Softmax of `logits / temperature`, stabilised by subtracting the max so
/// large logits cannot overflow `exp`.
fn softmax(logits: &[f32], temperature: f32) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut p: Vec<f32> = logits.iter().map(|&z| ((z - max) / temperature).exp()).collect();
    let sum: f32 = p.iter().sum();
    p.iter_mut().for_each(|v| *v /= sum);
    p
}

/// Index of the largest value (the first on ties).
pub(crate) fn argmax<T: PartialOrd>(v: &[T]) -> usize {
    (0..v.len()).fold(0, |best, i| if v[i] > v[best] { i } else { best })
}

pub(crate) fn is_finite(ab: &[f32; 2]) -> bool {
    ab[0].is_finite() && ab[1].is_finite()
}

impl AbClasses {
    /// Wraps explicit centres (e.g. a palette loaded from disk).
    pub fn from_centers(centers: Vec<[f32; 2]>) -> AbClasses {
        AbClasses { centers }
    }

    pub fn centers(&self) -> &[[f32; 2]] {
        &self.centers
    }

    pub fn len(&self) -> usize {
        self.centers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.centers.is_empty()
    }

    /// Index of the centre closest to `ab` (allocation-free: it runs per
    /// pixel in palette mode). Panics when there are no classes.
    pub fn nearest(&self, ab: [f32; 2]) -> usize {
        assert!(!self.is_empty(), "nearest() on empty AbClasses");
        let d = |i: usize| dist2(self.centers[i], ab);
        (1..self.len()).fold(0, |best, i| if d(i) < d(best) { i } else { best })
    }

    /// Indices of the `k` closest centres, nearest first.
    /// Ties go to the lower index. Runs per target pixel in training (tens of thousands of
    /// times a batch), so distances are computed once and only the `k` nearest are sorted.
    pub fn nearest_k(&self, ab: [f32; 2], k: usize) -> Vec<usize> {
        let mut by_distance: Vec<(f32, usize)> = self.centers.iter().map(|&c| dist2(c, ab)).zip(0..).collect();
        let order = |a: &(f32, usize), b: &(f32, usize)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
        if k < by_distance.len() {
            by_distance.select_nth_unstable_by(k, order);
            by_distance.truncate(k);
        }
        by_distance.sort_unstable_by(order);
        by_distance.into_iter().map(|(_, i)| i).collect()
    }

    /// Soft target of Zhang et al.: the `k` nearest bins weighted by a
    /// Gaussian exp(-d^2 / 2 sigma^2) of their distance, normalised to sum 1.
    /// Soft targets let the loss reward near misses. Distances are taken
    /// relative to the nearest bin, which cancels in the normalisation but
    /// keeps far-away inputs from underflowing every weight to 0.
    pub fn soft_encode(&self, ab: [f32; 2], k: usize, sigma: f32) -> Vec<(usize, f32)> {
        let idx = self.nearest_k(ab, k);
        let Some(&first) = idx.first() else {
            return Vec::new();
        };
        let d0 = dist2(self.centers[first], ab);
        let inv = 1.0 / (2.0 * sigma * sigma);
        let w: Vec<f32> = idx.iter().map(|&i| (-(dist2(self.centers[i], ab) - d0) * inv).exp()).collect();
        let sum: f32 = w.iter().sum();
        idx.into_iter().zip(w).map(|(i, w)| (i, w / sum)).collect()
    }

    /// Decodes one pixel's class scores to ab by the annealed mean:
    /// softmax(logits / T), then the probability-weighted mean of the centres.
    /// T <= 1e-3 returns the mode's centre. Panics if `logits.len() != len()`.
    pub fn annealed_mean(&self, logits: &[f32], temperature: f32) -> [f32; 2] {
        assert_eq!(logits.len(), self.len(), "one logit per class");
        if temperature <= MIN_TEMPERATURE {
            return self.centers[argmax(logits)];
        }
        let p = softmax(logits, temperature);
        let mut ab = [0.0f32; 2];
        for (c, w) in self.centers.iter().zip(&p) {
            ab[0] += w * c[0];
            ab[1] += w * c[1];
        }
        ab
    }

    /// Up to `k` likely colours at least `min_distance` apart in ab, most probable first, for
    /// "suggested colours". Each carries the probability of its own bin plus the bins within
    /// `min_distance` of it that were not chosen: neighbouring bins (10 apart) would otherwise
    /// fill the list with near-copies of one colour. `min_distance = 0` gives the plain top-k.
    pub fn top_k(&self, logits: &[f32], k: usize, min_distance: f32) -> Vec<([f32; 2], f32)> {
        assert_eq!(logits.len(), self.len(), "one logit per class");
        let p = softmax(logits, 1.0);
        let mut order: Vec<usize> = (0..p.len()).collect();
        order.sort_by(|&i, &j| p[j].total_cmp(&p[i]));
        let near = min_distance * min_distance;
        let mut chosen: Vec<([f32; 2], f32)> = Vec::with_capacity(k);
        for i in order {
            let center = self.centers[i];
            match chosen.iter().position(|(c, _)| min_distance > 0.0 && dist2(*c, center) < near) {
                Some(j) => chosen[j].1 += p[i],
                None if chosen.len() < k => chosen.push((center, p[i])),
                None => {}
            }
        }
        chosen.sort_by(|x, y| y.1.total_cmp(&x.1));
        chosen
    }

    /// The nearest centre to `ab` (the tests measure how well a palette covers colours).
    #[cfg(test)]
    pub fn snap(&self, ab: [f32; 2]) -> [f32; 2] {
        self.centers[self.nearest(ab)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(classes: &AbClasses, ab: [f32; 2]) -> bool {
        classes.centers().contains(&ab)
    }

    #[test]
    fn gamut_grid_matches_zhang() {
        let g = gamut_grid(GRID);
        assert!((290..=340).contains(&g.len()), "{} bins", g.len());
        assert!(has(&g, [0.0, 0.0]));
        assert!(has(&g, [80.0, 70.0]), "pure red's bin");
        assert!(has(&g, [80.0, -110.0]), "pure blue's bin");
        assert!(has(&g, [-90.0, 80.0]), "pure green's bin");
        assert!(has(&g, [-20.0, 90.0]), "pure yellow's bin");
        assert!(!has(&g, [-110.0, -110.0]), "no colour is that cyan-blue");
    }

    #[test]
    fn grid_surrounds_every_srgb8_colour() {
        let g = gamut_grid(GRID);
        for r in (0..=255u8).step_by(15) {
            for gr in (0..=255u8).step_by(15) {
                for b in (0..=255u8).step_by(15) {
                    let lab = color::srgb8_to_lab([r, gr, b]);
                    let [a, b] = [lab[1] / GRID, lab[2] / GRID];
                    for ca in [a.floor(), a.ceil()] {
                        for cb in [b.floor(), b.ceil()] {
                            assert!(has(&g, [ca * GRID, cb * GRID]), "{lab:?}");
                        }
                    }
                }
            }
        }
    }

    const SMALL: [[f32; 2]; 5] = [[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [-10.0, 0.0], [20.0, 20.0]];
    const LOGITS: [f32; 5] = [1.0, 0.5, 3.0, 0.2, 2.5];

    fn small() -> AbClasses {
        AbClasses::from_centers(SMALL.to_vec())
    }

    #[test]
    fn nearest_and_nearest_k() {
        let c = small();
        assert_eq!(c.nearest([8.0, 1.0]), 1);
        assert_eq!(c.nearest([-7.0, -3.0]), 3);
        assert_eq!(c.nearest_k([8.0, 1.0], 3), vec![1, 0, 2]);
        assert_eq!(c.nearest_k([0.0, 0.0], 10).len(), 5);
        assert_eq!(c.snap([18.0, 25.0]), [20.0, 20.0]);
        assert!(c.centers().contains(&c.snap([-3.0, 4.0])));
    }

    #[test]
    fn nearest_k_is_a_stable_sort_by_distance() {
        // The partial selection must pick and order exactly as sorting every centre would,
        // ties (points half-way between grid centres) going to the lower index.
        let grid = gamut_grid(GRID);
        let sorted = |ab: [f32; 2], k: usize| {
            let mut idx: Vec<usize> = (0..grid.len()).collect();
            idx.sort_by(|&i, &j| dist2(grid.centers()[i], ab).total_cmp(&dist2(grid.centers()[j], ab)));
            idx.truncate(k);
            idx
        };
        for a in (-60..=60).step_by(5) {
            for b in (-60..=60).step_by(5) {
                let ab = [a as f32, b as f32 + 0.25 * (a % 2) as f32];
                for k in [1, 5, 9] {
                    assert_eq!(grid.nearest_k(ab, k), sorted(ab, k), "ab {ab:?}, k {k}");
                }
            }
        }
        assert_eq!(grid.nearest_k([0.0, 0.0], grid.len() + 3), sorted([0.0, 0.0], grid.len()));
    }

    #[test]
    fn soft_encode_weights() {
        let g = gamut_grid(GRID);
        let w = g.soft_encode([13.0, -4.0], SOFT_K, SOFT_SIGMA);
        assert_eq!(w.len(), SOFT_K);
        let sum: f32 = w.iter().map(|x| x.1).sum();
        assert!((sum - 1.0).abs() < 1e-5);
        assert_eq!(w[0].0, g.nearest([13.0, -4.0]));
        assert!(w.iter().all(|x| x.1 <= w[0].1));
        assert!(w.windows(2).all(|p| p[0].1 >= p[1].1), "sorted by distance");
        let on = g.soft_encode([30.0, 40.0], SOFT_K, SOFT_SIGMA);
        assert_eq!(g.centers()[on[0].0], [30.0, 40.0]);
        assert!(on[0].1 > 0.5 && on[1].1 > 0.0);
        let far = small().soft_encode([500.0, 500.0], 2, SOFT_SIGMA);
        assert!(far.iter().all(|x| x.1.is_finite()) && far[0].1 > 0.99);
    }

    #[test]
    fn annealed_mean_limits() {
        let c = small();
        assert_eq!(c.annealed_mean(&LOGITS, 0.0), [0.0, 10.0]);
        assert_eq!(c.annealed_mean(&LOGITS, 1e-3), [0.0, 10.0]);
        let e = LOGITS.map(f32::exp);
        let s: f32 = e.iter().sum();
        let want = [0, 1].map(|k| (0..5).map(|i| SMALL[i][k] * e[i] / s).sum::<f32>());
        let got = c.annealed_mean(&LOGITS, 1.0);
        assert!(dist2(got, want) < 1e-8, "{got:?} vs {want:?}");
    }

    #[test]
    fn annealed_mean_moves_toward_mode() {
        let g = gamut_grid(GRID);
        let (m1, m2) = ([-40.0, 50.0], [40.0, -30.0]);
        let bump = |c: [f32; 2], p: [f32; 2]| -dist2(c, p) / 400.0;
        let logits: Vec<f32> = g.centers().iter().map(|&c| bump(c, m1).max(bump(c, m2) - 0.7)).collect();
        let mode = g.centers()[argmax(&logits)];
        assert_eq!(mode, m1);
        let mut prev = f32::INFINITY;
        for t in [1.0, 0.8, 0.6, 0.38, 0.2, 0.1, 0.05, 0.01] {
            let d = dist2(g.annealed_mean(&logits, t), mode).sqrt();
            assert!(d < prev, "T={t}: {d} !< {prev}");
            prev = d;
        }
        assert!(prev < 1.0);
    }

    #[test]
    fn annealed_mean_stable_for_large_logits() {
        let c = small();
        let ab = c.annealed_mean(&[1000.0, 999.0, 0.0, -1000.0, 1000.0], 0.38);
        assert!(ab[0].is_finite() && ab[1].is_finite());
        // Classes 0 and 4 tie; class 1 trails by exp(-1/0.38).
        let w1 = (-1.0f32 / 0.38).exp();
        let want = [(10.0 * w1 + 20.0) / (2.0 + w1), 20.0 / (2.0 + w1)];
        assert!(dist2(ab, want) < 1e-8, "{ab:?} vs {want:?}");
    }

    #[test]
    fn top_k_orders_by_probability() {
        let top = small().top_k(&LOGITS, 2, 0.0);
        assert_eq!(top.len(), 2);
        assert_eq!((top[0].0, top[1].0), ([0.0, 10.0], [20.0, 20.0]));
        let e = LOGITS.map(f32::exp);
        assert!((top[0].1 - e[2] / e.iter().sum::<f32>()).abs() < 1e-6);
    }

    #[test]
    fn top_k_keeps_suggestions_apart_and_merges_their_neighbours() {
        let c = small();
        let all = c.top_k(&LOGITS, 5, 0.0);
        let p = |ab: [f32; 2]| all.iter().find(|(c, _)| *c == ab).unwrap().1;
        // Everything within 15 of the best bin (0, 10) is folded into it.
        let apart = c.top_k(&LOGITS, 5, 15.0);
        for (i, (x, _)) in apart.iter().enumerate() {
            for (y, _) in &apart[i + 1..] {
                assert!(dist2(*x, *y) >= 15.0 * 15.0, "{x:?} and {y:?} are too close");
            }
        }
        let merged: f32 = all.iter().filter(|(ab, _)| dist2(*ab, [0.0, 10.0]) < 225.0).map(|(_, p)| p).sum();
        assert_eq!(apart[0].0, [0.0, 10.0]);
        assert!((apart[0].1 - merged).abs() < 1e-6 && merged > p([0.0, 10.0]));
        let total: f32 = apart.iter().map(|(_, p)| p).sum();
        assert!((total - 1.0).abs() < 1e-5, "all five bins are accounted for: {total}");
        assert!(apart.windows(2).all(|w| w[0].1 >= w[1].1), "most probable first");
    }
}
