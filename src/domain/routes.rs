//! Admission routes besides zone admission, as data (issue 15): feeder
//! straight-up (对口直升), private schools under 公民同招, the fallback each
//! route takes for those it does not admit, and 大学区-first overflow.
//!
//! The rules follow the published procedures (see
//! `data/longtan/README.md`, "Admission routes"): a bureau runs several
//! routes at once, and "can a loser fall back?" must be stated per route
//! (教基厅〔2022〕1号 asks for 公民同招: public and private schools admit at
//! the same time, and an oversubscribed private school admits every
//! applicant by lottery; most cities guarantee a private-lottery loser its
//! home zone school).

pub use super::model::{Feeder, FeederRoute, Sector};

/// The routes a fallback is stated for (`[policy.fallback]` keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RouteKind {
    /// The draw of a single-school zone (单校划片) lost.
    SingleSchoolLottery,
    /// Every school of a multi-school zone's list (多校划片) lost.
    GroupLottery,
    /// Every private school listed (公民同招) lost.
    PrivateLottery,
    /// Every school of a stated list lost (choice mechanisms).
    Choice,
    /// A direct feeder route (对口直升) that was short of seats.
    Feeder,
}

impl RouteKind {
    /// Every route, in the order of `[policy.fallback]`'s documentation.
    pub const ALL: [RouteKind; 5] = [
        RouteKind::SingleSchoolLottery,
        RouteKind::GroupLottery,
        RouteKind::PrivateLottery,
        RouteKind::Choice,
        RouteKind::Feeder,
    ];

    /// The key in `[policy.fallback]`.
    pub fn key(self) -> &'static str {
        match self {
            RouteKind::SingleSchoolLottery => "single_school_lottery",
            RouteKind::GroupLottery => "group_lottery",
            RouteKind::PrivateLottery => "private_lottery",
            RouteKind::Choice => "choice",
            RouteKind::Feeder => "feeder",
        }
    }

    /// The fallbacks that make sense after this route: a single-school
    /// lottery's loser has no zone school left to fall back on; `group`
    /// continues a multi-school zone's list; `zone` after the private
    /// lottery or a short feeder route is the home zone (a school or a
    /// group); after a stated list the zone school is appended by
    /// `policy.append_zone_school`, not by a fallback.
    pub fn allowed(self) -> &'static [Fallback] {
        match self {
            RouteKind::SingleSchoolLottery => &[Fallback::Overflow, Fallback::None],
            RouteKind::GroupLottery => &[Fallback::Group, Fallback::Overflow, Fallback::None],
            RouteKind::PrivateLottery | RouteKind::Feeder => {
                &[Fallback::Zone, Fallback::Overflow, Fallback::None]
            }
            RouteKind::Choice => &[Fallback::Overflow, Fallback::None],
        }
    }
}

/// Where those a route does not admit go next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fallback {
    /// The home zone (its school, or its group) with full priority.
    Zone,
    /// The next schools of the zone group, nearest first.
    Group,
    /// Overflow placement (统筹) to the schools with seats left.
    Overflow,
    /// Nothing: the applicant is `declined`.
    None,
}

impl Fallback {
    /// Every fallback, in the order messages list them.
    pub const ALL: [Fallback; 4] = [
        Fallback::Zone,
        Fallback::Group,
        Fallback::Overflow,
        Fallback::None,
    ];

    /// `zone`, `group`, `overflow` or `none` (exact, lower case).
    pub fn parse(s: &str) -> Option<Fallback> {
        Fallback::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// The value in `[policy.fallback]`.
    pub fn as_str(self) -> &'static str {
        match self {
            Fallback::Zone => "zone",
            Fallback::Group => "group",
            Fallback::Overflow => "overflow",
            Fallback::None => "none",
        }
    }
}

/// The fallback of every route (`[policy.fallback]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fallbacks {
    /// Default `overflow` (today's rule: a zone-lottery loser goes to 统筹).
    pub single_school_lottery: Fallback,
    /// Default `overflow` (the stated list, or the group nearest first, then 统筹).
    pub group_lottery: Fallback,
    /// Default `zone`: the guaranteed fallback most cities publish.
    pub private_lottery: Fallback,
    /// Default `overflow`.
    pub choice: Fallback,
    /// Default `zone`: a direct feeder pupil without a seat applies in its zone.
    pub feeder: Fallback,
}

