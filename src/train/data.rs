//! Training photos from folders (recursive), zip archives (read in place) and the official
//! CIFAR-10 binary batches, with class filtering and a train/validation split.
//!
//! A split comes from the layout when there is one (a `val/`, `validation/` or `test/` folder,
//! or CIFAR's `test_batch.bin`), else from a fixed fraction chosen by a hash of each name, so
//! the split never changes between runs or on resume.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use image::RgbImage;
use zip::ZipArchive;

use super::error::TrainError;
use crate::pipeline::decode::has_image_extension;

/// The CIFAR-10 class names, in label order.
pub const CIFAR_CLASSES: [&str; 10] =
    ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];
const CIFAR_RECORD: usize = 1 + 3 * 32 * 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    Train,
    Val,
}

/// Where one photo's bytes live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    File(PathBuf),
    Zip { archive: usize, index: usize },
    Cifar { file: usize, record: usize },
}

/// One photo of the data set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub origin: Origin,
    /// A readable name (path inside its source), for messages and the stable split hash.
    pub name: String,
    pub class: Option<String>,
    pub split: Split,
}

/// All photos of the given sources, split into train and validation.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    zips: Vec<ZipArchive<Cursor<Arc<[u8]>>>>,
    cifar: Vec<Arc<[u8]>>,
    pub train: Vec<Item>,
    pub val: Vec<Item>,
}

fn is_cifar_batch(name: &str) -> bool {
    name == "test_batch.bin" || (name.starts_with("data_batch_") && name.ends_with(".bin"))
}

/// The split a path's folders name, if any.
fn split_of_path(name: &str) -> Option<Split> {
    let mut folders = name.split(['/', '\\']).rev().skip(1);
    folders
        .any(|f| matches!(f.to_ascii_lowercase().as_str(), "val" | "validation" | "test"))
        .then_some(Split::Val)
        .or_else(|| name.split(['/', '\\']).any(|f| f.eq_ignore_ascii_case("train")).then_some(Split::Train))
}

/// The class of a photo: the name of the folder it is in.
fn class_of_path(name: &str) -> Option<String> {
    let parts: Vec<&str> = name.split(['/', '\\']).filter(|p| !p.is_empty()).collect();
    (parts.len() >= 2).then(|| parts[parts.len() - 2].to_string())
}

/// A stable hash (FNV-1a) of a name, for the fraction-based split.
fn stable_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3))
}

impl Dataset {
    /// Open every source; keep `classes` only (when given); hold out `val_fraction` of photos
    /// for validation where the layout names no validation split.
    pub fn open(paths: &[PathBuf], classes: Option<&[String]>, val_fraction: f64) -> Result<Self, TrainError> {
        let mut set = Dataset::default();
        let mut items = Vec::new();
        for path in paths {
            let meta = std::fs::metadata(path).map_err(TrainError::io(path))?;
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
            if meta.is_dir() {
                set.add_folder(path, &mut items)?;
            } else if name.to_ascii_lowercase().ends_with(".zip") {
                set.add_zip(path, &mut items)?;
            } else if is_cifar_batch(&name) {
                set.add_cifar(path, &mut items)?;
            } else if has_image_extension(&name) {
                items.push(Item { origin: Origin::File(path.clone()), name, class: None, split: Split::Train });
            } else {
                return Err(TrainError::Data(format!(
                    "{}: not a folder, a .zip, a CIFAR-10 batch (.bin) or an image",
                    path.display()
                )));
            }
        }
        if let Some(classes) = classes {
            items.retain(|item| item.class.as_ref().is_some_and(|c| classes.iter().any(|k| k == c)));
        }
        let layout_has_val = items.iter().any(|i| i.split == Split::Val);
        for mut item in items {
            if !layout_has_val && (stable_hash(&item.name) % 10_000) as f64 / 10_000.0 < val_fraction {
                item.split = Split::Val;
            }
            match item.split {
                Split::Train => set.train.push(item),
                Split::Val => set.val.push(item),
            }
        }
        if set.train.is_empty() {
            let which = classes.map(|c| format!(" of classes {}", c.join(","))).unwrap_or_default();
            return Err(TrainError::Data(format!("no training photos{which} found in the given data")));
        }
        Ok(set)
    }

