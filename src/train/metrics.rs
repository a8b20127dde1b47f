//! Colorization quality metrics, computed every training epoch and by the
//! `eval` command.
//!
//! No single number captures colorization quality: PSNR rewards timid,
//! desaturated predictions (grey is a strong baseline), so it is reported
//! next to a colourfulness ratio (is the output as vivid as the truth?) and
//! the ab-error AuC of Zhang et al. (is the colour at each pixel right?).
//! Each is also reported for the grey baseline, which a useful model must beat.
//!
//! Images are interleaved 8-bit sRGB buffers (`len == 3 * w * h`).

use crate::color::{lab_to_srgb_in_gamut, lightness_of_srgb8, srgb8_to_lab, to_u8};
use std::fmt;

/// Cap on one image's PSNR in dataset means: a perfect image has infinite
/// PSNR, which would make the mean infinite and hide every other image.
pub const PSNR_CAP: f64 = 100.0;

/// Largest ab error (Lab units) swept by the AuC, as in Zhang et al. (2016).
pub const AUC_MAX_THRESHOLD: f32 = 150.0;

/// Peak signal-to-noise ratio in dB over all RGB values (peak 255).
/// Identical images give `f64::INFINITY`; see [`PSNR_CAP`] for averaging.
pub fn psnr(pred: &[u8], truth: &[u8]) -> f64 {
    assert_eq!(pred.len(), truth.len(), "psnr: image sizes differ");
    let sse: f64 = pred.iter().zip(truth).map(|(&p, &t)| (p as f64 - t as f64).powi(2)).sum();
    if sse == 0.0 {
        return f64::INFINITY;
    }
    let mse = sse / pred.len() as f64;
    10.0 * (255.0f64 * 255.0 / mse).log10()
}

/// Colourfulness M3 of Hasler & Süsstrunk (2003) on 0..255 values:
/// rg = R-G, yb = (R+G)/2 - B, M = sqrt(σrg² + σyb²) + 0.3 sqrt(μrg² + μyb²).
/// It correlates well with perceived vividness and needs no reference image.
pub fn colourfulness(rgb: &[u8]) -> f64 {
    let n = rgb.len() / 3;
    if n == 0 {
        return 0.0;
    }
    let (mut s_rg, mut s_yb, mut q_rg, mut q_yb) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for px in rgb.chunks_exact(3) {
        let [r, g, b] = [px[0], px[1], px[2]].map(f64::from);
        let rg = r - g;
        let yb = 0.5 * (r + g) - b;
        s_rg += rg;
        s_yb += yb;
        q_rg += rg * rg;
        q_yb += yb * yb;
    }
    let n = n as f64;
    let (m_rg, m_yb) = (s_rg / n, s_yb / n);
    // max(0) guards against tiny negative variances from rounding.
    let var_rg = (q_rg / n - m_rg * m_rg).max(0.0);
    let var_yb = (q_yb / n - m_yb * m_yb).max(0.0);
    (var_rg + var_yb).sqrt() + 0.3 * (m_rg * m_rg + m_yb * m_yb).sqrt()
}

/// Per-pixel Euclidean distance in the CIE ab plane between two images.
/// L is ignored: the colorizer keeps the input's lightness, so only chroma
/// errors are the model's fault.
pub fn ab_errors(pred: &[u8], truth: &[u8]) -> Vec<f32> {
    assert_eq!(pred.len(), truth.len(), "ab_errors: image sizes differ");
    pred.chunks_exact(3)
        .zip(truth.chunks_exact(3))
        .map(|(p, t)| {
            let [_, pa, pb] = srgb8_to_lab([p[0], p[1], p[2]]);
            let [_, ta, tb] = srgb8_to_lab([t[0], t[1], t[2]]);
            ((pa - ta).powi(2) + (pb - tb).powi(2)).sqrt()
        })
        .collect()
}

/// Zhang et al. (ECCV 2016) "AuC": the fraction of pixels whose ab error is
/// <= t, averaged over t = 0, 1, ..., max_threshold, so 1.0 means every
/// pixel exact and 0.0 means every pixel off by more than max_threshold.
/// Unlike a mean error, it is not dominated by a few wildly wrong pixels.
/// An empty error list counts as perfect (nothing was wrong).
pub fn auc(errors: &[f32], max_threshold: f32) -> f64 {
    if errors.is_empty() {
        return 1.0;
    }
    let steps = max_threshold.max(0.0).floor() as usize;
    // hist[k] = pixels whose smallest passing integer threshold is k
    // (e <= t  <=>  ceil(e) <= t), so one pass replaces 151 scans.
    let mut hist = vec![0usize; steps + 1];
    for &e in errors {
        let k = e.max(0.0).ceil();
        if k <= steps as f32 {
            hist[k as usize] += 1;
        }
    }
    let (mut passed, mut area) = (0usize, 0.0f64);
    for h in hist {
        passed += h;
        area += passed as f64 / errors.len() as f64;
    }
    area / (steps + 1) as f64
}

