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
/// the time for large photos). Pixels are quantised as they are made: a float copy of a
/// 24 MP photo would take 288 MB and another pass.
pub fn recombine(photo: &Photo, ab: &AbMap, options: &ColorizeOptions) -> DynamicImage {
    let (w, h) = (photo.width, photo.height);
    let upsampler = if options.edge_aware {
        Upsampler::edge_aware(ab, photo)
    } else {
        Upsampler::bilinear(ab, w as usize, h as usize)
    };
    let alpha = photo.alpha.is_some();
    if photo.high_depth {
        let colour = |l, a, b| color::lab_to_srgb_in_gamut(l, a, b).map(color::to_u16);
        let data = pixels(photo, &upsampler, options, colour, color::to_u16);
        match alpha {
            true => DynamicImage::ImageRgba16(ImageBuffer::from_raw(w, h, data).expect("sized")),
            false => DynamicImage::ImageRgb16(ImageBuffer::from_raw(w, h, data).expect("sized")),
        }
    } else {
        let data = pixels(photo, &upsampler, options, color::lab_to_srgb8_in_gamut, color::to_u8);
        match alpha {
            true => DynamicImage::ImageRgba8(ImageBuffer::from_raw(w, h, data).expect("sized")),
            false => DynamicImage::ImageRgb8(ImageBuffer::from_raw(w, h, data).expect("sized")),
        }
    }
}

/// Every pixel's RGB(A), row by row: `colour` gives a pixel's RGB from its Lab at the output's
/// depth, `quantise` its alpha.
fn pixels<T: Copy + Default + Send>(
    photo: &Photo,
    upsampler: &Upsampler,
    options: &ColorizeOptions,
    colour: impl Fn(f32, f32, f32) -> [T; 3] + Sync,
    quantise: impl Fn(f32) -> T + Sync,
) -> Vec<T> {
    let width = photo.width as usize;
    let channels = if photo.alpha.is_some() { 4 } else { 3 };
    let mut out = vec![T::default(); width * photo.height as usize * channels];
    let fill_row = |(y, row): (usize, &mut [T])| {
        let colours = upsampler.row(y);
        for x in 0..width {
            let i = y * width + x;
            let [a, b] = colours.ab(x, photo.lightness[i]);
            let (a, b) = (a * options.saturation, b * options.saturation);
            let pixel = &mut row[x * channels..(x + 1) * channels];
            pixel[..3].copy_from_slice(&colour(photo.lightness[i], a, b));
            if let Some(alpha) = &photo.alpha {
                pixel[3] = quantise(alpha[i]);
            }
        }
    };
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        out.par_chunks_mut((width * channels).max(1)).enumerate().for_each(fill_row);
    }
    #[cfg(not(feature = "parallel"))]
    out.chunks_mut((width * channels).max(1)).enumerate().for_each(fill_row);
    out
}
