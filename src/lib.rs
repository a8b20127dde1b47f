//! burn-colorize: colour for grey photos from a small convolutional network, on any Burn
//! device (WebGPU or CPU in the browser, wgpu or CPU natively), with the same model code for
//! inference and training.
//!
//! The library is plain Rust around one network, in three parts that follow the data:
//! - [`color`]: sRGB ↔ CIE Lab, the quantised ab colour classes ([`color::classes`]) and
//!   k-means palettes ([`color::palette`]);
//! - [`model`]: the network's configuration, its two architectures ([`model::unet`], or
//!   [`model::trunk_net`] on the pretrained [`model::trunk`]), colour hints as network input
//!   ([`model::hints`]) and the model file ([`model::file`]);
//! - [`pipeline`]: from a photo to its colour version at full resolution: safe decoding
//!   ([`pipeline::decode`]), resizing, the network, hint propagation, edge-aware upsampling,
//!   recombination with the photo's own lightness, encoding; and colour suggestions at a point
//!   ([`pipeline::suggest`]).
//!
//! Around them: [`request`] (a JavaScript call's options), `web` (the wasm API, feature `web`)
//! and `train` (feature `train`).
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

pub mod color;
pub mod error;
pub mod model;
pub mod pipeline;
pub mod request;
pub mod rng;
#[cfg(feature = "train")]
pub mod train;
#[cfg(all(target_family = "wasm", feature = "web"))]
pub mod web;

pub use error::{Error, Result};
pub use model::hints::Hint;
pub use model::{Arch, Head, Model, ModelConfig};
pub use pipeline::decode::Photo;
pub use pipeline::suggest::Suggestion;
pub use pipeline::{ColorizeOptions, Colorizer};
#[cfg(feature = "codecs")]
pub use pipeline::{OutputFormat, encode};
