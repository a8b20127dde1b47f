//! What a run leaves to read: `metrics.csv` (one row per epoch) and the loss and quality
//! curves drawn from it (`loss.svg`, `quality.svg`), rewritten after every epoch.

use std::path::Path;

use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use super::checkpoint::write_atomic;
use super::error::TrainError;
use super::validate::Validation;

/// One epoch's row of `metrics.csv` (the field names are its header).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochRow {
    pub epoch: usize,
    pub train_loss: f64,
    pub val_loss: f64,
    pub psnr: f64,
    pub grey_psnr: f64,
    pub colourfulness_ratio: f64,
    pub grey_colourfulness_ratio: f64,
    pub auc: f64,
    pub grey_auc: f64,
    pub lr: f64,
    pub seconds: f64,
    pub images_per_second: f64,
    /// Devices the epoch trained on (`train --devices`); rows written before there was a
    /// choice trained on one.
    #[serde(default = "one")]
    pub devices: usize,
}

fn one() -> usize {
    1
}

impl EpochRow {
    pub fn new(epoch: usize, train_loss: f64, v: &Validation, lr: f64, seconds: f64, speed: f64) -> Self {
        let q = &v.quality;
        Self {
            epoch,
            train_loss,
            val_loss: v.loss,
            psnr: q.psnr,
            grey_psnr: q.grey_psnr,
            colourfulness_ratio: q.colourfulness_ratio,
            grey_colourfulness_ratio: q.grey_colourfulness_ratio,
            auc: q.auc,
            grey_auc: q.grey_auc,
            lr,
            seconds,
            images_per_second: speed,
            devices: 1,
        }
    }

    /// The row of an epoch trained on `devices` devices.
    pub fn on_devices(self, devices: usize) -> Self {
        Self { devices, ..self }
    }
}

/// Rows of an existing `metrics.csv` (none when there is no file yet).
pub fn read_rows(run_dir: &Path) -> Result<Vec<EpochRow>, TrainError> {
    let path = run_dir.join("metrics.csv");
    if !path.exists() {
        return Ok(Vec::new());
    }
    let malformed = |e: csv::Error| TrainError::Data(format!("{}: {e}", path.display()));
    csv::Reader::from_path(&path).map_err(malformed)?.deserialize().collect::<Result<_, _>>().map_err(malformed)
}

/// Write `metrics.csv` and the curves.
pub fn write_reports(run_dir: &Path, rows: &[EpochRow]) -> Result<(), TrainError> {
    let path = run_dir.join("metrics.csv");
    let failed = |e: csv::Error| TrainError::Data(format!("{}: {e}", path.display()));
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.serialize(row).map_err(failed)?;
    }
    let csv = writer.into_inner().map_err(|e| TrainError::Data(format!("{}: {e}", path.display())))?;
    write_atomic(&path, &csv)?;
    let plot = |name: &str, title: &str, series: &[Series]| {
        let path = run_dir.join(name);
        line_chart(&path, title, rows, series).map_err(|e| TrainError::Data(format!("{}: {e}", path.display())))
    };
    plot("loss.svg", "Loss", &[("train", |r| r.train_loss, BLUE), ("validation", |r| r.val_loss, RED)])?;
    plot(
        "quality.svg",
        "Validation quality",
        &[
            ("PSNR dB", |r| r.psnr, BLUE),
            ("grey PSNR dB", |r| r.grey_psnr, CYAN),
            ("colourfulness ratio x10", |r| r.colourfulness_ratio, RED),
            ("AuC x10", |r| r.auc, GREEN),
        ],
    )
}

/// One curve: its legend, the column it draws and its colour.
type Series = (&'static str, fn(&EpochRow) -> f64, RGBColor);

/// One chart of several columns against the epoch. Ratio columns are drawn ×10 so they share
/// an axis with PSNR.
fn line_chart(
    path: &Path,
    title: &str,
    rows: &[EpochRow],
    series: &[Series],
) -> Result<(), Box<dyn std::error::Error>> {
    let scale = |label: &str| if label.ends_with("x10") { 10.0 } else { 1.0 };
    let points: Vec<Vec<(f64, f64)>> = series
        .iter()
        .map(|(label, column, _)| {
            rows.iter().map(|r| (r.epoch as f64, column(r) * scale(label))).filter(|p| p.1.is_finite()).collect()
        })
        .collect();
    let all: Vec<f64> = points.iter().flatten().map(|p| p.1).collect();
    let (lo, hi) = all.iter().fold((f64::MAX, f64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let (lo, hi) = if lo < hi { (lo, hi) } else { (lo - 1.0, lo + 1.0) };
    let pad = (hi - lo) * 0.05;
    let last = rows.last().map_or(1, |r| r.epoch).max(2) as f64;
    let root = SVGBackend::new(path, (800, 450)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(1.0..last, (lo - pad)..(hi + pad))?;
    chart.configure_mesh().x_desc("epoch").draw()?;
    for ((label, _, colour), points) in series.iter().zip(points) {
        let colour = *colour;
        chart
            .draw_series(LineSeries::new(points, colour.stroke_width(2)))?
            .label(*label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2)));
    }
    chart.configure_series_labels().background_style(WHITE.mix(0.85)).border_style(BLACK).draw()?;
    root.present()?;
    Ok(())
}