/// The truth with its chroma removed: same L*, a = b = 0. This is what a
/// colorizer that never guesses would output, hence the baseline to beat.
pub fn grey_baseline(truth: &[u8]) -> Vec<u8> {
    truth
        .chunks_exact(3)
        .flat_map(|px| {
            let l = lightness_of_srgb8([px[0], px[1], px[2]]);
            lab_to_srgb_in_gamut(l, 0.0, 0.0).map(to_u8)
        })
        .collect()
}

/// Running sums over a dataset; see [`QualityTotals::summary`].
#[derive(Debug, Clone, Default)]
pub struct QualityTotals {
    images: usize,
    psnr_sum: f64,
    grey_psnr_sum: f64,
    colour_pred: f64,
    colour_grey: f64,
    colour_truth: f64,
    auc_sum: f64,
    grey_auc_sum: f64,
    /// Photos left out because they were grey already.
    grey_skipped: usize,
}

/// Dataset-level quality, for the prediction and for the grey baseline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QualitySummary {
    pub images: usize,
    /// Mean per-image PSNR in dB, each image capped at [`PSNR_CAP`].
    pub psnr: f64,
    pub grey_psnr: f64,
    /// Sum of predicted colourfulness / sum of true colourfulness.
    pub colourfulness_ratio: f64,
    pub grey_colourfulness_ratio: f64,
    /// Mean per-image AuC (0..1).
    pub auc: f64,
    pub grey_auc: f64,
    /// Photos left out because they were grey already.
    pub grey_photos_skipped: usize,
}

impl QualityTotals {
    /// Adds one image: `pred` is the model output, `grey` the grey baseline
    /// (see [`grey_baseline`]; the caller makes it, since it may already
    /// have it), `truth` the original colour image.
    pub fn add(&mut self, pred: &[u8], grey: &[u8], truth: &[u8]) {
        self.images += 1;
        self.psnr_sum += psnr(pred, truth).min(PSNR_CAP);
        self.grey_psnr_sum += psnr(grey, truth).min(PSNR_CAP);
        self.colour_pred += colourfulness(pred);
        self.colour_grey += colourfulness(grey);
        self.colour_truth += colourfulness(truth);
        self.auc_sum += auc(&ab_errors(pred, truth), AUC_MAX_THRESHOLD);
        self.grey_auc_sum += auc(&ab_errors(grey, truth), AUC_MAX_THRESHOLD);
    }

    /// Means over the images added so far (all zero when none were).
    ///
    /// PSNR and AuC are per-image means, so every image weighs the same
    /// whatever its size. Colourfulness is a ratio of sums rather than a
    /// mean of ratios, because a single grey truth image would otherwise
    /// divide by zero; if the whole set is grey the ratio is 1.0 for a grey
    /// prediction and infinite for a coloured one.
    pub fn summary(&self) -> QualitySummary {
        let n = self.images.max(1) as f64;
        QualitySummary {
            images: self.images,
            psnr: self.psnr_sum / n,
            grey_psnr: self.grey_psnr_sum / n,
            colourfulness_ratio: ratio(self.colour_pred, self.colour_truth),
            grey_colourfulness_ratio: ratio(self.colour_grey, self.colour_truth),
            auc: self.auc_sum / n,
            grey_auc: self.grey_auc_sum / n,
            grey_photos_skipped: self.grey_skipped,
        }
    }

    /// Counts a photo left out because it is grey already.
    pub fn skip_grey(&mut self) {
        self.grey_skipped += 1;
    }

    pub fn is_empty(&self) -> bool {
        self.images == 0
    }
}

/// `num / den` with 0/0 = 1 (a grey prediction of a grey set is exact).
fn ratio(num: f64, den: f64) -> f64 {
    match (num == 0.0, den == 0.0) {
        (true, true) => 1.0,
        (false, true) => f64::INFINITY,
        _ => num / den,
    }
}

