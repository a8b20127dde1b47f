//! Training end to end on the CPU: memorising one photo, data loaders, run-folder contents and
//! exact resumption.
#![cfg(feature = "train")]

mod common;

use std::io::Write;
use std::path::Path;

use burn::prelude::*;
use burn_colorize::Model;
use burn_colorize::train::checkpoint::Checkpoint;
use burn_colorize::train::data::{Dataset, Origin, Split};
use burn_colorize::train::{Event, Recorder, Session, Silent, Start, TrainConfig, train};
use common::*;
use image::{DynamicImage, ImageFormat, RgbImage};

/// A bold synthetic landscape: blue sky, green ground, a red sun and a yellow house.
fn landscape(size: u32, shift: u32) -> RgbImage {
    RgbImage::from_fn(size, size, |x, y| {
        let (x, y) = ((x + shift) % size, y);
        if (x as i32 - 44).pow(2) + (y as i32 - 14).pow(2) < 64 {
            image::Rgb([220, 40, 30])
        } else if (10..26).contains(&x) && (30..50).contains(&y) {
            image::Rgb([230, 200, 40])
        } else if y < size / 2 {
            image::Rgb([70, 130, 220])
        } else {
            image::Rgb([50, 150, 60])
        }
    })
}

fn write_photos(dir: &Path, count: u32) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..count {
        let bytes = encode(&DynamicImage::ImageRgb8(landscape(64, i * 7)), ImageFormat::Png);
        std::fs::write(dir.join(format!("photo{i}.png")), bytes).unwrap();
    }
}

fn tiny_config(data: &Path) -> TrainConfig {
    TrainConfig {
        data: vec![data.to_path_buf()],
        size: 32,
        batch: 2,
        epochs: 2,
        widths: [8, 8, 16, 16],
        val_images: 2,
        patience: 100,
        ..TrainConfig::default()
    }
}

/// A folder with eight copies of one photo (eight steps per epoch over the same picture), and a
/// config that learns it by heart.
fn one_photo(dir: &Path) -> TrainConfig {
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    for i in 0..8 {
        std::fs::write(
            data.join(format!("{i}.png")),
            encode(&DynamicImage::ImageRgb8(landscape(64, 0)), ImageFormat::Png),
        )
        .unwrap();
    }
    TrainConfig {
        batch: 1,
        epochs: 25,
        lr: 3e-3,
        augment: false,
        hints: false,
        val_images: 1,
        widths: [8, 16, 32, 32],
        ..tiny_config(&data)
    }
}

#[test]
fn memorises_one_photo_and_beats_the_grey_baseline() {
    let dir = temp_dir("memorise");
    let run = dir.join("run");
    let summary = train(Start::New(one_photo(&dir)), Session::cpu(&run), &mut Silent).unwrap();
    let quality = summary.last.unwrap().quality;
    assert!(quality.psnr > quality.grey_psnr + 4.0, "memorised PSNR {} vs grey {}", quality.psnr, quality.grey_psnr);
    assert!(quality.colourfulness_ratio > 0.6, "colourfulness ratio {}", quality.colourfulness_ratio);
    let csv = std::fs::read_to_string(run.join("metrics.csv")).unwrap();
    let losses: Vec<f64> = csv.lines().skip(1).map(|l| l.split(',').nth(1).unwrap().parse().unwrap()).collect();
    assert!(losses.last().unwrap() < &(losses[0] * 0.5), "training loss did not fall: {losses:?}");

    f16_file_colours_like_the_f32_file(&run.join("best.bclz"));

    // Fine-tuning from it at a learning rate of ~0 keeps what it learnt; from scratch, not.
    let init = Some(run.join("best.bclz"));
    let still = |init, out: &str| {
        let config = TrainConfig { lr: 1e-12, epochs: 1, init, ..one_photo(&dir) };
        train(Start::New(config), Session::cpu(&dir.join(out)), &mut Silent).unwrap().last.unwrap().quality
    };
    let (tuned, fresh) = (still(init.clone(), "tuned"), still(None, "fresh"));
    assert!(tuned.psnr > quality.psnr - 1.0, "fine-tuned PSNR {} vs its start {}", tuned.psnr, quality.psnr);
    assert!(fresh.psnr < quality.psnr - 4.0, "from scratch: PSNR {}", fresh.psnr);
    let other = TrainConfig { widths: [8, 8, 16, 32], init, ..one_photo(&dir) };
    let err = train(Start::New(other), Session::cpu(&dir.join("other")), &mut Silent).unwrap_err().to_string();
    assert!(err.contains("differs from this run's") && err.contains("[8, 16, 32, 32]"), "{err}");
}

