//! Hint propagation: a colour hint recolours the region it belongs to, not only the few cells
//! where the network happened to follow it.
//!
//! The network reads hints and learns to spread them, but how far it spreads them depends on
//! how long it trained (a network on a frozen pretrained trunk learns it slowly). This step
//! makes hints dependable whatever the network: after decoding, each hint's *residual* (the
//! hint's ab minus what the network predicted at its cell) is spread over the colour map by
//! geodesic distance, as in Yatziv & Sapiro's chrominance blending (2006). Distance grows
//! with space and with every change of lightness on the way, so a hint fills its own object
//! and stops at the photo's edges. Where the network already obeys a hint the residual is
//! zero and nothing changes; far from every hint nothing changes either.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::network::AbMap;
use crate::model::hints::{Hint, to_working};

/// How far a hint reaches: its weight is exp(−(d / REACH)²) at geodesic distance d, in
/// units of the colour map's long side. Chosen on MiniPlaces val (300 photos, 10 hints,
/// PSNR flat within 0.05 dB from 0.4 to 0.6): a hint is a statement about its whole object,
/// and the photos' objects are large.
pub const REACH: f32 = 0.5;
/// Geodesic cost of a change in lightness, per L unit (0–100), in the same units as
/// [`REACH`]: crossing an edge of 25 L units costs as much as a fifth of the photo. Chosen
/// with [`REACH`] (flat from 0.005 to 0.01); the colour map is coarse (one cell per 2–4
/// working pixels), so its edges are soft and a stronger cost stops hints too early.
pub const EDGE_COST: f32 = 0.008;
/// Distances beyond this many [`REACH`]es are not explored (weight below 1e-4).
const CUTOFF: f32 = 3.0;

/// Spread each hint's residual over `map`, whose cells have lightness `lightness` (0–100,
/// row-major at the map's size). `image` is the photo's size, in which hints are given.
pub fn propagate_hints(map: &mut AbMap, lightness: &[f32], hints: &[Hint], image: (u32, u32)) {
    let cells = map.width * map.height;
    if hints.is_empty() || cells == 0 {
        return;
    }
    let mut weight_sum = vec![0.0f32; cells];
    let mut residual_sum = [vec![0.0f32; cells], vec![0.0f32; cells]];
    for hint in hints {
        let x = to_working(hint.x, image.0, map.width);
        let y = to_working(hint.y, image.1, map.height);
        let seed = y * map.width + x;
        let target = hint.ab();
        let residual = [target[0] - map.ab[0][seed], target[1] - map.ab[1][seed]];
        for (cell, distance) in geodesic_distances(map.width, map.height, lightness, seed) {
            let weight = (-(distance / REACH).powi(2)).exp();
            weight_sum[cell] += weight;
            residual_sum[0][cell] += weight * residual[0];
            residual_sum[1][cell] += weight * residual[1];
        }
    }
    for cell in 0..cells {
        // Near one hint: its full residual. Where several overlap: their weighted mean.
        let norm = weight_sum[cell].max(1.0);
        map.ab[0][cell] += residual_sum[0][cell] / norm;
        map.ab[1][cell] += residual_sum[1][cell] / norm;
    }
}

/// A cell waiting in Dijkstra's queue, nearest first.
#[derive(Debug, PartialEq)]
struct Frontier {
    distance: f32,
    cell: usize,
}

impl Eq for Frontier {}

impl Ord for Frontier {
    fn cmp(&self, other: &Self) -> Ordering {
        other.distance.total_cmp(&self.distance).then_with(|| self.cell.cmp(&other.cell))
    }
}

