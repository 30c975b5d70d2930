//! The admission-route keys of `[policy]` (issue 15): `append_zone_school`,
//! `overflow_scope`, `nine_year_direct` and the `[policy.fallback]` table,
//! read into [`Routes`] over a base scenario's (`extends` inherits each key
//! it does not set, like every policy key). `feeder_category` names a
//! category, so it is resolved with the priority rules
//! ([`super::rules::RuleKeys::feeder_category`]).
//!
//! Every problem is an error at its file:line:column and reading goes on,
//! so one run lists them all.

use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use toml::Spanned;

use super::Ctx;
use crate::domain::routes::{Fallback, OverflowScope, RouteKind, Routes};

/// `[policy.fallback]`: route → value, in the order written (keys are
/// checked here, not by serde, so an unknown one gets a did-you-mean).
#[derive(Debug, Default)]
pub(super) struct RawFallback(Vec<(String, Spanned<toml::Value>)>);

impl<'de> Deserialize<'de> for RawFallback {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawFallback;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table of route = \"fallback\", e.g. { private_lottery = \"zone\" }")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawFallback, A::Error> {
                let mut out: Vec<(String, Spanned<toml::Value>)> = Vec::new();
                while let Some(k) = map.next_key::<String>()? {
                    out.push((k, map.next_value()?));
                }
                out.sort_by_key(|(_, v)| v.span().start);
                Ok(RawFallback(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// The route keys of one `[policy]` table.
#[derive(Debug, Default)]
pub(super) struct RawRouteKeys<'a> {
    pub append_zone_school: Option<bool>,
    pub overflow_scope: Option<&'a Spanned<String>>,
    pub nine_year_direct: Option<bool>,
    pub fallback: Option<&'a RawFallback>,
    pub lottery_seed: bool,
}

/// Why a fallback does not fit a route (the reasons of
/// [`RouteKind::allowed`]).
fn why_not(route: RouteKind, f: Fallback) -> &'static str {
    match (route, f) {
        (RouteKind::SingleSchoolLottery, Fallback::Zone | Fallback::Group) => {
            "a single-school zone's lottery loser has no other zone school to fall back on"
        }
        (RouteKind::PrivateLottery | RouteKind::Feeder, Fallback::Group) => {
            "`zone` is the home zone, its school or its whole group"
        }
        (RouteKind::GroupLottery, Fallback::Zone) => {
            "the loser has lost its zone already; `group` goes on with the rest of the zone group"
        }
        (RouteKind::Choice, _) => {
            "after a stated list the zone school is appended by policy.append_zone_school, not by a fallback"
        }
        _ => "it does not apply to this route",
    }
}

/// The route keys `raw` over `routes` (a base scenario's or the defaults).
/// Key positions come from the values' spans (`key_before` gives the key
/// of a `[policy.fallback]` entry).
pub(super) fn read_routes(
    raw: &RawRouteKeys<'_>,
    key_before: impl Fn(usize) -> usize,
    routes: &mut Routes,
    cx: &mut Ctx<'_>,
) {
    if let Some(b) = raw.append_zone_school {
        routes.append_zone_school = b;
    }
    if let Some(b) = raw.nine_year_direct {
        routes.nine_year_direct = b;
    }
    if raw.lottery_seed {
        routes.seed_stated = true;
    }
    if let Some(o) = raw.overflow_scope {
        match OverflowScope::parse(o.get_ref()) {
            Some(s) => routes.overflow_scope = s,
            None => cx.err(
                o.span().start,
                format!(
                    "overflow_scope `{}`; expected \"county\" (统筹 by distance over the county) or \"district_first\" (inside the zone school's 大学区 first, needs districts.csv)",
                    o.get_ref()
                ),
            ),
        }
    }
    for (key, v) in raw.fallback.map_or(&[][..], |f| &f.0[..]) {
        let at = v.span().start;
        let Some(route) = RouteKind::ALL.into_iter().find(|r| r.key() == key) else {
            let keys: Vec<&str> = RouteKind::ALL.iter().map(|r| r.key()).collect();
            cx.err(
                key_before(at),
                format!(
                    "unknown fallback route `{key}`{}; expected one of {}",
                    crate::io::table::did_you_mean(key, keys.iter().copied()),
                    keys.join(", ")
                ),
            );
            continue;
        };
        let all: Vec<&str> = Fallback::ALL.iter().map(|f| f.as_str()).collect();
        let Some(f) = v.get_ref().as_str().and_then(Fallback::parse) else {
            let shown = match v.get_ref() {
                toml::Value::String(s) => format!("`{s}`"),
                other => format!("`{other}`"),
            };
            cx.err(
                at,
                format!(
                    "fallback.{key} {shown} does not exist; expected one of {}",
                    all.join(", ")
                ),
            );
            continue;
        };
        let allowed = route.allowed();
        if !allowed.contains(&f) {
            let ok: Vec<&str> = allowed.iter().map(|f| f.as_str()).collect();
            cx.err(
                at,
                format!(
                    "fallback.{key} = \"{}\" is not allowed ({}); expected one of {}",
                    f.as_str(),
                    why_not(route, f),
                    ok.join(", ")
                ),
            );
            continue;
        }
        routes.fallback.set(route, f);
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::{parse, read};
    use crate::domain::diag::Diagnostics;
    use crate::domain::routes::{Fallback, OverflowScope, RouteKind, Routes};

    const OK: &str = "name = \"t\"\nyear = 2025\ndataset = \"d\"\nlevel = \"junior\"\n";

    fn routes(extra: &str) -> (Option<Routes>, Vec<String>) {
        let mut d = Diagnostics::new();
        let f = parse(Path::new("s.toml"), format!("{OK}{extra}"), &mut d);
        (
            f.map(|f| f.scenario.policy.routes),
            d.iter().map(|m| m.to_string()).collect(),
        )
    }

    #[test]
    fn without_route_keys_the_routes_are_the_defaults() {
        let (r, msgs) = routes("");
        assert!(msgs.is_empty(), "{msgs:?}");
        assert_eq!(r.unwrap(), Routes::default());
    }

    #[test]
    fn every_route_key_is_read() {
        let (r, msgs) = routes(
            "[policy]\nlottery_seed = 9\nappend_zone_school = false\noverflow_scope = \"district_first\"\nfeeder_category = \"hukou_only\"\nnine_year_direct = false\n[policy.fallback]\nsingle_school_lottery = \"none\"\ngroup_lottery = \"group\"\nprivate_lottery = \"overflow\"\nchoice = \"none\"\nfeeder = \"overflow\"\n",
        );
        assert!(msgs.is_empty(), "{msgs:?}");
        let r = r.unwrap();
        assert!(!r.append_zone_school && !r.nine_year_direct && r.seed_stated);
        assert_eq!(r.overflow_scope, OverflowScope::DistrictFirst);
        assert_eq!(r.feeder_category, 2);
        let got: Vec<Fallback> = RouteKind::ALL.iter().map(|&k| r.fallback.of(k)).collect();
        assert_eq!(
            got,
            [
                Fallback::None,
                Fallback::Group,
                Fallback::Overflow,
                Fallback::None,
                Fallback::Overflow
            ]
        );
    }

    #[test]
    fn a_child_inherits_the_route_keys_and_the_stated_seed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("base.toml"),
            format!("{OK}[policy]\nlottery_seed = 3\nappend_zone_school = false\nfeeder_category = \"other\"\n[policy.fallback]\nfeeder = \"none\"\n"),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("child.toml"),
            "extends = \"base.toml\"\n[policy]\n[policy.fallback]\nchoice = \"none\"\n",
        )
        .unwrap();
        let mut d = Diagnostics::new();
        let f = read(&dir.path().join("child.toml"), &mut d).unwrap();
        assert!(!d.has_errors());
        let r = f.scenario.policy.routes;
        assert!(r.seed_stated && !r.append_zone_school);
        assert_eq!(r.feeder_category, 4);
        assert_eq!(r.fallback.feeder, Fallback::None);
        assert_eq!(r.fallback.choice, Fallback::None);
        // no seed anywhere: not stated
        let (r, _) = routes("[policy]\nsibling_bonus = 1\n");
        assert!(!r.unwrap().seed_stated);
    }

    #[test]
    fn bad_route_keys_are_located() {
        let (r, msgs) = routes("[policy]\noverflow_scope = \"town\"\n[policy.fallback]\ngroup_lottery = \"zone\"\nchoise = \"none\"\nprivate_lottery = true\n");
        assert!(r.is_none());
        let want = [
            "s.toml:6:18: overflow_scope `town`",
            "s.toml:8:17: fallback.group_lottery = \"zone\" is not allowed",
            "s.toml:9:1: unknown fallback route `choise` (did you mean `choice`?)",
            "s.toml:10:19: fallback.private_lottery `true` does not exist",
        ];
        assert_eq!(msgs.len(), want.len(), "{msgs:?}");
        for (m, w) in msgs.iter().zip(want) {
            assert!(m.starts_with(w), "{w}\n{msgs:?}");
        }
    }
}
