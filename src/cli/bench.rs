//! `burn-colorize bench`: native CPU inference time and peak memory.
//!
//! Each case runs in its own child process so that the peak memory reported is that case's
//! alone (the kernel's high-water mark, VmHWM, never goes down within a process).

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use burn::prelude::Device;
use burn_colorize::pipeline::{DEFAULT_SIZE, recombine};
use burn_colorize::{ColorizeOptions, Colorizer, Photo};
use image::{DynamicImage, RgbImage};

use super::CliError;
use super::files::load_model;
use super::memory::peak_rss_mb;

const CASES: &[(&str, u32, u32)] = &[("256x256", 256, 256), ("512x512", 512, 512), ("24MP", 6000, 4000)];

/// Print native CPU inference time and peak memory at 256², 512² and a 24-megapixel input.
///
/// Times are the median of --repeats runs after one warm-up run, for the whole colorization
/// of a decoded photo (resize, network, decode, upsample, recombine); the network's share is
/// shown apart. Uses the bundled model, or an untrained one of the default architecture
/// (the same cost) when none is bundled.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Model file [default: the bundled model, else an untrained default-size network].
    #[arg(short, long, value_name = "PATH")]
    pub model: Option<PathBuf>,

    /// Working size, as in `colorize --size`.
    #[arg(short, long, default_value_t = DEFAULT_SIZE)]
    pub size: u32,

    /// Upsample colour bilinearly, as in `colorize --bilinear` (to see what the edge-aware
    /// upsampling costs).
    #[arg(long)]
    pub bilinear: bool,

    /// Timed runs per case.
    #[arg(short, long, default_value_t = 3)]
    pub repeats: usize,

    /// Measure training throughput instead (images per second on the CPU, synthetic batches).
    #[arg(long)]
    pub train: bool,

    #[command(flatten)]
    pub train_options: super::bench_train::Options,

    /// Run one case in this process (used by the parent bench process).
    #[arg(long, hide = true)]
    pub case: Option<String>,
}

pub fn run(args: Args) -> Result<(), CliError> {
    if args.train {
        return super::bench_train::run(&args.train_options);
    }
    if let Some(case) = &args.case {
        return run_case(&args, case);
    }
    let upsampling = if args.bilinear { "bilinear" } else { "edge-aware" };
    println!(
        "native CPU inference (Flex backend), working size {}, {upsampling} upsampling, median of {} runs",
        args.size, args.repeats
    );
    println!("{:<10} {:>12} {:>12} {:>14}", "input", "network ms", "total ms", "peak RSS MB");
    let exe = std::env::current_exe().map_err(CliError::io("current executable"))?;
    for (label, _, _) in CASES {
        let mut command = Command::new(&exe);
        command.args([
            "bench",
            "--case",
            label,
            "--size",
            &args.size.to_string(),
            "--repeats",
            &args.repeats.to_string(),
        ]);
        if let Some(model) = &args.model {
            command.arg("--model").arg(model);
        }
        if args.bilinear {
            command.arg("--bilinear");
        }
        let output = command.output().map_err(CliError::io(&exe))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        match stdout.lines().find_map(|l| l.strip_prefix("CASE ")) {
            Some(line) => println!("{line}"),
            None => println!("{label:<10} failed: {}", String::from_utf8_lossy(&output.stderr).trim()),
        }
    }
    Ok(())
}

/// A synthetic photo: smooth gradients and a few shapes, so decode and resize do real work.
fn synthetic(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        let (u, v) = (x as f32 / width as f32, y as f32 / height as f32);
        let ring = (((u - 0.5).powi(2) + (v - 0.5).powi(2)).sqrt() * 20.0) as u32 % 2;
        image::Rgb([(u * 255.0) as u8, (v * 255.0) as u8, if ring == 0 { 200 } else { 40 }])
    }))
}

fn run_case(args: &Args, case: &str) -> Result<(), CliError> {
    let &(label, width, height) = CASES
        .iter()
        .find(|(l, _, _)| *l == case)
        .ok_or_else(|| CliError::Usage(format!("unknown bench case {case}")))?;
    let device = Device::flex();
    let untrained = args.model.is_none() && burn_colorize::model::file::DEFAULT_MODEL.is_none();
    let colorizer = Colorizer::new(load_model(args.model.as_deref(), untrained, &device)?, device);
    let options = ColorizeOptions { size: args.size, edge_aware: !args.bilinear, ..Default::default() };
    let photo = Photo::from_image(&synthetic(width, height))?;
    let (mut network, mut total) = (Vec::new(), Vec::new());
    for run in 0..=args.repeats {
        let start = Instant::now();
        let ab = pollster::block_on(colorizer.predict_ab(&photo, &options))?;
        let net_ms = start.elapsed().as_secs_f64() * 1e3;
        std::hint::black_box(recombine(&photo, &ab, &options));
        if run > 0 {
            network.push(net_ms);
            total.push(start.elapsed().as_secs_f64() * 1e3);
        }
    }
    let peak = peak_rss_mb().map_or("n/a".to_string(), |mb| format!("{mb:.0}"));
    println!("CASE {label:<10} {:>12.1} {:>12.1} {:>14}", median(&mut network), median(&mut total), peak);
    Ok(())
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}
