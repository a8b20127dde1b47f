//! The command-line tool end to end: a folder of mixed files, names kept, sizes and L kept,
//! inputs never overwritten, info, help and calibrate.
#![cfg(feature = "cli")]

mod common;

use std::path::Path;
use std::process::Command;

use burn::prelude::Device;
use burn_colorize::color::classes::gamut_grid;
use burn_colorize::train::rebalance::ClassWeights;
use burn_colorize::{ColorizeOptions, Colorizer, Model};
use common::*;
use image::{DynamicImage, ImageFormat};

fn cli() -> Command {
    Command::new(env!("CARGO_BIN_EXE_burn-colorize"))
}

fn write_model(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("tiny.bclz");
    std::fs::write(&path, tiny_model().to_bytes().unwrap()).unwrap();
    path
}

#[test]
fn colorizes_a_folder_of_mixed_files_keeping_names_sizes_and_lightness() {
    let dir = temp_dir("folder");
    let input = dir.join("in");
    std::fs::create_dir_all(input.join("nested")).unwrap();
    let files = [
        ("a.png", 31, 17, ImageFormat::Png),
        ("b.jpg", 64, 48, ImageFormat::Jpeg),
        ("nested/c.png", 1, 1, ImageFormat::Png),
        ("d.jpeg", 5, 3, ImageFormat::Jpeg),
    ];
    for (name, w, h, format) in files {
        std::fs::write(input.join(name), encode(&DynamicImage::ImageRgb8(scene(w, h)), format)).unwrap();
    }
    std::fs::write(input.join("notes.txt"), "not an image").unwrap();
    let model = write_model(&dir);
    let out = dir.join("out");
    let status = cli().args(["colorize"]).arg(&input).arg("-o").arg(&out).arg("--model").arg(&model).status().unwrap();
    assert!(status.success());
    for (name, w, h, _) in files {
        let source = image::open(input.join(name)).unwrap();
        let result = image::open(out.join(name).with_extension("png")).unwrap();
        assert_eq!((result.width(), result.height()), (w, h), "{name}");
        let dl = max_lightness_difference(&source, &result);
        assert!(dl <= 1.0, "{name}: L changed by {dl}");
    }
    assert!(!out.join("notes.png").exists());
}

#[test]
fn never_overwrites_an_input() {
    let dir = temp_dir("clobber");
    let photo = dir.join("photo.png");
    std::fs::write(&photo, encode(&DynamicImage::ImageRgb8(scene(8, 8)), ImageFormat::Png)).unwrap();
    let before = std::fs::read(&photo).unwrap();
    let model = write_model(&dir);
    let output = cli().arg("colorize").arg(&photo).arg("-o").arg(&dir).arg("--model").arg(&model).output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("would be overwritten"));
    assert_eq!(std::fs::read(&photo).unwrap(), before);
}

#[test]
fn a_jpeg_quality_out_of_range_is_refused_not_clamped() {
    let dir = temp_dir("quality");
    let photo = dir.join("photo.png");
    std::fs::write(&photo, encode(&DynamicImage::ImageRgb8(scene(8, 8)), ImageFormat::Png)).unwrap();
    for quality in ["0", "101"] {
        let output = cli()
            .args(["colorize", "--format", "jpg", "--quality", quality, "-o"])
            .arg(dir.join("out"))
            .arg(&photo)
            .output()
            .unwrap();
        assert!(!output.status.success(), "--quality {quality} was accepted");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("--quality") && stderr.contains("1..=100"), "{stderr}");
        assert!(!dir.join("out").exists(), "nothing is written");
    }
}

#[test]
fn a_bad_file_is_reported_and_the_others_still_done() {
    let dir = temp_dir("badfile");
    std::fs::write(dir.join("broken.png"), b"\x89PNG\r\n\x1a\nbroken").unwrap();
    std::fs::write(dir.join("good.png"), encode(&DynamicImage::ImageRgb8(scene(9, 7)), ImageFormat::Png)).unwrap();
    let model = write_model(&dir);
    let output = cli()
        .arg("colorize")
        .arg(dir.join("broken.png"))
        .arg(dir.join("good.png"))
        .arg("-o")
        .arg(dir.join("out"))
        .arg("--format")
        .arg("jpg")
        .arg("--model")
        .arg(&model)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("broken.png") && stderr.contains("1 of 2 images failed"), "{stderr}");
    let good = image::open(dir.join("out/good.jpg")).unwrap();
    assert_eq!((good.width(), good.height()), (9, 7));
}

