//! The browser API (wasm32, feature `web`): the network on WebGPU through burn's wgpu backend,
//! or on the CPU (Flex) when WebGPU is missing or fails.
//!
//! The JavaScript class users see, `Colorizer` in `pkg/colorize.js`, wraps [`WasmColorizer`]:
//! it fetches the model, checks `navigator.gpu` before asking for WebGPU, decodes and encodes
//! images with the browser's own codecs (`pkg/pixels.js`) and hands this module RGBA pixels
//! only, so the download carries no image codecs. [`check_image`] reads an encoded file's
//! header first, so a decompression bomb is refused before the browser allocates its pixels.
//! Everything exported here returns `Result<_, JsError>`, so a failure is a rejected promise
//! with a message, never a trap.

use burn::prelude::*;
use js_sys::{Function, Object, Reflect, Uint8Array};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use std::rc::Rc;

use crate::color::reference::ColorReference;
use crate::model::file::Model;
use crate::pipeline::decode::{Photo, check_dimensions, check_header};
use crate::pipeline::suggest::DEFAULT_SUGGESTIONS;
use crate::pipeline::{ColorizeOptions, Colorizer, recombine};
use crate::request::{RequestOptions, photo_from_rgba};
use values::{report, result_object, set, size_object, web_sys_warn};

mod values;

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// `RequestOptions` from a JavaScript object (`undefined` or `null`: all defaults).
fn parse_options(value: JsValue) -> Result<RequestOptions, JsError> {
    if value.is_undefined() || value.is_null() {
        return Ok(RequestOptions::default());
    }
    serde_wasm_bindgen::from_value(value).map_err(|e| JsError::new(&format!("invalid options: {e}")))
}

/// The pipeline's options from a JavaScript options object, every value checked.
fn settings(options: JsValue) -> Result<ColorizeOptions, JsError> {
    parse_options(options)?.colorize_options().map_err(to_js)
}

/// The point and count of `suggest(...)`, read from the same options object.
#[derive(Debug, Deserialize)]
struct JsPoint {
    x: f32,
    y: f32,
    #[serde(default)]
    k: Option<usize>,
}

impl JsPoint {
    fn parse(value: &JsValue) -> Result<Self, JsError> {
        serde_wasm_bindgen::from_value(value.clone())
            .map_err(|e| JsError::new(&format!("suggest needs {{x, y}} in image pixels: {e}")))
    }
}

/// RGBA pixels as handed over by JavaScript (an `ImageData`'s data, or a canvas's).
struct Rgba {
    pixels: Vec<u8>,
    width: u32,
    height: u32,
}

/// The width and height in an encoded image's header, after every check that needs no decoding
/// (empty, not an image, over `maxMegapixels` of `options`, a JPEG cut short):
/// `{ width, height }`, or a rejection with the reason.
#[wasm_bindgen(js_name = checkImage)]
pub fn check_image(bytes: &[u8], options: JsValue) -> Result<JsValue, JsError> {
    let settings = settings(options)?;
    let (width, height) = check_header(bytes, settings.max_megapixels).map_err(to_js)?;
    size_object(width, height)
}

/// Whether `width`×`height` pixels are within `maxMegapixels` of `options` (for inputs whose
/// size is known before their pixels are read: images, canvases, bitmaps).
#[wasm_bindgen(js_name = checkSize)]
pub fn check_size(width: u32, height: u32, options: JsValue) -> Result<(), JsError> {
    let settings = settings(options)?;
    check_dimensions(width, height, settings.max_megapixels).map_err(to_js)
}

/// What the shared WebGPU device holds now: `{ inUse, reserved }` in bytes, or `null` before
/// WebGPU was first used. For tests and memory dashboards.
#[wasm_bindgen(js_name = webgpuMemory)]
pub fn webgpu_memory() -> Result<JsValue, JsError> {
    let Some(usage) = WEBGPU.with(|cell| cell.borrow().clone()).and_then(|d| d.memory_pool_usage()) else {
        return Ok(JsValue::NULL);
    };
    let object = Object::new();
    set(&object, "inUse", &(usage.bytes_in_use as f64).into())?;
    set(&object, "reserved", &(usage.bytes_reserved as f64).into())?;
    Ok(object.into())
}

fn to_js(e: crate::Error) -> JsError {
    JsError::new(&e.to_string())
}

/// Which backend runs the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    WebGpu,
    Cpu,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::WebGpu => "webgpu",
            Backend::Cpu => "cpu",
        }
    }
}

/// A model loaded on WebGPU or on the CPU.
#[wasm_bindgen]
pub struct WasmColorizer {
    model_bytes: Vec<u8>,
    colorizer: Colorizer,
    backend: Backend,
    /// The last pixels and the photo made of them: placing hints re-runs the same photo many
    /// times, and converting 12 megapixels costs more than the network at its working size.
    last: Option<(Rgba, Rc<Photo>)>,
    /// The colour reference of `setReference`, used by every call until it is cleared.
    reference: Option<ColorReference>,
}

