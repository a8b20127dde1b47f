//! Colour science: gamma-encoded sRGB (D65) <-> CIE L*a*b*.
//!
//! The colorizer works in Lab because lightness (L*) is separated from the
//! chroma (a*, b*): the network only has to predict ab, and the input's own
//! L is reused unchanged. All public functions take and return `f32`, but
//! the conversions run in `f64` internally so that round trips through 8-bit
//! values are exact to within one level.

pub mod classes;
mod encode;
pub mod palette;
pub mod reference;

use std::sync::OnceLock;

use encode::{delinearize, encode3, srgb8_level};
pub use encode::{to_u8, to_u16};

/// sRGB (linear) -> XYZ for D65, IEC 61966-2-1 values.
const RGB_TO_XYZ: [[f64; 3]; 3] =
    [[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750], [0.0193339, 0.1191920, 0.9503041]];

/// XYZ -> linear sRGB: the exact inverse of [`RGB_TO_XYZ`], computed at
/// compile time so the pair round-trips without a rounded published table.
const XYZ_TO_RGB: [[f64; 3]; 3] = invert3(RGB_TO_XYZ);

/// D65 reference white, Y normalised to 1.
const WHITE: [f64; 3] = [0.95047, 1.0, 1.08883];

/// CIE epsilon (216/24389): below this, f(t) is linear rather than a cube root.
const EPSILON: f64 = 216.0 / 24389.0;
/// CIE kappa (24389/27): slope of the linear segment of L*.
const KAPPA: f64 = 24389.0 / 27.0;

/// Tolerance of [`in_gamut`], so float noise on the gamut border is not
/// mistaken for an out-of-gamut colour.
const GAMUT_EPS: f32 = 1e-4;

/// Bisection steps in [`lab_to_srgb_in_gamut`]; 8 steps resolve the chroma
/// scale to 1/256, far below what an 8-bit output can show.
const GAMUT_STEPS: usize = 8;

/// Inverse of a 3x3 matrix by cofactors (const so it runs at compile time).
const fn invert3(m: [[f64; 3]; 3]) -> [[f64; 3]; 3] {
    let c00 = m[1][1] * m[2][2] - m[1][2] * m[2][1];
    let c01 = m[1][2] * m[2][0] - m[1][0] * m[2][2];
    let c02 = m[1][0] * m[2][1] - m[1][1] * m[2][0];
    let det = m[0][0] * c00 + m[0][1] * c01 + m[0][2] * c02;
    let d = 1.0 / det;
    [
        [c00 * d, (m[0][2] * m[2][1] - m[0][1] * m[2][2]) * d, (m[0][1] * m[1][2] - m[0][2] * m[1][1]) * d],
        [c01 * d, (m[0][0] * m[2][2] - m[0][2] * m[2][0]) * d, (m[0][2] * m[1][0] - m[0][0] * m[1][2]) * d],
        [c02 * d, (m[0][1] * m[2][0] - m[0][0] * m[2][1]) * d, (m[0][0] * m[1][1] - m[0][1] * m[1][0]) * d],
    ]
}

/// Written out rather than with `array::map`, which did not inline in this per-pixel path.
fn mul3(m: &[[f64; 3]; 3], v: [f64; 3]) -> [f64; 3] {
    let row = |r: &[f64; 3]| r[0] * v[0] + r[1] * v[1] + r[2] * v[2];
    [row(&m[0]), row(&m[1]), row(&m[2])]
}

/// sRGB decoding (gamma-encoded -> linear light), the piecewise IEC curve.
fn linearize(c: f64) -> f64 {
    if c <= 0.04045 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
}

/// CIE f(t): cube root above epsilon, linear segment below.
fn lab_f(t: f64) -> f64 {
    if t > EPSILON { t.cbrt() } else { (KAPPA * t + 16.0) / 116.0 }
}

/// Inverse of [`lab_f`].
fn lab_f_inv(f: f64) -> f64 {
    let t = f * f * f;
    if t > EPSILON { t } else { (116.0 * f - 16.0) / KAPPA }
}