#[test]
fn info_prints_the_parameter_count() {
    let dir = temp_dir("info");
    let model = write_model(&dir);
    let output = cli().arg("info").arg(&model).output().unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let params = tiny_model().num_params();
    assert!(stdout.contains(&format!("parameters:  {params}")), "{stdout}");
    assert!(stdout.contains("classification over"), "{stdout}");
    let output = cli().arg("info").arg(dir.join("missing.bclz")).output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("missing.bclz"));
}

#[test]
fn help_explains_the_commands_and_options() {
    let output = cli().arg("--help").output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    for word in ["colorize", "info", "bench"] {
        assert!(text.contains(word), "{text}");
    }
    let output = cli().args(["colorize", "--help"]).output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    for word in ["--saturation", "--temperature", "--hint", "--format", "EXAMPLES"] {
        assert!(text.contains(word), "{text}");
    }
}

#[test]
fn eval_prints_metrics_beside_the_grey_baseline() {
    let dir = temp_dir("eval");
    let photos = dir.join("photos");
    std::fs::create_dir_all(&photos).unwrap();
    for (i, (w, h)) in [(40, 30), (17, 23)].into_iter().enumerate() {
        std::fs::write(
            photos.join(format!("{i}.png")),
            encode(&DynamicImage::ImageRgb8(scene(w, h)), ImageFormat::Png),
        )
        .unwrap();
    }
    let model = write_model(&dir);
    // A grey photo has no colour to measure against: skipped and counted, not averaged in.
    let grey = DynamicImage::ImageRgb8(scene(20, 20)).grayscale();
    std::fs::write(photos.join("grey.png"), encode(&grey, ImageFormat::Png)).unwrap();
    let grid = dir.join("grid.png");
    let output = cli()
        .args(["eval", "--hints", "0", "3", "--model"])
        .arg(&model)
        .arg("--data")
        .arg(&photos)
        .arg("--grid")
        .arg(&grid)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    for part in
        ["0 hints:", "3 hints:", "PSNR", "(grey", "colourfulness ratio", "AuC", "2 images (1 grey photos skipped)"]
    {
        assert!(stdout.contains(part), "missing {part}: {stdout}");
    }
    // Two rows (one per photo) of grey | colorized | original, each 160 px high.
    let grid = image::open(&grid).expect("the grid is a PNG").to_rgb8();
    assert_eq!(grid.height(), 2 * 164 + 4);
    let row_width = [(40, 30), (17, 23)].map(|(w, h): (u32, u32)| 3 * ((w * 160).div_ceil(h) + 4) + 4);
    assert_eq!(grid.width(), row_width.into_iter().max().unwrap());

    // --saturation 0, as in `colorize`, leaves every photo grey: the grey baseline's numbers.
    let output = cli().args(["eval", "--saturation", "0", "--model"]).arg(&model).arg("--data").arg(&photos).output();
    let stdout = String::from_utf8_lossy(&output.unwrap().stdout).to_string();
    let number = |after: &str| stdout.split(after).nth(1).and_then(|s| s.split_whitespace().next()).unwrap_or("?");
    assert_eq!(number("PSNR "), number("(grey ").trim_end_matches(')'), "{stdout}");
    assert!(stdout.contains("colourfulness ratio 0.00"), "{stdout}");
}

#[test]
fn suggest_lists_distinct_colours_and_refuses_points_outside() {
    let dir = temp_dir("suggest");
    let photo = dir.join("photo.png");
    std::fs::write(&photo, encode(&DynamicImage::ImageRgb8(scene(40, 30)), ImageFormat::Png)).unwrap();
    let model = write_model(&dir);
    let run = |at: &str| {
        cli()
            .args(["suggest", "-k", "4", "--at", at, "--hint", "5,5,#ff0000", "--model"])
            .arg(&model)
            .arg(&photo)
            .output()
    };
    let output = run("10,12").unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!((1..=4).contains(&lines.len()), "{stdout}");
    assert!(lines.iter().all(|l| l.starts_with('#') && l.contains('%')), "{stdout}");
    let outside = run("40,12").unwrap();
    assert!(!outside.status.success());
    let stderr = String::from_utf8_lossy(&outside.stderr);
    assert!(stderr.contains("the point (40, 12) is outside the 40x30 image"), "{stderr}");
}

