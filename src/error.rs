//! The library's one error type. Every message says what went wrong and, where it helps,
//! what the user can do about it; nothing in the library panics on bad input.

use thiserror::Error;

/// Everything the library can fail with.
#[derive(Debug, Error)]
pub enum Error {
    #[error("the input is empty (0 bytes)")]
    EmptyInput,
    #[error("the input is not an image in a format we read (PNG, JPEG, WebP, BMP, GIF, TIFF)")]
    NotAnImage,
    #[error("the image could not be decoded (truncated or corrupt file?): {0}")]
    Decode(String),
    #[error("the image has zero size ({width}x{height})")]
    ZeroSize { width: u32, height: u32 },
    #[error(
        "the image is too large: {width}x{height} is {megapixels:.1} megapixels, over the limit of \
         {limit_megapixels:.1} (raise the limit if you trust this file)"
    )]
    TooLarge { width: u32, height: u32, megapixels: f64, limit_megapixels: f64 },
    #[error("could not encode the output image: {0}")]
    Encode(String),
    #[error("not a burn-colorize model file: {0}")]
    NotAModel(String),
    #[error("the model file is truncated: {0}")]
    TruncatedModel(String),
    #[error("the model file does not match its architecture: {0}")]
    ModelMismatch(String),
    #[error("hint {index} at ({x}, {y}) is outside the {width}x{height} image")]
    HintOutside { index: usize, x: f32, y: f32, width: u32, height: u32 },
    #[error("the point ({x}, {y}) is outside the {width}x{height} image")]
    PointOutside { x: f32, y: f32, width: u32, height: u32 },
    #[error("a grey photo has no colours to lend: give a colour photo as the reference")]
    GreyReference,
    #[error(
        "this model takes no colour reference (it was trained without one): use a model trained \
         with `train --reference`, such as the bundled one, or leave the reference out"
    )]
    NoReferenceInput,
    #[error("invalid option: {0}")]
    InvalidOption(String),
    #[error("the compute backend failed: {0}")]
    Backend(String),
}

/// Result with the library's [`enum@Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
