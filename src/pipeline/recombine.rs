//! The last step: the predicted colour, upsampled to the photo's size, joined with the photo's
//! own lightness (and alpha) at its bit depth.

use image::{DynamicImage, ImageBuffer};

use super::decode::Photo;
use super::network::AbMap;
use super::options::ColorizeOptions;
use super::upsample::Upsampler;
use crate::color;

/// Upsample the colour to the photo's size and recombine it with the photo's own L (and
/// alpha). Rows are independent; native builds spread them over all cores (this is most of
/// the time for large photos).
pub fn recombine(photo: &Photo, ab: &AbMap, options: &ColorizeOptions) -> DynamicImage {
    let (width, height) = (photo.width as usize, photo.height as usize);
    let upsampler =
        if options.edge_aware { Upsampler::edge_aware(ab, photo) } else { Upsampler::bilinear(ab, width, height) };
    let channels = if photo.alpha.is_some() { 4 } else { 3 };
    let mut rgb = vec![0.0f32; width * height * channels];
    let fill_row = |(y, row): (usize, &mut [f32])| {
        let colours = upsampler.row(y);
        for x in 0..width {
            let i = y * width + x;
            let [a, b] = colours.ab(x, photo.lightness[i]);
            let (a, b) = (a * options.saturation, b * options.saturation);
            let out = color::lab_to_srgb_in_gamut(photo.lightness[i], a, b);
            row[x * channels..x * channels + 3].copy_from_slice(&out);
            if let Some(alpha) = &photo.alpha {
                row[x * channels + 3] = alpha[i];
            }
        }
    };
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        rgb.par_chunks_mut((width * channels).max(1)).enumerate().for_each(fill_row);
    }
    #[cfg(not(feature = "parallel"))]
    rgb.chunks_mut((width * channels).max(1)).enumerate().for_each(fill_row);
    to_image(photo, rgb)
}

/// Quantise float RGB(A) to the photo's bit depth.
fn to_image(photo: &Photo, rgb: Vec<f32>) -> DynamicImage {
    let (w, h) = (photo.width, photo.height);
    let alpha = photo.alpha.is_some();
    if photo.high_depth {
        let data: Vec<u16> = rgb.into_iter().map(color::to_u16).collect();
        if alpha {
            DynamicImage::ImageRgba16(ImageBuffer::from_raw(w, h, data).expect("sized"))
        } else {
            DynamicImage::ImageRgb16(ImageBuffer::from_raw(w, h, data).expect("sized"))
        }
    } else {
        let data: Vec<u8> = rgb.into_iter().map(color::to_u8).collect();
        if alpha {
            DynamicImage::ImageRgba8(ImageBuffer::from_raw(w, h, data).expect("sized"))
        } else {
            DynamicImage::ImageRgb8(ImageBuffer::from_raw(w, h, data).expect("sized"))
        }
    }
}
