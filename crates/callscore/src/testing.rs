//! Helpers shared by the unit tests.

/// A seeded xorshift generator, for reproducible random test inputs.
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator from a non-zero seed.
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// A number in `0..n`.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    /// Up to `max_pieces - 1` of `pieces`, picked at random and joined.
    pub(crate) fn text(&mut self, pieces: &[&str], max_pieces: usize) -> String {
        let len = self.below(max_pieces);
        (0..len).map(|_| pieces[self.below(pieces.len())]).collect()
    }
}
