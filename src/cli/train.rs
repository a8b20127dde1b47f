//! `burn-colorize train`: train a colorizer on your own photos.

use std::path::PathBuf;

use burn_colorize::Arch;
use burn_colorize::train::references::ReferenceMix;
use burn_colorize::train::{
    DeviceChoice, GpuChoice, LossKind, Session, Start, TrainConfig, resolve_device, resolve_devices, train,
};

use super::CliError;

/// Train a colorization model on your own colour photos.
///
/// Photos come from folders (searched recursively), zip archives (read in place) and CIFAR-10
/// binary batches (data_batch_*.bin, test_batch.bin). A val/, validation/ or test/ folder is
/// used for validation; without one, a fixed 5% of the photos is held out. Near-grey photos
/// are skipped. The run folder receives config.json, metrics.csv, loss.svg, quality.svg, a
/// grid of validation photos per epoch (grids/), checkpoints (last.ckpt, best.ckpt) and the
/// best weights as best.bclz, the file `colorize --model` and the browser load.
// Defaults come from `TrainConfig::default()`, so the library and the CLI cannot disagree.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "EXAMPLES:\n  burn-colorize train --data cifar10.zip --classes horse --out runs/horse --size 32 --epochs 5\n  \
    burn-colorize train --data photos/ --out runs/mine --size 128 --device gpu\n  \
    burn-colorize train --resume runs/mine"
)]
pub struct Args {
    /// Folders, zip archives or CIFAR-10 batch files with colour photos.
    #[arg(long, required_unless_present = "resume", num_args = 1.., value_name = "PATH")]
    pub data: Vec<PathBuf>,

    /// Run folder for checkpoints, metrics, plots and the trained model.
    #[arg(long, required_unless_present = "resume", value_name = "RUN_DIR")]
    pub out: Option<PathBuf>,

    /// Continue the run in RUN_DIR exactly where its last checkpoint left it.
    #[arg(long, value_name = "RUN_DIR", conflicts_with_all = ["data", "out"])]
    pub resume: Option<PathBuf>,

    /// Where to train: auto picks the GPU when one is usable, else the CPU, and says which.
    #[arg(long, value_enum, default_value_t = DeviceArg::Auto)]
    pub device: DeviceArg,

    /// Data-parallel training on several GPUs, comma-separated: gpu:K (the K-th discrete GPU,
    /// from 0), all (every discrete GPU), gpu (the best adapter, as --device gpu). Each device
    /// runs a replica of the network on its share of every batch; their gradients are summed
    /// before each optimizer step, so the run follows the same path as on one device with the
    /// whole batch. A GPU named twice runs two replicas (gpu,gpu on a machine without a GPU
    /// tests this on Mesa's software adapter). One machine only: see README.
    #[arg(long, value_delimiter = ',', value_name = "LIST", conflicts_with = "device")]
    pub devices: Option<Vec<GpuChoice>>,

    /// Side of the square training crops, in pixels (a multiple of 16 from 32 to 256).
    #[arg(long, default_value_t = TrainConfig::default().size)]
    pub size: usize,

    /// Photos per training step.
    #[arg(long, default_value_t = TrainConfig::default().batch)]
    pub batch: usize,

    /// Passes over the training photos.
    #[arg(long, default_value_t = TrainConfig::default().epochs)]
    pub epochs: usize,

    /// Adam learning rate (decayed along a cosine to 1/20 of it).
    #[arg(long, default_value_t = TrainConfig::default().lr)]
    pub lr: f64,

    /// Random seed: the same seed gives the same run on the CPU.
    #[arg(long, default_value_t = TrainConfig::default().seed)]
    pub seed: u64,

    /// classification (vivid colours; default) or regression (for comparison).
    #[arg(long, value_enum, default_value_t = Loss::Classification)]
    pub loss: Loss,

    /// Classify into a palette of 16 or 32 colours learnt by k-means instead of ~300 ab bins.
    #[arg(long, value_name = "COLOURS")]
    pub palette: Option<usize>,

    /// Train on these classes only (comma-separated folder or CIFAR-10 class names).
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub classes: Option<Vec<String>>,

