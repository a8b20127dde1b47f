//! `burn-colorize eval`: measure a model on colour photos at full size.

use std::path::PathBuf;

use burn::prelude::Device;
use burn_colorize::Colorizer;
use burn_colorize::train::data::Dataset;
use burn_colorize::train::eval::{EvalOptions, EvalReference, evaluate};

use super::CliError;
use super::files::load_model;
use super::look::LookArgs;

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

    // How photos are coloured: the same options as `colorize`.
    #[command(flatten)]
    pub look: LookArgs,

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

    /// Colour each photo with a colour reference (a model trained with `train --reference`):
    /// `self`, the photo's own colours; `reframed`, the same mirrored and cropped to 3/4 (its
    /// parts match the photo's, not where they are); `category`, another photo of the same
    /// class (folder) of the same data, as a user's reference would be.
    #[arg(long, value_enum, default_value_t = ReferenceArg::None)]
    pub reference: ReferenceArg,

    /// Also write a picture of the first six photos: one row each, grey | colorized | original
    /// (with the first --hints value); with --reference, grey | without the reference | the
    /// reference | with it | original.
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

/// Where `eval --reference` takes each photo's reference from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReferenceArg {
    /// No reference: automatic colours.
    None,
    /// The photo's own colours.
    #[value(name = "self")]
    Own,
    /// The photo's own colours in another framing: mirrored, cropped to 3/4 at a random place.
    Reframed,
    /// Another photo of the same class.
    Category,
}

impl From<ReferenceArg> for EvalReference {
    fn from(arg: ReferenceArg) -> Self {
        match arg {
            ReferenceArg::None => EvalReference::None,
            ReferenceArg::Own => EvalReference::Own,
            ReferenceArg::Reframed => EvalReference::Reframed,
            ReferenceArg::Category => EvalReference::Category,
        }
    }
}

pub fn run(args: Args) -> Result<(), CliError> {
    let device = Device::flex();
    let colorizer = Colorizer::new(load_model(args.model.as_deref(), false, &device)?, device);
    let data = Dataset::open(&args.data, None, 0.0)?;
    let colorize = args.look.options();
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
            reference: args.reference.into(),
        };
        let summary = evaluate(&colorizer, &data, &options, &mut super::progress::Terminal::default())?;
        println!("{hints} hints: {summary}");
    }
    if let Some(grid) = &args.grid {
        println!("grid: {}", grid.display());
    }
    Ok(())
}
