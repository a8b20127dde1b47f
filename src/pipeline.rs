//! From a photo to its colour version at full resolution:
//! take L at full size → resize L to the working size → run the network → decode ab →
//! spread the hints ([`crate::propagate`]) → upsample ab to full size → recombine with the
//! full-size L (keeping L) → encode.
//!
//! Plain Rust around one async network call, so native code, training previews and wasm all
//! share it; only [`Colorizer::predict_ab`] touches a Burn device.

#[cfg(feature = "codecs")]
use std::io::Cursor;

use burn::prelude::*;
use image::imageops::{self, FilterType};
use image::{DynamicImage, ImageBuffer, Luma};

use crate::classes::DEFAULT_TEMPERATURE;
use crate::color;
use crate::decode::{DEFAULT_MAX_MEGAPIXELS, Photo};
use crate::error::{Error, Result};
use crate::hints::{Hint, HintPlanes, hint_planes};
use crate::model::{INPUT_CHANNELS, decode_ab};
use crate::propagate::propagate_hints;
use crate::upsample::Upsampler;
use crate::weights::Model;

/// Default working size: the long side the network sees, in pixels. 128 matches the scale the
/// bundled model was trained at (whole 128-px scenes): on the BSDS500 photos it gives better
/// colours than 256 and lets hints reach further (MODEL_CARD.md); colour (ab) is smooth, so
/// the upsampled result still looks sharp, the full-size lightness carrying the detail.
pub const DEFAULT_SIZE: u32 = 128;

/// What the user can tune.
#[derive(Debug, Clone, PartialEq)]
pub struct ColorizeOptions {
    /// Long side of the working image the network sees (8..=2048).
    pub size: u32,
    /// Multiplier on predicted chroma (0 = grey, 1 = as predicted, up to 4).
    pub saturation: f32,
    /// Annealed-mean temperature (0 = most likely colour, 1 = mean; default 0.38).
    pub temperature: f32,
    /// User colour hints, in input-image pixels.
    pub hints: Vec<Hint>,
    /// Refuse inputs over this many megapixels.
    pub max_megapixels: f64,
    /// Let colour edges follow the photo's edges (joint bilateral upsampling, see
    /// [`crate::upsample`]) instead of plain bilinear upsampling of the predicted colour.
    pub edge_aware: bool,
    /// Spread each hint over its region after the network ([`crate::propagate`]), so hints
    /// work however well the network learnt to follow them. Off: the network's answer alone.
    pub propagate_hints: bool,
}

impl Default for ColorizeOptions {
    fn default() -> Self {
        Self {
            size: DEFAULT_SIZE,
            saturation: 1.0,
            temperature: DEFAULT_TEMPERATURE,
            hints: Vec::new(),
            max_megapixels: DEFAULT_MAX_MEGAPIXELS,
            edge_aware: true,
            propagate_hints: true,
        }
    }
}

impl ColorizeOptions {
    /// Reject values that would give nonsense rather than silently clamping them.
    pub fn validate(&self) -> Result<()> {
        if !(8..=2048).contains(&self.size) {
            return Err(Error::InvalidOption(format!("working size {} is outside 8..=2048", self.size)));
        }
        if !(0.0..=4.0).contains(&self.saturation) {
            return Err(Error::InvalidOption(format!("saturation {} is outside 0..=4", self.saturation)));
        }
        if !(0.0..=1.0).contains(&self.temperature) {
            return Err(Error::InvalidOption(format!("temperature {} is outside 0..=1", self.temperature)));
        }
        if self.max_megapixels.is_nan() || self.max_megapixels <= 0.0 {
            return Err(Error::InvalidOption("the megapixel limit must be positive".into()));
        }
        Ok(())
    }
}

/// Predicted ab at the network's output resolution: two planes, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct AbMap {
    pub width: usize,
    pub height: usize,
    pub ab: [Vec<f32>; 2],
}

/// Working size for an image: long side `size`, aspect kept, each side a multiple of
/// `multiple` (the model's [`crate::ModelConfig::size_multiple`]).
pub fn working_size(width: u32, height: u32, size: u32, multiple: usize) -> (usize, usize) {
    let scale = size as f64 / width.max(height) as f64;
    let round = |v: u32| {
        let m = multiple as f64;
        (((v as f64 * scale) / m).round() as usize).max(1) * multiple
    };
    (round(width), round(height))
}

/// Resize one plane of values in 0..=`max` (L: 0..=100) with a triangle filter, which
/// averages when shrinking. The `image` crate clamps float pixels to 0..=1 while resizing, so
/// the plane is scaled into that range and back (the triangle filter has no negative lobes,
/// so nothing in range is lost).
pub fn resize_plane(plane: &[f32], width: u32, height: u32, to: (usize, usize), max: f32) -> Vec<f32> {
    let unit: Vec<f32> = plane.iter().map(|v| v / max).collect();
    let image: ImageBuffer<Luma<f32>, Vec<f32>> =
        ImageBuffer::from_raw(width, height, unit).expect("plane length matches its size");
    let resized = imageops::resize(&image, to.0 as u32, to.1 as u32, FilterType::Triangle).into_raw();
    resized.into_iter().map(|v| v * max).collect()
}

