//! `burn-colorize suggest`: the colours the network finds most likely at a point of a photo,
//! to choose a hint colour from (the page shows the same list beside its colour picker).

use std::path::PathBuf;

use burn::prelude::Device;
use burn_colorize::pipeline::DEFAULT_SIZE;
use burn_colorize::pipeline::suggest::DEFAULT_SUGGESTIONS;
use burn_colorize::{ColorizeOptions, Colorizer, Hint, Photo};

use super::CliError;
use super::colorize::{parse_hint, read_hints_file};
use super::files::load_model;

/// List the most likely colours at one point of a photo.
///
/// Prints one colour per line, most likely first: #RRGGBB (at the photo's lightness there),
/// the probability the network gives it, and its CIE a*b*. Use one as a hint:
/// `colorize PHOTO --hint X,Y,#RRGGBB`. Hints given here are taken into account.
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLE:\n  burn-colorize suggest old-car.jpg --at 320,210 -k 4\n  \
    burn-colorize colorize old-car.jpg -o car.png --hint 320,210,#b8322d")]
pub struct Args {
    /// The photo.
    #[arg(value_name = "INPUT")]
    pub input: PathBuf,

    /// The point, in input-image pixels.
    #[arg(long, value_name = "X,Y", value_parser = parse_point)]
    pub at: (f32, f32),

    /// How many colours to list (1-32).
    #[arg(short, default_value_t = DEFAULT_SUGGESTIONS, value_name = "K")]
    pub k: usize,

    /// Model file to use [default: the model bundled with this build].
    #[arg(short, long, value_name = "PATH")]
    pub model: Option<PathBuf>,

    /// Working size, as in `colorize --size`.
    #[arg(short, long, default_value_t = DEFAULT_SIZE, value_name = "PIXELS")]
    pub size: u32,

    /// Hints already placed, as in `colorize --hint`. Repeatable.
    #[arg(long = "hint", value_name = "X,Y,#RRGGBB", value_parser = parse_hint)]
    pub hints: Vec<Hint>,

    /// More hints from a JSON file, as in `colorize --hints-file`.
    #[arg(long, value_name = "PATH")]
    pub hints_file: Option<PathBuf>,

    /// Print JSON ([{"r", "g", "b", "ab", "probability"}]) instead of lines.
    #[arg(long)]
    pub json: bool,
}

/// Parse `X,Y`.
fn parse_point(text: &str) -> Result<(f32, f32), String> {
    let parsed: Vec<Option<f32>> = text.split(',').map(|v| v.trim().parse().ok()).collect();
    match parsed.as_slice() {
        [Some(x), Some(y)] => Ok((*x, *y)),
        _ => Err(format!("'{text}' is not X,Y in pixels, like 120,80")),
    }
}

pub fn run(args: Args) -> Result<(), CliError> {
    let mut hints = args.hints.clone();
    if let Some(path) = &args.hints_file {
        hints.extend(read_hints_file(path)?);
    }
    let options = ColorizeOptions { size: args.size, hints, ..ColorizeOptions::default() };
    options.validate()?;
    let bytes = std::fs::read(&args.input).map_err(CliError::io(&args.input))?;
    let photo = Photo::from_bytes(&bytes, options.max_megapixels)
        .map_err(|source| CliError::Image { path: args.input.clone(), source })?;
    let device = Device::flex();
    let colorizer = Colorizer::new(load_model(args.model.as_deref(), false, &device)?, device);
    let suggestions = pollster::block_on(colorizer.suggest(&photo, &options, args.at, args.k))?;
    if args.json {
        println!("{}", serde_json::to_string(&suggestions).map_err(|e| CliError::Usage(e.to_string()))?);
        return Ok(());
    }
    for s in &suggestions {
        println!("{}  {:5.1}%  a* {:6.1}  b* {:6.1}", s.hex(), s.probability * 100.0, s.ab[0], s.ab[1]);
    }
    Ok(())
}
