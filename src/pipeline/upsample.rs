//! From the network's small colour map to a colour for every pixel of the photo.
//!
//! The network predicts ab at a fraction of the working size (a 481×321 photo gets a 64×43
//! colour map), so each map pixel covers a 7×7 block of the photo. Plain bilinear upsampling
//! blurs colour across object edges: a red cup's colour runs into the table. Joint bilateral
//! upsampling (Kopf et al. 2007) weighs the nearby map pixels also by how close their own
//! lightness is to the photo pixel's: a dark pixel of the cup takes its colour from map pixels
//! that were dark too, so colour edges follow the photo's full-resolution edges. The
//! lightness weights come from a grid over lightness levels (see `Guide`), so a pixel costs
//! four map columns at two levels, not sixteen map pixels with a weight each.

use super::decode::Photo;
use super::network::AbMap;
use super::resize::resize_plane;

/// Spread of the spatial weights, in colour-map pixels.
pub const SIGMA_SPACE: f32 = 1.0;
/// Spread of the lightness weights, in L units (0–100).
pub const SIGMA_LIGHTNESS: f32 = 8.0;
/// Lightness levels of the guide's grid: one per L unit, 0 to 100.
const LEVELS: usize = 101;

/// The four neighbouring map samples along one axis, for one photo coordinate, with weights.
#[derive(Debug, Clone, Copy)]
struct Taps {
    index: [usize; 4],
    weight: [f32; 4],
}

/// The lightness weights of every map pixel, tabled at each lightness level.
///
/// Why a grid: the weight of map pixel i for a photo pixel of lightness L is g(L − Lᵢ), 16 of
/// them per photo pixel, which made upsampling most of the time for large photos. Tabling
/// g(l − Lᵢ)·(1, aᵢ, bᵢ) at the levels l = 0, 1, …, 100 lets each photo row sum its four map
/// rows once per level, and each pixel then blends four columns at the two levels around its
/// lightness. Linear interpolation between levels one L unit apart moves a weight by at most
/// 0.2 % of the largest (σ = 8).
#[derive(Debug, Clone)]
struct Guide {
    /// [map row][level][map column] → g(level − Lᵢ)·(1, aᵢ, bᵢ).
    slices: Vec<[f32; 3]>,
}

impl Guide {
    fn new(map: &AbMap, lightness: &[f32]) -> Self {
        let gauss = |d: f32| (-d * d / (2.0 * SIGMA_LIGHTNESS * SIGMA_LIGHTNESS)).exp();
        let (w, h) = (map.width, map.height);
        let mut slices = vec![[0.0f32; 3]; h * LEVELS * w];
        for row in 0..h {
            for level in 0..LEVELS {
                for column in 0..w {
                    let i = row * w + column;
                    let g = gauss(level as f32 - lightness[i]);
                    slices[(row * LEVELS + level) * w + column] = [g, g * map.ab[0][i], g * map.ab[1][i]];
                }
            }
        }
        Self { slices }
    }
}

/// Colour for every photo pixel from a colour map: bilinear, or joint bilateral when guided.
#[derive(Debug, Clone)]
pub struct Upsampler<'a> {
    map: &'a AbMap,
    xs: Vec<Taps>,
    ys: Vec<Taps>,
    guide: Option<Guide>,
}

/// One photo row's share of the work: its four map rows summed with their weights, per column
/// (and per lightness level when guided).
pub struct Row<'u, 'a> {
    upsampler: &'u Upsampler<'a>,
    /// Σ over the row's map rows of wy · (1, a, b), per map column.
    plain: Vec<[f32; 3]>,
    /// The same with the lightness weights, per level (0..LEVELS) and map column.
    levels: Vec<[f32; 3]>,
}

impl<'a> Upsampler<'a> {
    /// Bilinear upsampling of `map` to `width × height`.
    pub fn bilinear(map: &'a AbMap, width: usize, height: usize) -> Self {
        let tent = |d: f32| (1.0 - d.abs()).max(0.0);
        Self { map, xs: axis(width, map.width, tent), ys: axis(height, map.height, tent), guide: None }
    }

    /// Joint bilateral upsampling of `map` to the photo's size, guided by its lightness.
    pub fn edge_aware(map: &'a AbMap, photo: &Photo) -> Self {
        let gauss = |d: f32| (-d * d / (2.0 * SIGMA_SPACE * SIGMA_SPACE)).exp();
        let lightness = resize_plane(&photo.lightness, photo.width, photo.height, (map.width, map.height), 100.0);
        let (width, height) = (photo.width as usize, photo.height as usize);
        Self {
            map,
            xs: axis(width, map.width, gauss),
            ys: axis(height, map.height, gauss),
            guide: Some(Guide::new(map, &lightness)),
        }
    }

    /// Photo row `y`, ready to give the colour of each of its pixels.
    pub fn row(&self, y: usize) -> Row<'_, 'a> {
        let (ty, w) = (&self.ys[y], self.map.width);
        let mut plain = vec![[0.0f32; 3]; w];
        for (&r, &wy) in ty.index.iter().zip(&ty.weight) {
            for (column, sum) in plain.iter_mut().enumerate() {
                let i = r * w + column;
                add(sum, wy, [1.0, self.map.ab[0][i], self.map.ab[1][i]]);
            }
        }
        let mut levels = Vec::new();
        if let Some(guide) = &self.guide {
            levels = vec![[0.0f32; 3]; LEVELS * w];
            for (&r, &wy) in ty.index.iter().zip(&ty.weight) {
                let slice = &guide.slices[r * LEVELS * w..(r + 1) * LEVELS * w];
                for (sum, &value) in levels.iter_mut().zip(slice) {
                    add(sum, wy, value);
                }
            }
        }
        Row { upsampler: self, plain, levels }
    }

