//! Data-parallel training: one replica of the network per device, each on its share of the
//! batch. Each share's loss is scaled by its fraction of the batch, so the replicas' gradients
//! add up to the whole batch's; burn-optim's `step_multi` sums them onto one device per
//! parameter and takes one Adam step. N devices thus take the step one device takes with the
//! whole batch (up to batch-norm statistics, which each replica computes over its share, as in
//! PyTorch's DDP without SyncBatchNorm).
//!
//! Why not Burn's own DDP (`burn::tensor::distributed`)? In burn 0.22.1 its all-reduce runs only
//! between CUDA devices, through NCCL; on wgpu, Flex and LibTorch it panics. Summing gradients
//! with `to_device` works on every backend, at the cost of moving them through one device.
//!
//! Every extra device has a worker thread for the whole run: batch-norm running statistics
//! are kept per thread and averaged across threads (`burn::module::RunningState`), which gives
//! the mean of the replicas' statistics only while each replica stays on its own thread.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;

use burn::optim::{GradientsParams, ModuleOptimizer, MultiGradientsParams};
use burn::prelude::*;

use super::batch::{Batch, SoftTargets};
use super::error::TrainError;
use super::loss::{LossKind, classification_loss, regression_loss};
use crate::model::ColorNet;

/// One device's share of a batch.
pub struct Part {
    pub batch: Batch,
    pub soft: Option<SoftTargets>,
    /// The share's fraction of the whole batch: its loss is scaled by it.
    pub fraction: f32,
    pub loss: LossKind,
}

/// What a replica sends back: its gradients (on its device) and its scaled loss.
struct Share {
    grads: GradientsParams,
    loss: f64,
}

/// A worker thread holding one extra device.
struct Worker {
    device: Device,
    jobs: Option<Sender<(ColorNet, Part)>>,
    done: Receiver<Share>,
    thread: Option<JoinHandle<()>>,
}

/// The training devices: the first (where the network lives between steps) and the workers'.
pub struct Replicas {
    primary: Device,
    workers: Vec<Worker>,
}

impl Replicas {
    /// `devices`: autodiff devices, the first holding the network between steps.
    pub fn new(devices: Vec<Device>) -> Self {
        let mut devices = devices.into_iter();
        let primary = devices.next().expect("at least one training device");
        Self { primary, workers: devices.map(Worker::start).collect() }
    }

    /// Number of devices (at least one).
    pub fn count(&self) -> usize {
        1 + self.workers.len()
    }

    /// One optimizer step of `net` on `batch` split across the devices; the stepped network
    /// (on the primary device) and the batch's loss. A non-finite loss is an error, and no step
    /// is taken.
    pub fn step(
        &mut self,
        net: ColorNet,
        optim: &mut ModuleOptimizer,
        lr: f64,
        batch: Batch,
        soft: Option<SoftTargets>,
        loss: LossKind,
    ) -> Result<(ColorNet, f64), TrainError> {
        let mut parts = split(batch, soft, loss, self.count()).into_iter();
        let own = parts.next().expect("the primary's part");
        for (worker, part) in self.workers.iter().zip(parts) {
            worker.send(net.clone(), part)?;
        }
        let own = share(&net, own, &self.primary);
        let mut shares = vec![(own, self.primary.clone())];
        for worker in &self.workers {
            shares.push((worker.receive()?, worker.device.clone()));
        }
        let value: f64 = shares.iter().map(|(share, _)| share.loss).sum();
        if !value.is_finite() {
            return Err(TrainError::Config(format!("the loss became {value}: lower --lr")));
        }
        if shares.len() == 1 {
            let (share, _) = shares.pop().expect("one share");
            return Ok((optim.step(lr, net, share.grads), value));
        }
        let grads = MultiGradientsParams { grads: shares.into_iter().map(|(s, d)| (s.grads, d)).collect() };
        // `step_multi` leaves each parameter on the device its gradients were summed on.
        Ok((optim.step_multi(lr, net, grads).fork(&self.primary), value))
    }
}

