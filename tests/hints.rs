//! Colour hints and suggested colours with the shipped model: a red hint turns its region red,
//! suggestions are distinct, ordered and follow hints, and points outside the image are
//! refused with a message that names them.
#![cfg(feature = "bundled-model")]

mod common;

use burn::prelude::Device;
use burn_colorize::model::file::DEFAULT_MODEL;
use burn_colorize::{ColorizeOptions, Colorizer, Error, Hint, Model, Photo, color};
use image::{DynamicImage, GrayImage, Luma};

const RED: (u8, u8, u8) = (255, 0, 0);

fn shipped() -> Colorizer {
    let device = Device::flex();
    Colorizer::new(Model::from_bytes(DEFAULT_MODEL.expect("bundled model"), &device).unwrap(), device)
}

/// A grey test card: a flat mid-grey square on a grey gradient. Flat grey regions carry no
/// cue for any particular colour, so a hint is what decides them.
fn card() -> Photo {
    let image = GrayImage::from_fn(96, 64, |x, y| {
        let square = (32..64).contains(&x) && (16..48).contains(&y);
        Luma([if square { 130 } else { (60 + x + y / 2) as u8 }])
    });
    Photo::from_image(&DynamicImage::ImageLuma8(image)).unwrap()
}

fn options(hints: Vec<Hint>) -> ColorizeOptions {
    ColorizeOptions { size: 96, hints, ..ColorizeOptions::default() }
}

/// Mean CIE ab over a square of half-width `r` around (`cx`, `cy`).
fn mean_ab(image: &DynamicImage, (cx, cy): (u32, u32), r: u32) -> [f32; 2] {
    let rgb = image.to_rgb8();
    let mut sum = [0.0; 2];
    let mut n = 0.0;
    for y in cy - r..=cy + r {
        for x in cx - r..=cx + r {
            let lab = color::srgb8_to_lab(rgb.get_pixel(x, y).0);
            sum = [sum[0] + lab[1], sum[1] + lab[2]];
            n += 1.0;
        }
    }
    [sum[0] / n, sum[1] / n]
}

/// Hue angle of ab in degrees.
fn hue(ab: [f32; 2]) -> f32 {
    ab[1].atan2(ab[0]).to_degrees()
}

#[test]
fn a_red_hint_turns_its_region_red() {
    let colorizer = shipped();
    let photo = card();
    let plain = pollster::block_on(colorizer.colorize_photo(&photo, &options(vec![]))).unwrap();
    let red = Hint { x: 48.0, y: 32.0, r: RED.0, g: RED.1, b: RED.2 };
    let hinted = pollster::block_on(colorizer.colorize_photo(&photo, &options(vec![red]))).unwrap();
    let (before, after) = (mean_ab(&plain, (48, 32), 5), mean_ab(&hinted, (48, 32), 5));
    let red_hue = hue([red.ab()[0], red.ab()[1]]);
    assert!(after[0] > before[0] + 10.0, "a* rose from {before:?} to {after:?}");
    assert!((hue(after) - red_hue).abs() < 40.0, "hue {} is near red's {red_hue}", hue(after));
    assert!(after[0].hypot(after[1]) > 15.0, "the region is clearly coloured: {after:?}");
    assert!(common::max_lightness_difference(&plain, &hinted) <= 1.0, "hints never change lightness");
}

/// Propagation is measured with an untrained network, which makes nothing of a hint by itself:
/// the shipped network already spreads a hint over this flat square (a* 73 at its far corner
/// without propagation), which would leave nothing for the propagation to show.
#[test]
fn propagation_carries_a_hint_across_its_region_and_can_be_turned_off() {
    let colorizer = common::tiny_colorizer();
    let photo = card();
    let red = Hint { x: 40.0, y: 24.0, r: RED.0, g: RED.1, b: RED.2 };
    let run = |propagate_hints| {
        let options = ColorizeOptions { propagate_hints, ..options(vec![red]) };
        pollster::block_on(colorizer.colorize_photo(&photo, &options)).unwrap()
    };
    let (spread, network_only) = (run(true), run(false));
    // The square's far corner, 16 pixels from the hint, in the same flat region.
    let (far_spread, far_network) = (mean_ab(&spread, (57, 41), 2), mean_ab(&network_only, (57, 41), 2));
    assert!(far_spread[0] > far_network[0] + 5.0, "a* at the far corner: {far_spread:?} vs {far_network:?}");
    assert!(far_spread[0] > 20.0, "the whole square turns red: {far_spread:?}");
}

#[test]
fn suggestions_are_distinct_ordered_and_follow_a_hint() {
    let colorizer = shipped();
    let photo = card();
    let free = pollster::block_on(colorizer.suggest(&photo, &options(vec![]), (48.0, 32.0), 5)).unwrap();
    assert!(!free.is_empty() && free.len() <= 5, "{} suggestions", free.len());
    assert!(free.windows(2).all(|w| w[0].probability >= w[1].probability), "most likely first");
    let total: f32 = free.iter().map(|s| s.probability).sum();
    assert!(total > 0.0 && total <= 1.0 + 1e-4, "probabilities sum to {total}");
    for (i, s) in free.iter().enumerate() {
        for t in &free[i + 1..] {
            let d = (s.ab[0] - t.ab[0]).hypot(s.ab[1] - t.ab[1]);
            assert!(d >= 15.0, "{} and {} are only {d} apart", s.hex(), t.hex());
        }
    }
    // With a red hint there, red (a warm, high-a* colour) becomes the network's first answer.
    let red = Hint { x: 48.0, y: 32.0, r: RED.0, g: RED.1, b: RED.2 };
    let led = pollster::block_on(colorizer.suggest(&photo, &options(vec![red]), (48.0, 32.0), 3)).unwrap();
    assert!(led[0].ab[0] >= 20.0 && (hue(led[0].ab) - hue(red.ab())).abs() < 40.0, "top: {:?}", led[0]);
}

#[test]
fn points_and_hints_outside_the_image_are_refused_by_name() {
    let colorizer = shipped();
    let photo = card();
    let err = pollster::block_on(colorizer.suggest(&photo, &options(vec![]), (96.0, 10.0), 3)).unwrap_err();
    assert!(matches!(err, Error::PointOutside { .. }), "{err}");
    assert_eq!(err.to_string(), "the point (96, 10) is outside the 96x64 image");
    let outside = Hint { x: 10.0, y: -1.0, r: 0, g: 0, b: 255 };
    let err = pollster::block_on(colorizer.colorize_photo(&photo, &options(vec![outside]))).unwrap_err();
    assert_eq!(err.to_string(), "hint 0 at (10, -1) is outside the 96x64 image");
    let err = pollster::block_on(colorizer.suggest(&photo, &options(vec![]), (1.0, 1.0), 0)).unwrap_err();
    assert!(err.to_string().contains("suggestions"), "{err}");
}
