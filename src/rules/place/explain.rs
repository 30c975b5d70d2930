//! Why an applicant was placed where it was, as data: the steps of the
//! placement rules that decided it and the keys each step used (tier,
//! lottery number and cut-off, distance, reach). The engine fills one
//! [`Explanation`] per applicant; `report::explain` puts it into words
//! (English today, Chinese later: issue 17), so no wording lives here.

use crate::domain::model::{Grade, Metres, SchoolIx, Tier};
use crate::domain::routes::{Fallback, RouteKind};

/// The steps that decided one applicant's placement: at most one
/// admission step (zone admission or choice, rules 3 and the choice
/// mechanisms) and at most one step after it (overflow, the min-distance
/// assignment, special education or none found). Either may be missing: an
/// applicant admitted at the zone school has no later step; one of the
/// min-distance mechanism or with severe disability has no admission step.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Explanation {
    pub admission: Option<Admission>,
    pub settlement: Option<Settlement>,
    /// How the policy's priority rules ranked the applicant (category,
    /// seat lock, reserved seat, family unit); `None` with today's rules,
    /// whose reasons need none of it.
    pub rank: Option<RankNote>,
    /// The routes tried before the admission step and the fallback taken
    /// (issue 15); `None` when none applied to the applicant, whose reason
    /// stays as it was.
    pub route: Option<RouteNote>,
}

/// The routes an applicant went through besides its admission step:
/// private schools tried first (公民同招), a direct feeder route
/// (对口直升), a priority feeder route or an appended zone school, the
/// fallback taken after a route that did not admit it, and where overflow
/// placed it against its 大学区.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RouteNote {
    /// It listed this many private schools and lost every draw (a winner's
    /// admission step is [`Admission::Private`]).
    pub private_lost: Option<u8>,
    /// Its number at the first private school it listed, and that school's
    /// cut-off (the largest number admitted there), when it lost.
    pub private_draw: Option<(SchoolIx, LotteryKey)>,
    /// Its direct feeder route (from its current school) was short of
    /// seats and it was not admitted there: (junior school, applicants of
    /// the route, seats).
    pub feeder_short: Option<(SchoolIx, u32, u32)>,
    /// Its number in the short route's draw and the route's cut-off (none
    /// when the school had no seat at all).
    pub feeder_draw: Option<LotteryKey>,
    /// A `priority` feeder route put it in the feeder category at this
    /// school.
    pub feeder_priority: Option<SchoolIx>,
    /// Its zone school was appended to its stated list
    /// (`policy.append_zone_school`).
    pub appended_zone: Option<SchoolIx>,
    /// The fallbacks it took after routes that did not admit it, in order
    /// (at most three: private lottery, feeder route, then zone admission
    /// or choice).
    pub fallback: [Option<(RouteKind, Fallback)>; 3],
    /// Overflow placement with `overflow_scope = "district_first"`: inside
    /// its zone school's 大学区 (`true`) or outside it (`false`).
    pub in_district: Option<bool>,
}

impl RouteNote {
    /// Whether the note says anything.
    pub fn is_empty(&self) -> bool {
        *self == RouteNote::default()
    }
}

/// How the priority rules ranked one applicant at its zone school (or
/// first choice): `report::explain` adds the sub-table and key values,
/// which it reads from the applicant's row through the rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RankNote {
    /// The category it matched (0-based position in the rules).
    pub category: u16,
    /// It matched that category's condition (false: it matched none and
    /// ranks in the last).
    pub matched: bool,
    /// The seat lock (学位锁定) moved it down at that school.
    pub locked: bool,
    /// The seat lock would have applied but a sibling attends there.
    pub lock_exempt: bool,
    /// The school where it was ranked (its zone school, or the first school
    /// of its list), named by the seat lock's words.
    pub school: Option<SchoolIx>,
    /// Admitted on a reserved seat of its category.
    pub reserved: bool,
    /// Children admitted (or not) together with it as one family unit,
    /// itself included (1: alone).
    pub family: u8,
    /// Its family unit did not fit in the seats left at its turn and was
    /// passed over for the next applicant.
    pub passed_over: bool,
}

/// A lottery number against the cut-off of the tier drawn at a school
/// (rule 3, 电脑派位).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LotteryKey {
    /// The applicant's number at the school (the single number, or the
    /// school's own with multiple tie-breaking).
    pub number: f64,
    /// The largest number admitted in the drawn tier.
    pub cutoff: f64,
}

/// Where an applicant stood at a school of its list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// In the school's zone, in this tier.
    Tier(Tier),
    /// Outside the school's zone: after every tier of its own applicants.
    OutOfZone,
}

/// The admission step (rule 3, and the choice mechanisms).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Admission {
    /// The zoned mechanism found no zone school for the applicant's home:
    /// it waits for overflow placement in its tier.
    NoZoneSchool { tier: Tier },
    /// Admitted at the zone school: the whole tier fitted in the seats left.
    Zone { tier: Tier },
    /// The tier did not fit in the seats left at the zone school and was
    /// drawn by lottery: `applicants` of the tier for `seats`. `won` is
    /// the draw's verdict (the first `seats` numbers of the tier win; an
    /// equal number can lose on the `student_id` tie-break).
    ZoneLottery {
        tier: Tier,
        applicants: u32,
        seats: u32,
        lottery: LotteryKey,
        won: bool,
    },
    /// The zone school had no seat left for the tier: full after
    /// `after` (an earlier tier took the last seat), or no seats at all.
    ZoneFull { tier: Tier, after: Option<Tier> },
    /// Admitted at the `rank`-th (1-based) of `listed` schools of the
    /// applicant's list (多校划片 or a choice mechanism), standing there as
    /// `standing`; `lottery` when its tier was drawn there.
    Choice {
        rank: u8,
        listed: usize,
        school: SchoolIx,
        standing: Standing,
        lottery: Option<LotteryKey>,
    },
    /// Admitted at none of its `listed` schools: waits for overflow in
    /// `tier`.
    NotAdmitted { tier: Tier, listed: usize },
    /// 对口直升: admitted at `school`, the junior school its current school
    /// `from` feeds directly; `lottery` when the route was short of seats
    /// and drawn.
    Feeder {
        school: SchoolIx,
        from: SchoolIx,
        lottery: Option<LotteryKey>,
    },
    /// 公民同招: admitted at the private school `school`, the `rank`-th of
    /// the `listed` private schools of its list; `lottery` when the school
    /// was oversubscribed and drew among all its applicants.
    Private {
        school: SchoolIx,
        rank: u8,
        listed: u8,
        lottery: Option<LotteryKey>,
    },
}

/// What placed (or failed to place) an applicant after admission.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Settlement {
    /// Overflow placement (统筹, rule 4) at a school with seats left.
    Overflow { school: SchoolIx, distance: Metres },
    /// The min-distance mechanism's assignment.
    Assigned { distance: Metres },
    /// No mainstream school of `grade` with seats left within `reach`
    /// (`overflow_max_km`).
    Unplaced { grade: Grade, reach: Metres },
    /// Severe disability (一人一案, rule 5): a special-education school.
    SpecialEducation { school: SchoolIx, distance: Metres },
    /// Severe disability, no special-education school with seats within
    /// `reach`: home teaching (送教上门).
    HomeTeaching { reach: Metres },
    /// Not admitted where it applied and does not accept 统筹
    /// (`accept_overflow = false`): declined, not placed.
    Declined,
    /// Not admitted by `route`, whose fallback is `none`
    /// (`[policy.fallback]`): declined, not placed.
    NoFallback { route: RouteKind },
}
