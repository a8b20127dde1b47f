//! JavaScript values the wasm API hands back (result and size objects), progress calls into
//! JavaScript, and console warnings.

use js_sys::{Function, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

/// Tell JavaScript which stage starts; an exception it throws (a cancelled call) stops the call.
pub(super) fn report(progress: Option<&Function>, stage: &str) -> Result<(), JsError> {
    let Some(progress) = progress else { return Ok(()) };
    progress.call1(&JsValue::NULL, &stage.into()).map(|_| ()).map_err(|e| {
        let message =
            e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).unwrap_or_else(|| format!("{e:?}"));
        JsError::new(&message)
    })
}

/// `{ width, height, rgba: Uint8Array }` (RGBA whether or not the photo had alpha, as an
/// `ImageData` wants it).
pub(super) fn result_object(image: &image::DynamicImage) -> Result<JsValue, JsError> {
    let object: Object = size_object(image.width(), image.height())?.into();
    let rgba = image.to_rgba8();
    set(&object, "rgba", &Uint8Array::from(rgba.as_raw().as_slice()).into())?;
    Ok(object.into())
}

pub(super) fn size_object(width: u32, height: u32) -> Result<JsValue, JsError> {
    let object = Object::new();
    set(&object, "width", &width.into())?;
    set(&object, "height", &height.into())?;
    Ok(object.into())
}

pub(super) fn set(object: &Object, key: &str, value: &JsValue) -> Result<(), JsError> {
    Reflect::set(object, &key.into(), value).map(|_| ()).map_err(js_value_error)
}

fn js_value_error(e: JsValue) -> JsError {
    JsError::new(&format!("could not build the result: {e:?}"))
}

pub(super) fn web_sys_warn(message: &str) {
    let console = Reflect::get(&js_sys::global(), &"console".into()).ok();
    if let Some(warn) = console.as_ref().and_then(|c| Reflect::get(c, &"warn".into()).ok()) {
        if let Ok(warn) = warn.dyn_into::<js_sys::Function>() {
            let _ = warn.call1(&JsValue::NULL, &message.into());
        }
    }
}
