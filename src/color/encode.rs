//! Linear light to stored sRGB: the gamma curve from a table as floats, and the 8- and 16-bit
//! levels of an output image. These run three times per pixel of every output image, so each
//! avoids `powf` and libm's `round`.

use std::sync::OnceLock;

/// sRGB encoding (linear -> gamma). Negative inputs take the linear
/// segment, so out-of-gamut values stay visibly out of range, never NaN.
pub(super) fn delinearize(c: f64) -> f64 {
    if c <= 0.0031308 { c * 12.92 } else { 1.055 * c.powf(1.0 / 2.4) - 0.055 }
}

/// Entries of the sRGB encoding table over linear 0..=1.
const ENCODE_STEPS: usize = 4096;

/// Linear 0..=1 -> gamma-encoded sRGB, from a table with linear interpolation: within 2e-5 of
/// [`delinearize`] (under a tenth of an 8-bit level) and many times faster than `powf`, which
/// ran three times per pixel of every output image.
pub(super) fn encode_clamped(c: f64) -> f32 {
    static TABLE: OnceLock<Vec<f32>> = OnceLock::new();
    let table = TABLE
        .get_or_init(|| (0..=ENCODE_STEPS + 1).map(|i| delinearize(i as f64 / ENCODE_STEPS as f64) as f32).collect());
    let x = c.clamp(0.0, 1.0) as f32 * ENCODE_STEPS as f32;
    let i = x as usize;
    let t = x - i as f32;
    (table[i] + t * (table[i + 1] - table[i])).clamp(0.0, 1.0)
}

/// [`encode_clamped`] of each channel.
pub(super) fn encode3(lin: [f64; 3]) -> [f32; 3] {
    [encode_clamped(lin[0]), encode_clamped(lin[1]), encode_clamped(lin[2])]
}

/// Steps of the 8-bit encoding table over linear 0..=1: fine enough that a step moves the
/// encoded value by at most 0.03 of a level (the curve's steepest slope is 12.92).
const SRGB8_STEPS: usize = 1 << 16;

/// Linear 0..=1 (clamped) -> the 8-bit sRGB level, from the nearest entry of a table.
pub(super) fn srgb8_level(c: f64) -> u8 {
    static TABLE: OnceLock<Vec<u8>> = OnceLock::new();
    let table = TABLE
        .get_or_init(|| (0..=SRGB8_STEPS).map(|i| to_u8(delinearize(i as f64 / SRGB8_STEPS as f64) as f32)).collect());
    table[(c.clamp(0.0, 1.0) * SRGB8_STEPS as f64 + 0.5) as usize]
}

/// 0..=1 -> 0..=255, round to nearest, clamped (NaN maps to 0).
/// (`+ 0.5` then truncation: the same as `round` on non-negative values, without the libm
/// call that `round` compiles to on baseline x86-64, a fifth of a large photo's time.)
pub fn to_u8(v: f32) -> u8 {
    (v.clamp(0.0, 1.0) * 255.0 + 0.5) as u8
}

/// 0..=1 -> 0..=65535, round to nearest, clamped (NaN maps to 0).
pub fn to_u16(v: f32) -> u16 {
    (v.clamp(0.0, 1.0) * 65535.0 + 0.5) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_encoding_table_matches_the_curve() {
        for i in 0..=20_000 {
            let c = i as f64 / 20_000.0;
            let (fast, exact) = (encode_clamped(c), delinearize(c) as f32);
            assert!((fast - exact).abs() < 2e-5, "at {c}: table {fast}, curve {exact}");
        }
    }

    #[test]
    fn quantisation_rounds_and_clamps() {
        assert_eq!(to_u8(0.5), 128);
        assert_eq!(to_u8(-1.0), 0);
        assert_eq!(to_u8(2.0), 255);
        assert_eq!(to_u8(f32::NAN), 0);
        assert_eq!(to_u16(1.0), 65535);
        assert_eq!(to_u16(0.5), 32768);
        assert_eq!(to_u16(-0.1), 0);
        // Round to nearest everywhere in range, as `round` does.
        for i in 0..=100_000 {
            let v = i as f32 / 100_000.0;
            assert_eq!(to_u8(v), (v * 255.0).round() as u8, "{v}");
            assert_eq!(to_u16(v), (v * 65535.0).round() as u16, "{v}");
        }
        assert_eq!((to_u8(-0.2), to_u8(1.3), to_u8(f32::NAN)), (0, 255, 0));
        assert_eq!((to_u16(-0.2), to_u16(1.3), to_u16(f32::NAN)), (0, 65535, 0));
    }
}