    /// The ab of photo pixel (x, y), whose lightness is `lightness` (one pixel; whole rows go
    /// through [`Upsampler::row`]).
    pub fn ab(&self, x: usize, y: usize, lightness: f32) -> [f32; 2] {
        self.row(y).ab(x, lightness)
    }
}

impl Row<'_, '_> {
    /// The ab of the row's pixel `x`, whose lightness is `lightness`.
    pub fn ab(&self, x: usize, lightness: f32) -> [f32; 2] {
        let tx = &self.upsampler.xs[x];
        if !self.levels.is_empty() {
            let w = self.upsampler.map.width;
            let l = if lightness.is_nan() { 0.0 } else { lightness.clamp(0.0, 100.0) };
            let level = (l as usize).min(LEVELS - 2);
            let t = l - level as f32;
            let (low, high) =
                (&self.levels[level * w..(level + 1) * w], &self.levels[(level + 1) * w..(level + 2) * w]);
            let mut sum = [0.0f32; 3];
            for (&column, &wx) in tx.index.iter().zip(&tx.weight) {
                let (a, b) = (low[column], high[column]);
                add(&mut sum, wx, [0, 1, 2].map(|v| a[v] + t * (b[v] - a[v])));
            }
            // No neighbour with a similar lightness: spatial weights alone, below.
            if sum[0] > 1e-6 {
                return [sum[1] / sum[0], sum[2] / sum[0]];
            }
        }
        let mut sum = [0.0f32; 3];
        for (&column, &wx) in tx.index.iter().zip(&tx.weight) {
            add(&mut sum, wx, self.plain[column]);
        }
        if sum[0] > 1e-6 { [sum[1] / sum[0], sum[2] / sum[0]] } else { [0.0, 0.0] }
    }
}

/// `sum += weight · value`, per component.
fn add(sum: &mut [f32; 3], weight: f32, value: [f32; 3]) {
    for v in 0..3 {
        sum[v] += weight * value[v];
    }
}

/// For each of `full` photo coordinates, the 4 nearest of `small` map coordinates (pixel
/// centres aligned, edges clamped) and `kernel` of their distance.
fn axis(full: usize, small: usize, kernel: impl Fn(f32) -> f32) -> Vec<Taps> {
    (0..full)
        .map(|i| {
            let s = ((i as f32 + 0.5) * small as f32 / full as f32 - 0.5).clamp(0.0, (small - 1) as f32);
            let first = s.floor() as isize - 1;
            let mut taps = Taps { index: [0; 4], weight: [0.0; 4] };
            for k in 0..4 {
                let j = first + k as isize;
                taps.index[k] = j.clamp(0, small as isize - 1) as usize;
                taps.weight[k] = kernel(j as f32 - s);
            }
            taps
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 32×4 photo whose lightness steps from 20 to 80 at x = 14, and its 8×1 colour map:
    /// a = +40 left of the step, −40 right of it, and the map pixel that straddles the step
    /// (x = 12..16) holds the mean of both, 0, as a network predicting at 1/4 would.
    fn scene() -> (Photo, AbMap) {
        let (w, h) = (32u32, 4u32);
        let lightness = (0..w * h).map(|i| if i % w < 14 { 20.0 } else { 80.0 }).collect();
        let photo = Photo { width: w, height: h, lightness, alpha: None, high_depth: false };
        let a = vec![40.0, 40.0, 40.0, 0.0, -40.0, -40.0, -40.0, -40.0];
        (photo, AbMap { width: 8, height: 1, ab: [a, vec![5.0; 8]] })
    }

    #[test]
    fn bilinear_interpolates_between_map_pixel_centres() {
        let (_, map) = scene();
        let up = Upsampler::bilinear(&map, 32, 4);
        assert_eq!(up.ab(0, 0, 50.0), [40.0, 5.0], "clamped at the edge");
        // Photo x = 12 (centre 12.5) lies at map x 2.625: 40 · 0.375 + 0 · 0.625.
        let between = up.ab(12, 0, 50.0)[0];
        assert!((between - 15.0).abs() < 1e-4, "{between}");
    }

    #[test]
    fn colour_follows_the_lightness_edge_and_flat_colour_stays() {
        let (photo, map) = scene();
        let (plain, sharp) = (Upsampler::bilinear(&map, 32, 4), Upsampler::edge_aware(&map, &photo));
        let truth = |x: usize| if x < 14 { 40.0 } else { -40.0 };
        let l = |x: usize| photo.lightness[x];
        let error = |up: &Upsampler, x: usize| (up.ab(x, 1, l(x))[0] - truth(x)).abs();
        for x in 10..18 {
            assert!(
                error(&sharp, x) < 6.0,
                "x {x}: {} (bilinear {})",
                sharp.ab(x, 1, l(x))[0],
                plain.ab(x, 1, l(x))[0]
            );
        }
        let total = |up: &Upsampler| (10..18).map(|x| error(up, x)).sum::<f32>();
        assert!(total(&sharp) < 0.2 * total(&plain), "{} vs {}", total(&sharp), total(&plain));
        // b is the same everywhere: it stays exactly that, at the edge or not.
        assert!((0..32).all(|x| (sharp.ab(x, 2, l(x))[1] - 5.0).abs() < 1e-4));
    }

    #[test]
    fn a_lightness_unlike_any_neighbour_falls_back_to_spatial_weights() {
        let (photo, map) = scene();
        let up = Upsampler::edge_aware(&map, &photo);
        let [a, b] = up.ab(2, 0, 100.0); // white, while the map around it is L 20
        assert!(a.is_finite() && (a - 40.0).abs() < 1e-3 && (b - 5.0).abs() < 1e-4, "{a} {b}");
    }
}
