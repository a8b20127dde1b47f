//! Memory: tuning for training on the CPU, and the peak the benchmarks report.
//!
//! burn's CPU backend allocates every tensor of a step afresh. glibc's malloc serves blocks
//! above its mmap threshold (at most 32 MB, adjusted as it goes) straight from the system and
//! returns them on free, so the next step faults the same memory in again, zeroed by the
//! kernel: a quarter of a training step (`bench --train`: 33 → 43 images/s for the U-Net at
//! 64², batch 32). Training keeps every block in the heap instead, reused step after step, for
//! about 40 % more peak memory. Inference is left alone: there the default is as fast and
//! smaller.

/// Keep freed memory in the process for reuse (glibc only; elsewhere nothing changes).
pub fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes malloc's thresholds; any value is valid at any time.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, i32::MAX);
        libc::mallopt(libc::M_TRIM_THRESHOLD, i32::MAX);
    }
}

/// Peak resident memory of this process (Linux), in MB.
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
