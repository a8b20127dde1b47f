//! The `burn-colorize` command-line tool (feature `cli`).

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