/// Linear sRGB -> Lab; shared by the float and the 8-bit paths.
fn linear_to_lab(lin: [f64; 3]) -> [f32; 3] {
    let xyz = mul3(&RGB_TO_XYZ, lin);
    let [fx, fy, fz] = [0, 1, 2].map(|i| lab_f(xyz[i] / WHITE[i]));
    [(116.0 * fy - 16.0) as f32, (500.0 * (fx - fy)) as f32, (200.0 * (fy - fz)) as f32]
}

/// L* from relative luminance Y (white = 1).
fn lightness_of_y(y: f64) -> f32 {
    (116.0 * lab_f(y) - 16.0) as f32
}

/// Relative luminance of linear sRGB: the Y row of the matrix.
fn luminance(lin: [f64; 3]) -> f64 {
    let m = &RGB_TO_XYZ[1];
    m[0] * lin[0] + m[1] * lin[1] + m[2] * lin[2]
}

/// Linearised value of each 8-bit level. Built once because the 8-bit
/// paths run per pixel on multi-megapixel images and `powf` dominates.
fn linear_lut() -> &'static [f64; 256] {
    static LUT: OnceLock<[f64; 256]> = OnceLock::new();
    LUT.get_or_init(|| std::array::from_fn(|i| linearize(i as f64 / 255.0)))
}

fn linear_of_srgb8(rgb: [u8; 3]) -> [f64; 3] {
    let lut = linear_lut();
    rgb.map(|c| lut[c as usize])
}

/// Gamma-encoded sRGB in 0..=1 -> Lab (L in 0..=100).
pub fn srgb_to_lab(rgb: [f32; 3]) -> [f32; 3] {
    linear_to_lab(rgb.map(|c| linearize(c as f64)))
}

/// Lab -> gamma-encoded sRGB. Not clamped: values outside 0..=1 tell the
/// caller the colour is out of gamut (see [`lab_to_srgb_in_gamut`]).
pub fn lab_to_srgb(lab: [f32; 3]) -> [f32; 3] {
    lab_to_linear(lab).map(|c| delinearize(c) as f32)
}

/// Lab -> linear sRGB (not clamped).
fn lab_to_linear(lab: [f32; 3]) -> [f64; 3] {
    let (l, a, b) = (f64::from(lab[0]), f64::from(lab[1]), f64::from(lab[2]));
    let fy = (l + 16.0) / 116.0;
    // Y uses the L form of the inverse so that L < 8 maps linearly and exactly.
    let y = if l > KAPPA * EPSILON { fy * fy * fy } else { l / KAPPA };
    let xyz = [lab_f_inv(fy + a / 500.0) * WHITE[0], y * WHITE[1], lab_f_inv(fy - b / 200.0) * WHITE[2]];
    mul3(&XYZ_TO_RGB, xyz)
}

/// [`in_gamut`] on linear values: the same bounds, carried through the (monotonic) curve, so
/// the gamut search needs no `powf`.
fn in_gamut_linear(lin: [f64; 3]) -> bool {
    static BOUNDS: OnceLock<(f64, f64)> = OnceLock::new();
    let &(low, high) = BOUNDS.get_or_init(|| (-f64::from(GAMUT_EPS) / 12.92, linearize(1.0 + f64::from(GAMUT_EPS))));
    lin.iter().all(|&c| (low..=high).contains(&c))
}

/// 8-bit sRGB -> Lab via the lookup table (fast path for whole images).
pub fn srgb8_to_lab(rgb: [u8; 3]) -> [f32; 3] {
    linear_to_lab(linear_of_srgb8(rgb))
}

/// L* of a colour; only Y is needed, so this is cheaper than a full
/// conversion. Used to turn colour inputs grey.
pub fn lightness_of_srgb(rgb: [f32; 3]) -> f32 {
    lightness_of_y(luminance(rgb.map(|c| linearize(c as f64))))
}

/// [`lightness_of_srgb`] for 8-bit input, via the lookup table; grey pixels (most of what is
/// colorized) from a table of their own, as the cube root is slow in WebAssembly.
pub fn lightness_of_srgb8(rgb: [u8; 3]) -> f32 {
    static GREY: OnceLock<[f32; 256]> = OnceLock::new();
    if rgb[0] == rgb[1] && rgb[1] == rgb[2] {
        let grey =
            GREY.get_or_init(|| std::array::from_fn(|v| lightness_of_y(luminance(linear_of_srgb8([v as u8; 3])))));
        return grey[rgb[0] as usize];
    }
    lightness_of_y(luminance(linear_of_srgb8(rgb)))
}

