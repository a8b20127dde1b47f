//! The `burn-colorize` command-line tool (feature `native`).

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
