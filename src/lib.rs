//! burn-colorize: colour for grey photos from a small convolutional network, on any Burn
//! device (WebGPU or CPU in the browser, wgpu or CPU natively), with the same model code for
//! inference and training.
//!
//! The library is plain Rust around one network: [`color`] (sRGB ↔ CIE Lab),
//! [`classes`] (quantised ab colour classes), [`model`] (the network: [`unet`], or [`trunk_net`]
//! on the pretrained [`trunk`]), [`weights`] (the model
//! file), [`decode`] (safe image reading), [`hints`] (user colour hints), [`propagate`] (spreading
//! hints over their regions), [`pipeline`]
//! (full-resolution colorization) and [`suggest`] (likely colours at a point, for hint pickers).
//!
//! ```no_run
//! use burn::prelude::Device;
//! use burn_colorize::{ColorizeOptions, Colorizer, Model, OutputFormat, encode};
//!
//! # fn main() -> Result<(), burn_colorize::Error> {
//! let device = Device::flex();
//! let model = Model::from_bytes(&std::fs::read("model.bclz").unwrap(), &device)?;
//! let colorizer = Colorizer::new(model, device);
//! let image = pollster::block_on(colorizer.colorize_bytes(&std::fs::read("grey.jpg").unwrap(), &ColorizeOptions::default()))?;
//! std::fs::write("colour.png", encode(&image, OutputFormat::Png)?).unwrap();
//! # Ok(()) }
//! ```

pub mod classes;
pub mod color;
pub mod decode;
pub mod error;
pub mod hints;
pub mod model;
pub mod palette;
pub mod pipeline;
pub mod propagate;
pub mod request;
pub mod rng;
pub mod suggest;
#[cfg(feature = "train")]
pub mod train;
pub mod trunk;
pub mod trunk_net;
pub mod unet;
pub mod upsample;
#[cfg(all(target_family = "wasm", feature = "web"))]
pub mod web;
pub mod weights;

pub use decode::Photo;
pub use error::{Error, Result};
pub use hints::Hint;
pub use model::{Arch, Head, ModelConfig};
pub use pipeline::{ColorizeOptions, Colorizer};
#[cfg(feature = "codecs")]
pub use pipeline::{OutputFormat, encode};
pub use suggest::Suggestion;
pub use weights::Model;
