//! Guided colorization end to end: a model trained with colour references (`train --reference`)
//! takes a photo's colours from the reference it is given, and a model without the reference
//! input refuses one clearly.
#![cfg(feature = "train")]

mod common;

use std::path::Path;

use burn::prelude::*;
use burn_colorize::color::reference::ColorReference;
use burn_colorize::train::checkpoint::Checkpoint;
use burn_colorize::train::{Session, Silent, Start, TrainConfig, train};
use burn_colorize::{ColorizeOptions, Colorizer, Error, Hint, Model, Photo, color};
use common::*;
use image::{DynamicImage, ImageFormat, RgbImage};

/// Sky colours of the two classes, at the same lightness: only a reference can tell them apart.
const WARM: [f32; 3] = [60.0, 45.0, 40.0];
const COOL: [f32; 3] = [60.0, -10.0, -45.0];
/// The ground, the same in every photo.
const GROUND: [f32; 3] = [45.0, -30.0, 30.0];

fn srgb(lab: [f32; 3]) -> image::Rgb<u8> {
    image::Rgb(color::lab_to_srgb(lab).map(color::to_u8))
}

/// Sky of colour `sky` over the ground, the horizon at row `horizon` of 64.
fn photo(sky: [f32; 3], horizon: u32) -> RgbImage {
    RgbImage::from_fn(64, 64, |_, y| if y < horizon { srgb(sky) } else { srgb(GROUND) })
}

/// Eight photos of each class, in folders named after it (the class a reference comes from).
fn write_classes(dir: &Path) {
    for (class, sky) in [("warm", WARM), ("cool", COOL)] {
        let folder = dir.join(class);
        std::fs::create_dir_all(&folder).unwrap();
        for i in 0..8 {
            let bytes = encode(&DynamicImage::ImageRgb8(photo(sky, 24 + 2 * i)), ImageFormat::Png);
            std::fs::write(folder.join(format!("{i}.png")), bytes).unwrap();
        }
    }
}

/// Mean a and b of the sky (the top quarter) of a colorized photo.
fn sky_ab(image: &DynamicImage) -> [f32; 2] {
    let rgb = image.to_rgb8();
    let sky: Vec<[f32; 3]> = rgb.rows().take(16).flatten().map(|p| color::srgb8_to_lab(p.0)).collect();
    let mean = |c: usize| sky.iter().map(|lab| lab[c]).sum::<f32>() / sky.len() as f32;
    [mean(1), mean(2)]
}

#[test]
fn a_guided_model_takes_its_colours_from_the_reference() {
    let dir = temp_dir("guided");
    write_classes(&dir.join("data"));
    let config = TrainConfig {
        data: vec![dir.join("data")],
        size: 32,
        batch: 4,
        epochs: 50,
        lr: 3e-3,
        hints: false,
        augment: false,
        widths: [8, 16, 32, 32],
        val_images: 4,
        patience: 100,
        reference: true,
        ..TrainConfig::default()
    };
    let run = dir.join("run");
    train(Start::New(config), Session::cpu(&run), &mut Silent).unwrap();
    // The last weights: `best.bclz` is chosen by the automatic (no reference) validation loss.
    let last = Checkpoint::load(&run.join("last.ckpt")).unwrap();
    let model = Model::from_bytes(&last.model, &Device::flex()).unwrap();
    assert!(model.config.reference, "the model file records its reference input");
    let colorizer = Colorizer::new(model, Device::flex());

    let grey = DynamicImage::ImageRgb8(photo(WARM, 30)).grayscale();
    let photo_of = Photo::from_image(&grey).unwrap();
    let colour = |reference: Option<ColorReference>| {
        let options = ColorizeOptions { size: 32, reference, ..ColorizeOptions::default() };
        sky_ab(&pollster::block_on(colorizer.colorize_photo(&photo_of, &options)).unwrap())
    };
    let warm = colour(Some(ColorReference::from_rgb(&photo(WARM, 40)).unwrap()));
    let cool = colour(Some(ColorReference::from_rgb(&photo(COOL, 20)).unwrap()));
    // The same grey sky comes out warm with the warm reference and cool with the cool one.
    assert!(warm[0] > cool[0] + 15.0, "a: warm reference {warm:?}, cool reference {cool:?}");
    assert!(warm[1] > cool[1] + 25.0, "b: warm reference {warm:?}, cool reference {cool:?}");
    assert!(warm[1] > 10.0 && cool[1] < -10.0, "warm {warm:?}, cool {cool:?}");

    // Hints without a reference lend their colours as one: a single hint on the ground (left to
    // the network, not spread) of the warm or the cool sky's colour turns the sky that colour.
    let hinted = |sky: [f32; 3]| {
        let [r, g, b] = color::lab_to_srgb(sky).map(color::to_u8);
        let hints = vec![Hint { x: 32.0, y: 60.0, r, g, b }];
        let options = ColorizeOptions { size: 32, hints, propagate_hints: false, ..ColorizeOptions::default() };
        sky_ab(&pollster::block_on(colorizer.colorize_photo(&photo_of, &options)).unwrap())
    };
    let (warm, cool) = (hinted(WARM), hinted(COOL));
    assert!(warm[1] > cool[1] + 25.0, "b: warm hint {warm:?}, cool hint {cool:?}");
    assert!(warm[1] > 10.0 && cool[1] < -10.0, "warm hint {warm:?}, cool hint {cool:?}");
}

