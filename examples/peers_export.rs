//! What scripts/bench-peers.sh needs to run our network in other frameworks: every weight of a
//! model file by its module path, test inputs with our logits for them, and our network's time
//! on Flex (all cores), so the script can build the PyTorch twin (scripts/peers/twin.py), check
//! that it agrees, export it to ONNX and time ONNX Runtime on the same inputs.
//!
//!     cargo run --release --features native --example peers_export -- MODEL OUT_DIR [SIZE ...]
//!
//! OUT_DIR gets `weights.json` (the model's config, and for each float tensor its path, shape
//! and offset in `weights.bin`, little-endian f32), and per working size S (default 128 and
//! 512) `input-S.bin` ([1, 4, S, S], the network's input: L/50 − 1 and empty hint planes),
//! `logits-S.bin` (our output for it) and `timing.json` (median milliseconds per forward).

use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::module::{Module, ModuleVisitor, Param};
use burn::prelude::*;
use burn_colorize::Model;
use burn_colorize::rng::Rng;
use serde_json::json;

/// Timed forwards per size, after one warm-up.
const RUNS: usize = 10;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model, out, sizes @ ..] = args.as_slice() else {
        eprintln!("usage: peers_export MODEL OUT_DIR [SIZE ...]");
        std::process::exit(2);
    };
    let sizes: Vec<usize> = match sizes {
        [] => vec![128, 512],
        given => given.iter().map(|s| s.parse().expect("sizes are whole numbers")).collect(),
    };
    let out = PathBuf::from(out);
    std::fs::create_dir_all(&out).expect("create OUT_DIR");
    let device = Device::flex();
    let bytes = std::fs::read(model).unwrap_or_else(|e| panic!("{model}: {e}"));
    let model = Model::from_bytes(&bytes, &device).unwrap_or_else(|e| panic!("{model}: {e}"));
    write_weights(&model, &out);
    let mut timing = serde_json::Map::new();
    for size in sizes {
        let input = input(size, &device);
        write_f32(&out.join(format!("input-{size}.bin")), input.clone());
        let logits = model.net.forward(input.clone());
        write_f32(&out.join(format!("logits-{size}.bin")), logits);
        let ms = median_ms(|| {
            let _ = model.net.forward(input.clone()).into_data();
        });
        println!("burn Flex, working size {size}: {ms:.1} ms per forward");
        timing.insert(size.to_string(), json!(ms));
    }
    std::fs::write(out.join("timing.json"), serde_json::to_string_pretty(&timing).unwrap()).expect("write timing");
}

/// A grey photo's input at side `size`: smooth structure plus noise in L, no hints.
fn input(size: usize, device: &Device) -> Tensor<4> {
    let mut rng = Rng::new(7);
    let mut data = vec![0f32; 4 * size * size];
    for y in 0..size {
        for x in 0..size {
            let wave = ((x as f32 / 9.0).sin() * (y as f32 / 13.0).cos()) * 0.6;
            data[y * size + x] = (wave + rng.range_f32(-0.3, 0.3)).clamp(-1.0, 1.0);
        }
    }
    Tensor::from_data(TensorData::new(data, [1, 4, size, size]), device)
}

fn median_ms(mut run: impl FnMut()) -> f64 {
    run();
    let mut times: Vec<f64> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[RUNS / 2]
}

fn write_f32<const D: usize>(path: &Path, tensor: Tensor<D>) {
    let values = tensor.into_data().convert::<f32>().try_to_vec::<f32>().expect("f32 values");
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Every float tensor with its module path (`trunk.blocks.0.depthwise.weight`).
#[derive(Default)]
struct Weights {
    path: Vec<String>,
    index: Vec<serde_json::Value>,
    bytes: Vec<u8>,
}

impl ModuleVisitor for Weights {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name.to_string());
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }

    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let tensor = param.val();
        let values = tensor.clone().into_data().convert::<f32>().try_to_vec::<f32>().expect("f32 weights");
        let name = self.path.join(".");
        let offset = self.bytes.len() / 4;
        self.index.push(json!({ "name": name, "shape": tensor.dims().to_vec(), "offset": offset }));
        self.bytes.extend(values.iter().flat_map(|v| v.to_le_bytes()));
    }
}

fn write_weights(model: &Model, out: &Path) {
    let mut weights = Weights::default();
    model.net.visit(&mut weights);
    let index = json!({ "config": model.config, "tensors": weights.index });
    std::fs::write(out.join("weights.json"), serde_json::to_string_pretty(&index).unwrap()).expect("write index");
    std::fs::write(out.join("weights.bin"), weights.bytes).expect("write weights");
}
