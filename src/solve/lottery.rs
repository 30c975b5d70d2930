//! The public lottery (电脑派位), written so that anyone with the published
//! seed can repeat it. Two procedures, chosen by the scenario's
//! `[policy] lottery_algorithm` ([`LotteryAlgorithm`]); both give each
//! applicant a number in [0, 1), and inside a tier the smaller number wins;
//! equal numbers (which practically never happen) are ordered by
//! `student_id`.
//!
//! Procedure `sunshine-lottery-v2` (the default):
//! 1. The key is the seed written in decimal ASCII (`20250715`).
//! 2. The message is the draw's stream name, a colon and the applicant's
//!    `student_id`, in UTF-8: `single:100001`. Streams: `single` (the one
//!    number of every applicant), `school:<school_id>` (multiple
//!    tie-breaking: one number per applicant and school listed),
//!    `private:<school_id>` (a private school's own draw, 公民同招) and
//!    `feeder:<school_id>` (the draw of a short direct feeder route,
//!    对口直升, named by its junior school).
//! 3. The number is the first 8 bytes of HMAC-SHA256(key, message) read as
//!    a big-endian unsigned 64-bit integer `u`, then `(u >> 11) / 2^53`.
//!
//! Each number depends only on the seed, the stream and the applicant's
//! own id: a withdrawal, a late applicant or a corrected row changes
//! nobody else's number, and a parent or a notary can recompute one number
//! with any HMAC-SHA256 (Python: `hmac.new(str(seed).encode(),
//! f"single:{sid}".encode(), hashlib.sha256).digest()`, then
//! `(int.from_bytes(d[:8], "big") >> 11) / 2**53`).
//!
//! Procedure `sunshine-lottery-v1` (before issue 17; kept byte-identical so
//! past draws replay):
//! 1. Key ChaCha20 (20 rounds, the stream of `rand_chacha` 0.9: 64-bit block
//!    counter from 0, stream id 0) with 32 bytes: the seed as a 64-bit
//!    little-endian integer followed by 24 zero bytes.
//! 2. Sort the scenario's applicants by `student_id` (byte order of the UTF-8
//!    text).
//! 3. In that order, each applicant takes the next 64-bit output `u` (two
//!    32-bit words, low word first) and gets the lottery number
//!    `(u >> 11) / 2^53`, a number in [0, 1).
//! 4. Multiple tie-breaking, private schools and feeder routes draw from
//!    sub-streams ([`school_stream`], [`private_stream`], [`feeder_stream`]).
//!
//! The v1 draw is written ourselves on top of the ChaCha20 stream rather
//! than taken from `rand`'s shuffle, whose algorithm may change between
//! versions; `rand_chacha` is pinned to an exact version in Cargo.toml.
//! [`Draws`] also serves the odds' seeds, the class draw and the synthetic
//! data, whatever the lottery algorithm.

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub use crate::domain::scenario::LotteryAlgorithm;
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};

/// `sunshine-lottery-v1` in one line, for `summary.json`.
pub const ALGORITHM: &str = "sunshine-lottery-v1 (ChaCha20, seed as u64 LE key, applicants by student_id, number = (u64 >> 11) / 2^53, smaller wins)";

/// `sunshine-lottery-v2` in one line, for `summary.json`.
pub const ALGORITHM_V2: &str = "sunshine-lottery-v2 (HMAC-SHA256, key = seed in decimal ASCII, message = stream:student_id, number = (first 8 bytes big-endian >> 11) / 2^53, smaller wins)";

/// The one-line description of `a` ([`ALGORITHM`], [`ALGORITHM_V2`]).
pub fn describe(a: LotteryAlgorithm) -> &'static str {
    match a {
        LotteryAlgorithm::V1 => ALGORITHM,
        LotteryAlgorithm::V2 => ALGORITHM_V2,
    }
}

/// A stream of `sunshine-lottery-v2`: which draw a number belongs to
/// (step 2 of the procedure).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream<'a> {
    /// The one number of every applicant (`single`).
    Single,
    /// Multiple tie-breaking at the school with this `school_id`.
    School(&'a str),
    /// A private school's own draw (公民同招).
    Private(&'a str),
    /// The draw of a direct feeder route to this junior school (对口直升).
    Feeder(&'a str),
}

impl std::fmt::Display for Stream<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stream::Single => f.write_str("single"),
            Stream::School(s) => write!(f, "school:{s}"),
            Stream::Private(s) => write!(f, "private:{s}"),
            Stream::Feeder(s) => write!(f, "feeder:{s}"),
        }
    }
}

