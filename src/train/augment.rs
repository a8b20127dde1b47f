//! Geometric data augmentation for training crops.
//!
//! Only geometry changes (crop, scale, flip, small rotation and shift); colour
//! is never altered, because the colour of each pixel is exactly what the
//! model must learn to predict: jittering it would teach wrong targets.
//! Everything is one inverse affine warp with bilinear sampling, so each
//! output pixel is a convex blend of source pixels and is resampled once.
//!
//! Buffers are interleaved 8-bit RGB (`len == 3 * width * height`).

use crate::rng::Rng;

/// Augmentation parameters; see [`Augment::default`] and [`Augment::NONE`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Augment {
    /// Crop side as a fraction of the image's shorter side, drawn uniformly.
    pub scale: (f32, f32),
    /// Rotation drawn uniformly in ±this many degrees.
    pub max_rotation_degrees: f32,
    /// Extra offset of the crop centre, ±this fraction of the crop side.
    pub max_shift: f32,
    /// Mirror horizontally with probability 1/2.
    pub flip: bool,
}

impl Default for Augment {
    /// Mild training augmentation: crops of 70-100% of the shorter side,
    /// ±8° rotation, ±5% shift and random flips. Stronger rotations would
    /// show many clamped edge pixels; colour photos are rarely upside down.
    fn default() -> Self {
        Augment { scale: (0.7, 1.0), max_rotation_degrees: 8.0, max_shift: 0.05, flip: true }
    }
}

impl Augment {
    /// No augmentation: the centred square of the full shorter side, for
    /// validation, where the same input must give the same crop every time.
    pub const NONE: Augment = Augment { scale: (1.0, 1.0), max_rotation_degrees: 0.0, max_shift: 0.0, flip: false };

    /// True if any parameter asks for randomness. A deterministic augment
    /// (such as [`Augment::NONE`]) centres its crop and draws nothing from
    /// the rng; otherwise the crop position is random too.
    pub fn is_random(&self) -> bool {
        self.scale.0 != self.scale.1 || self.max_rotation_degrees != 0.0 || self.max_shift != 0.0 || self.flip
    }
}

/// The drawn geometry of one crop, in source pixel units.
#[derive(Debug, Clone, Copy)]
struct Warp {
    centre: (f32, f32),
    side: f32,
    angle: f32,
    flip: bool,
}

/// Draws the crop geometry for a `width`×`height` source.
fn draw_warp(width: usize, height: usize, p: &Augment, rng: &mut Rng) -> Warp {
    let (w, h) = (width as f32, height as f32);
    let short = w.min(h);
    if !p.is_random() {
        let side = (short * p.scale.0).max(1e-6);
        return Warp { centre: (w / 2.0, h / 2.0), side, angle: 0.0, flip: false };
    }
    let side = (short * rng.range_f32(p.scale.0, p.scale.1)).max(1e-6);
    // Uniform over the positions where the crop fits (centred if it cannot).
    let mut place = |len: f32| {
        let (lo, hi) = (side / 2.0, len - side / 2.0);
        let c = if hi > lo { rng.range_f32(lo, hi) } else { len / 2.0 };
        c + side * rng.range_f32(-p.max_shift, p.max_shift)
    };
    let centre = (place(w), place(h));
    let r = p.max_rotation_degrees;
    let angle = rng.range_f32(-r, r).to_radians();
    let flip = p.flip && rng.chance(0.5);
    Warp { centre, side, angle, flip }
}

/// Returns a `size`×`size` RGB crop of `src` (3*size*size bytes), warped by
/// random geometry drawn from `rng` according to `params`.
///
/// Works for any source of at least 1×1 (small ones are upscaled). Source
/// coordinates are clamped to the image edge, so rotated corners repeat the
/// border instead of turning black (black corners would teach the model
/// that image corners are black).
pub fn augment(src: &[u8], width: usize, height: usize, size: usize, params: &Augment, rng: &mut Rng) -> Vec<u8> {
    assert!(width >= 1 && height >= 1 && size >= 1, "augment: empty image or output");
    assert_eq!(src.len(), 3 * width * height, "augment: buffer size mismatch");
    let warp = draw_warp(width, height, params, rng);
    // Bilinear sampling only reads 2×2 neighbours, so shrinking by more than
    // 2× would skip source pixels and alias (moiré, jagged edges). Averaging
    // k×k blocks first brings the remaining shrink below 2×, where bilinear
    // is fine; an integer factor keeps the prefilter a cheap exact box.
    let k = (warp.side / size as f32).floor() as usize;
    if warp.side > 2.0 * size as f32 && k >= 2 {
        let (small, sw, sh) = box_downsample(src, width, height, k);
        let scaled =
            Warp { centre: (warp.centre.0 / k as f32, warp.centre.1 / k as f32), side: warp.side / k as f32, ..warp };
        render(&small, sw, sh, size, &scaled)
    } else {
        render(src, width, height, size, &warp)
    }
}

