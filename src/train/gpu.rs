//! The GPU training device (feature `gpu`): burn's wgpu backend on Vulkan, Metal or DX12.
//!
//! Adapters are tried best first: a discrete GPU, an integrated one, a virtual one. A software
//! adapter (Mesa's lavapipe, llvmpipe) runs the GPU kernels on the CPU, slower than burn's own
//! CPU backend, so `--device auto` never picks one; `--device gpu` takes it when nothing else
//! is there (that is how the GPU path is tested on machines without a GPU:
//! scripts/check-gpu.sh).

use burn::prelude::*;
use burn::tensor::DeviceKind;
use burn::tensor::wgpu::wgpu::DeviceType;

/// The hardware adapter kinds, best first.
const HARDWARE: [DeviceKind; 3] = [DeviceKind::DiscreteGpu(0), DeviceKind::IntegratedGpu(0), DeviceKind::VirtualGpu(0)];

/// A hardware GPU when there is one: the device and a sentence naming it; else why not.
pub fn hardware_device() -> Result<(Device, String), String> {
    HARDWARE
        .into_iter()
        .find_map(|kind| open(kind).ok())
        .ok_or_else(|| "wgpu found no discrete, integrated or virtual GPU".to_string())
}

/// The best GPU adapter, a software one (lavapipe) when no hardware GPU is there.
pub fn any_device() -> Result<(Device, String), String> {
    hardware_device().or_else(|hardware| {
        open(DeviceKind::Cpu)
            .map_err(|_| format!("{hardware}, nor a software adapter: is a Vulkan, Metal or DX12 driver installed?"))
    })
}

/// Open the adapter of `kind`, prove it with a tiny computation, and name it.
fn open(kind: DeviceKind) -> Result<(Device, String), String> {
    let (device, setup) = Device::wgpu_options().device_kind(kind).init_with_setup().map_err(|e| e.to_string())?;
    let sum = Tensor::<1>::ones([4], &device).sum().into_scalar::<f32>();
    if sum != 4.0 {
        return Err("the GPU gave a wrong result in a self-test".into());
    }
    let info = setup.adapter.get_info();
    let what = match info.device_type {
        DeviceType::DiscreteGpu => "discrete GPU",
        DeviceType::IntegratedGpu => "integrated GPU",
        DeviceType::VirtualGpu => "virtual GPU",
        DeviceType::Cpu => "software adapter on the CPU: slower than --device cpu",
        DeviceType::Other => "other adapter",
    };
    Ok((device, format!("GPU {} ({what}, {:?}, wgpu backend)", info.name, info.backend)))
}