/// Forward and backward of `net` (already on `device`, or forked there) on `part`.
fn share(net: &ColorNet, part: Part, device: &Device) -> Share {
    let output = net.forward_guided(part.batch.inputs(device), part.batch.references(device));
    let loss = match (&part.loss, &part.soft) {
        (LossKind::Classification, Some(soft)) => {
            let (index, weight) = soft.to_tensors(device);
            classification_loss(output, index, weight)
        }
        _ => regression_loss(output, part.batch.ab_targets(device)),
    } * part.fraction;
    let value = loss.clone().into_scalar::<f32>() as f64;
    Share { grads: GradientsParams::from_grads(loss.backward(), net), loss: value }
}

impl Worker {
    fn start(device: Device) -> Self {
        let (jobs, inbox) = channel::<(ColorNet, Part)>();
        let (outbox, done) = channel();
        let on = device.clone();
        let thread = std::thread::spawn(move || {
            for (net, part) in inbox {
                let net = net.fork(&on);
                if outbox.send(share(&net, part, &on)).is_err() {
                    break;
                }
            }
        });
        Self { device, jobs: Some(jobs), done, thread: Some(thread) }
    }

    fn send(&self, net: ColorNet, part: Part) -> Result<(), TrainError> {
        let jobs = self.jobs.as_ref().expect("a running worker");
        jobs.send((net, part)).map_err(|_| self.lost())
    }

    fn receive(&self) -> Result<Share, TrainError> {
        self.done.recv().map_err(|_| self.lost())
    }

    fn lost(&self) -> TrainError {
        TrainError::Config(format!("the training replica on {:?} stopped (see the panic above)", self.device))
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.jobs.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Split a batch into `n` parts of nearly equal size (the first ones one larger), in order.
/// Parts never come out empty: a batch smaller than `n` gives fewer parts.
pub fn split(batch: Batch, soft: Option<SoftTargets>, loss: LossKind, n: usize) -> Vec<Part> {
    let total = batch.len();
    let (size, stride) = (batch.size, batch.stride);
    let mut examples = batch.examples.into_iter();
    let parts = n.clamp(1, total.max(1));
    let mut start = 0;
    (0..parts)
        .map(|i| {
            let count = total / parts + usize::from(i < total % parts);
            let batch = Batch { size, stride, examples: examples.by_ref().take(count).collect() };
            let soft = soft.as_ref().map(|s| s.rows(start..start + count));
            start += count;
            Part { batch, soft, fraction: count as f32 / total.max(1) as f32, loss }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::batch::Example;

    fn batch(n: usize) -> (Batch, SoftTargets) {
        let example =
            |i: usize| Example { crop: vec![i as u8], input: Vec::new(), ab_head: Vec::new(), reference: Vec::new() };
        let batch = Batch { size: 16, stride: 4, examples: (0..n).map(example).collect() };
        // One value per photo and plane element: the photo's index.
        let rows: Vec<i64> = (0..n).flat_map(|i| [i as i64; 2 * 4]).collect();
        let soft =
            SoftTargets { index: rows.clone(), weight: rows.iter().map(|&v| v as f32).collect(), shape: [n, 2, 2, 2] };
        (batch, soft)
    }

    #[test]
    fn a_batch_splits_in_order_into_near_equal_parts_whose_fractions_sum_to_one() {
        let (b, soft) = batch(5);
        let parts = split(b, Some(soft), LossKind::Classification, 2);
        let photos: Vec<Vec<u8>> = parts.iter().map(|p| p.batch.examples.iter().map(|e| e.crop[0]).collect()).collect();
        assert_eq!(photos, vec![vec![0, 1, 2], vec![3, 4]]);
        for part in &parts {
            let soft = part.soft.as_ref().unwrap();
            assert_eq!(soft.shape, [part.batch.len(), 2, 2, 2]);
            let first = part.batch.examples[0].crop[0] as i64;
            assert_eq!(soft.index[0], first, "targets travel with their photos");
            assert_eq!(*soft.index.last().unwrap(), first + part.batch.len() as i64 - 1);
        }
        assert_eq!(parts.iter().map(|p| p.fraction).sum::<f32>(), 1.0);
        assert_eq!(parts[0].fraction, 0.6);
    }

    #[test]
    fn a_batch_smaller_than_the_devices_gives_no_empty_part() {
        let (b, soft) = batch(1);
        let parts = split(b, Some(soft), LossKind::Regression, 3);
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].fraction, 1.0);
    }
}