thread_local! {
    /// Burn registers one wgpu runtime per page (or worker): a second `init` fails with "a
    /// server is still registered", so every colorizer after the first shares the device.
    static WEBGPU: std::cell::RefCell<Option<Device>> = const { std::cell::RefCell::new(None) };
}

/// Burn's WebGPU device, initialised on first use (the caller has checked that an adapter
/// exists).
async fn webgpu_device() -> Result<Device, String> {
    if let Some(device) = WEBGPU.with(|cell| cell.borrow().clone()) {
        return Ok(device);
    }
    let device = Device::wgpu_options().init_async().await.map_err(|e| e.to_string())?;
    WEBGPU.with(|cell| *cell.borrow_mut() = Some(device.clone()));
    Ok(device)
}

#[wasm_bindgen]
impl WasmColorizer {
    /// Load a model file. `backend` is "webgpu" or "cpu"; "webgpu" falls back to the CPU when
    /// the device cannot be created, and `backend` then says "cpu".
    pub async fn create(model: Uint8Array, backend: String) -> Result<WasmColorizer, JsError> {
        let model_bytes = model.to_vec();
        let cpu = Device::flex();
        // Parse on the CPU first: a bad file is reported the same way on every backend.
        let parsed = Model::from_bytes(&model_bytes, &cpu).map_err(to_js)?;
        let (device, backend) = match backend.as_str() {
            "cpu" => (cpu, Backend::Cpu),
            "webgpu" => match webgpu_device().await {
                Ok(device) => (device, Backend::WebGpu),
                Err(e) => {
                    web_sys_warn(&format!("WebGPU unavailable ({e}); using the CPU"));
                    (cpu, Backend::Cpu)
                }
            },
            other => return Err(JsError::new(&format!("unknown backend '{other}': use 'webgpu' or 'cpu'"))),
        };
        let colorizer = Colorizer::new(parsed, device);
        Ok(WasmColorizer { model_bytes, colorizer, backend, last: None, reference: None })
    }

    /// "webgpu" or "cpu".
    #[wasm_bindgen(getter)]
    pub fn backend(&self) -> String {
        self.backend.name().to_string()
    }

    /// Number of parameters of the loaded network.
    #[wasm_bindgen(getter, js_name = parameterCount)]
    pub fn parameter_count(&self) -> usize {
        self.colorizer.model().num_params()
    }

    /// Colorize RGBA pixels (an `ImageData`'s data). `progress`, when given, is called with
    /// "network" and then "upsample" as each stage starts; if it throws, the call stops there
    /// (that is how `AbortSignal` cancels a running call) and rejects with its error.
    #[wasm_bindgen(js_name = colorizeRgba)]
    pub async fn colorize_rgba(
        &mut self,
        rgba: Vec<u8>,
        width: u32,
        height: u32,
        options: JsValue,
        progress: Option<Function>,
    ) -> Result<JsValue, JsError> {
        let settings = settings(options)?;
        let photo = self.photo(Rgba { pixels: rgba, width, height }, settings.max_megapixels)?;
        self.colorize(&photo, &self.with_reference(settings), progress).await
    }

    /// Colorize the photo of the last `colorizeRgba` or `suggestRgba` call again (new hints or
    /// saturation on the same photo): nothing is copied or converted again.
    #[wasm_bindgen(js_name = colorizeLast)]
    pub async fn colorize_last(&mut self, options: JsValue, progress: Option<Function>) -> Result<JsValue, JsError> {
        let settings = settings(options)?;
        let photo = self.last_photo(settings.max_megapixels)?;
        self.colorize(&photo, &self.with_reference(settings), progress).await
    }

    /// The colours the network finds most likely at `{x, y}` of RGBA pixels:
    /// `[{r, g, b, ab, probability}]`, most likely first.
    #[wasm_bindgen(js_name = suggestRgba)]
    pub async fn suggest_rgba(
        &mut self,
        rgba: Vec<u8>,
        width: u32,
        height: u32,
        options: JsValue,
    ) -> Result<JsValue, JsError> {
        let settings = settings(options.clone())?;
        let photo = self.photo(Rgba { pixels: rgba, width, height }, settings.max_megapixels)?;
        self.suggest(&photo, &self.with_reference(settings), options).await
    }

    /// As `suggestRgba`, on the photo of the last call.
    #[wasm_bindgen(js_name = suggestLast)]
    pub async fn suggest_last(&mut self, options: JsValue) -> Result<JsValue, JsError> {
        let settings = settings(options.clone())?;
        let photo = self.last_photo(settings.max_megapixels)?;
        self.suggest(&photo, &self.with_reference(settings), options).await
    }

    /// Whether the model takes a colour reference (`setReference`).
    #[wasm_bindgen(getter, js_name = takesReference)]
    pub fn takes_reference(&self) -> bool {
        self.colorizer.model().config.reference
    }