    fn add_folder(&mut self, root: &Path, items: &mut Vec<Item>) -> Result<(), TrainError> {
        let mut pending = vec![root.to_path_buf()];
        while let Some(dir) = pending.pop() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
                .map_err(TrainError::io(&dir))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            entries.sort();
            for path in entries {
                let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
                let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                if path.is_dir() {
                    pending.push(path);
                } else if is_cifar_batch(file_name) {
                    self.add_cifar(&path, items)?;
                } else if has_image_extension(file_name) {
                    let split = split_of_path(&rel).unwrap_or(Split::Train);
                    items.push(Item { origin: Origin::File(path), class: class_of_path(&rel), name: rel, split });
                }
            }
        }
        Ok(())
    }

    fn add_zip(&mut self, path: &Path, items: &mut Vec<Item>) -> Result<(), TrainError> {
        let bytes: Arc<[u8]> = std::fs::read(path).map_err(TrainError::io(path))?.into();
        let archive = ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| TrainError::Data(format!("{}: not a readable zip archive: {e}", path.display())))?;
        let archive_index = self.zips.len();
        for index in 0..archive.len() {
            let Some(Ok(name)) = archive.name_for_index(index) else { continue };
            if has_image_extension(&*name) {
                let split = split_of_path(&name).unwrap_or(Split::Train);
                let origin = Origin::Zip { archive: archive_index, index };
                items.push(Item { origin, class: class_of_path(&name), name: name.to_string(), split });
            }
        }
        self.zips.push(archive);
        Ok(())
    }

    fn add_cifar(&mut self, path: &Path, items: &mut Vec<Item>) -> Result<(), TrainError> {
        let bytes: Arc<[u8]> = std::fs::read(path).map_err(TrainError::io(path))?.into();
        if bytes.is_empty() || !bytes.len().is_multiple_of(CIFAR_RECORD) {
            return Err(TrainError::Data(format!(
                "{}: {} bytes is not a whole number of CIFAR-10 records ({CIFAR_RECORD} bytes each)",
                path.display(),
                bytes.len()
            )));
        }
        let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let split = if file_name.starts_with("test_batch") { Split::Val } else { Split::Train };
        let file = self.cifar.len();
        for record in 0..bytes.len() / CIFAR_RECORD {
            let label = bytes[record * CIFAR_RECORD] as usize;
            let class = CIFAR_CLASSES.get(label).map(|c| c.to_string());
            let name = format!("{file_name}#{record}");
            items.push(Item { origin: Origin::Cifar { file, record }, name, class, split });
        }
        self.cifar.push(bytes);
        Ok(())
    }

    /// Decode one photo as 8-bit RGB.
    pub fn load(&self, item: &Item) -> Result<RgbImage, TrainError> {
        let bytes = match &item.origin {
            Origin::Cifar { file, record } => return Ok(cifar_image(&self.cifar[*file], *record)),
            Origin::File(path) => std::fs::read(path).map_err(TrainError::io(path))?,
            Origin::Zip { archive, index } => {
                let mut archive = self.zips[*archive].clone();
                let mut entry =
                    archive.by_index(*index).map_err(|e| TrainError::Data(format!("{}: {e}", item.name)))?;
                let mut bytes = Vec::with_capacity(entry.size() as usize);
                entry.read_to_end(&mut bytes).map_err(|e| TrainError::Data(format!("{}: {e}", item.name)))?;
                bytes
            }
        };
        let image = crate::pipeline::decode::decode_image(&bytes, crate::pipeline::decode::DEFAULT_MAX_MEGAPIXELS)
            .map_err(|e| TrainError::Data(format!("{}: {e}", item.name)))?;
        Ok(image.to_rgb8())
    }
}

/// One CIFAR-10 record: a label byte, then 1024 red, 1024 green and 1024 blue bytes.
fn cifar_image(bytes: &[u8], record: usize) -> RgbImage {
    let planes = &bytes[record * CIFAR_RECORD + 1..(record + 1) * CIFAR_RECORD];
    RgbImage::from_fn(32, 32, |x, y| {
        let i = (y * 32 + x) as usize;
        image::Rgb([planes[i], planes[1024 + i], planes[2048 + i]])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_names_the_split_and_the_class() {
        assert_eq!(split_of_path("val/y_yard/1.jpg"), Some(Split::Val));
        assert_eq!(split_of_path("test/bird/0000.jpg"), Some(Split::Val));
        assert_eq!(split_of_path("train/horse/1.jpg"), Some(Split::Train));
        assert_eq!(split_of_path("photos/1.jpg"), None);
        assert_eq!(split_of_path("val.jpg"), None, "a file name is not a folder");
        assert_eq!(class_of_path("train/horse/4998.jpg").as_deref(), Some("horse"));
        assert_eq!(class_of_path("1.jpg"), None);
    }

    #[test]
    fn cifar_batch_names() {
        assert!(is_cifar_batch("data_batch_1.bin") && is_cifar_batch("test_batch.bin"));
        assert!(!is_cifar_batch("batches.meta.txt") && !is_cifar_batch("data.bin"));
    }
}
