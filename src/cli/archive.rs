//! Colouring an archive, possibly on many machines: a deterministic share of the photos per
//! machine (`--shard K/N`), finished outputs left alone on a rerun (`--skip-existing`), outputs
//! written atomically (a killed run leaves no half-written file under an output's name), and a
//! manifest of what happened to every photo.

use std::fs::File;
use std::path::{Path, PathBuf};

use super::CliError;
use super::files::Job;

/// One machine's share of the work: photos whose index in the sorted list is `index` modulo
/// `count`. Shards 0..count are disjoint and together cover every photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

/// Parse `K/N` with 0 ≤ K < N (a Kubernetes Indexed Job's index, or a Slurm array task id
/// from 0).
pub fn parse_shard(text: &str) -> Result<Shard, String> {
    let (k, n) =
        text.split_once('/').ok_or_else(|| format!("'{text}' is not K/N (e.g. 0/4: the first of 4 shards)"))?;
    let number = |v: &str| v.trim().parse::<usize>().map_err(|_| format!("'{v}' in '{text}' is not a whole number"));
    let shard = Shard { index: number(k)?, count: number(n)? };
    if shard.count == 0 || shard.index >= shard.count {
        return Err(format!("shard '{text}': K counts from 0 and must be below N (for N shards: 0/N to N-1/N)"));
    }
    Ok(shard)
}

impl Shard {
    /// This shard's jobs, from all jobs sorted by input path (the same on every machine).
    pub fn select(&self, mut jobs: Vec<Job>) -> Vec<Job> {
        jobs.sort_by(|a, b| a.input.cmp(&b.input));
        jobs.into_iter().enumerate().filter(|(i, _)| i % self.count == self.index).map(|(_, job)| job).collect()
    }

    /// The manifest's file name for this shard, so shards writing to one shared folder never
    /// write the same file.
    pub fn manifest_name(shard: Option<Shard>) -> String {
        match shard {
            None => "manifest.csv".into(),
            Some(Shard { index, count }) => format!("manifest-{index}-of-{count}.csv"),
        }
    }
}

/// Write `bytes` to `path` through a temporary file in the same folder and a rename, so the
/// file under `path` is either absent or complete.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    let partial = path.with_file_name(format!(".{name}.partial"));
    std::fs::write(&partial, bytes).map_err(CliError::io(&partial))?;
    std::fs::rename(&partial, path).map_err(CliError::io(path))
}

/// What happened to one photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Done,
    /// Its output was there already (`--skip-existing`).
    Skipped,
    Failed,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Done => "done",
            Status::Skipped => "skipped",
            Status::Failed => "failed",
        }
    }
}

/// `manifest.csv`: input, output, status, error, milliseconds; one row per photo, flushed as
/// each finishes, so a killed run's manifest lists what it finished.
pub struct Manifest {
    path: PathBuf,
    writer: csv::Writer<File>,
}

impl Manifest {
    pub fn create(path: PathBuf) -> Result<Self, CliError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(CliError::io(parent))?;
        }
        let file = File::create(&path).map_err(CliError::io(&path))?;
        let mut manifest = Self { path, writer: csv::Writer::from_writer(file) };
        manifest.row(["input", "output", "status", "error", "milliseconds"])?;
        Ok(manifest)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Record one photo.
    pub fn record(
        &mut self,
        job: &Job,
        status: Status,
        error: Option<&str>,
        milliseconds: u128,
    ) -> Result<(), CliError> {
        let (input, output) = (job.input.to_string_lossy(), job.output.to_string_lossy());
        self.row([&*input, &*output, status.as_str(), error.unwrap_or(""), &milliseconds.to_string()])
    }

    fn row(&mut self, fields: [&str; 5]) -> Result<(), CliError> {
        let failed =
            |e: csv::Error| CliError::Usage(format!("{}: could not write the manifest: {e}", self.path.display()));
        self.writer.write_record(fields).map_err(failed)?;
        self.writer.flush().map_err(CliError::io(&self.path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jobs(names: &[&str]) -> Vec<Job> {
        names.iter().map(|n| Job { input: n.into(), output: format!("out/{n}").into() }).collect()
    }

    #[test]
    fn shards_are_disjoint_cover_everything_and_ignore_the_given_order() {
        let all = jobs(&["e", "a", "d", "b", "c", "f", "g"]);
        let mut seen = Vec::new();
        for index in 0..3 {
            let shard = Shard { index, count: 3 };
            let mine = shard.select(all.clone());
            let reversed = shard.select(all.iter().rev().cloned().collect());
            assert_eq!(mine, reversed, "the same share whatever order the folder listing gave");
            seen.extend(mine.into_iter().map(|j| j.input));
        }
        seen.sort();
        assert_eq!(seen, ["a", "b", "c", "d", "e", "f", "g"].map(PathBuf::from));
    }

    #[test]
    fn shard_text_is_checked() {
        assert_eq!(parse_shard("2/4"), Ok(Shard { index: 2, count: 4 }));
        assert!(parse_shard("4/4").unwrap_err().contains("counts from 0"));
        assert!(parse_shard("1/0").unwrap_err().contains("below N"));
        assert!(parse_shard("3").unwrap_err().contains("not K/N"));
        assert!(parse_shard("a/2").unwrap_err().contains("not a whole number"));
    }
}