    /// Lend the colours of a photo (RGBA pixels) to the calls that follow, until
    /// `clearReference`. Refused with the reason when the model takes no reference, or when the
    /// photo is empty, over `maxMegapixels` of `options`, or grey.
    #[wasm_bindgen(js_name = setReference)]
    pub fn set_reference(&mut self, rgba: &[u8], width: u32, height: u32, options: JsValue) -> Result<(), JsError> {
        if !self.takes_reference() {
            return Err(to_js(crate::Error::NoReferenceInput));
        }
        let settings = settings(options)?;
        let reference = check_dimensions(width, height, settings.max_megapixels)
            .and_then(|()| ColorReference::from_rgba(rgba, width, height))
            .map_err(|e| JsError::new(&format!("the colour reference: {e}")))?;
        self.reference = Some(reference);
        Ok(())
    }

    /// Colour without a reference again.
    #[wasm_bindgen(js_name = clearReference)]
    pub fn clear_reference(&mut self) {
        self.reference = None;
    }

    /// Free the model, the cached photo and, on WebGPU, the device memory they held (burn's
    /// pool keeps freed buffers for reuse until it is asked to clean up). The object is
    /// unusable afterwards.
    pub fn dispose(self) {
        let device = self.colorizer.device().clone();
        drop(self);
        device.memory_cleanup();
    }
}

impl WasmColorizer {
    /// `settings` with the reference of `setReference`, if any.
    fn with_reference(&self, settings: ColorizeOptions) -> ColorizeOptions {
        ColorizeOptions { reference: self.reference.clone(), ..settings }
    }

    async fn colorize(
        &mut self,
        photo: &Photo,
        settings: &ColorizeOptions,
        progress: Option<Function>,
    ) -> Result<JsValue, JsError> {
        report(progress.as_ref(), "network")?;
        trap_if_asked();
        let ab = self.with_fallback(photo, settings, |c, p, o| Box::pin(c.predict_ab(p, o))).await?;
        report(progress.as_ref(), "upsample")?;
        result_object(&recombine(photo, &ab, settings))
    }

    async fn suggest(
        &mut self,
        photo: &Photo,
        settings: &ColorizeOptions,
        options: JsValue,
    ) -> Result<JsValue, JsError> {
        let point = JsPoint::parse(&options)?;
        let k = point.k.unwrap_or(DEFAULT_SUGGESTIONS);
        let suggestions =
            self.with_fallback(photo, settings, |c, p, o| Box::pin(c.suggest(p, o, (point.x, point.y), k))).await?;
        serde_wasm_bindgen::to_value(&suggestions)
            .map_err(|e| JsError::new(&format!("could not return suggestions: {e}")))
    }

    /// The photo of these pixels: the one made last time when the pixels are the same (placing
    /// hints re-runs the same photo many times).
    fn photo(&mut self, input: Rgba, max_megapixels: f64) -> Result<Rc<Photo>, JsError> {
        if let Some((last, photo)) = &self.last {
            if (last.width, last.height) == (input.width, input.height) && last.pixels == input.pixels {
                check_dimensions(photo.width, photo.height, max_megapixels).map_err(to_js)?;
                return Ok(photo.clone());
            }
        }
        let photo = Rc::new(photo_from_rgba(&input.pixels, input.width, input.height, max_megapixels).map_err(to_js)?);
        self.last = Some((input, photo.clone()));
        Ok(photo)
    }

    fn last_photo(&self, max_megapixels: f64) -> Result<Rc<Photo>, JsError> {
        let (_, photo) = self.last.as_ref().ok_or_else(|| JsError::new("no photo yet: colorize one first"))?;
        check_dimensions(photo.width, photo.height, max_megapixels).map_err(to_js)?;
        Ok(photo.clone())
    }

    /// Run `job`; on a WebGPU failure switch to the CPU for good and run it once more.
    async fn with_fallback<T>(
        &mut self,
        photo: &Photo,
        options: &ColorizeOptions,
        job: impl for<'a> Fn(&'a Colorizer, &'a Photo, &'a ColorizeOptions) -> Job<'a, T>,
    ) -> Result<T, JsError> {
        match job(&self.colorizer, photo, options).await {
            Ok(value) => Ok(value),
            Err(crate::Error::Backend(e)) if self.backend == Backend::WebGpu => {
                web_sys_warn(&format!("WebGPU failed ({e}); continuing on the CPU"));
                let cpu = Device::flex();
                let model = Model::from_bytes(&self.model_bytes, &cpu).map_err(to_js)?;
                self.colorizer = Colorizer::new(model, cpu);
                self.backend = Backend::Cpu;
                job(&self.colorizer, photo, options).await.map_err(to_js)
            }
            Err(e) => Err(to_js(e)),
        }
    }
}

/// A boxed pipeline call, so one fallback wrapper serves colorize and suggest.
type Job<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = crate::Result<T>> + 'a>>;

/// Test-only switch: while `globalThis.__burnColorizeTestTrap` is `true`, the next call clears
/// it and panics, which traps this instance as a panic in the GPU runtime would. The browser
/// tests use it to check that `pkg/` and the page recover; nothing else sets it.
fn trap_if_asked() {
    let (global, key) = (js_sys::global(), JsValue::from("__burnColorizeTestTrap"));
    if Reflect::get(&global, &key).ok().and_then(|v| v.as_bool()) == Some(true) {
        let _ = Reflect::set(&global, &key, &JsValue::FALSE);
        panic!("test-only trap (__burnColorizeTestTrap)");
    }
}
