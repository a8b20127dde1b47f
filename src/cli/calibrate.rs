//! `burn-colorize calibrate`: adjust how bold a trained classification model's colours are,
//! by folding a prior correction and a sharpening into its last layer.

use std::path::PathBuf;

use burn::prelude::Device;
use burn_colorize::Head;
use burn_colorize::train::rebalance::ClassWeights;

use super::CliError;
use super::files::load_model;

/// Make a trained model's colours more accurate or bolder, without retraining.
///
/// Class rebalancing during training pushes predictions towards rare, saturated colours
/// (vivid, but often wrong). --prior-correction β subtracts β·ln(weight) from each class's
/// score, with the weights the run trained with (class_weights.json in its run folder): β = 0
/// keeps the model as trained, β = 1 removes the push entirely. A negative β puts a correction
/// back: −β with the same class weights returns the head as trained, to fine-tune a calibrated
/// model with `train --init`. --sharpen S multiplies the scores, like decoding at temperature
/// T/S. Measure the result with `eval` on photos you did not train on.
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLE:\n  burn-colorize calibrate --model runs/mine/best.bclz \
    --class-weights runs/mine/class_weights.json --prior-correction 0.5 -o runs/mine/calibrated.bclz")]
pub struct Args {
    /// The trained model (classification head).
    #[arg(short, long, value_name = "PATH")]
    pub model: PathBuf,

    /// class_weights.json from the model's run folder.
    #[arg(long, value_name = "PATH")]
    pub class_weights: PathBuf,

    /// β in -1..=1: how much of the rebalancing push to take back out (negative: put back in).
    #[arg(long, default_value_t = 0.5, value_name = "BETA", allow_negative_numbers = true)]
    pub prior_correction: f32,

    /// Multiplier on the class scores (> 1: bolder, < 1: more averaged colours).
    #[arg(long, default_value_t = 1.0, value_name = "S")]
    pub sharpen: f32,

    /// Where to write the adjusted model.
    #[arg(short, long, value_name = "PATH")]
    pub output: PathBuf,

    /// Store the weights as f16: half the file (and the browser's download), read back as f32;
    /// colours change by a few hundredths of a dB.
    #[arg(long)]
    pub f16: bool,
}

pub fn run(args: Args) -> Result<(), CliError> {
    if !(-1.0..=1.0).contains(&args.prior_correction) {
        return Err(CliError::Usage(format!("--prior-correction {} is outside -1..=1", args.prior_correction)));
    }
    if !(args.sharpen > 0.0 && args.sharpen <= 10.0) {
        return Err(CliError::Usage(format!("--sharpen {} is outside (0, 10]", args.sharpen)));
    }
    let device = Device::flex();
    let mut model = load_model(Some(&args.model), false, &device)?;
    let Head::Classification { centers } = &model.config.head else {
        return Err(CliError::Usage("only classification models can be calibrated".into()));
    };
    let text = std::fs::read_to_string(&args.class_weights).map_err(CliError::io(&args.class_weights))?;
    let weights: ClassWeights = serde_json::from_str(&text)
        .map_err(|e| CliError::Usage(format!("{}: not a class_weights.json: {e}", args.class_weights.display())))?;
    if weights.weights.len() != centers.len() {
        return Err(CliError::Usage(format!(
            "{} has {} classes but the model has {}: use the weights of the run that trained it",
            args.class_weights.display(),
            weights.weights.len(),
            centers.len()
        )));
    }
    let shift: Vec<f32> = weights.weights.iter().map(|w| args.prior_correction * w.max(1e-6).ln()).collect();
    model.net = model.net.recalibrate_head(args.sharpen, &shift);
    let bytes = model.to_bytes_with(args.f16)?;
    std::fs::write(&args.output, bytes).map_err(CliError::io(&args.output))?;
    let precision = if args.f16 { "f16" } else { "f32" };
    println!(
        "wrote {} (prior correction {}, sharpen {}, {precision} weights)",
        args.output.display(),
        args.prior_correction,
        args.sharpen
    );
    Ok(())
}