/// `sunshine-lottery-v2` for one seed: HMAC-SHA256 keyed once with the
/// seed (step 1), so each number costs two SHA-256 blocks for short ids.
#[derive(Clone)]
pub struct Keyed {
    mac: Hmac<Sha256>,
}

impl Keyed {
    /// The draw of `seed` (the key is its decimal text).
    pub fn new(seed: u64) -> Self {
        Keyed {
            mac: Hmac::<Sha256>::new_from_slice(seed.to_string().as_bytes())
                .expect("HMAC takes a key of any length"),
        }
    }

    /// Steps 2 and 3: the number of `student_id` in `stream`.
    pub fn number(&self, stream: Stream<'_>, student_id: &str) -> f64 {
        let mut mac = self.mac.clone();
        mac.update(stream.to_string().as_bytes());
        mac.update(b":");
        mac.update(student_id.as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        unit(u64::from_be_bytes(first))
    }
}

/// `(u >> 11) / 2^53`: the top 53 bits of `u` as a number in [0, 1), exact
/// in an `f64` (both procedures).
fn unit(u: u64) -> f64 {
    (u >> 11) as f64 / (1u64 << 53) as f64
}

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
        unit(self.next_u64())
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

/// Lottery numbers (`sunshine-lottery-v1`) for applicants given by their
/// ids: the result is indexed like `ids`, and does not depend on the order
/// of `ids` (step 2).
pub fn lottery_numbers<S: AsRef<str>>(seed: u64, ids: &[S]) -> Vec<f64> {
    numbers_in_order(seed, drawing_order(ids), ids.len())
}

/// The single numbers of applicants given by their ids under `algorithm`,
/// indexed like `ids` (for either procedure independent of their order).
pub fn single_numbers<S: AsRef<str>>(
    algorithm: LotteryAlgorithm,
    seed: u64,
    ids: &[S],
) -> Vec<f64> {
    match algorithm {
        LotteryAlgorithm::V1 => lottery_numbers(seed, ids),
        LotteryAlgorithm::V2 => {
            let k = Keyed::new(seed);
            ids.iter()
                .map(|id| k.number(Stream::Single, id.as_ref()))
                .collect()
        }
    }
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

    /// HMAC-SHA256(b"20250715", b"single:100001"): the top 53 bits of its
    /// first 8 bytes are 5357342025744989 (computed with Python).
    const PINNED_SINGLE_100001: f64 = 5357342025744989.0 / 9007199254740992.0;

    /// The v2 number is the published HMAC-SHA256 one: pinned against an
    /// independent computation (Python's `hmac` module:
    /// `hmac.new(b"20250715", b"single:100001", hashlib.sha256)`).
    #[test]
    fn keyed_number_is_pinned() {
        let k = Keyed::new(20250715);
        assert_eq!(k.number(Stream::Single, "100001"), PINNED_SINGLE_100001);
        assert_eq!(Stream::School("LT-P01").to_string(), "school:LT-P01");
        assert_eq!(Stream::Private("X").to_string(), "private:X");
        assert_eq!(Stream::Feeder("J").to_string(), "feeder:J");
        assert_ne!(
            k.number(Stream::School("LT-P01"), "100001"),
            k.number(Stream::Single, "100001")
        );
    }

    #[test]
    fn keyed_numbers_depend_on_the_id_alone() {
        let a = single_numbers(LotteryAlgorithm::V2, 5, &["a", "b", "c"]);
        let b = single_numbers(LotteryAlgorithm::V2, 5, &["c", "a"]);
        assert_eq!(a[0], b[1]);
        assert_eq!(a[2], b[0]);
        assert!(a.iter().all(|u| (0.0..1.0).contains(u)));
    }

    #[test]
    fn algorithm_names_round_trip() {
        for a in LotteryAlgorithm::ALL {
            assert_eq!(a.name().parse::<LotteryAlgorithm>(), Ok(a));
        }
        assert!("v2".parse::<LotteryAlgorithm>().is_err());
        assert_eq!(LotteryAlgorithm::default(), LotteryAlgorithm::V2);
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
