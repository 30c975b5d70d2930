//! Applicants per block from the forecast (`zones --year Y`, issue 16 item
//! 4): the zones of a later intake are drawn before anyone has registered,
//! so the applicants per block are the projection's entrants of the entry
//! grade living in each block in year Y instead of `students.csv`.
//!
//! The entrants come from the baseline projection (cohort survival on the
//! network as read, births and housing included, see
//! [`crate::planning::forecast`]) split over the blocks by
//! [`forecast::block_entrants`]. The zoning problem counts whole
//! applicants, so the block values are rounded by the largest-remainder
//! method ([`largest_remainder`]): the blocks' counts sum to the district's
//! rounded total, and no block is more than one applicant from its
//! projected value. Plain rounding per block would not keep the total
//! (2,000 blocks of 0.4 entrants each are 800 applicants, not 0).

use std::ops::RangeInclusive;

use crate::domain::model::Grade;
use crate::domain::scenario::ForecastPolicy;
use crate::planning::forecast::{self, Enrollment, Inputs, Note, MAX_YEARS};

/// The projected applicants per block of one intake.
#[derive(Clone, Debug, PartialEq)]
pub struct Projected {
    /// The intake year.
    pub year: i32,
    /// Applicants per dataset block, rounded (largest remainder).
    pub demand: Vec<u32>,
    /// The blocks' projected entrants before rounding, summed.
    pub expected: f64,
    /// Projected entrants of schools whose zone has no block: no block
    /// carries them, so they are not in `demand` (the caller warns).
    pub homeless: f64,
    /// What the projection assumed where its inputs stop (warnings).
    pub notes: Vec<Note>,
}

/// Why the projected applicants cannot be given.
#[derive(Clone, Debug, PartialEq)]
pub enum ProjectedError {
    /// The year is outside the years the forecast projects.
    Year {
        year: i32,
        allowed: RangeInclusive<i32>,
    },
    /// The projection's inputs are unusable (errors about `births.csv` or
    /// `enrollment_history.csv`).
    Inputs(Vec<Note>),
    /// A block's projected entrants are not a finite count, or the total
    /// does not fit the zoning's counts (`u32`).
    Count { expected: f64 },
}

/// The intake years `zones --year` accepts: the forecast's projected years,
/// from the year after the history's last to [`MAX_YEARS`] after it (as
/// `forecast --years`); `None` for an empty history.
pub fn years(history: &Enrollment) -> Option<RangeInclusive<i32>> {
    let last = history.keys().map(|k| k.2).max()?;
    // the reader bounds history years, so these cannot overflow; checked
    // all the same, as the years come from a file
    let first = last.checked_add(1)?;
    let end = last.checked_add(i32::try_from(MAX_YEARS).ok()?)?;
    Some(first..=end)
}

/// The projection's entrants of `grade` per block in `year`, rounded by
/// [`largest_remainder`]. `inp` is the dataset as read (the baseline: the
/// entrants live in blocks whatever the network), with its zones (`feeds`).
pub fn projected_applicants(
    inp: &Inputs<'_>,
    policy: &ForecastPolicy,
    grade: Grade,
    year: i32,
) -> Result<Projected, ProjectedError> {
    let Some(allowed) = years(inp.history) else {
        // no history: the projection names what is missing
        return Err(ProjectedError::Inputs(
            forecast::project(inp, 1, policy).err().unwrap_or_default(),
        ));
    };
    if !allowed.contains(&year) {
        return Err(ProjectedError::Year { year, allowed });
    }
    // in 1..=MAX_YEARS: year is within `allowed`
    let ahead = u32::try_from(year - allowed.start() + 1).expect("year within the allowed range");
    let baseline = forecast::project(inp, ahead, policy).map_err(ProjectedError::Inputs)?;
    let (per_block, homeless) =
        forecast::block_entrants(inp.data, inp.feeds, inp.births, &baseline, grade, year);
    let expected: f64 = per_block.iter().sum();
    let demand = largest_remainder(&per_block).ok_or(ProjectedError::Count { expected })?;
    Ok(Projected {
        year,
        demand,
        expected,
        homeless,
        notes: baseline.notes,
    })
}