/// True when every channel lies in [0, 1] up to a 1e-4 tolerance.
pub fn in_gamut(rgb: [f32; 3]) -> bool {
    rgb.iter().all(|&c| (-GAMUT_EPS..=1.0 + GAMUT_EPS).contains(&c))
}

/// Lab -> sRGB keeping L fixed: an out-of-gamut colour has its chroma
/// (a, b) scaled toward 0 by bisection until it fits.
///
/// Why: the pipeline recombines the input's lightness with predicted ab and
/// the output's L must equal the input's L; clamping RGB channels instead
/// would shift L (and hue). The grey axis (scale 0) is always in gamut, so
/// the bisection always has a valid lower bound.
pub fn lab_to_srgb_in_gamut(l: f32, a: f32, b: f32) -> [f32; 3] {
    encode3(linear_in_gamut(l, a, b))
}

/// [`lab_to_srgb_in_gamut`] quantised to 8 bits, from a table over linear light, without the
/// encoding curve's interpolation and rounding per channel, which were a third of the time of a
/// large photo. Within 0.03 of a level of the float path before rounding, so the same level but
/// near a rounding boundary, where it can be one apart (about 1.5 % of channel values over the
/// Lab gamut; 24 MP: 0.60 to 0.49 s).
pub fn lab_to_srgb8_in_gamut(l: f32, a: f32, b: f32) -> [u8; 3] {
    let lin = linear_in_gamut(l, a, b);
    [srgb8_level(lin[0]), srgb8_level(lin[1]), srgb8_level(lin[2])]
}