/// The network input for one image, `[4, h, w]` flattened: L/50 − 1, then the hint planes.
pub fn network_input(lightness: &[f32], hints: &HintPlanes) -> Vec<f32> {
    let mut input = Vec::with_capacity(INPUT_CHANNELS * lightness.len());
    input.extend(lightness.iter().map(|l| l / 50.0 - 1.0));
    for plane in &hints.planes {
        input.extend_from_slice(plane);
    }
    input
}

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
        Ok(self.model.net.forward(input))
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

    /// Decode, colorize and return the image (encode it with [`encode`]).
    #[cfg(feature = "codecs")]
    pub async fn colorize_bytes(&self, bytes: &[u8], options: &ColorizeOptions) -> Result<DynamicImage> {
        options.validate()?;
        let photo = Photo::from_bytes(bytes, options.max_megapixels)?;
        self.colorize_photo(&photo, options).await
    }
}

/// Read a tensor back from its device (asynchronously, as WebGPU requires).
pub(crate) async fn read_floats(tensor: Tensor<4>) -> Result<Vec<f32>> {
    let data = tensor.into_data_async().await.map_err(|e| Error::Backend(format!("{e:?}")))?;
    data.try_into_vec::<f32>().map_err(|e| Error::Backend(format!("{e:?}")))
}

/// Upsample the colour to the photo's size and recombine it with the photo's own L (and
/// alpha). Rows are independent; native builds spread them over all cores (this is most of
/// the time for large photos).
pub fn recombine(photo: &Photo, ab: &AbMap, options: &ColorizeOptions) -> DynamicImage {
    let (width, height) = (photo.width as usize, photo.height as usize);
    let upsampler =
        if options.edge_aware { Upsampler::edge_aware(ab, photo) } else { Upsampler::bilinear(ab, width, height) };
    let channels = if photo.alpha.is_some() { 4 } else { 3 };
    let mut rgb = vec![0.0f32; width * height * channels];
    let fill_row = |(y, row): (usize, &mut [f32])| {
        for x in 0..width {
            let i = y * width + x;
            let [a, b] = upsampler.ab(x, y, photo.lightness[i]);
            let (a, b) = (a * options.saturation, b * options.saturation);
            let out = color::lab_to_srgb_in_gamut(photo.lightness[i], a, b);
            row[x * channels..x * channels + 3].copy_from_slice(&out);
            if let Some(alpha) = &photo.alpha {
                row[x * channels + 3] = alpha[i];
            }
        }
    };
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        rgb.par_chunks_mut((width * channels).max(1)).enumerate().for_each(fill_row);
    }
    #[cfg(not(feature = "parallel"))]
    rgb.chunks_mut((width * channels).max(1)).enumerate().for_each(fill_row);
    to_image(photo, rgb)
}

/// Quantise float RGB(A) to the photo's bit depth.
fn to_image(photo: &Photo, rgb: Vec<f32>) -> DynamicImage {
    let (w, h) = (photo.width, photo.height);
    let alpha = photo.alpha.is_some();
    if photo.high_depth {
        let data: Vec<u16> = rgb.into_iter().map(color::to_u16).collect();
        if alpha {
            DynamicImage::ImageRgba16(ImageBuffer::from_raw(w, h, data).expect("sized"))
        } else {
            DynamicImage::ImageRgb16(ImageBuffer::from_raw(w, h, data).expect("sized"))
        }
    } else {
        let data: Vec<u8> = rgb.into_iter().map(color::to_u8).collect();
        if alpha {
            DynamicImage::ImageRgba8(ImageBuffer::from_raw(w, h, data).expect("sized"))
        } else {
            DynamicImage::ImageRgb8(ImageBuffer::from_raw(w, h, data).expect("sized"))
        }
    }
}

/// Output file formats.
#[cfg(feature = "codecs")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Lossless; keeps alpha and 16-bit depth.
    Png,
    /// 8-bit, no alpha (alpha is dropped), at the given quality (1..=100; others are refused).
    Jpeg { quality: u8 },
}

/// Encode an output image.
#[cfg(feature = "codecs")]
pub fn encode(image: &DynamicImage, format: OutputFormat) -> Result<Vec<u8>> {
    let mut out = Cursor::new(Vec::new());
    match format {
        OutputFormat::Png => image.write_to(&mut out, image::ImageFormat::Png),
        OutputFormat::Jpeg { quality } => {
            if !(1..=100).contains(&quality) {
                return Err(Error::InvalidOption(format!("JPEG quality {quality} is out of range: use 1 to 100")));
            }
            let rgb = image.to_rgb8();
            let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
            rgb.write_with_encoder(encoder)
        }
    }
    .map_err(|e| Error::Encode(e.to_string()))?;
    Ok(out.into_inner())
}
