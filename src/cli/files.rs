//! Which files to read and where their results go: folders are walked recursively, names are
//! kept (with the output format's extension), and no output may land on an input.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use burn::prelude::Device;
use burn_colorize::Model;
use burn_colorize::pipeline::decode::has_image_extension;

use super::CliError;

/// One input image and the file its colour version is written to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub input: PathBuf,
    pub output: PathBuf,
}

/// Image files under `dir`, recursively, sorted, as paths relative to `dir`.
fn walk(dir: &Path) -> Result<Vec<PathBuf>, CliError> {
    let mut found = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(rel) = pending.pop() {
        let here = dir.join(&rel);
        for entry in std::fs::read_dir(&here).map_err(CliError::io(&here))? {
            let entry = entry.map_err(CliError::io(&here))?;
            let path = rel.join(entry.file_name());
            if entry.file_type().map_err(CliError::io(entry.path()))?.is_dir() {
                pending.push(path);
            } else if has_image_extension(&path) {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Map inputs (files and folders) to output files under `out` with extension `ext`.
///
/// A single input file with an `out` that has an image extension writes exactly `out`.
pub fn plan(inputs: &[PathBuf], out: &Path, ext: &str) -> Result<Vec<Job>, CliError> {
    let mut jobs = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(CliError::io(input))?;
        if meta.is_dir() {
            for rel in walk(input)? {
                jobs.push(Job { input: input.join(&rel), output: out.join(rel).with_extension(ext) });
            }
        } else if inputs.len() == 1 && has_image_extension(out) {
            jobs.push(Job { input: input.clone(), output: out.to_path_buf() });
        } else {
            let name =
                input.file_name().ok_or_else(|| CliError::Usage(format!("{}: not a file name", input.display())))?;
            jobs.push(Job { input: input.clone(), output: out.join(name).with_extension(ext) });
        }
    }
    if jobs.is_empty() {
        return Err(CliError::Usage("no images found in the given inputs".into()));
    }
    check_no_clobbering(&jobs)?;
    Ok(jobs)
}

/// Refuse plans that would overwrite an input or write two results to one file.
fn check_no_clobbering(jobs: &[Job]) -> Result<(), CliError> {
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let inputs: HashMap<PathBuf, &Path> = jobs.iter().map(|j| (canonical(&j.input), j.input.as_path())).collect();
    let mut outputs: HashMap<PathBuf, &Path> = HashMap::new();
    for job in jobs {
        let target = canonical(&job.output);
        if let Some(input) = inputs.get(&target) {
            return Err(CliError::Usage(format!(
                "{} would be overwritten by the result of {}: choose another output folder or --format",
                input.display(),
                job.input.display()
            )));
        }
        if let Some(first) = outputs.insert(target, &job.input) {
            return Err(CliError::Usage(format!(
                "{} and {} would both be written to {}: colorize them into different folders",
                first.display(),
                job.input.display(),
                job.output.display()
            )));
        }
    }
    Ok(())
}

/// Load the model from `path`, or the default model bundled in this build.
pub fn load_model(path: Option<&Path>, untrained: bool, device: &Device) -> Result<Model, CliError> {
    if untrained {
        return Ok(Model::random(burn_colorize::ModelConfig::default_classification(), device));
    }
    match path {
        Some(path) => {
            let bytes = std::fs::read(path).map_err(CliError::io(path))?;
            Model::from_bytes(&bytes, device).map_err(|source| CliError::Image { path: path.into(), source })
        }
        None => match burn_colorize::model::file::DEFAULT_MODEL {
            Some(bytes) => Ok(Model::from_bytes(bytes, device)?),
            None => Err(CliError::Usage("this build has no default model bundled yet: pass --model FILE".into())),
        },
    }
}