/// A trained model stored as f16 colours its photo within 0.05 dB of the f32 file.
fn f16_file_colours_like_the_f32_file(model: &Path) {
    use burn_colorize::train::metrics::psnr;
    use burn_colorize::{ColorizeOptions, Colorizer};
    let full = Model::from_bytes(&std::fs::read(model).unwrap(), &Device::flex()).unwrap();
    let half = Model::from_bytes(&full.to_bytes_with(true).unwrap(), &Device::flex()).unwrap();
    let truth = landscape(64, 0);
    let grey = DynamicImage::ImageLuma8(DynamicImage::ImageRgb8(truth.clone()).to_luma8());
    let colour = |model: Model| {
        let colorizer = Colorizer::new(model, Device::flex());
        let options = ColorizeOptions { size: 32, ..ColorizeOptions::default() };
        let photo = burn_colorize::Photo::from_image(&grey).unwrap();
        psnr(pollster::block_on(colorizer.colorize_photo(&photo, &options)).unwrap().to_rgb8().as_raw(), truth.as_raw())
    };
    let (f32_psnr, f16_psnr) = (colour(full), colour(half));
    assert!((f32_psnr - f16_psnr).abs() < 0.05, "f32 file {f32_psnr:.3} dB, f16 file {f16_psnr:.3} dB");
}

#[test]
fn a_run_leaves_reports_checkpoints_and_a_loadable_model() {
    let dir = temp_dir("artifacts");
    write_photos(&dir.join("data"), 6);
    let run = dir.join("run");
    let mut events = Recorder::default();
    train(Start::New(tiny_config(&dir.join("data"))), Session::cpu(&run), &mut events).unwrap();
    progress_was_reported(&events.0, 2);
    for file in [
        "config.json",
        "metrics.csv",
        "loss.svg",
        "quality.svg",
        "last.ckpt",
        "best.ckpt",
        "best.bclz",
        "class_weights.json",
        "grids/epoch-001.png",
        "grids/epoch-002.png",
    ] {
        assert!(run.join(file).exists(), "{file} missing");
    }
    assert_eq!(std::fs::read_to_string(run.join("metrics.csv")).unwrap().lines().count(), 3, "header + 2 epochs");
    let svg = std::fs::read_to_string(run.join("loss.svg")).unwrap();
    assert!(svg.contains("<svg") && svg.contains("polyline"), "loss curve drawn");
    let model = Model::from_bytes(&std::fs::read(run.join("best.bclz")).unwrap(), &Device::flex()).unwrap();
    assert_eq!(model.config.widths, [8, 8, 16, 16]);
    let grid = image::open(run.join("grids/epoch-001.png")).unwrap();
    assert_eq!(grid.height(), 3 * 34 + 2, "three rows: grey, predicted, truth");
    let again = train(Start::New(tiny_config(&dir.join("data"))), Session::cpu(&run), &mut Silent).unwrap_err();
    assert!(again.to_string().contains("already holds a run"), "{again}");
}

/// Training reports what it does instead of printing it: the device and photo counts first,
/// then per epoch a phase whose photo count climbs to its total, then the epoch's result.
fn progress_was_reported(events: &[Event], epochs: usize) {
    assert_eq!(events[0], Event::Note("training on CPU".into()));
    assert!(matches!(&events[1], Event::Note(n) if n.ends_with("validation photos")), "{:?}", events[1]);
    let begins: Vec<_> = events.iter().enumerate().filter(|(_, e)| matches!(e, Event::Begin { .. })).collect();
    assert_eq!(begins.len(), epochs, "{events:?}");
    for (n, &(at, begin)) in begins.iter().enumerate() {
        let Event::Begin { label, total } = begin else { unreachable!() };
        assert_eq!(label, &format!("epoch {}/{epochs}", n + 1));
        let phase: Vec<_> = events[at + 1..].iter().take_while(|e| !matches!(e, Event::End)).collect();
        let done: Vec<u64> = phase
            .iter()
            .filter_map(|e| match e {
                Event::Advance { done, .. } => Some(*done),
                _ => None,
            })
            .collect();
        assert!(done.windows(2).all(|w| w[0] <= w[1]) && done.last() == Some(total), "{done:?} of {total}");
        let after = &events[at + 1 + phase.len() + 1..];
        let epoch = after.iter().find(|e| matches!(e, Event::Epoch { .. }));
        assert!(
            matches!(epoch, Some(Event::Epoch { epoch, train_loss, .. }) if *epoch == n + 1 && train_loss.is_finite())
        );
    }
}

