//! `burn-colorize colorize`: colour versions of image files and folders.

use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::prelude::Device;
use burn_colorize::color::reference::ColorReference;
use burn_colorize::{ColorizeOptions, Colorizer, Hint, OutputFormat, encode};
use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressStyle};

use super::CliError;
use super::archive::{Manifest, Shard, Status, parse_shard, write_atomically};
use super::files::{Job, load_model, plan};
use super::look::LookArgs;

/// Colorize image files and folders.
///
/// Each input (a file, or a folder searched recursively for PNG, JPEG, WebP, BMP, GIF and
/// TIFF files) is written to OUTPUT with the same name and the extension of --format; the
/// folder structure is kept. Outputs have the input's exact size and lightness; alpha is
/// kept in PNG output, and 16-bit inputs give 16-bit PNGs. Inputs are never overwritten.
///
/// For archives: outputs are written atomically (a killed run leaves no half-written file),
/// OUTPUT/manifest.csv lists every photo (input, output, status, error, milliseconds), and
/// --shard and --skip-existing split the work across machines and resume a stopped run. The
/// exit status is non-zero when any photo failed.
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:\n  burn-colorize colorize old-photo.jpg -o colour/\n  \
    burn-colorize colorize scans/ -o coloured-scans/ --format jpg --saturation 1.2\n  \
    burn-colorize colorize portrait.png -o portrait-colour.png --hint 120,80,#3366cc\n  \
    burn-colorize colorize 1950-street.jpg -o street.png --reference street-today.jpg\n  \
    burn-colorize colorize archive/ -o coloured/ --shard 3/16 --skip-existing   (machine 3 of 16)")]
pub struct Args {
    /// Image files or folders to colorize.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Output folder (created if missing), or an output file when there is one input file.
    #[arg(short, long, value_name = "OUTPUT")]
    pub output: PathBuf,

    /// Model file to use [default: the model bundled with this build].
    #[arg(short, long, value_name = "PATH")]
    pub model: Option<PathBuf>,

    #[command(flatten)]
    pub look: LookArgs,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Png)]
    pub format: Format,

    /// JPEG quality (1-100), for --format jpg.
    #[arg(long, default_value_t = 92, value_name = "Q", value_parser = clap::value_parser!(u8).range(1..=100))]
    pub quality: u8,

    /// A colour hint: the pixel at X,Y (input-image pixels) has colour #RRGGBB. Repeatable.
    /// Hints apply to every input, so use them with one image at a time.
    #[arg(long = "hint", value_name = "X,Y,#RRGGBB", value_parser = parse_hint)]
    pub hints: Vec<Hint>,

    /// Read more hints from a JSON file: [{"x": 10, "y": 20, "r": 255, "g": 0, "b": 0}, ...].
    #[arg(long, value_name = "PATH")]
    pub hints_file: Option<PathBuf>,

    /// A colour photo that lends its colours: a modern photo of the same street, the same kind
    /// of flower, the person's colour portrait. The parts of the photo that look like parts of
    /// the reference take their colours, wherever they are in it, and its colour distribution
    /// steers the rest when the two look alike overall; a reference unlike the photo changes
    /// little. Applies to every input; combines with hints (without it, hints lend their own
    /// colours as one). Needs a model trained with a reference input (`train --reference`).
    #[arg(long, value_name = "PHOTO")]
    pub reference: Option<PathBuf>,

    /// Colour only this machine's share: the photos whose index in the list of all inputs,
    /// sorted by path, is K modulo N (K from 0 to N-1). Shards are disjoint and together cover
    /// everything; each writes OUTPUT/manifest-K-of-N.csv instead of manifest.csv.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,

    /// Leave photos whose output file exists alone (recorded as "skipped" in the manifest): a
    /// rerun after a stop finishes the rest without redoing or rewriting anything.
    #[arg(long)]
    pub skip_existing: bool,

    /// Refuse images over this many megapixels (protects against decompression bombs).
    #[arg(long, default_value_t = burn_colorize::pipeline::decode::DEFAULT_MAX_MEGAPIXELS, value_name = "MP")]
    pub max_megapixels: f64,

    /// Use an untrained network (colours are meaningless): checks the pipeline end to end when
    /// no trained model is at hand.
    #[arg(long, hide = true)]
    pub untrained: bool,
}

/// Output file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// PNG: lossless, keeps alpha and 16-bit depth.
    Png,
    /// JPEG: smaller files, 8-bit, alpha dropped.
    #[value(alias = "jpeg")]
    Jpg,
}

/// Parse `X,Y,#RRGGBB` (the `#` is optional).
pub fn parse_hint(text: &str) -> Result<Hint, String> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    let [x, y, colour] = parts.as_slice() else {
        return Err(format!("'{text}' is not X,Y,#RRGGBB"));
    };
    let coord = |v: &str| v.parse::<f32>().map_err(|_| format!("'{v}' is not a pixel coordinate"));
    let hex = colour.trim_start_matches('#');
    let channel = |i: usize| {
        hex.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .ok_or_else(|| format!("'{colour}' is not a colour like #3366cc"))
    };
    if hex.len() != 6 {
        return Err(format!("'{colour}' is not a colour like #3366cc"));
    }
    Ok(Hint { x: coord(x)?, y: coord(y)?, r: channel(0)?, g: channel(2)?, b: channel(4)? })
}

