//! The command-line layer's error: the library's errors with the file they concern, I/O
//! errors with their path, and usage mistakes.

use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum CliError {
    #[error("{path}: {source}")]
    Image { path: PathBuf, source: burn_colorize::Error },
    #[error("the colour reference {path}: {source}")]
    Reference { path: PathBuf, source: burn_colorize::Error },
    #[error("{0}")]
    Library(#[from] burn_colorize::Error),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{0}")]
    Training(#[from] burn_colorize::train::TrainError),
    #[error("{0}")]
    Usage(String),
    #[error("{failed} of {total} images failed (see the messages above)")]
    SomeFailed { failed: usize, total: usize },
}

impl CliError {
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| CliError::Io { path, source }
    }
}
