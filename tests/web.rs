//! The wasm module in a real browser (headless Chromium with a WebGPU adapter): WebGPU and CPU
//! agree, outputs keep size and lightness, bad input rejects and the object keeps working.
//! Run by scripts/test-browser.sh through wasm-bindgen-test-runner.
#![cfg(all(target_family = "wasm", feature = "web"))]

use std::io::Cursor;

use burn::prelude::Device;
use burn_colorize::classes::gamut_grid;
use burn_colorize::web::WasmColorizer;
use burn_colorize::{Arch, Head, Model, ModelConfig, color};
use image::{DynamicImage, RgbImage};
use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// WebGPU (f32 on the GPU) and Flex (f32 on the CPU) sum in different orders; 8-bit outputs
/// may differ by this many levels per channel.
const TOLERANCE: i32 = 3;

fn model_bytes() -> Uint8Array {
    let head = Head::Classification { centers: gamut_grid(10.0).centers().to_vec() };
    let model = Model::random(ModelConfig::tiny(head), &Device::flex());
    Uint8Array::from(model.to_bytes().unwrap().as_slice())
}

/// An untrained model of the pretrained-trunk architecture (EfficientNet-Lite0 and decoder):
/// depthwise convolutions, SAME padding and pooled hints on both backends.
fn trunk_model_bytes() -> Uint8Array {
    let head = Head::Classification { centers: gamut_grid(10.0).centers().to_vec() };
    let config = ModelConfig { arch: Arch::EfficientnetLite0, widths: [16, 16, 32, 32], head };
    Uint8Array::from(Model::random(config, &Device::flex()).to_bytes_with(true).unwrap().as_slice())
}

fn photo_png(width: u32, height: u32) -> Uint8Array {
    let image =
        RgbImage::from_fn(width, height, |x, y| image::Rgb([(x * 9) as u8, (y * 13) as u8, ((x + y) * 5) as u8]));
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(image).write_to(&mut out, image::ImageFormat::Png).unwrap();
    Uint8Array::from(out.into_inner().as_slice())
}

fn options() -> JsValue {
    js_sys::JSON::parse(r#"{"size": 32}"#).unwrap()
}

fn rgba(result: &JsValue) -> Vec<u8> {
    Uint8Array::from(Reflect::get(result, &"rgba".into()).unwrap()).to_vec()
}

fn dimension(result: &JsValue, key: &str) -> u32 {
    Reflect::get(result, &key.into()).unwrap().as_f64().unwrap() as u32
}

/// Colorize the test photo of `width`×`height` with `model` on the CPU and on WebGPU: the CPU's
/// RGBA and the largest difference between the two, in 8-bit levels.
async fn cpu_and_gpu(model: Uint8Array, width: u32, height: u32) -> (Vec<u8>, i32) {
    let mut cpu = WasmColorizer::create(model.clone(), "cpu".into()).await.unwrap();
    let mut gpu = WasmColorizer::create(model, "webgpu".into()).await.unwrap();
    assert_eq!(cpu.backend(), "cpu");
    assert_eq!(gpu.backend(), "webgpu", "headless Chromium with --enable-unsafe-webgpu has an adapter");
    let on_cpu = cpu.colorize_bytes(photo_png(width, height), options()).await.unwrap();
    let on_gpu = gpu.colorize_bytes(photo_png(width, height), options()).await.unwrap();
    assert_eq!((dimension(&on_gpu, "width"), dimension(&on_gpu, "height")), (width, height));
    let (a, b) = (rgba(&on_cpu), rgba(&on_gpu));
    let worst = a.iter().zip(&b).map(|(x, y)| (*x as i32 - *y as i32).abs()).max().unwrap();
    (a, worst)
}

#[wasm_bindgen_test]
async fn webgpu_and_cpu_give_the_same_colours_and_keep_size_and_lightness() {
    let (a, worst) = cpu_and_gpu(model_bytes(), 27, 19).await;
    assert!(worst <= TOLERANCE, "WebGPU and CPU differ by {worst} levels");
    for (pixel, x) in a.chunks(4).zip(0u32..) {
        let (px, py) = (x % 27, x / 27);
        let source = [(px * 9) as u8, (py * 13) as u8, ((px + py) * 5) as u8];
        let dl = color::lightness_of_srgb8(source) - color::lightness_of_srgb8([pixel[0], pixel[1], pixel[2]]);
        assert!(dl.abs() <= 1.0, "lightness changed by {dl} at ({px}, {py})");
    }
}

#[wasm_bindgen_test]
async fn the_pretrained_trunk_architecture_agrees_on_webgpu_and_cpu() {
    let (_, worst) = cpu_and_gpu(trunk_model_bytes(), 45, 29).await;
    assert!(worst <= TOLERANCE, "WebGPU and CPU differ by {worst} levels on the trunk architecture");
}

#[wasm_bindgen_test]
async fn bad_bytes_reject_with_a_message_and_the_next_call_works() {
    let mut colorizer = WasmColorizer::create(model_bytes(), "webgpu".into()).await.unwrap();
    let error: JsValue =
        colorizer.colorize_bytes(Uint8Array::from(&b"not an image"[..]), options()).await.err().unwrap().into();
    let message = Reflect::get(&error, &"message".into()).unwrap().as_string().unwrap();
    assert!(message.contains("not an image"), "{message}");
    let ok = colorizer.colorize_bytes(photo_png(8, 8), options()).await.unwrap();
    assert_eq!(dimension(&ok, "width"), 8);
    let rejected = WasmColorizer::create(Uint8Array::from(&b"BCOLRIZE-garbage"[..]), "cpu".into()).await;
    assert!(rejected.is_err(), "a broken model file is refused");
}

/// The model shipped with the project, as the page loads it.
const SHIPPED: &[u8] = include_bytes!("../models/default.bclz");

fn json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap()
}

