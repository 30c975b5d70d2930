//! The public lottery (电脑派位), written so that anyone with the published
//! seed can repeat it.
//!
//! Procedure `sunshine-lottery-v1`:
//! 1. Key ChaCha20 (20 rounds, the stream of `rand_chacha` 0.9: 64-bit block
//!    counter from 0, stream id 0) with 32 bytes: the seed as a 64-bit
//!    little-endian integer followed by 24 zero bytes.
//! 2. Sort the scenario's applicants by `student_id` (byte order of the UTF-8
//!    text).
//! 3. In that order, each applicant takes the next 64-bit output `u` (two
//!    32-bit words, low word first) and gets the lottery number
//!    `(u >> 11) / 2^53`, a number in [0, 1).
//! 4. Inside a tier, the smaller number wins; equal numbers (which practically
//!    never happen) are ordered by `student_id`.
//!
//! The draw is written ourselves on top of the ChaCha20 stream rather than
//! taken from `rand`'s shuffle, whose algorithm may change between versions;
//! `rand_chacha` is pinned to an exact version in Cargo.toml.

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};

pub const ALGORITHM: &str = "sunshine-lottery-v1 (ChaCha20, seed as u64 LE key, applicants by student_id, number = (u64 >> 11) / 2^53, smaller wins)";

/// A seeded stream of uniform draws.
pub struct Draws {
    rng: ChaCha20Rng,
}

impl Draws {
    pub fn new(seed: u64) -> Self {
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        Draws {
            rng: ChaCha20Rng::from_seed(key),
        }
    }

    /// A stream derived from a base seed and a sub-stream number (a pair of
    /// odds draws, a school of multiple tie-breaking or of the class draw),
    /// so parallel work can be split without depending on thread count.
    /// The ChaCha20 key is 32 bytes: `seed` as u64 little-endian, `stream`
    /// as u64 little-endian, the byte `0x01`, then 15 zero bytes (the
    /// `0x01` keeps every sub-stream apart from [`Draws::new`]'s keys).
    pub fn sub(seed: u64, stream: u64) -> Self {
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        key[8..16].copy_from_slice(&stream.to_le_bytes());
        key[16] = 1;
        Draws {
            rng: ChaCha20Rng::from_seed(key),
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }

    /// Uniform in [0, 1) with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform integer in 0..n (n > 0), without modulo bias (Lemire's method
    /// with rejection).
    pub fn below(&mut self, n: u64) -> u64 {
        loop {
            let m = u128::from(self.next_u64()) * u128::from(n);
            let low = m as u64;
            if low >= n.wrapping_neg() % n {
                return (m >> 64) as u64;
            }
        }
    }

    /// Standard normal (Box–Muller), for synthetic data.
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }
}

/// Lottery numbers for applicants given by their ids: the result is indexed
/// like `ids`, and does not depend on the order of `ids` (step 2).
pub fn lottery_numbers<S: AsRef<str>>(seed: u64, ids: &[S]) -> Vec<f64> {
    numbers_in_order(seed, drawing_order(ids), ids.len())
}

/// Step 2: the order applicants draw in, by `student_id` (byte order of the
/// UTF-8 text; equal ids keep their order). Indices into `ids`.
pub fn drawing_order<S: AsRef<str>>(ids: &[S]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..ids.len()).collect();
    order.sort_by(|&a, &b| ids[a].as_ref().as_bytes().cmp(ids[b].as_ref().as_bytes()));
    order
}

/// Steps 1 and 3: the numbers of `n` applicants who draw in `order` (each
/// index below `n`, as [`drawing_order`] gives), indexed by applicant.
pub fn numbers_in_order(seed: u64, order: impl IntoIterator<Item = usize>, n: usize) -> Vec<f64> {
    let mut draws = Draws::new(seed);
    let mut out = vec![0.0; n];
    for i in order {
        out[i] = draws.uniform();
    }
    out
}

/// Multiple tie-breaking: the stream of the school with row index `school`
/// (`Draws::sub(seed, 2^32 + school)`), drawn by the applicants listing it
/// in `student_id` order. The offset 2^32 keeps these streams apart from
/// the odds' sub-streams of small numbers.
pub fn school_stream(seed: u64, school: usize) -> Draws {
    Draws::sub(seed, (1u64 << 32) + school as u64)
}

/// The stream of a private school's own draw (公民同招: an oversubscribed
/// private school admits by lottery among all its applicants): stream
/// `2^33 + s` for the school with row index `s`, one number for every
/// applicant of the grade in `student_id` order, used by those listing it
/// (so an application or a withdrawal changes nobody else's number). Apart
/// from the single numbers, so a private draw never decides the public one.
pub fn private_stream(seed: u64, school: usize) -> Draws {
    Draws::sub(seed, (2u64 << 32) + school as u64)
}

/// The stream of a short direct feeder route's draw (对口直升 with more
/// pupils than seats): stream `3 · 2^32 + j` for the junior school with
/// row index `j`, one number per pupil of its direct routes in
/// `student_id` order. Apart from the single numbers, so losing the route
/// says nothing of the zone school's draw that follows.
pub fn feeder_stream(seed: u64, school: usize) -> Draws {
    Draws::sub(seed, (3u64 << 32) + school as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_do_not_depend_on_input_order() {
        let a = lottery_numbers(7, &["s3", "s1", "s2"]);
        let b = lottery_numbers(7, &["s1", "s2", "s3"]);
        assert_eq!(a[0], b[2]);
        assert_eq!(a[1], b[0]);
        assert_eq!(a[2], b[1]);
        assert_ne!(lottery_numbers(8, &["s1"])[0], b[0]);
    }

    /// The ChaCha20 stream is the published one: pin the first output for
    /// seed 0 so a change of the underlying crate cannot pass unnoticed.
    #[test]
    fn stream_is_pinned() {
        let mut d = Draws::new(0);
        // ChaCha20 with an all-zero key and nonce: first block starts 76 b8 e0 ad a0 f1 3d 90 (RFC 7539 test vector, djb nonce)
        assert_eq!(
            d.next_u64(),
            u64::from_le_bytes([0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90])
        );
    }

    #[test]
    fn below_is_in_range() {
        let mut d = Draws::new(1);
        for n in [1u64, 2, 3, 10, 1 << 40] {
            for _ in 0..100 {
                assert!(d.below(n) < n);
            }
        }
    }
}
