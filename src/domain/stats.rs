//! Summary statistics shared by the reports and the odds.

/// The `q`-quantile (0 ≤ q ≤ 1) of ascending `sorted` values by nearest
/// rank: the value at position round((n − 1)·q), so 0 is the least, 1 the
/// greatest and 0.5 the median (the upper one of an even count when the
/// rounding goes up). A value that was observed, never an interpolation:
/// "p90 3.2 km" is a distance some child really travels. `None` when
/// there are no values.
///
/// ```
/// use sunshine::domain::stats::quantile;
/// let km = [0.4, 1.0, 1.2, 2.5, 3.2];
/// assert_eq!(quantile(&km, 0.9), Some(3.2));
/// assert_eq!(quantile(&km, 0.5), Some(1.2));
/// assert_eq!(quantile::<f64>(&[], 0.9), None);
/// ```
pub fn quantile<T: Copy>(sorted: &[T], q: f64) -> Option<T> {
    let last = sorted.len().checked_sub(1)?;
    let at = (last as f64 * q.clamp(0.0, 1.0)).round() as usize;
    sorted.get(at.min(last)).copied()
}

#[cfg(test)]
mod tests {
    use super::quantile;

    #[test]
    fn ends_and_rounding() {
        let v: Vec<u32> = (0..=10).collect();
        assert_eq!(quantile(&v, 0.0), Some(0));
        assert_eq!(quantile(&v, 1.0), Some(10));
        assert_eq!(quantile(&v, 0.9), Some(9));
        assert_eq!(quantile(&v, 0.025), Some(0));
        assert_eq!(quantile(&v, 0.975), Some(10));
        assert_eq!(quantile(&[7u32], 0.5), Some(7));
        // (4 − 1) · 0.5 = 1.5 rounds up
        assert_eq!(quantile(&[1, 2, 3, 4], 0.5), Some(3));
    }
}
