//! A tiny deterministic PRNG (SplitMix64).
//!
//! Training derives every generator from the run's seed, the epoch and the photo's place in
//! it (`train/loader.rs`), so a resumed run replays exactly the same data order, crops and
//! hints without storing any generator state, whatever the thread scheduling. SplitMix64 is
//! made for that: any `u64` (0 included) is a good seed, and `fork` gives independent child
//! streams from one value. It passes BigCrush and needs no tables; it is not meant for
//! cryptography. (`rand`'s generators would do the same job, but would change every run's
//! data order and the reference numbers measured with it.)

/// Weyl-sequence increment of SplitMix64 (the golden ratio in 64-bit fixed point).
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// Deterministic pseudo-random generator; its whole state is one `u64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rng {
    /// The complete state: a copy continues the stream exactly.
    pub state: u64,
}

/// SplitMix64 output mix: turns the Weyl counter into well-scrambled bits.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// A generator seeded with `seed`; every seed (0 included) is valid.
    pub fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GAMMA);
        mix(self.state)
    }

    /// Uniform in [0, 1) from the top 53 bits (every value exact; never 1.0).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [0, 1) from the top 24 bits.
    pub fn next_f32(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 * (1.0 / (1u64 << 24) as f32)
    }

    /// Uniform in [lo, hi) for lo < hi; exactly `lo` when lo == hi.
    pub fn range_f32(&mut self, lo: f32, hi: f32) -> f32 {
        let v = lo + (hi - lo) * self.next_f32();
        // Rounding can land exactly on `hi`; keep the half-open promise.
        if v >= hi && hi > lo { hi.next_down().max(lo) } else { v }
    }

    /// Uniform integer in 0..n (n > 0). Lemire's multiply-shift: unbiased
    /// enough for n far below 2^64 and free of a slow modulo.
    pub fn below(&mut self, n: usize) -> usize {
        assert!(n > 0, "Rng::below needs n > 0");
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// True with probability `p` (p <= 0 never, p >= 1 always).
    pub fn chance(&mut self, p: f32) -> bool {
        self.next_f32() < p
    }

    /// Fisher-Yates shuffle: every permutation equally likely.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }

    /// Failures before the first success with success probability `p`:
    /// P(k) = (1-p)^k p. Sampled by inversion in O(1) rather than by looping,
    /// so a tiny `p` cannot stall a data loader.
    pub fn geometric(&mut self, p: f32) -> usize {
        if p >= 1.0 {
            return 0;
        }
        if p <= 0.0 {
            return usize::MAX;
        }
        // u in (0, 1] so ln(u) is finite.
        let u = 1.0 - (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let k = (u.ln() / (1.0 - p as f64).ln()).floor();
        if k >= usize::MAX as f64 { usize::MAX } else { k as usize }
    }

    /// Standard normal sample (Box-Muller). One of the pair is discarded so
    /// the state stays a single `u64` with no cached spare.
    pub fn normal(&mut self) -> f32 {
        let u1 = 1.0 - (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let u2 = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32
    }

    /// An independent generator derived from this one (advances `self`).
    /// Used for per-item streams, e.g. one per worker or per image, so the
    /// result does not depend on how items are scheduled.
    pub fn fork(&mut self) -> Rng {
        // Scramble twice so the child's counter is unrelated to the parent's.
        Rng::new(mix(self.next_u64() ^ 0xD1B5_4A32_D192_ED03))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence() {
        let (mut a, mut b, mut c) = (Rng::new(42), Rng::new(42), Rng::new(43));
        let sa: Vec<u64> = (0..16).map(|_| a.next_u64()).collect();
        let sb: Vec<u64> = (0..16).map(|_| b.next_u64()).collect();
        let sc: Vec<u64> = (0..16).map(|_| c.next_u64()).collect();
        assert_eq!(sa, sb);
        assert_ne!(sa, sc);
        // A copy of the state continues the stream exactly.
        let saved = a;
        let x = a.next_u64();
        assert_eq!(Rng { state: saved.state }.next_u64(), x);
    }

    #[test]
    fn known_splitmix_value() {
        // Reference output of SplitMix64 seeded with 0.
        assert_eq!(Rng::new(0).next_u64(), 0xE220_A839_7B1D_CDAF);
    }

    #[test]
    fn shuffle_is_permutation() {
        let mut rng = Rng::new(7);
        let mut v: Vec<u32> = (0..100).collect();
        rng.shuffle(&mut v);
        assert_ne!(v, (0..100).collect::<Vec<_>>());
        v.sort();
        assert_eq!(v, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn below_in_range_and_covers() {
        let mut rng = Rng::new(1);
        let mut hits = [0usize; 10];
        for _ in 0..10_000 {
            let k = rng.below(10);
            assert!(k < 10);
            hits[k] += 1;
        }
        assert!(hits.iter().all(|&h| h > 800), "{hits:?}");
    }

    #[test]
    fn floats_in_range() {
        let mut rng = Rng::new(3);
        let mut sum = 0.0;
        for _ in 0..10_000 {
            let f = rng.next_f32();
            assert!((0.0..1.0).contains(&f));
            let r = rng.range_f32(-2.0, 3.0);
            assert!((-2.0..3.0).contains(&r));
            sum += f as f64;
        }
        assert!((sum / 10_000.0 - 0.5).abs() < 0.02);
    }

    #[test]
    fn chance_frequency() {
        let mut rng = Rng::new(5);
        let n = (0..20_000).filter(|_| rng.chance(0.3)).count();
        assert!((n as f64 / 20_000.0 - 0.3).abs() < 0.02, "{n}");
        assert!(!(0..100).any(|_| rng.chance(0.0)));
    }

    #[test]
    fn geometric_mean() {
        for p in [0.1f32, 0.5] {
            let mut rng = Rng::new(11);
            let n = 20_000;
            let sum: usize = (0..n).map(|_| rng.geometric(p)).sum();
            let mean = sum as f64 / n as f64;
            let want = (1.0 - p as f64) / p as f64;
            assert!((mean - want).abs() < 0.05 * want, "p={p} mean={mean}");
        }
        assert_eq!(Rng::new(0).geometric(1.0), 0);
    }

    #[test]
    fn normal_moments() {
        let mut rng = Rng::new(9);
        let xs: Vec<f64> = (0..20_000).map(|_| rng.normal() as f64).collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64;
        assert!(mean.abs() < 0.03, "{mean}");
        assert!((var - 1.0).abs() < 0.05, "{var}");
    }

    #[test]
    fn fork_is_independent() {
        let mut parent = Rng::new(13);
        let before = parent;
        let mut child = parent.fork();
        assert_ne!(parent, before, "fork must advance the parent");
        let c: Vec<u64> = (0..8).map(|_| child.next_u64()).collect();
        let p: Vec<u64> = (0..8).map(|_| parent.next_u64()).collect();
        assert!(c.iter().all(|x| !p.contains(x)));
        // Forking is itself deterministic.
        let mut again = before;
        let mut child2 = again.fork();
        assert_eq!((0..8).map(|_| child2.next_u64()).collect::<Vec<_>>(), c);
    }
}
