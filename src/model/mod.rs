//! The colorization network: one definition, run unchanged on whatever Burn device it is given
//! (Flex on the CPU, wgpu/WebGPU in the browser or on a desktop GPU, autodiff for training).
//!
//! Two architectures share the input (L plus three hint channels: hint a, hint b, hint mask,
//! so the same network colorizes with or without user hints; and, in models trained for it, a
//! reference photo's colour distribution, [`crate::model::reference`]) and the head (ab colour classes,
//! decoded by [`decode_ab`]): the U-Net trained from scratch ([`crate::model::unet`]), and a decoder
//! on an ImageNet-pretrained EfficientNet-Lite0 trunk ([`crate::model::trunk_net`]), which knows
//! what things are. The model file records which one it holds ([`ModelConfig::arch`]).

pub mod config;
pub mod correspond;
pub mod file;
pub mod hints;
pub mod net;
pub mod reference;
pub mod trunk;
pub mod trunk_net;
pub mod unet;

pub use config::{Arch, Head, INPUT_CHANNELS, ModelConfig};
pub use file::Model;
pub use net::{ColorNet, decode_ab};
