//! The options that decide how a photo is coloured, shared by `colorize` and `eval` so that a
//! setting measured with `eval` is exactly the one `colorize` then uses.

use burn_colorize::ColorizeOptions;
use burn_colorize::color::classes::DEFAULT_TEMPERATURE;
use burn_colorize::pipeline::DEFAULT_SIZE;

/// Working size, colour strength, temperature, upsampling and hint spreading.
#[derive(Debug, Clone, clap::Args)]
pub struct LookArgs {
    /// Long side, in pixels, of the working image the network sees. Larger sizes give finer
    /// colour detail and take longer; the output always has the input's full size.
    #[arg(short, long, default_value_t = DEFAULT_SIZE, value_name = "PIXELS")]
    pub size: u32,

    /// Colour strength: 0 keeps the photo grey, 1 is the network's prediction, up to 4.
    #[arg(long, default_value_t = 1.0, value_name = "FACTOR")]
    pub saturation: f32,

    /// How adventurous colours are: 0 takes the single most likely colour, 1 the average of
    /// all likely colours (duller); the default 0.38 balances vivid and plausible.
    #[arg(short, long, default_value_t = DEFAULT_TEMPERATURE, value_name = "T")]
    pub temperature: f32,

    /// Upsample the predicted colour bilinearly, instead of letting colour edges follow the
    /// photo's edges (the default: joint bilateral upsampling guided by the photo's lightness).
    #[arg(long)]
    pub bilinear: bool,

    /// Leave hints to the network alone: do not spread each hint over its region afterwards
    /// (the default spreads it by geodesic distance, stopping at the photo's edges).
    #[arg(long)]
    pub no_propagate: bool,
}

impl LookArgs {
    /// These settings, with no hints and the default megapixel limit (callers add theirs).
    pub fn options(&self) -> ColorizeOptions {
        ColorizeOptions {
            size: self.size,
            saturation: self.saturation,
            temperature: self.temperature,
            edge_aware: !self.bilinear,
            propagate_hints: !self.no_propagate,
            ..ColorizeOptions::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Probe {
        #[command(flatten)]
        look: LookArgs,
    }

    #[test]
    fn defaults_are_the_library_defaults() {
        let probe = Probe::try_parse_from(["probe"]).unwrap();
        assert_eq!(probe.look.options(), ColorizeOptions::default());
    }

    #[test]
    fn every_flag_reaches_the_options() {
        let args = ["probe", "-s", "256", "--saturation", "1.5", "-t", "0.9", "--bilinear", "--no-propagate"];
        let options = Probe::try_parse_from(args).unwrap().look.options();
        let expected = ColorizeOptions {
            size: 256,
            saturation: 1.5,
            temperature: 0.9,
            edge_aware: false,
            propagate_hints: false,
            ..ColorizeOptions::default()
        };
        assert_eq!(options, expected);
    }
}
