//! Palettes: a few ab colours fitted to training pixels by k-means (the 16/32-colour option of
//! the cnn-image-colorization project). A palette is an [`AbClasses`] like the ab grid, so the
//! same soft targets, decoding and snapping serve both.

use std::collections::HashSet;

use crate::color::classes::{AbClasses, argmax, dist2, is_finite};
use crate::rng::Rng;

/// Distinct finite samples, stopping once more than `limit` are found
/// (only "are there at most k?" matters, and images have millions of pixels).
fn distinct_up_to(samples: &[[f32; 2]], limit: usize) -> Vec<[f32; 2]> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for s in samples.iter().filter(|s| is_finite(s)) {
        let s = [s[0] + 0.0, s[1] + 0.0]; // -0.0 -> 0.0
        if seen.insert(s.map(f32::to_bits)) {
            out.push(s);
            if out.len() > limit {
                break;
            }
        }
    }
    out
}

/// A k-colour ab palette fitted to `samples` (as in the cnn-image-colorization
/// project's 16/32-colour modes): k-means++ seeding, then Lloyd iterations.
/// Deterministic for a given `seed`. With k or fewer distinct samples it
/// returns those samples instead of failing.
pub fn kmeans(samples: &[[f32; 2]], k: usize, iterations: usize, seed: u64) -> AbClasses {
    let distinct = distinct_up_to(samples, k);
    if distinct.len() <= k {
        return AbClasses::from_centers(distinct);
    }
    let pts: Vec<[f32; 2]> = samples.iter().copied().filter(is_finite).collect();
    let mut rng = Rng::new(seed);
    let mut centers = kmeans_pp(&pts, k, &mut rng);
    let mut assign = vec![usize::MAX; pts.len()];
    for _ in 0..iterations {
        if !assign_points(&pts, &centers, &mut assign) {
            break;
        }
        update_centers(&pts, &assign, &mut centers);
    }
    AbClasses::from_centers(centers)
}

/// k-means++ seeding: each new centre is drawn with probability proportional
/// to its squared distance from the centres so far, which spreads the seeds
/// and avoids most bad local minima.
fn kmeans_pp(pts: &[[f32; 2]], k: usize, rng: &mut Rng) -> Vec<[f32; 2]> {
    let first = (rng.next_u64() % pts.len() as u64) as usize;
    let mut centers = vec![pts[first]];
    let mut d2: Vec<f64> = pts.iter().map(|&p| dist2(p, pts[first]) as f64).collect();
    while centers.len() < k {
        let total: f64 = d2.iter().sum();
        let mut target = rng.next_f64() * total;
        let mut pick = argmax(&d2); // fallback for rounding at the end
        for (i, &d) in d2.iter().enumerate() {
            if d > 0.0 && target < d {
                pick = i;
                break;
            }
            target -= d;
        }
        let c = pts[pick];
        centers.push(c);
        d2.iter_mut().zip(pts).for_each(|(d, &p)| *d = d.min(dist2(p, c) as f64));
    }
    centers
}

/// Assigns each point to its nearest centre; returns whether anything moved.
fn assign_points(pts: &[[f32; 2]], centers: &[[f32; 2]], assign: &mut [usize]) -> bool {
    let classes = AbClasses::from_centers(centers.to_vec());
    let mut changed = false;
    for (a, &p) in assign.iter_mut().zip(pts) {
        let n = classes.nearest(p);
        changed |= *a != n;
        *a = n;
    }
    changed
}

/// Moves each centre to the mean of its points. An empty cluster is
/// re-seeded at the sample farthest from its centre, so k colours survive.
fn update_centers(pts: &[[f32; 2]], assign: &[usize], centers: &mut [[f32; 2]]) {
    let mut sum = vec![[0.0f64; 3]; centers.len()];
    for (&a, p) in assign.iter().zip(pts) {
        sum[a][0] += p[0] as f64;
        sum[a][1] += p[1] as f64;
        sum[a][2] += 1.0;
    }
    let mut err: Vec<f32> = assign.iter().zip(pts).map(|(&a, &p)| dist2(p, centers[a])).collect();
    for (c, s) in centers.iter_mut().zip(&sum) {
        if s[2] > 0.0 {
            *c = [(s[0] / s[2]) as f32, (s[1] / s[2]) as f32];
        } else {
            let far = argmax(&err);
            *c = pts[far];
            err[far] = 0.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn three_clusters() -> (Vec<[f32; 2]>, [[f32; 2]; 3]) {
        let means = [[-50.0, 20.0], [30.0, 60.0], [40.0, -70.0]];
        let mut rng = Rng::new(7);
        let mut pts = Vec::new();
        for m in means {
            for _ in 0..300 {
                let j = [rng.next_f64(), rng.next_f64()].map(|u| (u as f32 - 0.5) * 10.0);
                pts.push([m[0] + j[0], m[1] + j[1]]);
            }
        }
        (pts, means)
    }

    #[test]
    fn kmeans_finds_separated_clusters() {
        let (pts, means) = three_clusters();
        let pal = kmeans(&pts, 3, 50, 42);
        assert_eq!(pal.len(), 3);
        for m in means {
            let d = dist2(pal.snap(m), m).sqrt();
            assert!(d < 2.0, "mean {m:?} is {d} from its centre");
        }
    }

    #[test]
    fn kmeans_is_deterministic() {
        let (pts, _) = three_clusters();
        assert_eq!(kmeans(&pts, 8, 20, 3), kmeans(&pts, 8, 20, 3));
        assert_ne!(kmeans(&pts, 8, 0, 3), kmeans(&pts, 8, 0, 4));
    }

    #[test]
    fn kmeans_with_few_samples_returns_them() {
        let pts = [[1.0, 2.0], [1.0, 2.0], [-3.0, 4.0]];
        let pal = kmeans(&pts, 16, 10, 0);
        assert_eq!(pal.centers(), &[[1.0, 2.0], [-3.0, 4.0]]);
        assert!(kmeans(&[], 4, 10, 0).is_empty());
    }

    #[test]
    fn kmeans_reseeds_empty_clusters() {
        let mut centers = [[0.0, 0.0], [100.0, 100.0]];
        let pts = [[0.0, 0.0], [1.0, 0.0], [9.0, 0.0]];
        update_centers(&pts, &[0, 0, 0], &mut centers);
        assert_eq!(centers[1], [9.0, 0.0]);
    }
}
