//! The GPU training device (feature `gpu`): burn's wgpu backend on Vulkan, Metal or DX12.

use burn::prelude::*;

/// A working wgpu device, or why there is none. wgpu panics when no adapter exists, so the
/// probe runs under `catch_unwind` and a tiny computation proves the device usable.
pub fn device() -> Result<(Device, String), String> {
    let probe = std::panic::catch_unwind(|| {
        let device = Device::wgpu(Default::default());
        let sum = Tensor::<1>::ones([4], &device).sum().into_scalar::<f32>();
        (device, sum)
    });
    match probe {
        Ok((device, sum)) if sum == 4.0 => Ok((device, "GPU (wgpu backend)".to_string())),
        Ok(_) => Err("the GPU gave a wrong result in a self-test".into()),
        Err(panic) => {
            let why = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "no usable adapter".into());
            Err(format!("no usable GPU adapter ({why})"))
        }
    }
}
