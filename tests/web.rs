//! The wasm module in a real browser (headless Chromium with a WebGPU adapter): WebGPU and CPU
//! agree, outputs keep size and lightness, bad input rejects and the object keeps working.
//! Run by scripts/test-browser.sh through wasm-bindgen-test-runner.
#![cfg(all(target_family = "wasm", feature = "web"))]

use std::io::Cursor;

use burn::prelude::Device;
use burn_colorize::classes::gamut_grid;
use burn_colorize::web::WasmColorizer;
use burn_colorize::{Head, Model, ModelConfig, color};
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

#[wasm_bindgen_test]
async fn webgpu_and_cpu_give_the_same_colours_and_keep_size_and_lightness() {
    let bytes = model_bytes();
    let mut cpu = WasmColorizer::create(bytes.clone(), "cpu".into()).await.unwrap();
    let mut gpu = WasmColorizer::create(bytes, "webgpu".into()).await.unwrap();
    assert_eq!(cpu.backend(), "cpu");
    assert_eq!(gpu.backend(), "webgpu", "headless Chromium with --enable-unsafe-webgpu has an adapter");
    let on_cpu = cpu.colorize_bytes(photo_png(27, 19), options()).await.unwrap();
    let on_gpu = gpu.colorize_bytes(photo_png(27, 19), options()).await.unwrap();
    assert_eq!((dimension(&on_gpu, "width"), dimension(&on_gpu, "height")), (27, 19));
    let (a, b) = (rgba(&on_cpu), rgba(&on_gpu));
    let worst = a.iter().zip(&b).map(|(x, y)| (*x as i32 - *y as i32).abs()).max().unwrap();
    assert!(worst <= TOLERANCE, "WebGPU and CPU differ by {worst} levels");
    for (pixel, x) in a.chunks(4).zip(0u32..) {
        let (px, py) = (x % 27, x / 27);
        let source = [(px * 9) as u8, (py * 13) as u8, ((px + py) * 5) as u8];
        let dl = color::lightness_of_srgb8(source) - color::lightness_of_srgb8([pixel[0], pixel[1], pixel[2]]);
        assert!(dl.abs() <= 1.0, "lightness changed by {dl} at ({px}, {py})");
    }
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
