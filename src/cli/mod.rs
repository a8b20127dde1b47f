//! Command-line interface: argument parsing and dispatch to one module per subcommand.

mod archive;
mod bench;
mod bench_data;
mod bench_parallel;
mod bench_train;
mod calibrate;
mod colorize;
mod error;
mod eval;
mod files;
mod import_trunk;
mod info;
mod look;
mod memory;
mod progress;
mod suggest;
mod train;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use error::CliError;

/// Colour for grey photos, from a small neural network, on your own machine.
///
/// burn-colorize predicts the colours of a black-and-white (or colour) photo with a small
/// convolutional network and writes a colour version at the photo's full resolution. The
/// lightness of every pixel is kept exactly; only colour is added. Nothing leaves your machine.
#[derive(Debug, Parser)]
#[command(name = "burn-colorize", version, max_term_width = 100)]
#[command(after_help = "Run 'burn-colorize <COMMAND> --help' for the options of each command.")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Colorize(colorize::Args),
    Info(info::Args),
    Train(train::Args),
    Suggest(suggest::Args),
    Eval(eval::Args),
    Calibrate(calibrate::Args),
    Bench(bench::Args),
    ImportTrunk(import_trunk::Args),
}

/// Parse arguments, run the command, print any error and turn it into an exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Colorize(args) => colorize::run(args),
        Command::Info(args) => info::run(args),
        Command::Train(args) => train::run(args),
        Command::Suggest(args) => suggest::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Calibrate(args) => calibrate::run(args),
        Command::Bench(args) => bench::run(args),
        Command::ImportTrunk(args) => import_trunk::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