    /// Do not simulate user colour hints (the model then ignores hints).
    #[arg(long)]
    pub no_hints: bool,

    /// Do not augment (no random crops, flips, rotations or shifts).
    #[arg(long)]
    pub no_augment: bool,

    /// The network: unet (trained from scratch), efficientnet-lite0 (a decoder on the
    /// ImageNet-pretrained trunk: knows what things are; needs --trunk or --init) or
    /// efficientnet-lite2 (the same decoder on a larger trunk: a 3.6 MB model file in f16).
    #[arg(long, value_enum, default_value_t = ArchArg::Unet)]
    pub arch: ArchArg,
    /// The pretrained trunk's weights, written by `burn-colorize import-trunk`
    /// (scripts/import-trunk.sh writes target/efficientnet-lite0/trunk.bpk, and with `lite2`
    /// target/efficientnet-lite2/trunk.bpk).
    #[arg(long, value_name = "FILE")]
    pub trunk: Option<PathBuf>,
    /// Fine-tune the pretrained trunk too (slower; use a low --lr, e.g. 0.0001, and --init
    /// from a run whose decoder is trained). By default the trunk stays frozen.
    #[arg(long)]
    pub train_trunk: bool,
    /// Four layer widths. unet: channels at 1, 1/2, 1/4 and 1/8 of the crop size
    /// [default: 16,32,64,128]; efficientnet-lite0: decoder channels at 1/4, 1/8 and 1/16, the
    /// fourth equal to the third [default: 48,96,128,128].
    #[arg(long, value_delimiter = ',', num_args = 1..=4, value_name = "W,W,W,W")]
    pub widths: Option<Vec<usize>>,

    /// Photos per epoch, when fewer than all: each epoch validates, reports and checkpoints,
    /// then the next continues through the shuffled photos (for data sets that take hours per
    /// pass; --epochs then counts these shorter epochs).
    #[arg(long, value_name = "N")]
    pub epoch_photos: Option<usize>,

    /// Train a guided model: the network also takes a colour reference (a photo's colour
    /// distribution, for `colorize --reference`). Each training photo gets its own colours
    /// (another crop of it) 40 % of the time, another photo of its class (folder) 30 %, and
    /// none 30 %, so automatic colours stay as good. With --init of a model without one, the
    /// model's weights are kept and the new branch starts at zero.
    #[arg(long)]
    pub reference: bool,

    /// With --reference: the fractions of photos that get their own colours and another photo
    /// of their class as the reference, e.g. 0.3,0.4 (the rest get none) [default: 0.4,0.3].
    /// More of the class trains the network to take a reference as a softer prior.
    #[arg(long, value_name = "OWN,CLASS", value_parser = parse_mix)]
    pub reference_mix: Option<ReferenceMix>,

    /// With --reference on a pretrained trunk: the reference branch also sees the photo's
    /// features averaged over the picture, so it can learn how far a reference fits the photo
    /// (trust one that fits, discount one that does not). An --init guided model without it
    /// starts with this sight at zero, colouring exactly as before.
    #[arg(long)]
    pub reference_sight: bool,

    /// Stop after this many epochs without a better validation loss.
    #[arg(long, default_value_t = TrainConfig::default().patience)]
    pub patience: usize,

    /// Validation photos evaluated after each epoch (at most).
    #[arg(long, default_value_t = TrainConfig::default().val_images)]
    pub val_images: usize,

    /// Use at most this many training photos (a fixed random subset).
    #[arg(long)]
    pub limit: Option<usize>,

    /// Start from the weights of this model (a run's best.bclz, or models/default.bclz) and
    /// fine-tune it, e.g. on your own photos, instead of starting from random weights. It must
    /// have this run's architecture (--widths, loss, palette). With --trunk, a model on the
    /// other pretrained trunk also works: its decoder moves onto this run's trunk, and the
    /// layers that read the trunk's maps start afresh where their widths differ.
    #[arg(long, value_name = "MODEL")]
    pub init: Option<PathBuf>,