/// Averages k×k blocks (partial blocks at the right/bottom edge average the
/// pixels they have), keeping f32 so the result is not rounded twice.
fn box_downsample(src: &[u8], width: usize, height: usize, k: usize) -> (Vec<f32>, usize, usize) {
    let (sw, sh) = (width.div_ceil(k), height.div_ceil(k));
    let mut sum = vec![0.0f32; 3 * sw * sh];
    let mut count = vec![0u32; sw * sh];
    for y in 0..height {
        let row = (y / k) * sw;
        for x in 0..width {
            let (i, o) = (3 * (y * width + x), row + x / k);
            for c in 0..3 {
                sum[3 * o + c] += src[i + c] as f32;
            }
            count[o] += 1;
        }
    }
    for (px, &n) in sum.chunks_exact_mut(3).zip(&count) {
        px.iter_mut().for_each(|v| *v /= n as f32);
    }
    (sum, sw, sh)
}

/// Inverse warp: for each output pixel, find its source position and sample.
fn render<T: Copy + Into<f32>>(img: &[T], w: usize, h: usize, size: usize, warp: &Warp) -> Vec<u8> {
    let (sin, cos) = warp.angle.sin_cos();
    let mut out = Vec::with_capacity(3 * size * size);
    for oy in 0..size {
        for ox in 0..size {
            // Pixel centre in crop-relative units, -0.5..0.5.
            let mut u = (ox as f32 + 0.5) / size as f32 - 0.5;
            let v = (oy as f32 + 0.5) / size as f32 - 0.5;
            if warp.flip {
                u = -u;
            }
            let sx = warp.centre.0 + warp.side * (u * cos - v * sin);
            let sy = warp.centre.1 + warp.side * (u * sin + v * cos);
            // Continuous coordinates put pixel i's centre at i + 0.5.
            let px = bilinear(img, w, h, sx - 0.5, sy - 0.5);
            out.extend(px.map(|c| c.round().clamp(0.0, 255.0) as u8));
        }
    }
    out
}

/// Bilinear sample at pixel-index coordinates (x, y), clamped to the edge.
fn bilinear<T: Copy + Into<f32>>(img: &[T], w: usize, h: usize, x: f32, y: f32) -> [f32; 3] {
    let (x0, x1, fx) = taps(x, w);
    let (y0, y1, fy) = taps(y, h);
    let at = |xx: usize, yy: usize, c: usize| img[3 * (yy * w + xx) + c].into();
    std::array::from_fn(|c| {
        let top = at(x0, y0, c) * (1.0 - fx) + at(x1, y0, c) * fx;
        let bottom = at(x0, y1, c) * (1.0 - fx) + at(x1, y1, c) * fx;
        top * (1.0 - fy) + bottom * fy
    })
}

