//! The GPU training device (feature `gpu`): burn's wgpu backend on Vulkan, Metal or DX12.
//!
//! Adapters are tried best first: a discrete GPU, an integrated one, a virtual one. A software
//! adapter (Mesa's lavapipe, llvmpipe) runs the GPU kernels on the CPU, slower than burn's own
//! CPU backend, so `--device auto` never picks one; `--device gpu` takes it when nothing else
//! is there (that is how the GPU path is tested on machines without a GPU:
//! scripts/check-gpu.sh).

use burn::prelude::*;
use burn::tensor::DeviceKind;
use burn::tensor::wgpu::WgpuSetup;
use burn::tensor::wgpu::wgpu::{self, DeviceType};

use super::gpu_choice::GpuChoice;

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

/// The training devices `choices` name, each with a sentence naming it. An adapter named
/// twice gets a second runtime of its own (its own wgpu device and queue): two replicas can
/// share one large GPU, and a machine with only a software adapter can run data-parallel
/// training for its tests.
pub fn open_many(choices: &[GpuChoice]) -> Result<Vec<(Device, String)>, String> {
    let mut opened = OPENED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let opened = &mut *opened;
    opened.iter_mut().for_each(|adapter| adapter.taken = false);
    let mut kinds = Vec::new();
    for choice in choices {
        kinds.extend(expand(*choice, opened)?);
    }
    let mut devices = Vec::new();
    for kind in kinds {
        let adapter = adapter(kind, opened)?;
        if adapter.taken {
            let device = prove(another_runtime(&adapter.setup)?)?;
            devices.push((device, format!("{}, another runtime on it", describe(&adapter.setup))));
        } else {
            adapter.taken = true;
            devices.push((adapter.device.clone(), describe(&adapter.setup)));
        }
    }
    Ok(devices)
}

/// The adapters opened in this process (by `open` and `open_many`): burn registers one runtime
/// per adapter kind and refuses to open a kind again, so later calls take them from here.
static OPENED: std::sync::Mutex<Vec<Opened>> = std::sync::Mutex::new(Vec::new());

/// An adapter opened for `open_many`, and whether a replica has its first runtime yet.
struct Opened {
    kind: DeviceKind,
    device: Device,
    setup: WgpuSetup,
    taken: bool,
}

/// The opened adapter of `kind`, opening it the first time.
fn adapter(kind: DeviceKind, opened: &mut Vec<Opened>) -> Result<&mut Opened, String> {
    let index = match opened.iter().position(|o| o.kind == kind) {
        Some(index) => index,
        None => {
            let (device, setup) = open_setup(kind.clone())?;
            opened.push(Opened { kind, device, setup, taken: false });
            opened.len() - 1
        }
    };
    Ok(&mut opened[index])
}

/// The adapter kinds `choice` names; `All` is every discrete GPU there is.
fn expand(choice: GpuChoice, opened: &mut Vec<Opened>) -> Result<Vec<DeviceKind>, String> {
    match choice {
        GpuChoice::Discrete(i) => Ok(vec![DeviceKind::DiscreteGpu(i)]),
        GpuChoice::All => {
            let count = (0..).take_while(|&i| adapter(DeviceKind::DiscreteGpu(i), opened).is_ok()).count();
            match count {
                0 => Err("--devices all: wgpu found no discrete GPU".into()),
                n => Ok((0..n).map(DeviceKind::DiscreteGpu).collect()),
            }
        }
        GpuChoice::Best => {
            let hardware = HARDWARE.into_iter().find(|kind| adapter(kind.clone(), opened).is_ok());
            match hardware {
                Some(kind) => Ok(vec![kind]),
                None => adapter(DeviceKind::Cpu, opened).map(|_| vec![DeviceKind::Cpu]).map_err(|_| {
                    "wgpu found no GPU, nor a software adapter: is a Vulkan, Metal or DX12 driver installed?".into()
                }),
            }
        }
    }
}

/// A second runtime on the adapter of `setup`: a new wgpu device and queue requested as
/// cubecl requests its own (cubecl-wgpu's `backend::wgsl::try_request_device`).
fn another_runtime(setup: &WgpuSetup) -> Result<Device, String> {
    let adapter = &setup.adapter;
    let descriptor = wgpu::DeviceDescriptor {
        label: Some("burn-colorize replica"),
        required_features: adapter.features().difference(wgpu::Features::MAPPABLE_PRIMARY_BUFFERS),
        required_limits: adapter.limits(),
        memory_hints: wgpu::MemoryHints::MemoryUsage,
        trace: wgpu::Trace::Off,
        // SAFETY: the same experimental features cubecl enables on the devices it requests.
        experimental_features: unsafe { wgpu::ExperimentalFeatures::enabled() },
    };
    let (device, queue) = pollster::block_on(adapter.request_device(&descriptor)).map_err(|e| e.to_string())?;
    let setup =
        WgpuSetup { instance: setup.instance.clone(), adapter: adapter.clone(), device, queue, backend: setup.backend };
    Device::wgpu_options().setup(setup).init().map_err(|e| e.to_string())
}

/// The adapter of `kind`, opened and proved with a tiny computation the first time, and named.
fn open(kind: DeviceKind) -> Result<(Device, String), String> {
    let mut opened = OPENED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let adapter = adapter(kind, &mut opened)?;
    Ok((adapter.device.clone(), describe(&adapter.setup)))
}

/// Open the adapter of `kind` and prove it.
fn open_setup(kind: DeviceKind) -> Result<(Device, WgpuSetup), String> {
    let (device, setup) = Device::wgpu_options().device_kind(kind).init_with_setup().map_err(|e| e.to_string())?;
    Ok((prove(device)?, setup))
}

/// `device` when a tiny computation on it comes out right.
fn prove(device: Device) -> Result<Device, String> {
    let sum = Tensor::<1>::ones([4], &device).sum().into_scalar::<f32>();
    if sum != 4.0 {
        return Err("the GPU gave a wrong result in a self-test".into());
    }
    Ok(device)
}

/// The adapter of `setup` in words.
fn describe(setup: &WgpuSetup) -> String {
    let info = setup.adapter.get_info();
    let what = match info.device_type {
        DeviceType::DiscreteGpu => "discrete GPU",
        DeviceType::IntegratedGpu => "integrated GPU",
        DeviceType::VirtualGpu => "virtual GPU",
        DeviceType::Cpu => "software adapter on the CPU: slower than --device cpu",
        DeviceType::Other => "other adapter",
    };
    format!("GPU {} ({what}, {:?}, wgpu backend)", info.name, info.backend)
}