/// Whole counts for fractional `values` that keep their rounded total
/// (largest-remainder method, Hamilton's): each value is rounded down, and
/// the units short of `round(Σ values)` go one each to the values with the
/// largest fractional parts (ties to the earlier value, so the result never
/// depends on anything but the order of `values`). Each count is then
/// within 1 of its value, and a value of 0 stays 0.
///
/// `None` when a value is negative or not finite, or the total exceeds
/// `u32::MAX` (a zone's load is summed in `u32`).
pub fn largest_remainder(values: &[f64]) -> Option<Vec<u32>> {
    if values.iter().any(|v| !v.is_finite() || *v < 0.0) {
        return None;
    }
    let total: f64 = values.iter().sum();
    if !total.is_finite() || total.round() > f64::from(u32::MAX) {
        return None;
    }
    // every value is at most the total, so each floor fits in u32
    let mut counts: Vec<u32> = values.iter().map(|v| v.floor() as u32).collect();
    let floors: u64 = counts.iter().map(|&c| u64::from(c)).sum();
    let target = total.round() as u64;
    // Σ fractions < number of positive fractions, so the units short go to
    // positive fractions only (never more than one each)
    let short = usize::try_from(target.saturating_sub(floors)).ok()?;
    let mut order: Vec<usize> = (0..values.len())
        .filter(|&i| values[i] > f64::from(counts[i]))
        .collect();
    order.sort_by(|&a, &b| {
        let fa = values[a] - values[a].floor();
        let fb = values[b] - values[b].floor();
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    for &i in order.iter().take(short) {
        counts[i] = counts[i].checked_add(1)?;
    }
    Some(counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::SchoolIx;

    fn check(values: &[f64]) -> Vec<u32> {
        let c = largest_remainder(values).unwrap();
        let total: f64 = values.iter().sum();
        assert_eq!(
            c.iter().map(|&x| u64::from(x)).sum::<u64>(),
            total.round() as u64,
            "{values:?} → {c:?}"
        );
        for (v, &x) in values.iter().zip(&c) {
            assert!((f64::from(x) - v).abs() < 1.0, "{values:?} → {c:?}");
            if *v == 0.0 {
                assert_eq!(x, 0);
            }
        }
        c
    }

    #[test]
    fn largest_remainders_get_the_units_short() {
        // Σ = 3.0: floors 0+1+1 = 2, one unit to the largest fraction (0.6)
        assert_eq!(check(&[0.6, 1.3, 1.1]), vec![1, 1, 1]);
        // 0.4 × 5 = 2: two units, to the first two (ties by order)
        assert_eq!(check(&[0.4; 5]), vec![1, 1, 0, 0, 0]);
        // plain rounding per value would give 0 for all
        assert_eq!(check(&[0.4; 2000]).iter().sum::<u32>(), 800);
        // whole values stay as they are
        assert_eq!(check(&[3.0, 0.0, 7.0]), vec![3, 0, 7]);
        // the total rounds down: nothing added
        assert_eq!(check(&[2.2, 0.2]), vec![2, 0]);
        // the total rounds up past every value's floor
        assert_eq!(check(&[0.9]), vec![1]);
        assert_eq!(check(&[]), Vec::<u32>::new());
    }

    #[test]
    fn sums_are_kept_on_many_values() {
        // a deterministic spread of fractions (no RNG needed)
        let mut x = 0.123_f64;
        let values: Vec<f64> = (0..5000)
            .map(|i| {
                x = (x * 7.77 + 0.31).fract();
                if i % 7 == 0 {
                    0.0
                } else {
                    x * f64::from(i % 13)
                }
            })
            .collect();
        check(&values);
    }

    #[test]
    fn bad_values_are_refused() {
        assert_eq!(largest_remainder(&[1.0, -0.5]), None);
        assert_eq!(largest_remainder(&[f64::NAN]), None);
        assert_eq!(largest_remainder(&[f64::INFINITY]), None);
        assert_eq!(largest_remainder(&[f64::from(u32::MAX), 1.0]), None);
    }

    #[test]
    fn years_run_from_the_year_after_the_history() {
        let mut h = Enrollment::new();
        assert_eq!(years(&h), None);
        h.insert((SchoolIx(0), 1, 2024), 1.0);
        h.insert((SchoolIx(0), 1, 2025), 1.0);
        assert_eq!(years(&h), Some(2026..=2075));
    }
}
