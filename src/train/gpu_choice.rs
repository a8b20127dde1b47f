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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gpus_are_named_by_kind_or_index_and_the_cpu_is_refused() {
        assert_eq!("gpu".parse(), Ok(GpuChoice::Best));
        assert_eq!("gpu:1".parse(), Ok(GpuChoice::Discrete(1)));
        assert_eq!("all".parse(), Ok(GpuChoice::All));
        assert!("gpu:-1".parse::<GpuChoice>().unwrap_err().contains("index from 0"));
        assert!("cpu".parse::<GpuChoice>().unwrap_err().contains("--device cpu"));
        assert!("tpu".parse::<GpuChoice>().unwrap_err().contains("gpu:K"));
    }
}