/// The linear RGB of (l, a, b) with its chroma scaled into the gamut (see
/// [`lab_to_srgb_in_gamut`]).
fn linear_in_gamut(l: f32, a: f32, b: f32) -> [f64; 3] {
    let l = if l.is_nan() { 0.0 } else { l.clamp(0.0, 100.0) };
    let at = |s: f32| lab_to_linear([l, a * s, b * s]);
    let full = at(1.0);
    if in_gamut_linear(full) {
        return full;
    }
    let (mut lo, mut hi) = (0.0f32, 1.0f32);
    for _ in 0..GAMUT_STEPS {
        let mid = 0.5 * (lo + hi);
        if in_gamut_linear(at(mid)) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    at(lo)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_lab(got: [f32; 3], want: [f32; 3], tol: f32) {
        for i in 0..3 {
            assert!((got[i] - want[i]).abs() <= tol, "got {got:?}, want {want:?}");
        }
    }

    #[test]
    fn the_8_bit_path_gives_the_float_paths_levels() {
        let (mut same, mut total) = (0usize, 0usize);
        for l in (0..=100).step_by(5) {
            for a in (-110..=110).step_by(7) {
                for b in (-110..=110).step_by(7) {
                    let (l, a, b) = (l as f32 + 0.37, a as f32, b as f32);
                    let float = lab_to_srgb_in_gamut(l, a, b).map(to_u8);
                    let eight = lab_to_srgb8_in_gamut(l, a, b);
                    for c in 0..3 {
                        assert!((float[c] as i32 - eight[c] as i32).abs() <= 1, "{l} {a} {b}: {float:?} {eight:?}");
                    }
                    same += usize::from(float == eight);
                    total += 1;
                }
            }
        }
        // One level apart only at rounding boundaries: 98.4 % of these colours are identical.
        assert!(same as f64 >= 0.97 * total as f64, "{same} of {total} identical");
    }

    #[test]
    fn the_gamut_search_keeps_l() {
        for lab in [[50.0, 80.0, 60.0], [90.0, -60.0, 90.0], [5.0, 40.0, -60.0], [60.0, 10.0, 10.0]] {
            let rgb = lab_to_srgb_in_gamut(lab[0], lab[1], lab[2]);
            assert!(in_gamut(rgb), "{lab:?} -> {rgb:?}");
            let back = srgb_to_lab(rgb);
            assert!((back[0] - lab[0]).abs() < 0.05, "L kept: {lab:?} -> {back:?}");
        }
    }

    #[test]
    fn reference_values() {
        let cases: [([f32; 3], [f32; 3]); 6] = [
            ([1.0, 1.0, 1.0], [100.0, 0.0, 0.0]),
            ([0.0, 0.0, 0.0], [0.0, 0.0, 0.0]),
            ([1.0, 0.0, 0.0], [53.2408, 80.0925, 67.2032]),
            ([0.0, 1.0, 0.0], [87.7347, -86.1827, 83.1793]),
            ([0.0, 0.0, 1.0], [32.2970, 79.1875, -107.8602]),
            ([1.0, 1.0, 0.0], [97.1393, -21.5537, 94.4780]),
        ];
        for (rgb, lab) in cases {
            assert_lab(srgb_to_lab(rgb), lab, 0.01);
        }
    }

    #[test]
    fn mid_grey_128() {
        let lab = srgb8_to_lab([128, 128, 128]);
        assert_lab(lab, [53.585, 0.0, 0.0], 0.01);
    }

    #[test]
    fn lab_to_srgb_inverts_reference() {
        let rgb = lab_to_srgb([53.2408, 80.0925, 67.2032]);
        assert_lab(rgb, [1.0, 0.0, 0.0], 1e-3);
    }

    #[test]
    fn round_trip_8bit_grid() {
        let mut levels: Vec<u8> = (0..=255).step_by(5).collect();
        if *levels.last().unwrap() != 255 {
            levels.push(255);
        }
        let mut max_err = 0i32;
        for &r in &levels {
            for &g in &levels {
                for &b in &levels {
                    let back = lab_to_srgb(srgb8_to_lab([r, g, b])).map(to_u8);
                    for (x, y) in back.iter().zip([r, g, b]) {
                        max_err = max_err.max((*x as i32 - y as i32).abs());
                    }
                }
            }
        }
        assert!(max_err <= 1, "max error {max_err}");
    }

    #[test]
    fn lut_path_matches_float_path() {
        for v in (0..=255u16).step_by(3) {
            let rgb8 = [v as u8, (255 - v) as u8, (v * 7 % 256) as u8];
            let rgbf = rgb8.map(|c| c as f32 / 255.0);
            assert_lab(srgb8_to_lab(rgb8), srgb_to_lab(rgbf), 1e-3);
            let (l8, lf) = (lightness_of_srgb8(rgb8), lightness_of_srgb(rgbf));
            assert!((l8 - lf).abs() < 1e-3);
            assert!((l8 - srgb_to_lab(rgbf)[0]).abs() < 1e-3);
        }
    }

    #[test]
    fn in_gamut_bounds() {
        assert!(in_gamut([0.0, 0.5, 1.0]));
        assert!(in_gamut([-0.00005, 1.00005, 0.5]));
        assert!(!in_gamut([-0.01, 0.5, 0.5]));
        assert!(!in_gamut([0.5, 1.01, 0.5]));
    }

    #[test]
    fn gamut_mapping_keeps_lightness() {
        for (l, a, b) in [(90.0, 80.0, -100.0), (10.0, -100.0, 100.0), (50.0, 120.0, 120.0)] {
            assert!(!in_gamut(lab_to_srgb([l, a, b])), "test input must be out of gamut");
            let rgb = lab_to_srgb_in_gamut(l, a, b);
            assert!(in_gamut(rgb));
            let l2 = lightness_of_srgb(rgb);
            assert!((l2 - l).abs() < 0.5, "L {l} -> {l2}");
            let lab2 = srgb_to_lab(rgb);
            // Chroma was reduced, not removed, and the hue sign is preserved.
            assert!(lab2[1] * a > 0.0 && lab2[2] * b > 0.0, "{lab2:?}");
        }
    }

    #[test]
    fn gamut_mapping_leaves_in_gamut_unchanged() {
        let lab = srgb_to_lab([0.2, 0.6, 0.4]);
        let rgb = lab_to_srgb_in_gamut(lab[0], lab[1], lab[2]);
        assert_lab(rgb, [0.2, 0.6, 0.4], 1e-4);
    }

    #[test]
    fn gamut_mapping_clamps_l() {
        assert_lab(lab_to_srgb_in_gamut(150.0, 0.0, 0.0), [1.0, 1.0, 1.0], 1e-4);
        assert_lab(lab_to_srgb_in_gamut(-5.0, 0.0, 0.0), [0.0, 0.0, 0.0], 1e-4);
    }
}