fn message(error: JsValue) -> String {
    Reflect::get(&error, &"message".into()).unwrap().as_string().unwrap()
}

#[wasm_bindgen_test]
async fn shipped_weights_give_the_native_picture_on_webgpu_and_cpu() {
    // tests/shipped_model.rs checks the native build against the same recorded picture.
    let input = Uint8Array::from(&include_bytes!("fixtures/card.png")[..]);
    let expected = image::load_from_memory(include_bytes!("fixtures/card-shipped.png")).unwrap().to_rgba8();
    for backend in ["cpu", "webgpu"] {
        let mut colorizer = WasmColorizer::create(Uint8Array::from(SHIPPED), backend.into()).await.unwrap();
        assert_eq!(colorizer.backend(), backend);
        let result = colorizer.colorize_bytes(input.clone(), json(r#"{"size": 64}"#)).await.unwrap();
        let got = rgba(&result);
        let worst = got.iter().zip(expected.as_raw()).map(|(a, b)| (*a as i32 - *b as i32).abs()).max().unwrap();
        assert!(worst <= 4, "{backend}: the shipped model differs from native by {worst} levels");
    }
}

/// A grey card: a flat mid-grey square on a grey gradient (as in tests/hints.rs).
fn grey_card() -> Uint8Array {
    let image = image::GrayImage::from_fn(96, 64, |x, y| {
        let square = (32..64).contains(&x) && (16..48).contains(&y);
        image::Luma([if square { 130 } else { (60 + x + y / 2) as u8 }])
    });
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageLuma8(image).write_to(&mut out, image::ImageFormat::Png).unwrap();
    Uint8Array::from(out.into_inner().as_slice())
}

/// Mean a* over the 11×11 square around (48, 32) of a 96-wide RGBA result.
fn mean_a_at_centre(rgba: &[u8]) -> f32 {
    let mut sum = 0.0;
    for y in 27..=37 {
        for x in 43..=53 {
            let i = (y * 96 + x) * 4;
            sum += color::srgb8_to_lab([rgba[i], rgba[i + 1], rgba[i + 2]])[1];
        }
    }
    sum / 121.0
}

#[wasm_bindgen_test]
async fn a_red_hint_turns_its_region_red_and_suggestions_follow_it() {
    let mut colorizer = WasmColorizer::create(Uint8Array::from(SHIPPED), "cpu".into()).await.unwrap();
    let plain = colorizer.colorize_bytes(grey_card(), json(r#"{"size": 96}"#)).await.unwrap();
    let hint = r#"{"size": 96, "hints": [{"x": 48, "y": 32, "r": 255, "g": 0, "b": 0}]"#;
    let hinted = colorizer.colorize_bytes(grey_card(), json(&format!("{hint}}}"))).await.unwrap();
    let (before, after) = (mean_a_at_centre(&rgba(&plain)), mean_a_at_centre(&rgba(&hinted)));
    assert!(after > before + 10.0, "a* at the hint went from {before} to {after}");

    let suggested = colorizer.suggest_bytes(grey_card(), json(&format!(r#"{hint}, "x": 48, "y": 32, "k": 3}}"#))).await;
    let suggested: js_sys::Array = suggested.unwrap().into();
    assert!((1..=3).contains(&suggested.length()), "{} suggestions", suggested.length());
    let first = suggested.get(0);
    let channel = |key: &str| Reflect::get(&first, &key.into()).unwrap().as_f64().unwrap() as u8;
    let lab = color::srgb8_to_lab([channel("r"), channel("g"), channel("b")]);
    assert!(lab[1] > 15.0, "the top suggestion under a red hint is warm: {lab:?}");

    let outside = colorizer.suggest_bytes(grey_card(), json(r#"{"x": 200, "y": 5}"#)).await.err().unwrap();
    assert_eq!(message(outside.into()), "the point (200, 5) is outside the 96x64 image");
    let bad_hint = json(r#"{"hints": [{"x": 96, "y": 0, "r": 1, "g": 2, "b": 3}]}"#);
    let outside = colorizer.colorize_bytes(grey_card(), bad_hint).await.err().unwrap();
    assert_eq!(message(outside.into()), "hint 0 at (96, 0) is outside the 96x64 image");
}