impl Default for Fallbacks {
    fn default() -> Self {
        Fallbacks {
            single_school_lottery: Fallback::Overflow,
            group_lottery: Fallback::Overflow,
            private_lottery: Fallback::Zone,
            choice: Fallback::Overflow,
            feeder: Fallback::Zone,
        }
    }
}

impl Fallbacks {
    /// The fallback of `route`.
    pub fn of(&self, route: RouteKind) -> Fallback {
        match route {
            RouteKind::SingleSchoolLottery => self.single_school_lottery,
            RouteKind::GroupLottery => self.group_lottery,
            RouteKind::PrivateLottery => self.private_lottery,
            RouteKind::Choice => self.choice,
            RouteKind::Feeder => self.feeder,
        }
    }

    /// Set the fallback of `route` (the reader checks
    /// [`RouteKind::allowed`] first).
    pub fn set(&mut self, route: RouteKind, f: Fallback) {
        match route {
            RouteKind::SingleSchoolLottery => self.single_school_lottery = f,
            RouteKind::GroupLottery => self.group_lottery = f,
            RouteKind::PrivateLottery => self.private_lottery = f,
            RouteKind::Choice => self.choice = f,
            RouteKind::Feeder => self.feeder = f,
        }
    }
}

/// Where overflow placement (统筹) looks first (`policy.overflow_scope`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OverflowScope {
    /// Every school of the county with seats, by distance (`county`).
    #[default]
    County,
    /// Inside the zone school's 大学区 (`districts.csv`) first
    /// (`district_first`): as many as possible placed, then as many as
    /// possible inside their 大学区, then the least total distance.
    DistrictFirst,
}

impl OverflowScope {
    /// `county` or `district_first`.
    pub fn parse(s: &str) -> Option<OverflowScope> {
        match s {
            "county" => Some(OverflowScope::County),
            "district_first" => Some(OverflowScope::DistrictFirst),
            _ => None,
        }
    }

    /// The value in the scenario.
    pub fn as_str(self) -> &'static str {
        match self {
            OverflowScope::County => "county",
            OverflowScope::DistrictFirst => "district_first",
        }
    }
}

/// The scenario's route settings (`[policy]` keys).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Routes {
    /// `[policy.fallback]`.
    pub fallback: Fallbacks,
    /// Under the choice mechanisms, the home zone school is appended to a
    /// stated list that omits it, with its zone priority
    /// (`policy.append_zone_school`, default `true`).
    pub append_zone_school: bool,
    /// `policy.overflow_scope`.
    pub overflow_scope: OverflowScope,
    /// The category (0-based, in the rules' order) a `priority` feeder
    /// route gives at its junior school (`policy.feeder_category`; default
    /// the first).
    pub feeder_category: usize,
    /// A nine-year school (九年一贯制) promotes its own grade-6 pupils
    /// (`current_school_id` = the school) directly
    /// (`policy.nine_year_direct`, default `true`).
    pub nine_year_direct: bool,
    /// The scenario states `lottery_seed` (itself or through `extends`):
    /// private schools admit by lottery and need a published seed.
    pub seed_stated: bool,
}

impl Default for Routes {
    fn default() -> Self {
        Routes {
            fallback: Fallbacks::default(),
            append_zone_school: true,
            overflow_scope: OverflowScope::County,
            feeder_category: 0,
            nine_year_direct: true,
            seed_stated: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip() {
        for f in Fallback::ALL {
            assert_eq!(Fallback::parse(f.as_str()), Some(f));
        }
        assert_eq!(Fallback::parse("Zone"), None);
        for s in ["public", "private"] {
            assert_eq!(Sector::parse(s).unwrap().as_str(), s);
        }
        assert_eq!(Sector::parse("民办"), Some(Sector::Private));
        assert_eq!(FeederRoute::parse(""), Some(FeederRoute::None));
        assert_eq!(FeederRoute::parse("Direct"), Some(FeederRoute::Direct));
        assert_eq!(FeederRoute::parse("sometimes"), None);
        assert_eq!(
            OverflowScope::parse("district_first"),
            Some(OverflowScope::DistrictFirst)
        );
    }

    #[test]
    fn defaults_are_todays_rules() {
        let f = Fallbacks::default();
        for r in RouteKind::ALL {
            assert!(r.allowed().contains(&f.of(r)), "{r:?}");
        }
        assert_eq!(f.of(RouteKind::SingleSchoolLottery), Fallback::Overflow);
        assert_eq!(f.of(RouteKind::PrivateLottery), Fallback::Zone);
    }
}