    /// End this invocation after N epochs (the learning-rate schedule still spans --epochs);
    /// continue later with --resume. For runs split over several sittings.
    #[arg(long, value_name = "N")]
    pub stop_after: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ArchArg {
    Unet,
    EfficientnetLite0,
    EfficientnetLite2,
}

/// Where to train (the library's [`DeviceChoice`], as a command-line value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DeviceArg {
    /// A hardware GPU when there is one, else the CPU (LibTorch in a `libtorch` build).
    Auto,
    /// A GPU through wgpu (Vulkan, Metal or DX12); a software adapter (lavapipe) when no
    /// hardware GPU is there.
    Gpu,
    /// The CPU (Flex backend, all cores).
    Cpu,
    /// The CPU through burn's LibTorch backend: PyTorch's kernels (a `--features libtorch`
    /// build; scripts/libtorch.sh makes one).
    Libtorch,
}

impl From<DeviceArg> for DeviceChoice {
    fn from(arg: DeviceArg) -> Self {
        match arg {
            DeviceArg::Auto => DeviceChoice::Auto,
            DeviceArg::Gpu => DeviceChoice::Gpu,
            DeviceArg::Cpu => DeviceChoice::Cpu,
            DeviceArg::Libtorch => DeviceChoice::Libtorch,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Loss {
    Classification,
    Regression,
}

fn config(args: &Args) -> Result<TrainConfig, CliError> {
    let arch: Arch = args.arch.into();
    let widths = match args.widths.as_deref() {
        Some(&[a, b, c, d]) => [a, b, c, d],
        Some(other) => {
            return Err(CliError::Usage(format!(
                "--widths takes four numbers (e.g. 16,32,64,128), not {}",
                other.len()
            )));
        }
        None => arch.default_widths(),
    };
    Ok(TrainConfig {
        data: args.data.clone(),
        classes: args.classes.clone(),
        size: args.size,
        batch: args.batch,
        epochs: args.epochs,
        lr: args.lr,
        seed: args.seed,
        loss: match args.loss {
            Loss::Classification => LossKind::Classification,
            Loss::Regression => LossKind::Regression,
        },
        palette: args.palette,
        hints: !args.no_hints,
        widths,
        patience: args.patience,
        val_fraction: 0.05,
        val_images: args.val_images,
        limit: args.limit,
        augment: !args.no_augment,
        init: args.init.clone(),
        arch,
        trunk: args.trunk.clone(),
        train_trunk: args.train_trunk,
        epoch_photos: args.epoch_photos,
        reference: args.reference,
        reference_mix: args.reference_mix,
        reference_sight: args.reference_sight,
    })
}

/// Parse `OWN,CLASS` fractions for --reference-mix (checked against each other by TrainConfig).
fn parse_mix(text: &str) -> Result<ReferenceMix, String> {
    let fraction = |v: &str| v.trim().parse::<f32>().map_err(|_| format!("'{v}' is not a fraction like 0.3"));
    match text.split(',').collect::<Vec<_>>().as_slice() {
        [own, category] => Ok(ReferenceMix { own: fraction(own)?, category: fraction(category)? }),
        _ => Err(format!("'{text}' is not OWN,CLASS (two fractions, e.g. 0.3,0.4)")),
    }
}

pub fn run(args: Args) -> Result<(), CliError> {
    super::memory::keep_freed_memory();
    let (mut devices, name) = match &args.devices {
        Some(choices) => resolve_devices(choices)?,
        None => resolve_device(args.device.into()).map(|(device, name)| (vec![device], name))?,
    };
    let (device, replicas) = (devices.remove(0), devices);
    let (start, dir) = match &args.resume {
        Some(dir) => (Start::Resume, dir.clone()),
        None => (Start::New(config(&args)?), args.out.clone().expect("clap requires --out")),
    };
    let session = Session { run_dir: &dir, device, replicas, device_name: name, stop_after: args.stop_after };
    let summary = train(start, session, &mut super::progress::Terminal::default())?;
    println!(
        "done: {} epochs, best at epoch {}, {:.1} photos/s; best model: {}",
        summary.epochs_done,
        summary.best_epoch,
        summary.images_per_second,
        dir.join("best.bclz").display()
    );
    Ok(())
}
