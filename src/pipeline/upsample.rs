//! From the network's small colour map to a colour for every pixel of the photo.
//!
//! The network predicts ab at a fraction of the working size (a 481×321 photo gets a 64×43
//! colour map), so each map pixel covers a 7×7 block of the photo. Plain bilinear upsampling
//! blurs colour across object edges: a red cup's colour runs into the table. Joint bilateral
//! upsampling (Kopf et al. 2007) weighs the nearby map pixels also by how close their own
//! lightness is to the photo pixel's: a dark pixel of the cup takes its colour from map pixels
//! that were dark too, so colour edges follow the photo's full-resolution edges.

use super::decode::Photo;
use super::network::AbMap;
use super::resize::resize_plane;

/// Spread of the spatial weights, in colour-map pixels.
pub const SIGMA_SPACE: f32 = 1.0;
/// Spread of the lightness weights, in L units (0–100).
pub const SIGMA_LIGHTNESS: f32 = 8.0;
/// Resolution of the lightness-weight table, entries per L unit.
const TABLE_STEPS: f32 = 8.0;

/// The four neighbouring map samples along one axis, for one photo coordinate, with weights.
#[derive(Debug, Clone, Copy)]
struct Taps {
    index: [usize; 4],
    weight: [f32; 4],
}

/// Lightness of the colour map's pixels and the lightness-weight table.
#[derive(Debug, Clone)]
struct Guide {
    lightness: Vec<f32>,
    table: Vec<f32>,
}

impl Guide {
    fn weight(&self, difference: f32) -> f32 {
        let i = (difference.abs() * TABLE_STEPS) as usize;
        self.table.get(i).copied().unwrap_or(0.0)
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
        let table = (0..=(100.0 * TABLE_STEPS) as usize)
            .map(|i| {
                let d = i as f32 / TABLE_STEPS;
                (-d * d / (2.0 * SIGMA_LIGHTNESS * SIGMA_LIGHTNESS)).exp()
            })
            .collect();
        let (width, height) = (photo.width as usize, photo.height as usize);
        Self {
            map,
            xs: axis(width, map.width, gauss),
            ys: axis(height, map.height, gauss),
            guide: Some(Guide { lightness, table }),
        }
    }

    /// The ab of photo pixel (x, y), whose lightness is `lightness`.
    pub fn ab(&self, x: usize, y: usize, lightness: f32) -> [f32; 2] {
        let weighted =
            self.guide.as_ref().and_then(|guide| self.blend(x, y, |i| guide.weight(lightness - guide.lightness[i])));
        // No neighbour with a similar lightness (or not guided): spatial weights alone.
        weighted.or_else(|| self.blend(x, y, |_| 1.0)).unwrap_or([0.0, 0.0])
    }

    /// Weighted mean of the 4×4 neighbouring map samples; `extra` scales each sample's weight.
    fn blend(&self, x: usize, y: usize, extra: impl Fn(usize) -> f32) -> Option<[f32; 2]> {
        let (tx, ty) = (&self.xs[x], &self.ys[y]);
        let (mut sum, mut total) = ([0.0f32; 2], 0.0f32);
        for (&row, &wy) in ty.index.iter().zip(&ty.weight) {
            for (&column, &wx) in tx.index.iter().zip(&tx.weight) {
                let i = row * self.map.width + column;
                let w = wy * wx * extra(i);
                sum = [sum[0] + w * self.map.ab[0][i], sum[1] + w * self.map.ab[1][i]];
                total += w;
            }
        }
        (total > 1e-6).then(|| [sum[0] / total, sum[1] / total])
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