/// Mean a and b of each quadrant's inner half of a 128×128 image.
fn quadrant_ab(image: &RgbImage) -> Vec<[f32; 2]> {
    let corners = [(0, 0), (64, 0), (0, 64), (64, 64)];
    corners
        .iter()
        .map(|&(x0, y0)| {
            let lab: Vec<[f32; 3]> = (16..48)
                .flat_map(|y| (16..48).map(move |x| (x0 + x, y0 + y)))
                .map(|(x, y)| color::srgb8_to_lab(image.get_pixel(x, y).0))
                .collect();
            let mean = |c: usize| lab.iter().map(|p| p[c]).sum::<f32>() / lab.len() as f32;
            [mean(1), mean(2)]
        })
        .collect()
}

#[test]
#[cfg(feature = "bundled-model")]
fn a_photo_given_as_its_own_reference_gets_its_colours_back_part_by_part() {
    // The shipped model (its ImageNet trunk's features find the matching parts); four parts
    // whose lightness could be many colours, so the automatic colours cannot know them.
    let device = Device::flex();
    let model = Model::from_bytes(burn_colorize::model::file::DEFAULT_MODEL.unwrap(), &device).unwrap();
    let colorizer = Colorizer::new(model, device);
    // Four quadrants of four colours, each of its own lightness.
    let quadrants = [[200, 40, 40], [60, 160, 60], [40, 60, 200], [230, 210, 60]];
    let colour = RgbImage::from_fn(128, 128, |x, y| image::Rgb(quadrants[(x / 64 + 2 * (y / 64)) as usize]));
    let photo = Photo::from_image(&DynamicImage::ImageRgb8(colour.clone())).unwrap();
    let reference = Some(ColorReference::from_rgb(&colour).unwrap());
    let options = ColorizeOptions { size: 128, reference, ..ColorizeOptions::default() };
    let coloured = pollster::block_on(colorizer.colorize_photo(&photo, &options)).unwrap().to_rgb8();
    let automatic = ColorizeOptions { reference: None, ..options };
    let automatic = pollster::block_on(colorizer.colorize_photo(&photo, &automatic)).unwrap().to_rgb8();
    let (got, truth, before) = (quadrant_ab(&coloured), quadrant_ab(&colour), quadrant_ab(&automatic));
    let distance = |a: [f32; 2], b: [f32; 2]| ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt();
    for q in 0..4 {
        assert!(distance(got[q], truth[q]) < 12.0, "quadrant {q}: {:?} for {:?}", got[q], truth[q]);
        assert!(distance(before[q], truth[q]) > 20.0, "quadrant {q} without the reference: {:?}", before[q]);
    }
}

#[test]
fn a_model_without_the_reference_input_refuses_a_reference() {
    let colorizer = tiny_colorizer();
    let photo = Photo::from_image(&DynamicImage::ImageRgb8(scene(16, 16)).grayscale()).unwrap();
    let reference = ColorReference::from_rgb(&scene(16, 16)).unwrap();
    let options = ColorizeOptions { size: 16, reference: Some(reference), ..ColorizeOptions::default() };
    let err = pollster::block_on(colorizer.colorize_photo(&photo, &options)).unwrap_err();
    assert!(matches!(err, Error::NoReferenceInput), "{err}");
    assert!(err.to_string().contains("takes no colour reference"), "{err}");
}

#[test]
fn bad_references_get_the_errors_an_input_gets() {
    let err = |bytes: &[u8]| ColorReference::from_bytes(bytes, 1.0).unwrap_err();
    assert!(matches!(err(&[]), Error::EmptyInput));
    assert!(matches!(err(b"not a picture at all, only words"), Error::NotAnImage));
    assert!(matches!(err(&png_header(5000, 5000)), Error::TooLarge { .. }));
    let grey = encode(&DynamicImage::ImageRgb8(scene(20, 20)).grayscale(), ImageFormat::Png);
    let grey = err(&grey);
    assert!(matches!(grey, Error::GreyReference) && grey.to_string().contains("no colours to lend"), "{grey}");
    let short = ColorReference::from_rgba(&[0; 15], 2, 2).unwrap_err().to_string();
    assert!(short.contains("15 bytes") && short.contains("2x2"), "{short}");
    assert!(matches!(ColorReference::from_rgba(&[], 0, 3).unwrap_err(), Error::ZeroSize { .. }));
}