/// The two neighbouring indices and the weight of the second, for a
/// coordinate clamped into 0..=len-1.
fn taps(t: f32, len: usize) -> (usize, usize, f32) {
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, (len - 1) as f32) };
    let i0 = t.floor() as usize;
    (i0, (i0 + 1).min(len - 1), t - i0 as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A w×h image with pixel (x, y) = f(x, y).
    fn image(w: usize, h: usize, f: impl Fn(usize, usize) -> [u8; 3]) -> Vec<u8> {
        (0..w * h).flat_map(|i| f(i % w, i / w)).collect()
    }

    /// A non-symmetric test pattern: a distinct value in every pixel.
    fn px(x: usize, y: usize) -> [u8; 3] {
        [(x * 9) as u8, (y * 11) as u8, ((x * 7 + y * 13) % 256) as u8]
    }

    fn pattern(w: usize, h: usize) -> Vec<u8> {
        image(w, h, px)
    }

    fn max_diff(a: &[u8], b: &[u8]) -> i32 {
        let d = a.iter().zip(b).map(|(&x, &y)| (x as i32 - y as i32).abs());
        d.max().unwrap()
    }

    #[test]
    fn none_is_identity_on_matching_square() {
        let img = pattern(16, 16);
        let mut rng = Rng::new(1);
        let before = rng;
        let out = augment(&img, 16, 16, 16, &Augment::NONE, &mut rng);
        assert!(max_diff(&out, &img) <= 1);
        assert_eq!(rng, before, "NONE must not consume randomness");
    }

    #[test]
    fn none_centre_crops_wide_image() {
        // 6×2 image, 2×2 output: the centre columns 2..4.
        let img = pattern(6, 2);
        let out = augment(&img, 6, 2, 2, &Augment::NONE, &mut Rng::new(0));
        assert!(max_diff(&out, &image(2, 2, |x, y| px(x + 2, y))) <= 1);
    }

    #[test]
    fn colours_are_only_blended() {
        let (w, h) = (40, 30);
        let img = image(w, h, |x, _| if x < w / 2 { [255, 0, 0] } else { [0, 0, 255] });
        let mut rng = Rng::new(3);
        let mut saw_both = (false, false);
        for size in [7, 16, 64] {
            for _ in 0..20 {
                let out = augment(&img, w, h, size, &Augment::default(), &mut rng);
                for px in out.chunks_exact(3) {
                    assert_eq!(px[1], 0, "green appeared: {px:?}");
                    let s = px[0] as i32 + px[2] as i32;
                    assert!((s - 255).abs() <= 2, "not a red/blue blend: {px:?}");
                    saw_both.0 |= px[0] == 255;
                    saw_both.1 |= px[2] == 255;
                }
            }
        }
        assert!(saw_both.0 && saw_both.1);
    }

    #[test]
    fn flip_only_gives_image_or_mirror() {
        let img = pattern(12, 12);
        let mirrored = image(12, 12, |x, y| {
            let j = 3 * (y * 12 + 11 - x);
            [img[j], img[j + 1], img[j + 2]]
        });
        let only_flip = Augment { flip: true, ..Augment::NONE };
        let mut rng = Rng::new(5);
        let (mut plain, mut flipped) = (0, 0);
        for _ in 0..32 {
            let out = augment(&img, 12, 12, 12, &only_flip, &mut rng);
            if max_diff(&out, &img) <= 1 {
                plain += 1;
            } else {
                assert!(max_diff(&out, &mirrored) <= 1, "neither image nor mirror");
                flipped += 1;
            }
        }
        assert!(plain > 0 && flipped > 0, "{plain} {flipped}");
    }

    #[test]
    fn deterministic_for_same_state() {
        let img = pattern(50, 40);
        let (mut a, mut b) = (Rng::new(9), Rng::new(9));
        let x = augment(&img, 50, 40, 24, &Augment::default(), &mut a);
        let y = augment(&img, 50, 40, 24, &Augment::default(), &mut b);
        assert_eq!((x.clone(), a), (y, b));
        let z = augment(&img, 50, 40, 24, &Augment::default(), &mut a);
        assert_ne!(x, z, "successive draws should differ");
    }

    #[test]
    fn odd_sizes() {
        for (w, h) in [(1, 1), (3, 7), (300, 5), (7, 3)] {
            let img = pattern(w, h);
            for size in [1, 5, 32] {
                let mut rng = Rng::new((w * h + size) as u64);
                for p in [Augment::NONE, Augment::default()] {
                    let out = augment(&img, w, h, size, &p, &mut rng);
                    assert_eq!(out.len(), 3 * size * size);
                }
            }
        }
        // A 1×1 image upscales to a flat colour.
        let mut rng = Rng::new(0);
        let out = augment(&[10, 20, 30], 1, 1, 4, &Augment::default(), &mut rng);
        assert!(out.chunks_exact(3).all(|p| p == [10, 20, 30]));
    }

    #[test]
    fn big_downscale_averages_fine_detail() {
        // 1-pixel white lines every 3rd column (mean 85), shrunk 12×.
        // Bilinear alone would land between a black and a white column and
        // give 127; the box prefilter averages whole blocks to 85.
        let img = image(120, 120, |x, _| if x % 3 == 0 { [255; 3] } else { [0; 3] });
        let out = augment(&img, 120, 120, 10, &Augment::NONE, &mut Rng::new(0));
        assert!(out.iter().all(|&v| (84..=86).contains(&v)), "{:?}", &out[..12]);
    }

    #[test]
    fn box_downsample_partial_blocks() {
        let img = [0, 0, 0, 30, 30, 30, 90, 90, 90]; // 3×1
        let (s, w, h) = box_downsample(&img, 3, 1, 2);
        assert_eq!((w, h), (2, 1));
        assert_eq!(s, vec![15.0, 15.0, 15.0, 90.0, 90.0, 90.0]);
    }
}