pub fn read_hints_file(path: &Path) -> Result<Vec<Hint>, CliError> {
    let text = std::fs::read_to_string(path).map_err(CliError::io(path))?;
    serde_json::from_str(&text).map_err(|e| CliError::Usage(format!("{}: not a list of hints: {e}", path.display())))
}

fn options(args: &Args) -> Result<ColorizeOptions, CliError> {
    let mut hints = args.hints.clone();
    if let Some(path) = &args.hints_file {
        hints.extend(read_hints_file(path)?);
    }
    let reference = match &args.reference {
        Some(path) => Some(read_reference(path, args.max_megapixels)?),
        None => None,
    };
    let options = ColorizeOptions { hints, reference, max_megapixels: args.max_megapixels, ..args.look.options() };
    options.validate()?;
    Ok(options)
}

/// The colours of the reference photo at `path`, with the same checks as an input.
fn read_reference(path: &Path, max_megapixels: f64) -> Result<ColorReference, CliError> {
    let bytes = std::fs::read(path).map_err(CliError::io(path))?;
    ColorReference::from_bytes(&bytes, max_megapixels)
        .map_err(|source| CliError::Reference { path: path.to_path_buf(), source })
}

/// Colorize one file and write its result.
fn colorize_one(
    colorizer: &Colorizer,
    job: &Job,
    options: &ColorizeOptions,
    format: OutputFormat,
) -> Result<(), CliError> {
    let bytes = std::fs::read(&job.input).map_err(CliError::io(&job.input))?;
    let with_path = |source| CliError::Image { path: job.input.clone(), source };
    let image = pollster::block_on(colorizer.colorize_bytes(&bytes, options)).map_err(with_path)?;
    let encoded = encode(&image, format).map_err(with_path)?;
    if let Some(parent) = job.output.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(CliError::io(parent))?;
    }
    write_atomically(&job.output, &encoded)
}

pub fn run(args: Args) -> Result<(), CliError> {
    let options = options(&args)?;
    let (format, ext) = match args.format {
        Format::Png => (OutputFormat::Png, "png"),
        Format::Jpg => (OutputFormat::Jpeg { quality: args.quality }, "jpg"),
    };
    let mut jobs = plan(&args.inputs, &args.output, ext)?;
    let one_file = jobs.len() == 1 && jobs[0].output == args.output;
    if let Some(shard) = args.shard {
        jobs = shard.select(jobs);
    }
    let device = Device::flex();
    let colorizer = Colorizer::new(load_model(args.model.as_deref(), args.untrained, &device)?, device);
    if options.reference.is_some() && !colorizer.model().config.reference {
        return Err(burn_colorize::Error::NoReferenceInput.into());
    }
    let mut manifest = match one_file {
        true => None,
        false => Some(Manifest::create(args.output.join(Shard::manifest_name(args.shard)))?),
    };
    let bar = ProgressBar::new(jobs.len() as u64).with_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg} (ETA {eta})")
            .expect("valid template"),
    );
    let start = Instant::now();
    let mut counts = [0usize; 3]; // done, skipped, failed
    for job in &jobs {
        bar.set_message(job.input.display().to_string());
        let began = Instant::now();
        let (status, error) = if args.skip_existing && job.output.exists() {
            (Status::Skipped, None)
        } else {
            match colorize_one(&colorizer, job, &options, format) {
                Ok(()) => (Status::Done, None),
                Err(e) => {
                    bar.suspend(|| eprintln!("error: {e}"));
                    (Status::Failed, Some(e.to_string()))
                }
            }
        };
        counts[status as usize] += 1;
        if let Some(manifest) = &mut manifest {
            manifest.record(job, status, error.as_deref(), began.elapsed().as_millis())?;
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    let [done, skipped, failed] = counts;
    let listed = manifest.as_ref().map(|m| format!("; manifest: {}", m.path().display())).unwrap_or_default();
    println!(
        "{done} coloured, {skipped} skipped (output already there), {failed} failed, of {} photos in {:.1} s; \
         written to {}{listed}",
        jobs.len(),
        start.elapsed().as_secs_f64(),
        args.output.display()
    );
    match failed {
        0 => Ok(()),
        _ => Err(CliError::SomeFailed { failed, total: jobs.len() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hint_parses_with_and_without_hash() {
        assert_eq!(parse_hint("10,20,#ff8000").unwrap(), Hint { x: 10.0, y: 20.0, r: 255, g: 128, b: 0 });
        assert_eq!(parse_hint("1.5, 2, 0000FF").unwrap(), Hint { x: 1.5, y: 2.0, r: 0, g: 0, b: 255 });
    }

    #[test]
    fn bad_hints_say_what_is_wrong() {
        assert!(parse_hint("10,20").unwrap_err().contains("X,Y,#RRGGBB"));
        assert!(parse_hint("a,20,#ffffff").unwrap_err().contains("pixel coordinate"));
        assert!(parse_hint("1,2,#ffzz00").unwrap_err().contains("colour"));
        assert!(parse_hint("1,2,#fff").unwrap_err().contains("colour"));
    }
}
