//! Checkpoints that survive a kill at any moment: every file is written to a temporary name
//! and renamed over the old one (atomic on POSIX file systems), so the previous checkpoint
//! stays loadable until the new one is complete. The checkpoint before the last is kept too
//! (`previous.ckpt`), for a last one damaged after it was written.
//!
//! A checkpoint file holds the model file (the same `.bclz` bytes the CLI and browser load),
//! the optimizer state and the run's progress, each with its length, then a CRC-32 of all
//! that precedes it, so that a damaged file is refused rather than trained on:
//! `b"BCLZCKPT"` | u32 version | (u64 length, bytes) × 3 | u32 CRC-32 (version 2; version 1
//! files, without the checksum, are still read).

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::TrainError;

const MAGIC: &[u8; 8] = b"BCLZCKPT";
const VERSION: u32 = 2;

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

/// Test switch: with this variable set to a number of milliseconds, every file write pauses
/// that long halfway through, so that a test can kill a run while a checkpoint is half written.
pub const SLOW_WRITES_VARIABLE: &str = "BURN_COLORIZE_TEST_SLOW_WRITES_MS";

/// Write `bytes` to `path` atomically: temporary file, fsync, rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), TrainError> {
    let tmp = write_temporary(path, bytes)?;
    std::fs::rename(&tmp, path).map_err(TrainError::io(path))
}

/// Write `bytes` to `path` atomically and keep the file it replaces as `previous`.
/// A kill between the two renames leaves `previous` and no `path`: resuming then uses
/// `previous`, which is still a complete checkpoint.
pub fn write_keeping_previous(path: &Path, previous: &Path, bytes: &[u8]) -> Result<(), TrainError> {
    let tmp = write_temporary(path, bytes)?;
    if path.exists() {
        std::fs::rename(path, previous).map_err(TrainError::io(previous))?;
    }
    std::fs::rename(&tmp, path).map_err(TrainError::io(path))
}

/// `bytes` in a synced temporary file beside `path` (named `<path>.tmp-<pid>`).
fn write_temporary(path: &Path, bytes: &[u8]) -> Result<std::path::PathBuf, TrainError> {
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let mut file = std::fs::File::create(&tmp).map_err(TrainError::io(&tmp))?;
    let pause = std::env::var(SLOW_WRITES_VARIABLE).ok().and_then(|ms| ms.parse().ok());
    let (head, tail) = bytes.split_at(if pause.is_some() { bytes.len() / 2 } else { bytes.len() });
    file.write_all(head).and_then(|()| file.sync_all()).map_err(TrainError::io(&tmp))?;
    if let Some(ms) = pause {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
    file.write_all(tail).and_then(|()| file.sync_all()).map_err(TrainError::io(&tmp))?;
    Ok(tmp)
}

/// Remove the temporary files a killed run left in `dir` (`*.tmp-<pid>`).
pub fn remove_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let is_temporary = name
            .to_str()
            .and_then(|n| n.rsplit_once(".tmp-"))
            .is_some_and(|(_, pid)| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()));
        if is_temporary {
            let _ = std::fs::remove_file(entry.path());
        }
    }
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
        let checksum = crc32fast::hash(&out);
        out.extend_from_slice(&checksum.to_le_bytes());
        Ok(out)
    }

    pub fn save(&self, path: &Path) -> Result<(), TrainError> {
        write_atomic(path, &self.to_bytes()?)
    }

    /// Save to `path`, keeping the checkpoint it replaces as `previous`.
    pub fn save_keeping_previous(&self, path: &Path, previous: &Path) -> Result<(), TrainError> {
        write_keeping_previous(path, previous, &self.to_bytes()?)
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
        let mut rest = match version {
            1 => &bytes[12..],
            VERSION => {
                let (body, checksum) = bytes.split_at(bytes.len().saturating_sub(4).max(12));
                let stored = checksum.try_into().map(u32::from_le_bytes).map_err(|_| "truncated".to_string())?;
                if crc32fast::hash(body) != stored {
                    return Err("damaged or truncated (its checksum does not match)".into());
                }
                &body[12..]
            }
            _ => return Err(format!("checkpoint format {version}, this build reads 1 and {VERSION}")),
        };
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
        let mut flipped = bytes.clone();
        flipped[20] ^= 1;
        assert!(Checkpoint::from_bytes(&flipped).unwrap_err().contains("damaged"), "one changed bit is found");
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
        write_keeping_previous(&path, &dir.join("previous.ckpt"), b"newer").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"newer");
        assert_eq!(std::fs::read(dir.join("previous.ckpt")).unwrap(), b"new");
        std::fs::write(dir.join("last.tmp-1234"), b"half").unwrap();
        std::fs::write(dir.join("notes.tmp-x"), b"kept").unwrap();
        remove_temporaries(&dir);
        assert!(!dir.join("last.tmp-1234").exists(), "a killed run's temporary file is removed");
        assert!(dir.join("notes.tmp-x").exists(), "only <name>.tmp-<pid> files are removed");
    }
}