#[test]
fn resuming_gives_the_same_weights_as_a_straight_run() {
    let dir = temp_dir("resume");
    write_photos(&dir.join("data"), 5);
    let straight = dir.join("straight");
    train(Start::New(tiny_config(&dir.join("data"))), Session::cpu(&straight), &mut Silent).unwrap();
    let split = dir.join("split");
    let first = train(
        Start::New(tiny_config(&dir.join("data"))),
        Session { stop_after: Some(1), ..Session::cpu(&split) },
        &mut Silent,
    )
    .unwrap();
    assert_eq!(first.epochs_done, 1);
    let mut events = Recorder::default();
    let second = train(Start::Resume, Session::cpu(&split), &mut events).unwrap();
    assert_eq!(second.epochs_done, 2);
    assert!(events.0.contains(&Event::Note("resuming after epoch 1".into())), "{:?}", events.0);
    assert!(matches!(events.0.iter().find(|e| matches!(e, Event::Epoch { .. })), Some(Event::Epoch { epoch: 2, .. })));
    // Parameter ids are random per process, so compare what the weights compute, bit for bit.
    let a = Checkpoint::load(&straight.join("last.ckpt")).unwrap();
    let b = Checkpoint::load(&split.join("last.ckpt")).unwrap();
    assert_eq!(a.progress, b.progress);
    assert_eq!(outputs(&a.model), outputs(&b.model), "a resumed run computes other weights than a straight run");
    let fresh = Checkpoint::load(&split.join("best.ckpt")).unwrap();
    assert_eq!(outputs(&fresh.model), outputs(&b.model), "best is the last epoch here");
    assert_eq!(std::fs::read_to_string(straight.join("metrics.csv")).unwrap().lines().count(), 3);
    assert_eq!(std::fs::read_to_string(split.join("metrics.csv")).unwrap().lines().count(), 3);
}

/// What a model file's network outputs on a fixed input.
fn outputs(model_file: &[u8]) -> Vec<f32> {
    let device = Device::flex();
    let model = Model::from_bytes(model_file, &device).unwrap();
    let input: Vec<f32> = (0..4 * 32 * 32).map(|i| ((i * 37) % 101) as f32 / 50.0 - 1.0).collect();
    let input = Tensor::<4>::from_data(TensorData::new(input, [1, 4, 32, 32]), &device);
    model.net.forward(input).into_data().try_into_vec::<f32>().unwrap()
}

/// CIFAR-10 binary records: label byte, then 1024 R, 1024 G, 1024 B bytes.
fn cifar_record(label: u8, rgb: [u8; 3]) -> Vec<u8> {
    let mut record = vec![label];
    for value in rgb {
        record.extend(std::iter::repeat_n(value, 1024));
    }
    record
}

#[test]
fn cifar_binary_batches_load_with_classes_and_splits() {
    let dir = temp_dir("cifar");
    let train_batch: Vec<u8> = [(7, [200, 30, 20]), (3, [10, 20, 240]), (7, [90, 200, 40])]
        .iter()
        .flat_map(|&(label, rgb)| cifar_record(label, rgb))
        .collect();
    std::fs::write(dir.join("data_batch_1.bin"), &train_batch).unwrap();
    std::fs::write(dir.join("test_batch.bin"), cifar_record(7, [1, 2, 3])).unwrap();
    std::fs::write(dir.join("batches.meta.txt"), "airplane\n").unwrap();
    let all = Dataset::open(std::slice::from_ref(&dir), None, 0.05).unwrap();
    assert_eq!((all.train.len(), all.val.len()), (3, 1));
    let horses = Dataset::open(std::slice::from_ref(&dir), Some(&["horse".to_string()]), 0.05).unwrap();
    assert_eq!((horses.train.len(), horses.val.len()), (2, 1));
    let first = horses.load(&horses.train[0]).unwrap();
    assert_eq!((first.width(), first.height()), (32, 32));
    assert_eq!(first.get_pixel(5, 9).0, [200, 30, 20], "planar channels decoded in order");
    std::fs::write(dir.join("data_batch_2.bin"), &train_batch[..100]).unwrap();
    let err = Dataset::open(&[dir.join("data_batch_2.bin")], None, 0.05).unwrap_err();
    assert!(err.to_string().contains("whole number of CIFAR-10 records"), "{err}");
}