impl fmt::Display for QualitySummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PSNR {:.2} dB (grey {:.2}) | colourfulness ratio {:.2} (grey {:.2}) | \
             AuC {:.3} (grey {:.3}) | {} images{}",
            self.psnr,
            self.grey_psnr,
            self.colourfulness_ratio,
            self.grey_colourfulness_ratio,
            self.auc,
            self.grey_auc,
            self.images,
            match self.grey_photos_skipped {
                0 => String::new(),
                n => format!(" ({n} grey photos skipped)"),
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A w×h checkerboard alternating between colours `a` and `b`.
    fn checker(w: usize, h: usize, a: [u8; 3], b: [u8; 3]) -> Vec<u8> {
        (0..w * h).flat_map(|i| if (i % w + i / w).is_multiple_of(2) { a } else { b }).collect()
    }

    /// A smooth colourful test image.
    fn gradient(w: usize, h: usize) -> Vec<u8> {
        (0..w * h)
            .flat_map(|i| {
                let (x, y) = (i % w, i / w);
                [(x * 255 / w) as u8, (y * 255 / h) as u8, 200 - (x * 100 / w) as u8]
            })
            .collect()
    }

    #[test]
    fn psnr_known_values() {
        let a = vec![10u8; 12];
        assert_eq!(psnr(&a, &a), f64::INFINITY);
        let mut b = a.clone();
        b[0] = 11; // sse 1, mse 1/12
        let want = 10.0 * (255.0f64.powi(2) * 12.0).log10();
        assert!((psnr(&b, &a) - want).abs() < 1e-9);
    }

    #[test]
    fn colourfulness_grey_and_checker() {
        assert_eq!(colourfulness(&checker(8, 8, [0; 3], [200; 3])), 0.0);
        let vivid = colourfulness(&checker(8, 8, [255, 0, 0], [0, 0, 255]));
        let pale = colourfulness(&checker(8, 8, [200, 170, 170], [170, 170, 200]));
        assert!(vivid > 100.0, "{vivid}");
        assert!(vivid > 5.0 * pale, "{vivid} vs {pale}");
    }

    #[test]
    fn ab_errors_ignore_lightness() {
        let e = ab_errors(&[0, 0, 0, 255, 0, 0], &[255, 255, 255, 255, 0, 0]);
        assert!(e[0] < 0.01, "black vs white differ only in L: {}", e[0]);
        assert!(e[1] < 1e-6);
        let red_vs_grey = ab_errors(&[255, 0, 0], &[128, 128, 128]);
        assert!(red_vs_grey[0] > 50.0);
    }

    #[test]
    fn auc_bounds() {
        assert_eq!(auc(&[0.0; 10], 150.0), 1.0);
        assert_eq!(auc(&[151.0; 10], 150.0), 0.0);
        let half = auc(&[75.0; 10], 150.0);
        assert!((half - 0.5).abs() < 0.01, "{half}");
        // Half the pixels perfect, half hopeless.
        assert!((auc(&[0.0, 1000.0], 150.0) - 0.5).abs() < 1e-9);
    }

    #[test]
    fn perfect_prediction_summary() {
        let truth = gradient(16, 12);
        let grey = grey_baseline(&truth);
        let mut totals = QualityTotals::default();
        totals.add(&truth, &grey, &truth);
        totals.add(&truth, &grey, &truth);
        let s = totals.summary();
        assert_eq!(s.images, 2);
        assert_eq!(s.psnr, PSNR_CAP);
        assert_eq!(s.colourfulness_ratio, 1.0);
        assert_eq!(s.auc, 1.0);
        assert!(s.grey_psnr < s.psnr && s.grey_auc < 1.0);
        assert!(s.grey_colourfulness_ratio < 0.05, "{}", s.grey_colourfulness_ratio);
        let line = s.to_string();
        assert!(line.starts_with("PSNR 100.00 dB (grey ") && line.ends_with("| 2 images"), "{line}");
    }

    #[test]
    fn grey_baseline_of_grey_is_identity() {
        let img: Vec<u8> = (0..=255u8).flat_map(|v| [v, v, v]).collect();
        let grey = grey_baseline(&img);
        assert_eq!(grey.len(), img.len());
        for (g, v) in grey.iter().zip(&img) {
            assert!((*g as i32 - *v as i32).abs() <= 1, "{g} vs {v}");
        }
        // And a colour image loses its colour.
        assert!(colourfulness(&grey_baseline(&gradient(8, 8))) < 1.0);
    }

    #[test]
    fn closer_prediction_beats_grey() {
        let truth = gradient(16, 16);
        let grey = grey_baseline(&truth);
        // Halfway between grey and the truth.
        let pred: Vec<u8> = truth.iter().zip(&grey).map(|(&t, &g)| ((t as u16 + g as u16) / 2) as u8).collect();
        let mut totals = QualityTotals::default();
        totals.add(&pred, &grey, &truth);
        let s = totals.summary();
        assert!(s.psnr > s.grey_psnr + 3.0, "{s}");
        assert!(s.auc > s.grey_auc, "{s}");
        assert!(s.colourfulness_ratio > s.grey_colourfulness_ratio, "{s}");
    }

    #[test]
    fn empty_totals_are_finite() {
        let s = QualityTotals::default().summary();
        assert_eq!((s.images, s.psnr, s.auc), (0, 0.0, 0.0));
        assert_eq!(s.colourfulness_ratio, 1.0);
    }
}
