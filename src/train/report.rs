//! What a run leaves to read: `metrics.csv` (one row per epoch) and the loss and quality
//! curves drawn from it (`loss.svg`, `quality.svg`), rewritten after every epoch.

use std::path::Path;

use plotters::prelude::*;

use super::checkpoint::write_atomic;
use super::error::TrainError;
use super::validate::Validation;

const HEADER: &str = "epoch,train_loss,val_loss,psnr,grey_psnr,colourfulness_ratio,grey_colourfulness_ratio,auc,grey_auc,lr,seconds,images_per_second";

/// One epoch's line of `metrics.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct EpochRow {
    pub epoch: usize,
    pub values: [f64; 11],
}

impl EpochRow {
    pub fn new(epoch: usize, train_loss: f64, v: &Validation, lr: f64, seconds: f64, speed: f64) -> Self {
        let q = &v.quality;
        let values = [
            train_loss,
            v.loss,
            q.psnr,
            q.grey_psnr,
            q.colourfulness_ratio,
            q.grey_colourfulness_ratio,
            q.auc,
            q.grey_auc,
            lr,
            seconds,
            speed,
        ];
        Self { epoch, values }
    }

    fn get(&self, column: &str) -> f64 {
        let index = HEADER.split(',').skip(1).position(|c| c == column).expect("known column");
        self.values[index]
    }
}

/// Rows of an existing `metrics.csv` (none when there is no file yet).
pub fn read_rows(run_dir: &Path) -> Result<Vec<EpochRow>, TrainError> {
    let path = run_dir.join("metrics.csv");
    let Ok(text) = std::fs::read_to_string(&path) else { return Ok(Vec::new()) };
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let fields: Vec<f64> = line.split(',').map(|f| f.parse().unwrap_or(f64::NAN)).collect();
            let values = fields.get(1..12).and_then(|v| v.try_into().ok());
            match (fields.first(), values) {
                (Some(&epoch), Some(values)) => Ok(EpochRow { epoch: epoch as usize, values }),
                _ => Err(TrainError::Data(format!("{}: malformed row '{line}'", path.display()))),
            }
        })
        .collect()
}

/// Write `metrics.csv` and the curves.
pub fn write_reports(run_dir: &Path, rows: &[EpochRow]) -> Result<(), TrainError> {
    let mut csv = format!("{HEADER}\n");
    for row in rows {
        let values: Vec<String> = row.values.iter().map(|v| format!("{v:.6}")).collect();
        csv.push_str(&format!("{},{}\n", row.epoch, values.join(",")));
    }
    write_atomic(&run_dir.join("metrics.csv"), csv.as_bytes())?;
    let plot = |name: &str, title: &str, series: &[(&str, &str, RGBColor)]| {
        let path = run_dir.join(name);
        line_chart(&path, title, rows, series).map_err(|e| TrainError::Data(format!("{}: {e}", path.display())))
    };
    plot("loss.svg", "Loss", &[("train", "train_loss", BLUE), ("validation", "val_loss", RED)])?;
    plot(
        "quality.svg",
        "Validation quality",
        &[
            ("PSNR dB", "psnr", BLUE),
            ("grey PSNR dB", "grey_psnr", CYAN),
            ("colourfulness ratio x10", "colourfulness_ratio", RED),
            ("AuC x10", "auc", GREEN),
        ],
    )
}

/// One chart of several columns against the epoch. Ratio columns are drawn ×10 so they share
/// an axis with PSNR.
fn line_chart(
    path: &Path,
    title: &str,
    rows: &[EpochRow],
    series: &[(&str, &str, RGBColor)],
) -> Result<(), Box<dyn std::error::Error>> {
    let scale = |label: &str| if label.ends_with("x10") { 10.0 } else { 1.0 };
    let points: Vec<Vec<(f64, f64)>> = series
        .iter()
        .map(|(label, column, _)| {
            rows.iter().map(|r| (r.epoch as f64, r.get(column) * scale(label))).filter(|p| p.1.is_finite()).collect()
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
