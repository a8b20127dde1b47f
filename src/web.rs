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

use crate::decode::Photo;
use crate::hints::Hint;
use crate::pipeline::{ColorizeOptions, Colorizer, OutputFormat, encode};
use crate::weights::Model;

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// Options of `colorize(...)`, as a JavaScript object; every field is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct JsOptions {
    size: Option<u32>,
    saturation: Option<f32>,
    temperature: Option<f32>,
    hints: Vec<Hint>,
    png: bool,
    max_megapixels: Option<f64>,
}

impl JsOptions {
    fn parse(value: JsValue) -> Result<Self, JsError> {
        if value.is_undefined() || value.is_null() {
            return Ok(Self::default());
        }
        serde_wasm_bindgen::from_value(value).map_err(|e| JsError::new(&format!("invalid options: {e}")))
    }

    fn colorize_options(&self) -> Result<ColorizeOptions, JsError> {
        let defaults = ColorizeOptions::default();
        let options = ColorizeOptions {
            size: self.size.unwrap_or(defaults.size),
            saturation: self.saturation.unwrap_or(defaults.saturation),
            temperature: self.temperature.unwrap_or(defaults.temperature),
            hints: self.hints.clone(),
            palette: None,
            max_megapixels: self.max_megapixels.unwrap_or(defaults.max_megapixels),
        };
        options.validate().map_err(to_js)?;
        Ok(options)
    }
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
}

/// Initialise burn's WebGPU device (the caller has checked that an adapter exists).
async fn webgpu_device() -> Result<Device, String> {
    Device::wgpu_options().init_async().await.map_err(|e| e.to_string())
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
        Ok(WasmColorizer { model_bytes, colorizer, backend })
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
        let options = JsOptions::parse(options)?;
        let settings = options.colorize_options()?;
        let photo = Photo::from_bytes(&bytes.to_vec(), settings.max_megapixels).map_err(to_js)?;
        self.run(&photo, &settings, options.png).await
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
        let options = JsOptions::parse(options)?;
        let settings = options.colorize_options()?;
        crate::decode::check_dimensions(width, height, settings.max_megapixels).map_err(to_js)?;
        let image = image::RgbaImage::from_raw(width, height, rgba)
            .ok_or_else(|| JsError::new(&format!("pixel data does not hold {width}x{height} RGBA pixels")))?;
        let photo = Photo::from_image(&image::DynamicImage::ImageRgba8(image)).map_err(to_js)?;
        self.run(&photo, &settings, options.png).await
    }
}

impl WasmColorizer {
    /// Colorize; on a WebGPU failure switch to the CPU for good and retry once.
    async fn run(&mut self, photo: &Photo, options: &ColorizeOptions, png: bool) -> Result<JsValue, JsError> {
        let image = match self.colorizer.colorize_photo(photo, options).await {
            Ok(image) => image,
            Err(crate::Error::Backend(e)) if self.backend == Backend::WebGpu => {
                web_sys_warn(&format!("WebGPU failed ({e}); continuing on the CPU"));
                let cpu = Device::flex();
                let model = Model::from_bytes(&self.model_bytes, &cpu).map_err(to_js)?;
                self.colorizer = Colorizer::new(model, cpu);
                self.backend = Backend::Cpu;
                self.colorizer.colorize_photo(photo, options).await.map_err(to_js)?
            }
            Err(e) => return Err(to_js(e)),
        };
        result_object(&image, png)
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
