//! The data side of `bench --train`: what the loader spends turning photos into one batch
//! (read, JPEG decode, augment, Lab planes, simulated hints, soft targets). The trainer gets
//! batches from a background thread (train::loader), so this cost competes with the step for
//! the cores but the step never waits for it unless it is larger.

use std::path::{Path, PathBuf};
use std::time::Instant;

use burn_colorize::color::classes::{GRID, SOFT_K, SOFT_SIGMA, gamut_grid};
use burn_colorize::train::augment::Augment;
use burn_colorize::train::batch::{HintCount, TargetSpec};
use burn_colorize::train::data::{Dataset, Item};
use burn_colorize::train::loader::{Recipe, prepare};
use image::{Rgb, RgbImage};

use super::CliError;

/// Milliseconds per batch: on one thread, and with every core (as the loader runs).
pub struct DataCost {
    pub source: String,
    pub one_thread_ms: f64,
    pub all_cores_ms: f64,
}

/// Time `batches` batches of `batch` photos from `data` (or from generated 128-px JPEGs when
/// no data is given), cropped to `size` with targets at `stride`.
pub fn measure(
    data: Option<&Path>,
    size: usize,
    stride: usize,
    batch: usize,
    batches: usize,
) -> Result<DataCost, CliError> {
    let Some(path) = data else {
        // Generated photos are read from their folder while timing: remove it afterwards,
        // whatever the outcome.
        let dir = generate_jpegs(batch)?;
        let cost = measure(Some(&dir), size, stride, batch, batches);
        let _ = std::fs::remove_dir_all(&dir);
        return cost
            .map(|cost| DataCost { source: "generated 128-px JPEGs (give --data for real photos)".into(), ..cost });
    };
    let set = Dataset::open(&[path.to_path_buf()], None, 0.0).map_err(|e| CliError::Usage(e.to_string()))?;
    if set.train.is_empty() {
        return Err(CliError::Usage(format!("no photos in {}", path.display())));
    }
    let classes = gamut_grid(GRID);
    let spec = TargetSpec { weights: vec![1.0; classes.len()], classes, k: SOFT_K, sigma: SOFT_SIGMA };
    let recipe = Recipe { size, stride, augment: Augment::default(), hints: HintCount::Random, references: None };
    let items: Vec<&Item> = set.train.iter().cycle().take(batch * batches).collect();
    let time = |threads: usize| -> Result<f64, CliError> {
        let pool =
            rayon::ThreadPoolBuilder::new().num_threads(threads).build().map_err(|e| CliError::Usage(e.to_string()))?;
        let start = Instant::now();
        pool.install(|| {
            for (b, chunk) in items.chunks(batch).enumerate() {
                prepare(&set, chunk, b * batch, 0, 1, &recipe, Some(&spec));
            }
        });
        Ok(start.elapsed().as_secs_f64() * 1e3 / batches as f64)
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    Ok(DataCost {
        source: format!("photos of {}", path.display()),
        one_thread_ms: time(1)?,
        all_cores_ms: time(cores)?,
    })
}

/// `count` 128×128 JPEGs (smooth colour fields with texture, like a MiniPlaces photo) in a
/// fresh temporary folder.
fn generate_jpegs(count: usize) -> Result<PathBuf, CliError> {
    let dir = std::env::temp_dir().join(format!("burn-colorize-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| CliError::Usage(format!("{}: {e}", dir.display())))?;
    for i in 0..count.max(1) {
        let image = RgbImage::from_fn(128, 128, |x, y| {
            let t = (x * 7 + y * 13 + i as u32 * 31) % 97;
            Rgb([(x * 2) as u8 ^ t as u8, (y * 2) as u8, ((x + y + i as u32 * 40) % 256) as u8])
        });
        let path = dir.join(format!("photo{i}.jpg"));
        image.save(&path).map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
    }
    Ok(dir)
}
