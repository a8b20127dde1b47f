//! How `train --devices` names GPUs: `gpu`, `gpu:K`, `all` (opened by `super::gpu`).

/// One entry of `train --devices` (data-parallel training on GPUs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GpuChoice {
    /// `gpu`: the best adapter, a software one when there is no hardware GPU (as `--device gpu`).
    Best,
    /// `gpu:K`: the discrete GPU of index K (from 0).
    Discrete(usize),
    /// `all`: every discrete GPU.
    All,
}

impl std::str::FromStr for GpuChoice {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let index = |k: &str| k.parse().map_err(|_| format!("{text}: K in gpu:K is a GPU's index from 0"));
        match text {
            "gpu" => Ok(Self::Best),
            "cpu" | "libtorch" => Err(format!(
                "{text}: --devices takes GPUs; the CPU is one device that already uses every core (--device {text})"
            )),
            "all" => Ok(Self::All),
            _ => match text.strip_prefix("gpu:") {
                Some(k) => index(k).map(Self::Discrete),
                None => Err(format!("{text}: name GPUs as gpu (the best one), gpu:K (the K-th discrete GPU) or all")),
            },
        }
    }
}
