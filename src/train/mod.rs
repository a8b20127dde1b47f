//! Training (feature `train`): data sets, augmentation, colour-class targets with rebalancing,
//! simulated hints, the training loop with validation, reports and checkpoints, and evaluation.
//! The network trained here is the very [`crate::model::ColorNet`] the browser runs.

pub mod augment;
pub mod batch;
pub mod checkpoint;
pub mod config;
pub mod data;
pub mod error;
pub mod eval;
pub mod events;
#[cfg(feature = "gpu")]
pub mod gpu;
pub mod gpu_choice;
pub mod import;
pub mod loader;
pub mod loss;
pub mod metrics;
pub mod rebalance;
pub mod references;
pub mod replicas;
pub mod report;
pub mod run;
pub mod setup;
pub mod validate;

pub use config::{DeviceChoice, TrainConfig, resolve_device, resolve_devices};
pub use error::TrainError;
pub use events::{Event, Recorder, Reporter, Silent};
pub use gpu_choice::GpuChoice;
pub use loss::LossKind;
pub use run::{RunSummary, Session, Start, train};