#[test]
fn train_refuses_bad_settings_with_a_clear_message() {
    let dir = temp_dir("train-args");
    let output = cli()
        .args(["train", "--data"])
        .arg(&dir)
        .arg("--out")
        .arg(dir.join("run"))
        .args(["--size", "40"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--size 40 must be a multiple of 16 from 32 to 256"));
    let output = cli()
        .args(["train", "--data"])
        .arg(&dir)
        .arg("--out")
        .arg(dir.join("run"))
        .args(["--widths", "8,16,32"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("--widths takes four numbers"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let output = cli()
        .args(["train", "--data"])
        .arg(&dir)
        .arg("--out")
        .arg(dir.join("run"))
        .args(["--device", "cpu"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("no training photos"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for (args, message) in [
        (&["--reference", "--reference-mix", "0.8,0.5"][..], "--reference-mix 0.8,0.5: give two fractions"),
        (&["--reference", "--reference-mix", "0.3"][..], "'0.3' is not OWN,CLASS"),
        (&["--reference-mix", "0.3,0.4"][..], "--reference-mix needs --reference"),
        (&["--reference-sight"][..], "--reference-sight needs --reference and a pretrained-trunk --arch"),
        (
            &["--reference", "--reference-sight"][..],
            "--reference-sight needs --reference and a pretrained-trunk --arch",
        ),
        (&["--devices", "cpu"][..], "--devices takes GPUs; the CPU is one device"),
        (&["--devices", "gpu:first"][..], "K in gpu:K is a GPU's index from 0"),
        (&["--devices", "gpu:0", "--device", "cpu"][..], "cannot be used with"),
    ] {
        let output =
            cli().args(["train", "--data"]).arg(&dir).arg("--out").arg(dir.join("run")).args(args).output().unwrap();
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    // The test build has no LibTorch backend: asking for it says how to get one.
    #[cfg(not(feature = "libtorch"))]
    {
        let output = cli().args(["bench", "--train", "--device", "libtorch"]).output().unwrap();
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("no LibTorch backend (rebuild with `--features libtorch`"), "{stderr}");
    }
}

#[test]
fn the_bundled_model_loads_and_is_described() {
    let output = cli().arg("info").output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("classification over 307 ab colour classes"), "{stdout}");
    let size = std::fs::metadata(concat!(env!("CARGO_MANIFEST_DIR"), "/models/default.bclz")).unwrap().len();
    assert!(stdout.contains(&format!("file size:   {:.2} MB", size as f64 / 1e6)), "the stored size: {stdout}");
}

/// `calibrate` changes a model's colours, and the opposite β with the same class weights gives
/// the trained model back (how a calibrated model, such as the bundled one, is fine-tuned).
#[test]
fn calibrate_changes_colours_and_the_opposite_beta_undoes_it() {
    let dir = temp_dir("calibrate");
    let model = write_model(&dir);
    let classes = gamut_grid(10.0);
    // Photos full of near-grey colours: saturated classes are rare and weigh more.
    let counts = classes.centers().iter().map(|[a, b]| if a.hypot(*b) < 25.0 { 1000.0 } else { 1.0 }).collect();
    let weights = ClassWeights::from_counts(&classes, counts, 0.01, 5.0);
    let json = dir.join("class_weights.json");
    std::fs::write(&json, serde_json::to_vec(&weights).unwrap()).unwrap();
    let calibrate = |from: &Path, beta: &str, to: &str| {
        let out = dir.join(to);
        let status = cli()
            .args(["calibrate", "--model"])
            .arg(from)
            .arg("--class-weights")
            .arg(&json)
            .args(["--prior-correction", beta, "-o"])
            .arg(&out)
            .status()
            .unwrap();
        assert!(status.success(), "calibrate --prior-correction {beta}");
        out
    };
    let corrected = calibrate(&model, "1", "corrected.bclz");
    let restored = calibrate(&corrected, "-1", "restored.bclz");
    let photo = encode(&DynamicImage::ImageRgb8(scene(48, 32)), ImageFormat::Png);
    let colours = |path: &Path| {
        let model = Model::from_bytes(&std::fs::read(path).unwrap(), &Device::flex()).unwrap();
        let colorizer = Colorizer::new(model, Device::flex());
        pollster::block_on(colorizer.colorize_bytes(&photo, &ColorizeOptions::default())).unwrap().to_rgb8()
    };
    let original = colours(&model);
    let (changed, back) = (largest_step(&original, &colours(&corrected)), largest_step(&original, &colours(&restored)));
    assert!(changed >= 8, "the correction changed no colour: largest step {changed}");
    assert!(back <= 1, "the opposite β did not restore the colours: largest step {back}");
}

#[test]
fn colorize_and_eval_take_a_reference_and_refuse_bad_ones_clearly() {
    let dir = temp_dir("reference");
    let photo = dir.join("photo.png");
    std::fs::write(&photo, encode(&DynamicImage::ImageRgb8(scene(24, 16)), ImageFormat::Png)).unwrap();
    let colourful = dir.join("colourful.png");
    std::fs::write(&colourful, encode(&DynamicImage::ImageRgb8(scene(30, 20)), ImageFormat::Png)).unwrap();
    let guided = dir.join("guided.bclz");
    let config = burn_colorize::ModelConfig { reference: true, ..tiny_model().config };
    std::fs::write(&guided, Model::random(config, &Device::flex()).to_bytes().unwrap()).unwrap();
    let run = |model: &Path, reference: &Path| {
        let out = dir.join("out.png");
        let _ = std::fs::remove_file(&out);
        let mut command = cli();
        command.arg("colorize").arg(&photo).arg("-o").arg(&out).arg("--model").arg(model);
        let output = command.arg("--reference").arg(reference).output().unwrap();
        (output.status.success() && out.exists(), String::from_utf8_lossy(&output.stderr).to_string())
    };
    let (ok, stderr) = run(&guided, &colourful);
    assert!(ok, "{stderr}");
    let info = cli().arg("info").arg(&guided).output().unwrap();
    assert!(String::from_utf8_lossy(&info.stdout).contains("hint mask, a colour reference"));

    let (ok, stderr) = run(&write_model(&dir), &colourful);
    assert!(!ok && stderr.contains("takes no colour reference"), "{stderr}");
    let grey = dir.join("grey.png");
    std::fs::write(&grey, encode(&DynamicImage::ImageRgb8(scene(20, 20)).grayscale(), ImageFormat::Png)).unwrap();
    let empty = dir.join("empty.jpg");
    std::fs::write(&empty, b"").unwrap();
    let text = dir.join("notes.png");
    std::fs::write(&text, "not an image").unwrap();
    for (reference, message) in [(&grey, "no colours to lend"), (&empty, "empty"), (&text, "not an image")] {
        let (ok, stderr) = run(&guided, reference);
        let named = format!("the colour reference {}", reference.display());
        assert!(!ok && stderr.contains(&named) && stderr.contains(message), "{stderr}");
    }

    // eval colours each photo with its own colours, or another photo of its folder's.
    let data = dir.join("data");
    for class in ["a", "b"] {
        std::fs::create_dir_all(data.join(class)).unwrap();
        for i in 0..2 {
            let image = DynamicImage::ImageRgb8(scene(20 + i, 16));
            std::fs::write(data.join(class).join(format!("{i}.png")), encode(&image, ImageFormat::Png)).unwrap();
        }
    }
    for reference in ["self", "category"] {
        let mut command = cli();
        command.args(["eval", "--reference", reference, "--model"]).arg(&guided);
        let output = command.arg("--data").arg(&data).arg("--grid").arg(dir.join("grid.png")).output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success() && stdout.contains("0 hints:") && stdout.contains("4 images"), "{stdout}");
    }
    // Rows of grey | without the reference | the reference | with it | original, 160 px high.
    let grid = image::open(dir.join("grid.png")).unwrap();
    assert_eq!(grid.height(), 4 * 164 + 4);
    assert!(grid.width() >= 5 * (200 + 4) + 4, "five photos a row: {}", grid.width());
    let mut command = cli();
    command.args(["eval", "--reference", "self", "--model"]).arg(write_model(&dir));
    let output = command.arg("--data").arg(&data).output().unwrap();
    assert!(!output.status.success() && String::from_utf8_lossy(&output.stderr).contains("takes no colour reference"));
}
