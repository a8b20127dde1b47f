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
pub fn resize_plane(plane: &[f32], width: u32, height: u32, to: (usize, usize), max: f32) -> Vec<f32> {
    let unit: Vec<f32> = plane.iter().map(|v| v / max).collect();
    let image: ImageBuffer<Luma<f32>, Vec<f32>> =
        ImageBuffer::from_raw(width, height, unit).expect("plane length matches its size");
    let resized = imageops::resize(&image, to.0 as u32, to.1 as u32, FilterType::Triangle).into_raw();
    resized.into_iter().map(|v| v * max).collect()
}
