//! The GPU training device (feature `gpu`): burn's wgpu backend on Vulkan, Metal or DX12.

use burn::prelude::*;

/// A working wgpu device, or why there is none. The device is initialised explicitly (so a
/// missing adapter is an error, not a panic later) and proven by a tiny computation.
pub fn device() -> Result<(Device, String), String> {
    let device = Device::wgpu_options().init().map_err(|e| format!("no usable GPU adapter ({e})"))?;
    let sum = Tensor::<1>::ones([4], &device).sum().into_scalar::<f32>();
    if sum != 4.0 {
        return Err("the GPU gave a wrong result in a self-test".into());
    }
    Ok((device, "GPU (wgpu backend)".to_string()))
}
