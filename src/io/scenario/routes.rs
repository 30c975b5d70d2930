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
