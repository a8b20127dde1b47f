//! Checkpoints that survive a kill at any moment: every file is written to a temporary name
//! and renamed over the old one (atomic on POSIX file systems), so the previous checkpoint
//! stays loadable until the new one is complete.
//!
//! A checkpoint file holds the model file (the same `.bclz` bytes the CLI and browser load),
//! the optimizer state and the run's progress, each with its length:
//! `b"BCLZCKPT"` | u32 version | (u64 length, bytes) × 3.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::TrainError;

const MAGIC: &[u8; 8] = b"BCLZCKPT";
const VERSION: u32 = 1;

/// Where a run stands: what `--resume` needs besides weights and optimizer state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// Epochs completed.
    pub epoch: usize,
    pub best_val_loss: f64,
    pub best_epoch: usize,
    pub epochs_without_improvement: usize,
}

impl Default for Progress {
    fn default() -> Self {
        Self { epoch: 0, best_val_loss: f64::INFINITY, best_epoch: 0, epochs_without_improvement: 0 }
    }
}

/// The parts of a checkpoint, as bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    pub model: Vec<u8>,
    pub optimizer: Vec<u8>,
    pub progress: Progress,
}

/// Write `bytes` to `path` atomically: temporary file, fsync, rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), TrainError> {
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let mut file = std::fs::File::create(&tmp).map_err(TrainError::io(&tmp))?;
    file.write_all(bytes).and_then(|()| file.sync_all()).map_err(TrainError::io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(TrainError::io(path))
}

impl Checkpoint {
    pub fn to_bytes(&self) -> Result<Vec<u8>, TrainError> {
        let progress = serde_json::to_vec(&self.progress).map_err(|e| TrainError::Config(e.to_string()))?;
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&VERSION.to_le_bytes());
        for part in [&self.model, &self.optimizer, &progress] {
            out.extend_from_slice(&(part.len() as u64).to_le_bytes());
            out.extend_from_slice(part);
        }
        Ok(out)
    }

    pub fn save(&self, path: &Path) -> Result<(), TrainError> {
        write_atomic(path, &self.to_bytes()?)
    }

    pub fn load(path: &Path) -> Result<Self, TrainError> {
        let bytes = std::fs::read(path).map_err(TrainError::io(path))?;
        Self::from_bytes(&bytes).map_err(|reason| TrainError::Checkpoint { path: path.to_path_buf(), reason })
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        if bytes.len() < 12 || &bytes[..8] != MAGIC {
            return Err("not a burn-colorize checkpoint".into());
        }
        let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
        if version != VERSION {
            return Err(format!("checkpoint format {version}, this build reads {VERSION}"));
        }
        let mut rest = &bytes[12..];
        let mut parts = Vec::new();
        for name in ["model", "optimizer state", "progress"] {
            let (len, tail) = rest.split_at_checked(8).ok_or(format!("truncated before the {name}"))?;
            let len = u64::from_le_bytes(len.try_into().expect("8 bytes")) as usize;
            let (part, tail) = tail.split_at_checked(len).ok_or(format!("truncated inside the {name}"))?;
            parts.push(part.to_vec());
            rest = tail;
        }
        let progress = serde_json::from_slice(&parts[2]).map_err(|e| format!("invalid progress: {e}"))?;
        let optimizer = parts.swap_remove(1);
        let model = parts.swap_remove(0);
        Ok(Self { model, optimizer, progress })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_truncation() {
        let ckpt = Checkpoint {
            model: vec![1, 2, 3],
            optimizer: vec![9; 40],
            progress: Progress { epoch: 3, best_val_loss: 1.5, best_epoch: 2, epochs_without_improvement: 1 },
        };
        let bytes = ckpt.to_bytes().unwrap();
        assert_eq!(Checkpoint::from_bytes(&bytes).unwrap(), ckpt);
        assert!(Checkpoint::from_bytes(&bytes[..bytes.len() - 1]).unwrap_err().contains("truncated"));
        assert!(Checkpoint::from_bytes(b"BCOLRIZE....").unwrap_err().contains("not a burn-colorize checkpoint"));
    }

    #[test]
    fn atomic_write_replaces_the_file_and_leaves_no_temporary() {
        let dir = std::env::temp_dir().join(format!("bclz-atomic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("last.ckpt");
        write_atomic(&path, b"old").unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    }
}
