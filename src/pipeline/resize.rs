//! The working size the network sees, and resizing lightness (or any plane) to it.

use image::imageops::{self, FilterType};
use image::{ImageBuffer, Luma};

/// Working size for an image: long side `size`, aspect kept, each side a multiple of
/// `multiple` (the model's [`crate::ModelConfig::size_multiple`]).
pub fn working_size(width: u32, height: u32, size: u32, multiple: usize) -> (usize, usize) {
    let scale = size as f64 / width.max(height) as f64;
    let round = |v: u32| {
        let m = multiple as f64;
        (((v as f64 * scale) / m).round() as usize).max(1) * multiple
    };
    (round(width), round(height))
}

/// Resize one plane of values in 0..=`max` (L: 0..=100) with a triangle filter, which
/// averages when shrinking. The `image` crate clamps float pixels to 0..=1 while resizing, so
/// the plane is scaled into that range and back (the triangle filter has no negative lobes,
/// so nothing in range is lost).
///
/// A large shrink (a 24 MP photo to the working size) first averages k×k blocks, k half the
/// smaller scale factor: the triangle filter's support grows with the factor, and on the full
/// plane it was a tenth of the time of a large photo; on blocks that still leave it two or more
/// samples per output pixel the result moves by a fraction of an L unit.
pub fn resize_plane(plane: &[f32], width: u32, height: u32, to: (usize, usize), max: f32) -> Vec<f32> {
    let k = ((width as usize / to.0.max(1)).min(height as usize / to.1.max(1)) / 2).max(1);
    let (plane, width, height) = match k {
        1 => (std::borrow::Cow::Borrowed(plane), width, height),
        k => {
            let (small, w, h) = average_blocks(plane, width as usize, height as usize, k);
            (std::borrow::Cow::Owned(small), w as u32, h as u32)
        }
    };
    let unit: Vec<f32> = plane.iter().map(|v| v / max).collect();
    let image: ImageBuffer<Luma<f32>, Vec<f32>> =
        ImageBuffer::from_raw(width, height, unit).expect("plane length matches its size");
    let resized = imageops::resize(&image, to.0 as u32, to.1 as u32, FilterType::Triangle).into_raw();
    resized.into_iter().map(|v| v * max).collect()
}

/// The means of the k×k blocks of a plane (the last partial row and column of blocks dropped).
fn average_blocks(plane: &[f32], width: usize, height: usize, k: usize) -> (Vec<f32>, usize, usize) {
    let (w, h) = (width / k, height / k);
    let mut sums = vec![0.0f32; w * h];
    for y in 0..h * k {
        let row = &plane[y * width..y * width + w * k];
        let out = &mut sums[(y / k) * w..(y / k + 1) * w];
        for (sum, block) in out.iter_mut().zip(row.chunks_exact(k)) {
            *sum += block.iter().sum::<f32>();
        }
    }
    let scale = 1.0 / (k * k) as f32;
    sums.iter_mut().for_each(|v| *v *= scale);
    (sums, w, h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_shrink_averages_blocks_first_and_keeps_the_plane() {
        // A 400×300 ramp in x shrunk to 20×15: each output pixel is its region's mean.
        let (w, h) = (400usize, 300usize);
        let plane: Vec<f32> = (0..w * h).map(|i| (i % w) as f32 / 4.0).collect();
        let small = resize_plane(&plane, w as u32, h as u32, (20, 15), 100.0);
        for x in 1..19 {
            let expected = (x as f32 * 20.0 + 9.5) / 4.0;
            assert!((small[7 * 20 + x] - expected).abs() < 0.3, "x {x}: {} vs {expected}", small[7 * 20 + x]);
        }
        let (blocks, bw, bh) = average_blocks(&[1.0, 3.0, 5.0, 7.0, 2.0, 4.0, 6.0, 8.0], 4, 2, 2);
        assert_eq!((blocks, bw, bh), (vec![2.5, 6.5], 2, 1));
    }
}
