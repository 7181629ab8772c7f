//! A small deterministic random generator (xoshiro256**, seeded through SplitMix64).
//! Its own code, not a crate's, so that one seed gives byte-identical output across
//! dependency upgrades.

pub struct Rng {
    state: [u64; 4],
}

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Rng {
    /// A generator for one stream: the same seed and stream always give the same numbers.
    pub fn new(seed: u64, stream: u64) -> Rng {
        let mut mix = seed ^ stream.wrapping_mul(0xd1b5_4a32_d192_ed03);
        Rng { state: [splitmix(&mut mix), splitmix(&mut mix), splitmix(&mut mix), splitmix(&mut mix)] }
    }

    pub fn next_u64(&mut self) -> u64 {
        let [a, b, c, d] = &mut self.state;
        let result = b.wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = *b << 17;
        *c ^= *a;
        *d ^= *b;
        *b ^= *c;
        *a ^= *d;
        *c ^= t;
        *d = d.rotate_left(45);
        result
    }

    /// A float in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A whole number in `low..high` (`high` excluded); `low` when the range is empty.
    pub fn range(&mut self, low: u64, high: u64) -> u64 {
        if high <= low {
            return low;
        }
        low + self.next_u64() % (high - low)
    }

    pub fn index(&mut self, len: usize) -> usize {
        self.range(0, len as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// Picks an index with probability proportional to its weight.
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut target = self.unit() * total;
        for (index, weight) in weights.iter().enumerate() {
            if target < *weight {
                return index;
            }
            target -= weight;
        }
        weights.len() - 1
    }

    /// A Poisson-distributed count with the given mean (Knuth's method, for small means).
    pub fn poisson(&mut self, mean: f64) -> u32 {
        let limit = (-mean).exp();
        let mut product = self.unit();
        let mut count = 0;
        while product > limit && count < 200 {
            product *= self.unit();
            count += 1;
        }
        count
    }

    /// A Pareto-distributed value ≥ 1 with shape `alpha`: most values near 1, a few large.
    pub fn pareto(&mut self, alpha: f64) -> f64 {
        (1.0 - self.unit()).powf(-1.0 / alpha)
    }
}

#[cfg(test)]
mod tests {
    use super::Rng;

    #[test]
    fn same_seed_same_stream_same_numbers() {
        let first: Vec<u64> = (0..5)
            .map({
                let mut rng = Rng::new(7, 3);
                move |_| rng.next_u64()
            })
            .collect();
        let mut again = Rng::new(7, 3);
        assert_eq!(first, (0..5).map(|_| again.next_u64()).collect::<Vec<_>>());
        let mut other = Rng::new(7, 4);
        assert_ne!(first[0], other.next_u64());
    }

    #[test]
    fn poisson_mean_is_close() {
        let mut rng = Rng::new(1, 1);
        let total: u32 = (0..20_000).map(|_| rng.poisson(8.0)).sum();
        let mean = f64::from(total) / 20_000.0;
        assert!((mean - 8.0).abs() < 0.15, "mean {mean}");
    }
}