#[test]
fn zip_archives_are_read_in_place_with_their_val_folder() {
    let dir = temp_dir("zip");
    let path = dir.join("photos.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for name in ["train/horse/1.png", "train/cat/2.png", "val/horse/3.png", "notes.txt"] {
        zip.start_file(name, options).unwrap();
        zip.write_all(&encode(&DynamicImage::ImageRgb8(scene(12, 10)), ImageFormat::Png)).unwrap();
    }
    zip.finish().unwrap();
    let data = Dataset::open(std::slice::from_ref(&path), Some(&["horse".to_string()]), 0.05).unwrap();
    assert_eq!((data.train.len(), data.val.len()), (1, 1));
    assert!(matches!(data.train[0].origin, Origin::Zip { .. }));
    assert_eq!(data.val[0].split, Split::Val);
    let image = data.load(&data.val[0]).unwrap();
    assert_eq!((image.width(), image.height()), (12, 10));
}

#[test]
fn folders_without_a_val_folder_hold_out_a_stable_fraction() {
    let dir = temp_dir("train-folder");
    write_photos(&dir.join("a/nested"), 40);
    let first = Dataset::open(std::slice::from_ref(&dir), None, 0.25).unwrap();
    let second = Dataset::open(std::slice::from_ref(&dir), None, 0.25).unwrap();
    assert_eq!(first.train.len() + first.val.len(), 40);
    assert!((4..=18).contains(&first.val.len()), "{} held out", first.val.len());
    assert_eq!(first.val, second.val, "the split is the same every time");
    let err = Dataset::open(&[dir.join("missing")], None, 0.25).unwrap_err();
    assert!(err.to_string().contains("missing"), "{err}");
}

#[test]
fn the_pretrained_trunk_architecture_trains_its_decoder_only() {
    use burn_colorize::model::ColorNet;
    use burn_colorize::model::trunk::{LITE0, LITE2, Trunk};
    use burn_colorize::train::import::{load_trunk, save_trunk};

    let dir = temp_dir("trunk-run");
    write_photos(&dir.join("data"), 6);
    let trunk_file = dir.join("trunk.bpk");
    save_trunk(Trunk::new(&LITE0, &Device::flex()), &trunk_file).unwrap();
    let config = TrainConfig {
        arch: burn_colorize::Arch::EfficientnetLite0,
        trunk: Some(trunk_file.clone()),
        widths: [8, 8, 16, 16],
        ..tiny_config(&dir.join("data"))
    };
    let run = dir.join("run");
    train(Start::New(config.clone()), Session::cpu(&run), &mut Silent).unwrap();
    let model = Model::from_bytes(&std::fs::read(run.join("best.bclz")).unwrap(), &Device::flex()).unwrap();
    assert_eq!(model.config.arch, burn_colorize::Arch::EfficientnetLite0);
    let ColorNet::Trunk(net) = model.net else { panic!("the run should hold the trunk architecture") };
    let start = load_trunk(&trunk_file, &LITE0, &Device::flex()).unwrap();
    let values = |t: &Trunk| t.blocks[5].project.weight.val().into_data().try_to_vec::<f32>().unwrap();
    assert_eq!(values(&net.trunk), values(&start), "a frozen trunk must not change");

    let missing = TrainConfig { trunk: None, ..config.clone() };
    let err = train(Start::New(missing), Session::cpu(&dir.join("no-trunk")), &mut Silent).unwrap_err().to_string();
    assert!(err.contains("--trunk") && err.contains("import-trunk"), "{err}");

    // The trained decoder moves onto the larger Lite2 trunk (--init with --trunk), which a
    // Lite0 trunk file does not fit.
    let lite2_file = dir.join("lite2.bpk");
    save_trunk(Trunk::new(&LITE2, &Device::flex()), &lite2_file).unwrap();
    let moved = TrainConfig {
        arch: burn_colorize::Arch::EfficientnetLite2,
        init: Some(run.join("best.bclz")),
        trunk: Some(lite2_file),
        ..config.clone()
    };
    train(Start::New(moved.clone()), Session::cpu(&dir.join("lite2")), &mut Silent).unwrap();
    let model = Model::from_bytes(&std::fs::read(dir.join("lite2/best.bclz")).unwrap(), &Device::flex()).unwrap();
    assert_eq!(model.config.arch, burn_colorize::Arch::EfficientnetLite2);
    let wrong = TrainConfig { trunk: Some(trunk_file), ..moved };
    let err = train(Start::New(wrong), Session::cpu(&dir.join("wrong")), &mut Silent).unwrap_err().to_string();
    assert!(err.contains("does not fit EfficientNet-Lite2"), "{err}");
}
