//! From a photo to its colour version at full resolution:
//! take L at full size → resize L to the working size → run the network → decode ab →
//! spread the hints ([`propagate`]) → upsample ab to full size ([`upsample`]) → recombine with
//! the full-size L, keeping L ([`mod@recombine`]) → encode ([`mod@encode`]). One file per step.
//!
//! Plain Rust around one async network call, so native code, training previews and wasm all
//! share it; only [`Colorizer::predict_ab`] touches a Burn device.

pub mod decode;
#[cfg(feature = "codecs")]
pub mod encode;
pub mod network;
pub mod options;
pub mod propagate;
pub mod recombine;
pub mod reference;
pub mod resize;
pub mod suggest;
pub mod upsample;

use burn::prelude::*;
use image::DynamicImage;

use crate::error::Result;
use crate::model::hints::hint_planes;
use crate::model::{INPUT_CHANNELS, Model, decode_ab};
use decode::Photo;
#[cfg(feature = "codecs")]
pub use encode::{OutputFormat, encode};
pub use network::AbMap;
use network::{network_input, read_floats};
pub use options::{ColorizeOptions, DEFAULT_SIZE};
use propagate::propagate_hints;
pub use recombine::recombine;
use reference::reference_input;
pub use resize::{resize_plane, working_size};

/// A loaded model on a device, ready to colorize photos.
#[derive(Debug, Clone)]
pub struct Colorizer {
    model: Model,
    device: Device,
}

impl Colorizer {
    pub fn new(model: Model, device: Device) -> Self {
        let model = Model { net: model.net.to_device(&device), config: model.config };
        Self { model, device }
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Run the network on the photo's lightness (and hints): its raw output (class logits, or
    /// ab / AB_RANGE for regression), `[1, C, h, w]` at 1/head_stride of the working size.
    pub(crate) fn forward(&self, photo: &Photo, options: &ColorizeOptions) -> Result<Tensor<4>> {
        options.validate()?;
        let (w, h) = working_size(photo.width, photo.height, options.size, self.model.config.size_multiple());
        let hints = hint_planes(&options.hints, (photo.width, photo.height), (w, h))?;
        let lightness = resize_plane(&photo.lightness, photo.width, photo.height, (w, h), 100.0);
        let input = network_input(&lightness, &hints);
        let input = Tensor::<4>::from_data(TensorData::new(input, [1, INPUT_CHANNELS, h, w]), &self.device);
        Ok(match reference_input(&self.model, options, &self.device)? {
            Some(reference) => self.model.net.forward_referenced(input, reference.distribution, reference.picture),
            None => self.model.net.forward(input),
        })
    }

    /// Run the network on the photo's lightness (and hints) and decode ab at output resolution;
    /// then spread the hints over their regions unless `options.propagate_hints` is off.
    pub async fn predict_ab(&self, photo: &Photo, options: &ColorizeOptions) -> Result<AbMap> {
        let output = self.forward(photo, options)?;
        let [_, _, oh, ow] = output.dims();
        let ab = decode_ab(&self.model.config, output, options.temperature);
        let values = read_floats(ab).await?;
        let (a, b) = values.split_at(ow * oh);
        let mut map = AbMap { width: ow, height: oh, ab: [a.to_vec(), b.to_vec()] };
        if options.propagate_hints && !options.hints.is_empty() {
            let lightness = resize_plane(&photo.lightness, photo.width, photo.height, (ow, oh), 100.0);
            propagate_hints(&mut map, &lightness, &options.hints, (photo.width, photo.height));
        }
        Ok(map)
    }

    /// Colorize a decoded photo; the result has the photo's size, lightness and alpha.
    pub async fn colorize_photo(&self, photo: &Photo, options: &ColorizeOptions) -> Result<DynamicImage> {
        let ab = self.predict_ab(photo, options).await?;
        Ok(recombine(photo, &ab, options))
    }

    /// Decode, colorize and return the image (encode it with [`encode()`]).
    #[cfg(feature = "codecs")]
    pub async fn colorize_bytes(&self, bytes: &[u8], options: &ColorizeOptions) -> Result<DynamicImage> {
        options.validate()?;
        let photo = Photo::from_bytes(bytes, options.max_megapixels)?;
        self.colorize_photo(&photo, options).await
    }
}
