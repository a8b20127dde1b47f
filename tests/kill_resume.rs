//! `train` killed with SIGKILL at seeded random moments, some of them halfway through a
//! checkpoint write, resumes each time and ends with the weights of a run never interrupted; a
//! damaged last checkpoint is refused with a clear message and the one before it used.
#![cfg(all(feature = "cli", unix))]

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use burn::prelude::*;
use burn_colorize::Model;
use burn_colorize::rng::Rng;
use burn_colorize::train::checkpoint::{Checkpoint, SLOW_WRITES_VARIABLE};
use common::*;
use image::{DynamicImage, ImageFormat};

const EPOCHS: usize = 6;
const KILLS: usize = 12;

fn write_photos(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..5u32 {
        let bytes = encode(&DynamicImage::ImageRgb8(scene(40 + 3 * i, 36 + 5 * i)), ImageFormat::Png);
        std::fs::write(dir.join(format!("photo{i}.png")), bytes).unwrap();
    }
}

/// `train` on the tiny data set: a new run in `run`, or `--resume` when it already has one.
/// `slow_writes` pauses every file write halfway, widening the window for a kill inside one.
fn start(data: &Path, run: &Path, slow_writes: bool) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_burn-colorize"));
    command.arg("train");
    if run.join("config.json").exists() {
        command.arg("--resume").arg(run);
    } else {
        command.arg("--data").arg(data).arg("--out").arg(run);
        command.args(["--size", "32", "--batch", "2", "--widths", "8,8,16,16", "--val-images", "2"]);
        command.args(["--patience", "100", "--epochs", &EPOCHS.to_string()]);
    }
    command.args(["--device", "cpu"]).stdout(Stdio::null()).stderr(Stdio::piped());
    if slow_writes {
        command.env(SLOW_WRITES_VARIABLE, "250");
    } else {
        command.env_remove(SLOW_WRITES_VARIABLE);
    }
    command.spawn().expect("start burn-colorize train")
}

fn finish(child: Child) -> String {
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "train failed: {stderr}");
    stderr
}

/// Whether `run` holds a half-written file whose name starts with `prefix`.
fn writing(run: &Path, prefix: &str) -> bool {
    std::fs::read_dir(run).into_iter().flatten().flatten().any(|entry| {
        let name = entry.file_name().to_string_lossy().into_owned();
        name.starts_with(prefix) && name.contains(".tmp-")
    })
}

/// Wait until `child` writes a file starting with `prefix` (or ends); true if it was caught.
fn wait_for_write(child: &mut Child, run: &Path, prefix: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if writing(run, prefix) {
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    panic!("no {prefix}* write within two minutes");
}

/// What the weights of a checkpoint compute on a fixed input, and its progress.
fn state(checkpoint: &Path) -> (Vec<f32>, String) {
    let checkpoint = Checkpoint::load(checkpoint).unwrap();
    let device = Device::flex();
    let model = Model::from_bytes(&checkpoint.model, &device).unwrap();
    let input: Vec<f32> = (0..4 * 32 * 32).map(|i| ((i * 37) % 101) as f32 / 50.0 - 1.0).collect();
    let input = Tensor::<4>::from_data(TensorData::new(input, [1, 4, 32, 32]), &device);
    let outputs = model.net.forward(input).into_data().try_into_vec::<f32>().unwrap();
    (outputs, format!("{:?}", checkpoint.progress))
}

#[test]
fn a_run_killed_anywhere_resumes_to_the_weights_of_a_straight_run() {
    let dir = temp_dir("kill-resume");
    let data = dir.join("data");
    write_photos(&data);
    let straight = dir.join("straight");
    finish(start(&data, &straight, false));
    let expected = state(&straight.join("last.ckpt"));

    let run = dir.join("killed");
    let mut rng = Rng::new(2026);
    let (mut kills, mut in_checkpoint_writes) = (0, 0);
    while kills < KILLS {
        let mut child = start(&data, &run, true);
        let caught = match kills % 3 {
            0 => wait_for_write(&mut child, &run, "last."),
            1 => wait_for_write(&mut child, &run, "best."),
            _ => {
                std::thread::sleep(Duration::from_millis(20 + rng.below(1500) as u64));
                child.try_wait().unwrap().is_none()
            }
        };
        if !caught {
            break; // the run ended before this kill: nothing left to interrupt
        }
        let half_written_checkpoint = writing(&run, "last.") || writing(&run, "best.");
        child.kill().unwrap();
        child.wait().unwrap();
        kills += 1;
        in_checkpoint_writes += usize::from(half_written_checkpoint);
    }
    assert!(kills >= 10, "only {kills} kills before the run ended: make the run longer");
    assert!(in_checkpoint_writes >= 6, "only {in_checkpoint_writes} kills landed in a checkpoint write");
    finish(start(&data, &run, false));
    assert_eq!(state(&run.join("last.ckpt")), expected, "a resumed run computes other weights");
    assert_eq!(state(&run.join("best.ckpt")), state(&straight.join("best.ckpt")));
    let rows = std::fs::read_to_string(run.join("metrics.csv")).unwrap();
    let epochs: Vec<&str> = rows.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(epochs, ["1", "2", "3", "4", "5", "6"], "one metrics row per epoch");
    assert!(!writing(&run, ""), "a resumed run removes the killed runs' temporary files");

    // A damaged last checkpoint: refused with a message naming it; the run goes back to the
    // checkpoint before it, redoes the last epoch and arrives at the same weights.
    let last = run.join("last.ckpt");
    let mut bytes = std::fs::read(&last).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    std::fs::write(&last, bytes).unwrap();
    let stderr = finish(start(&data, &run, false));
    assert!(
        stderr.contains("last.ckpt") && stderr.contains("checksum") && stderr.contains("previous.ckpt"),
        "{stderr}"
    );
    assert_eq!(state(&last), expected, "redoing the last epoch from the previous checkpoint");
}
