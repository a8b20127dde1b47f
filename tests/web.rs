//! The wasm module in a real browser (headless Chromium with a WebGPU adapter): WebGPU and CPU
//! agree, outputs keep size and lightness, bad input rejects and the object keeps working,
//! progress is reported and can stop a call, and dispose frees the GPU memory.
//! Run by scripts/test-browser.sh through wasm-bindgen-test-runner. The module takes pixels
//! (the browser decodes files, see pkg/pixels.js); these tests have the browser decode their
//! PNG fixtures too.
#![cfg(all(target_family = "wasm", feature = "web"))]

use burn::prelude::Device;
use burn_colorize::color::classes::gamut_grid;
use burn_colorize::web::{WasmColorizer, check_image, webgpu_memory};
use burn_colorize::{Arch, Head, Model, ModelConfig, color};
use js_sys::{Array, Function, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
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
/// depthwise convolutions, SAME padding and pooled hints on both backends; with `reference`,
/// the colour-reference branch too (random, so a reference changes the colours).
fn trunk_model_bytes(reference: bool) -> Uint8Array {
    let head = Head::Classification { centers: gamut_grid(10.0).centers().to_vec() };
    let config = ModelConfig {
        arch: Arch::EfficientnetLite0,
        widths: [16, 16, 32, 32],
        head,
        reference,
        reference_sight: false,
    };
    Uint8Array::from(Model::random(config, &Device::flex()).to_bytes_with(true).unwrap().as_slice())
}

/// RGBA pixels of a colourful test photo: `(pixels, width, height)`.
fn photo(width: u32, height: u32) -> (Vec<u8>, u32, u32) {
    let pixels = (0..width * height)
        .flat_map(|i| {
            let (x, y) = (i % width, i / width);
            [(x * 9) as u8, (y * 13) as u8, ((x + y) * 5) as u8, 255]
        })
        .collect();
    (pixels, width, height)
}

#[wasm_bindgen(inline_js = "
export async function decode_png(bytes) {
  const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
  const context = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d');
  context.drawImage(bitmap, 0, 0);
  return [context.getImageData(0, 0, bitmap.width, bitmap.height).data, bitmap.width, bitmap.height];
}")]
extern "C" {
    /// `[rgba, width, height]` of a PNG, decoded by the browser as `pkg/pixels.js` does (the
    /// module has no codecs, and a PNG decoder in the tests alone would rebuild half the
    /// dependencies for them).
    async fn decode_png(bytes: Uint8Array) -> JsValue;
}

/// The RGBA pixels of a PNG fixture.
async fn decoded(png: &[u8]) -> (Vec<u8>, u32, u32) {
    let parts: Array = decode_png(Uint8Array::from(png)).await.into();
    let size = |i| parts.get(i).as_f64().unwrap() as u32;
    (js_sys::Uint8ClampedArray::from(parts.get(0)).to_vec(), size(1), size(2))
}

async fn colorize(
    colorizer: &mut WasmColorizer,
    input: (Vec<u8>, u32, u32),
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let (pixels, width, height) = input;
    colorizer.colorize_rgba(pixels, width, height, options, None).await.map_err(JsValue::from)
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
    let on_cpu = colorize(&mut cpu, photo(width, height), options()).await.unwrap();
    let on_gpu = colorize(&mut gpu, photo(width, height), options()).await.unwrap();
    assert_eq!((dimension(&on_gpu, "width"), dimension(&on_gpu, "height")), (width, height));
    let (a, b) = (rgba(&on_cpu), rgba(&on_gpu));
    let worst = largest_step(&a, &b);
    (a, worst)
}

/// The largest difference between two RGBA buffers, in 8-bit levels.
fn largest_step(a: &[u8], b: &[u8]) -> i32 {
    assert_eq!(a.len(), b.len(), "the two pictures differ in size");
    a.iter().zip(b).map(|(x, y)| (*x as i32 - *y as i32).abs()).max().unwrap_or(0)
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
    let (_, worst) = cpu_and_gpu(trunk_model_bytes(false), 45, 29).await;
    assert!(worst <= TOLERANCE, "WebGPU and CPU differ by {worst} levels on the trunk architecture");
}

#[wasm_bindgen_test]
async fn a_colour_reference_changes_the_colours_alike_on_webgpu_and_cpu() {
    let model = trunk_model_bytes(true);
    let (reference, width, height) = photo(30, 20);
    let mut results = Vec::new();
    for backend in ["cpu", "webgpu"] {
        let mut colorizer = WasmColorizer::create(model.clone(), backend.into()).await.unwrap();
        assert!(colorizer.takes_reference());
        let plain = rgba(&colorize(&mut colorizer, photo(24, 16), options()).await.unwrap());
        colorizer.set_reference(&reference, width, height, options()).unwrap();
        let guided = rgba(&colorize(&mut colorizer, photo(24, 16), options()).await.unwrap());
        assert!(largest_step(&plain, &guided) > 0, "{backend}: the reference reached the colours");
        colorizer.clear_reference();
        let again = rgba(&colorize(&mut colorizer, photo(24, 16), options()).await.unwrap());
        assert_eq!(largest_step(&plain, &again), 0, "{backend}: cleared, the colours come back");
        results.push(guided);
    }
    let worst = largest_step(&results[0], &results[1]);
    assert!(worst <= TOLERANCE, "with a reference, WebGPU and CPU differ by {worst} levels");

    let mut colorizer = WasmColorizer::create(model, "cpu".into()).await.unwrap();
    let grey = [90u8, 90, 90, 255].repeat(16);
    let refused = message(colorizer.set_reference(&grey, 4, 4, options()).err().unwrap().into());
    assert!(refused.starts_with("the colour reference: a grey photo has no colours to lend"), "{refused}");
    let huge = message(colorizer.set_reference(&[], 20_000, 20_000, options()).err().unwrap().into());
    assert!(huge.contains("too large"), "{huge}");
    let mut automatic = WasmColorizer::create(model_bytes(), "cpu".into()).await.unwrap();
    assert!(!automatic.takes_reference());
    let refused = message(automatic.set_reference(&reference, width, height, options()).err().unwrap().into());
    assert!(refused.contains("takes no colour reference"), "{refused}");
}

#[wasm_bindgen_test]
async fn bad_input_rejects_with_a_message_and_the_next_call_works() {
    let not_an_image = message(check_image(b"not an image", JsValue::UNDEFINED).err().unwrap().into());
    assert!(not_an_image.contains("not an image"), "{not_an_image}");
    let mut colorizer = WasmColorizer::create(model_bytes(), "webgpu".into()).await.unwrap();
    let short = colorizer.colorize_rgba(vec![0; 10], 2, 2, options(), None).await.err().unwrap();
    assert!(message(short.into()).contains("does not hold 2x2 RGBA pixels"));
    let ok = colorize(&mut colorizer, photo(8, 8), options()).await.unwrap();
    assert_eq!(dimension(&ok, "width"), 8);
    let rejected = WasmColorizer::create(Uint8Array::from(&b"BCOLRIZE-garbage"[..]), "cpu".into()).await;
    assert!(rejected.is_err(), "a broken model file is refused");
}

#[wasm_bindgen_test]
async fn headers_are_checked_before_decoding() {
    let png = include_bytes!("fixtures/card.png");
    let size = check_image(png, JsValue::UNDEFINED).unwrap();
    let (_, width, height) = decoded(png).await;
    assert_eq!((dimension(&size, "width"), dimension(&size, "height")), (width, height));
    let limit = json(r#"{"maxMegapixels": 0.0001}"#);
    assert!(message(check_image(png, limit).err().unwrap().into()).contains("megapixels"));
    assert!(message(check_image(&[], JsValue::UNDEFINED).err().unwrap().into()).contains("empty"));
}

/// A JavaScript function that records each stage it is called with in `seen`, and throws once
/// it sees `stop_at`.
fn recorder(seen: &Array, stop_at: &str) -> Function {
    Function::new_with_args(
        "stage",
        &format!("this.push(stage); if (stage === '{stop_at}') throw new Error('stopped at ' + stage);"),
    )
    .bind0(&JsValue::from(seen.clone()))
}

#[wasm_bindgen_test]
async fn progress_names_each_stage_and_a_throw_stops_the_call() {
    let mut colorizer = WasmColorizer::create(model_bytes(), "cpu".into()).await.unwrap();
    let seen = Array::new();
    let (pixels, w, h) = photo(16, 12);
    colorizer.colorize_rgba(pixels, w, h, options(), Some(recorder(&seen, "never"))).await.unwrap();
    assert_eq!(seen.to_vec(), vec![JsValue::from("network"), JsValue::from("upsample")]);

    let stopped = Array::new();
    let error = colorizer.colorize_last(options(), Some(recorder(&stopped, "upsample"))).await.err().unwrap();
    assert_eq!(message(error.into()), "stopped at upsample");
    let again = colorizer.colorize_last(options(), None).await.unwrap();
    assert_eq!((dimension(&again, "width"), dimension(&again, "height")), (16, 12), "the last photo is reused");
}

#[wasm_bindgen_test]
async fn dispose_gives_the_gpu_memory_back() {
    let mut colorizer = WasmColorizer::create(trunk_model_bytes(false), "webgpu".into()).await.unwrap();
    colorize(&mut colorizer, photo(64, 48), options()).await.unwrap();
    let in_use = |usage: &JsValue| Reflect::get(usage, &"inUse".into()).unwrap().as_f64().unwrap();
    let before = webgpu_memory().unwrap();
    colorizer.dispose();
    let after = webgpu_memory().unwrap();
    assert!(in_use(&before) > 0.0, "the model's weights live on the GPU");
    assert!(
        in_use(&after) < in_use(&before),
        "in use: {} bytes before dispose, {} after",
        in_use(&before),
        in_use(&after)
    );
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
    let (expected, _, _) = decoded(include_bytes!("fixtures/card-shipped.png")).await;
    for backend in ["cpu", "webgpu"] {
        let mut colorizer = WasmColorizer::create(Uint8Array::from(SHIPPED), backend.into()).await.unwrap();
        assert_eq!(colorizer.backend(), backend);
        let input = decoded(include_bytes!("fixtures/card.png")).await;
        let result = colorize(&mut colorizer, input, json(r#"{"size": 64}"#)).await.unwrap();
        let worst = largest_step(&rgba(&result), &expected);
        assert!(worst <= 4, "{backend}: the shipped model differs from native by {worst} levels");
    }
}

/// A grey card: a flat mid-grey square on a grey gradient (as in tests/hints.rs), as RGBA.
fn grey_card() -> (Vec<u8>, u32, u32) {
    let pixels = (0..96 * 64)
        .flat_map(|i| {
            let (x, y) = (i % 96, i / 96);
            let square = (32..64).contains(&x) && (16..48).contains(&y);
            let v = if square { 130 } else { (60 + x + y / 2) as u8 };
            [v, v, v, 255]
        })
        .collect();
    (pixels, 96, 64)
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
    let plain = colorize(&mut colorizer, grey_card(), json(r#"{"size": 96}"#)).await.unwrap();
    let hint = r#"{"size": 96, "hints": [{"x": 48, "y": 32, "r": 255, "g": 0, "b": 0}]"#;
    let hinted = colorizer.colorize_last(json(&format!("{hint}}}")), None).await.unwrap();
    let (before, after) = (mean_a_at_centre(&rgba(&plain)), mean_a_at_centre(&rgba(&hinted)));
    assert!(after > before + 10.0, "a* at the hint went from {before} to {after}");

    let (pixels, width, height) = grey_card();
    let point = json(&format!(r#"{hint}, "x": 48, "y": 32, "k": 3}}"#));
    let suggested = colorizer.suggest_rgba(pixels, width, height, point).await;
    let suggested: js_sys::Array = suggested.unwrap().into();
    assert!((1..=3).contains(&suggested.length()), "{} suggestions", suggested.length());
    let first = suggested.get(0);
    let channel = |key: &str| Reflect::get(&first, &key.into()).unwrap().as_f64().unwrap() as u8;
    let lab = color::srgb8_to_lab([channel("r"), channel("g"), channel("b")]);
    assert!(lab[1] > 15.0, "the top suggestion under a red hint is warm: {lab:?}");

    let outside = colorizer.suggest_last(json(r#"{"x": 200, "y": 5}"#)).await.err().unwrap();
    assert_eq!(message(outside.into()), "the point (200, 5) is outside the 96x64 image");
    let bad_hint = json(r#"{"hints": [{"x": 96, "y": 0, "r": 1, "g": 2, "b": 3}]}"#);
    let outside = colorize(&mut colorizer, grey_card(), bad_hint).await.err().unwrap();
    assert_eq!(message(outside.into()), "hint 0 at (96, 0) is outside the 96x64 image");
}
