//! `burn-colorize info`: what a model file contains.

use std::path::PathBuf;

use burn::prelude::Device;
use burn_colorize::{Head, Model};

use super::CliError;
use super::files::load_model;

/// Describe a model file: architecture, colour classes, parameter count and size.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Model file [default: the model bundled with this build].
    #[arg(value_name = "MODEL")]
    pub model: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<(), CliError> {
    let device = Device::flex();
    let model = load_model(args.model.as_deref(), false, &device)?;
    // The file as stored (f16 files are half the f32 size), not a re-serialisation.
    let file_size = match &args.model {
        Some(path) => {
            std::fs::metadata(path).map_err(|source| CliError::Io { path: path.clone(), source })?.len() as usize
        }
        None => burn_colorize::model::file::DEFAULT_MODEL.map_or(0, <[u8]>::len),
    };
    print!("{}", describe(&model, file_size));
    Ok(())
}

/// The report `info` prints.
pub fn describe(model: &Model, file_size: usize) -> String {
    let head = match &model.config.head {
        Head::Classification { centers } => format!("classification over {} ab colour classes", centers.len()),
        Head::Palette { centers } => format!("palette of {} colours", centers.len()),
        Head::Regression => "regression (2 ab channels)".to_string(),
    };
    let params = model.num_params();
    let (arch, widths) = match model.config.arch.trunk() {
        None => ("U-Net, trained from scratch".to_string(), "channels at 1, 1/2, 1/4, 1/8 of the working size"),
        Some(trunk) => (
            format!("{} trunk (ImageNet-pretrained, blocks 0-{}) and a decoder", trunk.name, trunk.blocks.len() - 1),
            "decoder channels at 1/4, 1/8, 1/16 of the working size",
        ),
    };
    let reference = if model.config.reference {
        ", a colour reference (its colour distribution, and its parts matched to the photo's)"
    } else {
        ""
    };
    format!(
        "architecture: {arch}\n\
         head:        {head}\n\
         widths:      {:?} ({widths})\n\
         inputs:      L, hint a, hint b, hint mask{reference}\n\
         parameters:  {params} ({:.2} MB as f32)\n\
         file size:   {:.2} MB\n",
        model.config.widths,
        params as f64 * 4.0 / 1e6,
        file_size as f64 / 1e6,
    )
}
