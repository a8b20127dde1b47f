//! The browser API (wasm32, feature `web`): the network on WebGPU through burn's wgpu backend,
//! or on the CPU (Flex) when WebGPU is missing or fails.
//!
//! The JavaScript class users see, `Colorizer` in `pkg/colorize.js`, wraps [`WasmColorizer`]:
//! it fetches the model, checks `navigator.gpu` before asking for WebGPU, turns Blobs into
//! bytes and results into `ImageData`. Everything exported here returns `Result<_, JsError>`,
//! so a failure is a rejected promise with a message, never a trap.

use burn::prelude::*;
use js_sys::{Object, Reflect, Uint8Array};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use std::rc::Rc;

use crate::decode::{Photo, check_dimensions};
use crate::pipeline::{ColorizeOptions, Colorizer, OutputFormat, encode};
use crate::request::{RequestOptions, photo_from_rgba};
use crate::suggest::DEFAULT_SUGGESTIONS;
use crate::weights::Model;

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

/// What a call colorizes: encoded bytes or raw RGBA pixels.
enum Input {
    Bytes(Vec<u8>),
    Rgba { pixels: Vec<u8>, width: u32, height: u32 },
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
    /// The last input and its decoded photo: placing hints re-runs the same photo many times,
    /// and decoding a large JPEG costs more than the network.
    last: Option<(Input, Rc<Photo>)>,
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
        Ok(WasmColorizer { model_bytes, colorizer, backend, last: None })
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

    /// Colorize encoded image bytes (PNG, JPEG, WebP, BMP, GIF, TIFF).
    #[wasm_bindgen(js_name = colorizeBytes)]
    pub async fn colorize_bytes(&mut self, bytes: Uint8Array, options: JsValue) -> Result<JsValue, JsError> {
        self.colorize(Input::Bytes(bytes.to_vec()), options).await
    }

    /// Colorize raw RGBA pixels (the `data` of an `ImageData`).
    #[wasm_bindgen(js_name = colorizeRgba)]
    pub async fn colorize_rgba(
        &mut self,
        rgba: Vec<u8>,
        width: u32,
        height: u32,
        options: JsValue,
    ) -> Result<JsValue, JsError> {
        self.colorize(Input::Rgba { pixels: rgba, width, height }, options).await
    }

    /// The colours the network finds most likely at `{x, y}` of encoded image bytes:
    /// `[{r, g, b, ab, probability}]`, most likely first.
    #[wasm_bindgen(js_name = suggestBytes)]
    pub async fn suggest_bytes(&mut self, bytes: Uint8Array, options: JsValue) -> Result<JsValue, JsError> {
        self.suggest(Input::Bytes(bytes.to_vec()), options).await
    }

    /// As `suggestBytes`, for raw RGBA pixels.
    #[wasm_bindgen(js_name = suggestRgba)]
    pub async fn suggest_rgba(
        &mut self,
        rgba: Vec<u8>,
        width: u32,
        height: u32,
        options: JsValue,
    ) -> Result<JsValue, JsError> {
        self.suggest(Input::Rgba { pixels: rgba, width, height }, options).await
    }
}

impl WasmColorizer {
    async fn colorize(&mut self, input: Input, options: JsValue) -> Result<JsValue, JsError> {
        let options = parse_options(options)?;
        let settings = options.colorize_options().map_err(to_js)?;
        let photo = self.photo(input, settings.max_megapixels)?;
        let image = self.with_fallback(&photo, &settings, |c, p, o| Box::pin(c.colorize_photo(p, o))).await?;
        result_object(&image, options.png)
    }

    async fn suggest(&mut self, input: Input, options: JsValue) -> Result<JsValue, JsError> {
        let point = JsPoint::parse(&options)?;
        let settings = parse_options(options)?.colorize_options().map_err(to_js)?;
        let photo = self.photo(input, settings.max_megapixels)?;
        let k = point.k.unwrap_or(DEFAULT_SUGGESTIONS);
        let suggestions =
            self.with_fallback(&photo, &settings, |c, p, o| Box::pin(c.suggest(p, o, (point.x, point.y), k))).await?;
        serde_wasm_bindgen::to_value(&suggestions)
            .map_err(|e| JsError::new(&format!("could not return suggestions: {e}")))
    }

    /// Decode the input, or reuse the photo decoded last time when the input is the same.
    fn photo(&mut self, input: Input, max_megapixels: f64) -> Result<Rc<Photo>, JsError> {
        if let Some((last, photo)) = &self.last {
            if same_input(last, &input) {
                check_dimensions(photo.width, photo.height, max_megapixels).map_err(to_js)?;
                return Ok(photo.clone());
            }
        }
        let photo = Rc::new(decode(&input, max_megapixels)?);
        self.last = Some((input, photo.clone()));
        Ok(photo)
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

fn same_input(a: &Input, b: &Input) -> bool {
    match (a, b) {
        (Input::Bytes(a), Input::Bytes(b)) => a == b,
        (Input::Rgba { pixels: a, width: aw, height: ah }, Input::Rgba { pixels: b, width: bw, height: bh }) => {
            (aw, ah) == (bw, bh) && a == b
        }
        _ => false,
    }
}

fn decode(input: &Input, max_megapixels: f64) -> Result<Photo, JsError> {
    match input {
        Input::Bytes(bytes) => Photo::from_bytes(bytes, max_megapixels).map_err(to_js),
        Input::Rgba { pixels, width, height } => {
            photo_from_rgba(pixels, *width, *height, max_megapixels).map_err(to_js)
        }
    }
}

/// `{ width, height, rgba: Uint8Array, png?: Uint8Array }`
fn result_object(image: &image::DynamicImage, png: bool) -> Result<JsValue, JsError> {
    let object = Object::new();
    let set = |key: &str, value: &JsValue| Reflect::set(&object, &key.into(), value).map(|_| ());
    let rgba = image.to_rgba8();
    set("width", &image.width().into()).map_err(js_value_error)?;
    set("height", &image.height().into()).map_err(js_value_error)?;
    set("rgba", &Uint8Array::from(rgba.as_raw().as_slice()).into()).map_err(js_value_error)?;
    if png {
        let bytes = encode(image, OutputFormat::Png).map_err(to_js)?;
        set("png", &Uint8Array::from(bytes.as_slice()).into()).map_err(js_value_error)?;
    }
    Ok(object.into())
}

fn js_value_error(e: JsValue) -> JsError {
    JsError::new(&format!("could not build the result: {e:?}"))
}

fn web_sys_warn(message: &str) {
    let console = Reflect::get(&js_sys::global(), &"console".into()).ok();
    if let Some(warn) = console.as_ref().and_then(|c| Reflect::get(c, &"warn".into()).ok()) {
        if let Ok(warn) = warn.dyn_into::<js_sys::Function>() {
            let _ = warn.call1(&JsValue::NULL, &message.into());
        }
    }
}
