//! `rand(3)`/`srand(3)` exactly as glibc computes them (`random_r`, `TYPE_3`: an additive
//! feedback generator over 31 words), so sequences match a real run.

/// glibc's `TYPE_3` state: 31 words and the front/rear indices.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Random {
    state: [u32; 31],
    front: usize,
    rear: usize,
}

impl Default for Random {
    /// The state before any `srand`: seeded with 1.
    fn default() -> Self {
        Random::new(1)
    }
}

impl Random {
    /// `srandom_r(seed)`: seed 0 counts as 1.
    pub fn new(seed: u32) -> Random {
        let mut state = [0u32; 31];
        state[0] = if seed == 0 { 1 } else { seed };
        let mut word = i64::from(state[0] as i32);
        for slot in state.iter_mut().skip(1) {
            // Park–Miller "minimal standard" step, computed without overflow as glibc does.
            let hi = word / 127_773;
            let lo = word % 127_773;
            word = 16_807 * lo - 2_836 * hi;
            if word < 0 {
                word += 2_147_483_647;
            }
            *slot = word as u32;
        }
        let mut random = Random {
            state,
            front: 3,
            rear: 0,
        };
        for _ in 0..310 {
            random.next();
        }
        random
    }

    /// `random_r`: the next value in `0..=RAND_MAX`.
    pub fn next(&mut self) -> i32 {
        let sum = self.state[self.front].wrapping_add(self.state[self.rear]);
        self.state[self.front] = sum;
        self.front = (self.front + 1) % 31;
        self.rear = (self.rear + 1) % 31;
        (sum >> 1) as i32
    }
}

#[cfg(test)]
mod tests {
    use super::Random;

    #[test]
    fn default_seed_matches_glibc() {
        let mut r = Random::default();
        let first: Vec<i32> = (0..3).map(|_| r.next()).collect();
        assert_eq!(first, [1_804_289_383, 846_930_886, 1_681_692_777]);
    }

    #[test]
    fn seed_42_matches_glibc() {
        let mut r = Random::new(42);
        assert_eq!(r.next(), 71_876_166);
    }
}
