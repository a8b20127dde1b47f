//! The `burn-colorize` command-line tool (feature `native`).

mod cli;

/// mimalloc, keeping what is freed: burn's CPU backend allocates every tensor afresh, and an
/// allocator that hands large blocks back to the system makes each step fault them in again,
/// zeroed (a quarter of CPU training time with glibc's; `bench --train` measures it).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc.h (v2 and v3): -1 never returns freed memory.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn keep_freed_memory() {
    // SAFETY: sets a process-wide mimalloc option; any value is valid, before or after use.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
}

fn main() -> std::process::ExitCode {
    keep_freed_memory();
    cli::run()
}
