//! Colouring an archive with the command-line tool: `--shard K/N` splits a folder into
//! disjoint shards that together cover it, a run killed with SIGKILL leaves only complete
//! outputs and a rerun with `--skip-existing` finishes the rest without redoing or rewriting
//! anything, and the manifest and exit status report a failed photo.
#![cfg(all(feature = "cli", unix))]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use common::*;
use image::{DynamicImage, ImageFormat};

fn cli() -> Command {
    Command::new(env!("CARGO_BIN_EXE_burn-colorize"))
}

/// `count` small photos in `dir/in` (some in a subfolder) and a tiny model; returns (input folder, model).
fn archive(dir: &Path, count: u32, side: u32) -> (PathBuf, PathBuf) {
    let input = dir.join("in");
    std::fs::create_dir_all(input.join("box")).unwrap();
    for i in 0..count {
        let name = if i % 3 == 0 { format!("box/p{i:02}.png") } else { format!("p{i:02}.jpg") };
        let format = if i % 3 == 0 { ImageFormat::Png } else { ImageFormat::Jpeg };
        std::fs::write(input.join(name), encode(&DynamicImage::ImageRgb8(scene(side + i, side)), format)).unwrap();
    }
    let model = dir.join("tiny.bclz");
    std::fs::write(&model, tiny_model().to_bytes().unwrap()).unwrap();
    (input, model)
}

fn colorize(input: &Path, out: &Path, model: &Path, extra: &[&str]) -> Command {
    let mut command = cli();
    command.arg("colorize").arg(input).arg("-o").arg(out).arg("--model").arg(model).args(extra);
    command
}

/// The manifest's rows: input → (status, error).
fn manifest(path: &Path) -> BTreeMap<String, (String, String)> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    assert_eq!(reader.headers().unwrap(), vec!["input", "output", "status", "error", "milliseconds"]);
    reader.records().map(|r| r.unwrap()).map(|r| (r[0].to_string(), (r[2].to_string(), r[3].to_string()))).collect()
}

/// Output files (not hidden partial ones) under `out` and when each was last written.
fn outputs(out: &Path) -> BTreeMap<PathBuf, SystemTime> {
    let mut found = BTreeMap::new();
    for dir in [out.to_path_buf(), out.join("box")] {
        for entry in std::fs::read_dir(&dir).into_iter().flatten() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "png")
                && !path.file_name().unwrap().to_string_lossy().starts_with('.')
            {
                found.insert(path.clone(), std::fs::metadata(&path).unwrap().modified().unwrap());
            }
        }
    }
    found
}

#[test]
fn shards_are_disjoint_and_together_colour_everything() {
    let dir = temp_dir("shards");
    let (input, model) = archive(&dir, 10, 12);
    let out = dir.join("out");
    let mut seen: Vec<String> = Vec::new();
    for k in 0..3 {
        let output = colorize(&input, &out, &model, &["--shard", &format!("{k}/3")]).output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let rows = manifest(&out.join(format!("manifest-{k}-of-3.csv")));
        assert!(rows.values().all(|(status, _)| status == "done"));
        assert!((3..=4).contains(&rows.len()), "shard {k} has {} of 10", rows.len());
        seen.extend(rows.into_keys());
    }
    let total = seen.len();
    seen.sort();
    seen.dedup();
    assert_eq!((seen.len(), total), (10, 10), "every photo once");
    assert_eq!(outputs(&out).len(), 10);
    let bad = colorize(&input, &out, &model, &["--shard", "3/3"]).output().unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("K counts from 0 and must be below N"));
}

#[test]
fn a_killed_run_leaves_complete_files_and_skip_existing_finishes_the_rest() {
    let dir = temp_dir("killed");
    let (input, model) = archive(&dir, 24, 160);
    let out = dir.join("out");
    let mut child = colorize(&input, &out, &model, &[]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while outputs(&out).len() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let finished = outputs(&out);
    assert!((2..24).contains(&finished.len()), "killed after {} of 24 outputs", finished.len());
    for path in finished.keys() {
        image::open(path).unwrap_or_else(|e| panic!("{}: half-written ({e})", path.display()));
    }
    std::thread::sleep(Duration::from_millis(20)); // a rewrite would show in the times

    let output = colorize(&input, &out, &model, &["--skip-existing"]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let summary = String::from_utf8_lossy(&output.stdout);
    let expected = format!("{} coloured, {} skipped", 24 - finished.len(), finished.len());
    assert!(summary.contains(&expected), "{summary}");
    let rows = manifest(&out.join("manifest.csv"));
    assert_eq!(rows.len(), 24);
    let skipped = rows.values().filter(|(status, _)| status == "skipped").count();
    assert_eq!(skipped, finished.len());
    let after = outputs(&out);
    assert_eq!(after.len(), 24);
    for (path, written) in &finished {
        assert_eq!(after[path], *written, "{} was written again", path.display());
    }
}

#[test]
fn a_failed_photo_is_in_the_manifest_and_the_exit_status() {
    let dir = temp_dir("failed");
    let (input, model) = archive(&dir, 3, 12);
    std::fs::write(input.join("broken.png"), b"not a png").unwrap();
    let out = dir.join("out");
    let output = colorize(&input, &out, &model, &[]).output().unwrap();
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stdout)
            .contains("3 coloured, 0 skipped (output already there), 1 failed, of 4 photos")
    );
    let rows = manifest(&out.join("manifest.csv"));
    let (status, error) = &rows[&input.join("broken.png").to_string_lossy().to_string()];
    assert_eq!(status, "failed");
    assert!(error.contains("broken.png"), "{error}");
    assert_eq!(rows.values().filter(|(s, _)| s == "done").count(), 3);
}