impl PartialOrd for Frontier {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Geodesic distance from `seed` to every cell within the cutoff, over the 8-connected grid:
/// each step costs its length (in units of the long side) plus [`EDGE_COST`] per unit of
/// lightness change. Returns (cell, distance) pairs.
fn geodesic_distances(width: usize, height: usize, lightness: &[f32], seed: usize) -> Vec<(usize, f32)> {
    let unit = 1.0 / width.max(height) as f32;
    let limit = CUTOFF * REACH;
    let mut distance = vec![f32::INFINITY; width * height];
    let mut reached = Vec::new();
    let mut queue = BinaryHeap::from([Frontier { distance: 0.0, cell: seed }]);
    distance[seed] = 0.0;
    while let Some(Frontier { distance: d, cell }) = queue.pop() {
        if d > distance[cell] {
            continue;
        }
        reached.push((cell, d));
        let (x, y) = ((cell % width) as isize, (cell / width) as isize);
        for (dx, dy) in [(-1, -1), (0, -1), (1, -1), (-1, 0), (1, 0), (-1, 1), (0, 1), (1, 1)] {
            let (nx, ny) = (x + dx, y + dy);
            if nx < 0 || ny < 0 || nx >= width as isize || ny >= height as isize {
                continue;
            }
            let next = ny as usize * width + nx as usize;
            let step = if dx != 0 && dy != 0 { std::f32::consts::SQRT_2 } else { 1.0 };
            let nd = d + step * unit + EDGE_COST * (lightness[next] - lightness[cell]).abs();
            if nd < distance[next] && nd <= limit {
                distance[next] = nd;
                queue.push(Frontier { distance: nd, cell: next });
            }
        }
    }
    reached
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A grey 20×10 map (ab 0) over a photo of the same size whose left half is dark and
    /// right half bright.
    fn step_photo() -> (AbMap, Vec<f32>) {
        let (w, h) = (20, 10);
        let lightness = (0..w * h).map(|i| if i % w < 10 { 20.0 } else { 80.0 }).collect();
        (AbMap { width: w, height: h, ab: [vec![0.0; w * h], vec![0.0; w * h]] }, lightness)
    }

    const RED: Hint = Hint { x: 3.0, y: 5.0, r: 200, g: 30, b: 30 };

    #[test]
    fn a_hint_takes_its_own_colour_and_spreads_over_its_region() {
        let (mut map, lightness) = step_photo();
        propagate_hints(&mut map, &lightness, &[RED], (20, 10));
        let [a, b] = RED.ab();
        let at = |x: usize, y: usize| [map.ab[0][y * 20 + x], map.ab[1][y * 20 + x]];
        assert!((at(3, 5)[0] - a).abs() < 1e-3 && (at(3, 5)[1] - b).abs() < 1e-3, "{:?}", at(3, 5));
        assert!(at(4, 5)[0] > 0.5 * a, "its neighbour should turn red too: {:?}", at(4, 5));
    }

    #[test]
    fn a_hint_fades_faster_across_a_lightness_edge() {
        let (mut map, lightness) = step_photo();
        // Hint at x = 8; the edge lies between x = 9 and 10. Compare cells 3 steps away.
        let hint = Hint { x: 8.0, ..RED };
        propagate_hints(&mut map, &lightness, &[hint], (20, 10));
        let inside = map.ab[0][5 * 20 + 5];
        let across = map.ab[0][5 * 20 + 11];
        assert!(across < 0.5 * inside, "the edge did not hold the colour back: {across} vs {inside}");
    }

    #[test]
    fn far_from_every_hint_the_network_keeps_its_colour() {
        let (w, h) = (100, 10);
        let mut map = AbMap { width: w, height: h, ab: [vec![0.0; w * h], vec![0.0; w * h]] };
        propagate_hints(&mut map, &vec![50.0; w * h], &[RED], (w as u32, h as u32));
        let a = |x: usize| map.ab[0][5 * w + x];
        let full = RED.ab()[0];
        assert!(a(10) > 0.9 * full && a(60) < 0.5 * full && a(99) < 0.1 * full, "{} {} {}", a(10), a(60), a(99));
    }

    #[test]
    fn where_the_network_obeys_the_hint_nothing_changes() {
        let (mut map, lightness) = step_photo();
        let [a, b] = RED.ab();
        map.ab = [vec![a; 200], vec![b; 200]];
        let before = map.clone();
        propagate_hints(&mut map, &lightness, &[RED], (20, 10));
        for (got, want) in map.ab[0].iter().zip(&before.ab[0]) {
            assert!((got - want).abs() < 1e-4);
        }
    }

    #[test]
    fn two_hints_in_one_region_blend_and_no_hints_change_nothing() {
        let (mut map, lightness) = step_photo();
        let before = map.clone();
        propagate_hints(&mut map, &lightness, &[], (20, 10));
        assert_eq!(map, before);
        let blue = Hint { x: 6.0, y: 5.0, r: 30, g: 30, b: 200 };
        propagate_hints(&mut map, &lightness, &[RED, blue], (20, 10));
        let between = map.ab[1][5 * 20 + 4];
        let (red_b, blue_b) = (RED.ab()[1], blue.ab()[1]);
        assert!(between > blue_b.min(red_b) && between < blue_b.max(red_b), "{between}");
    }
}
