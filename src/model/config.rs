//! What a network is: its architecture ([`Arch`]), layer widths and head ([`Head`]). Stored
//! as JSON inside every model file, so a file says which network it holds.

use serde::{Deserialize, Serialize};

use super::trunk::{LITE0, LITE2, TrunkSpec};
use crate::color::classes::AbClasses;

/// Number of input channels: L, hint a, hint b, hint mask.
pub const INPUT_CHANNELS: usize = 4;

/// The network's layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Arch {
    /// Small U-Net from scratch; `widths` are its channels at 1, 1/2, 1/4 and 1/8.
    #[default]
    Unet,
    /// EfficientNet-Lite0 trunk (ImageNet) and a decoder; `widths` are the decoder's channels
    /// at 1/4, 1/8 and 1/16 (the fourth repeats the third).
    EfficientnetLite0,
    /// The same decoder on the larger EfficientNet-Lite2 trunk.
    EfficientnetLite2,
}

/// What the network predicts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Head {
    /// Logits over quantised ab colours (Zhang et al.); the centres travel with the model so
    /// a palette-trained model decodes with its own palette.
    Classification { centers: Vec<[f32; 2]> },
    /// Logits over a k-means palette of a few colours (cnn-image-colorization's 16/32-colour
    /// option); decoded to the single most likely palette colour.
    Palette { centers: Vec<[f32; 2]> },
    /// Two channels, ab / AB_RANGE.
    Regression,
}

/// Architecture of a model; stored inside every weights file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelConfig {
    /// The layout (files written before there was a choice hold the U-Net).
    #[serde(default)]
    pub arch: Arch,
    /// Layer widths; their meaning depends on `arch`.
    pub widths: [usize; 4],
    pub head: Head,
    /// Whether the network takes a colour reference ([`crate::model::reference`]). Files
    /// written before there was one have none, and their JSON does not name it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reference: bool,
    /// Whether the reference branch also sees the photo's pooled trunk features, to judge how
    /// far a reference fits ([`crate::model::reference`]); trunk architectures only.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reference_sight: bool,
}

impl ModelConfig {
    /// The default: classification over the ~313 in-gamut ab bins, under 1M parameters.
    pub fn default_classification() -> Self {
        let classes = crate::color::classes::gamut_grid(crate::color::classes::GRID);
        Self {
            arch: Arch::Unet,
            widths: Arch::Unet.default_widths(),
            head: Head::Classification { centers: classes.centers().to_vec() },
            reference: false,
            reference_sight: false,
        }
    }

    /// A tiny U-Net for tests and quick experiments.
    pub fn tiny(head: Head) -> Self {
        Self { arch: Arch::Unet, widths: [8, 8, 16, 16], head, reference: false, reference_sight: false }
    }

    /// Working sizes must be multiples of this.
    pub fn size_multiple(&self) -> usize {
        match self.arch {
            Arch::Unet => 8,
            Arch::EfficientnetLite0 | Arch::EfficientnetLite2 => 16,
        }
    }

    /// The head predicts at 1/head_stride of the working size.
    pub fn head_stride(&self) -> usize {
        match self.arch {
            Arch::Unet => 2,
            Arch::EfficientnetLite0 | Arch::EfficientnetLite2 => 4,
        }
    }

    /// Number of output channels of the head.
    pub fn output_channels(&self) -> usize {
        match &self.head {
            Head::Classification { centers } | Head::Palette { centers } => centers.len(),
            Head::Regression => 2,
        }
    }

    /// The classes a colour reference is counted over: the head's, or the ab grid for a
    /// regression head.
    pub fn reference_classes(&self) -> AbClasses {
        self.classes().unwrap_or_else(|| crate::color::classes::gamut_grid(crate::color::classes::GRID))
    }

    /// Length of the reference input (classes + the "given" flag), when the network takes one.
    pub fn reference_inputs(&self) -> Option<usize> {
        self.reference.then(|| self.reference_classes().len() + 1)
    }

    /// Number of pooled photo features the reference branch sees (its sight), when it has one:
    /// the trunk's 1/16 map.
    pub fn reference_sight_features(&self) -> Option<usize> {
        let spec = self.arch.trunk().filter(|_| self.reference && self.reference_sight)?;
        Some(spec.tap_channels()[3])
    }

    /// Channels of the decoder levels the reference steers: 1/16 and 1/8 on a trunk, 1/8 in the
    /// U-Net.
    pub fn reference_levels(&self) -> Vec<usize> {
        match self.arch {
            Arch::Unet => vec![self.widths[3]],
            Arch::EfficientnetLite0 | Arch::EfficientnetLite2 => vec![self.widths[2], self.widths[1]],
        }
    }

    /// The ab classes of a classification head.
    pub fn classes(&self) -> Option<AbClasses> {
        match &self.head {
            Head::Classification { centers } | Head::Palette { centers } => {
                Some(AbClasses::from_centers(centers.clone()))
            }
            Head::Regression => None,
        }
    }
}

impl Arch {
    /// Widths of the default model of each architecture.
    pub fn default_widths(self) -> [usize; 4] {
        match self {
            Arch::Unet => [16, 32, 64, 128],
            Arch::EfficientnetLite0 | Arch::EfficientnetLite2 => [48, 96, 128, 128],
        }
    }

    /// The pretrained trunk of this architecture, if it has one.
    pub fn trunk(self) -> Option<&'static TrunkSpec> {
        match self {
            Arch::Unet => None,
            Arch::EfficientnetLite0 => Some(&LITE0),
            Arch::EfficientnetLite2 => Some(&LITE2),
        }
    }
}
