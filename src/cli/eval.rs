//! `burn-colorize eval`: measure a model on colour photos at full size.

use std::path::PathBuf;

use burn::prelude::Device;
use burn_colorize::train::data::Dataset;
use burn_colorize::train::eval::{EvalOptions, evaluate};
use burn_colorize::{ColorizeOptions, Colorizer};

use super::CliError;
use super::files::load_model;

/// Measure a model on colour photos at their full size.
///
/// Every photo is made grey, colorized (with --hints N simulated true-colour hints at random
/// points) and compared with the original: PSNR over RGB, colourfulness ratio (Hasler &
/// Süsstrunk's M3 of the results over that of the originals; under 1 means duller), and AuC of
/// the per-pixel ab error (Zhang et al.), each beside the grey baseline (the photo left grey).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "EXAMPLES:\n  burn-colorize eval --model runs/mine/best.bclz --data bsds500-dev.zip --hints 0 1 5 10\n  \
    burn-colorize eval --data my-photos/ --grid examples.png --limit 6"
)]
pub struct Args {
    /// Model file [default: the model bundled with this build].
    #[arg(short, long, value_name = "PATH")]
    pub model: Option<PathBuf>,

    /// Folders, zip archives or CIFAR-10 batch files with colour photos.
    #[arg(long, required = true, num_args = 1.., value_name = "PATH")]
    pub data: Vec<PathBuf>,

    /// Simulated true-colour hints per photo; several values give one line each.
    #[arg(long, default_value = "0", num_args = 1.., value_name = "N")]
    pub hints: Vec<usize>,

    /// Working size, as in `colorize --size`.
    #[arg(short, long, default_value_t = burn_colorize::pipeline::DEFAULT_SIZE)]
    pub size: u32,

    /// Annealed-mean temperature, as in `colorize --temperature`.
    #[arg(short, long, default_value_t = burn_colorize::color::classes::DEFAULT_TEMPERATURE)]
    pub temperature: f32,

    /// Multiplier on the predicted chroma, as in `colorize --saturation`.
    #[arg(long, default_value_t = 1.0)]
    pub saturation: f32,

    /// Upsample colour bilinearly, as in `colorize --bilinear`.
    #[arg(long)]
    pub bilinear: bool,

    /// Measure the network's own use of hints, as in `colorize --no-propagate`.
    #[arg(long)]
    pub no_propagate: bool,

    /// Evaluate at most this many photos.
    #[arg(long)]
    pub limit: Option<usize>,

    /// Seed for the hint positions.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,

    /// Which photos: all of them, or only the validation split (a val/, validation/ or test/
    /// folder), e.g. to measure on MiniPlaces' val photos and not on its training photos.
    #[arg(long, value_enum, default_value_t = Split::All)]
    pub split: Split,

    /// Also write a picture of the first six photos: one row each, grey | colorized | original
    /// (with the first --hints value).
    #[arg(long, value_name = "PNG")]
    pub grid: Option<PathBuf>,
}

/// The photos `eval` measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Split {
    /// Every photo found.
    All,
    /// Only photos under val/, validation/ or test/.
    Val,
}

pub fn run(args: Args) -> Result<(), CliError> {
    let device = Device::flex();
    let colorizer = Colorizer::new(load_model(args.model.as_deref(), false, &device)?, device);
    let data = Dataset::open(&args.data, None, 0.0)?;
    let colorize = ColorizeOptions {
        size: args.size,
        temperature: args.temperature,
        saturation: args.saturation,
        edge_aware: !args.bilinear,
        propagate_hints: !args.no_propagate,
        ..Default::default()
    };
    colorize.validate()?;
    for (i, &hints) in args.hints.iter().enumerate() {
        let grid = if i == 0 { args.grid.clone() } else { None };
        let options = EvalOptions {
            hints,
            colorize: colorize.clone(),
            limit: args.limit,
            seed: args.seed,
            grid,
            validation_only: args.split == Split::Val,
        };
        let summary = evaluate(&colorizer, &data, &options, &mut super::progress::Terminal::default())?;
        println!("{hints} hints: {summary}");
    }
    if let Some(grid) = &args.grid {
        println!("grid: {}", grid.display());
    }
    Ok(())
}
