//! Times as a recipient reads them: in their own IANA zone, with the zone's abbreviation (or
//! numeric offset where the zone has none) so nobody has to guess which 10:00 is meant.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// A recipient's zone after resolving the stored name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecipientZone {
    tz: Tz,
}

impl RecipientZone {
    /// Resolves an IANA name. Unknown or empty names fall back to UTC: a profile with a
    /// stale or mistyped zone must still get its booking mail, and an explicit "UTC" label
    /// is honest about what the times mean.
    pub fn resolve(name: &str) -> Self {
        let tz = name.trim().parse::<Tz>().unwrap_or(Tz::UTC);
        Self { tz }
    }

    /// The canonical IANA name actually used, `UTC` after a fallback.
    pub fn name(&self) -> &'static str {
        self.tz.name()
    }

    /// e.g. `Sat 26 Dec 2026`.
    pub fn date(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.tz).format("%a %-d %b %Y").to_string()
    }

    /// e.g. `Sat 26 Dec 2026, 10:00 IST (Asia/Kolkata)`.
    pub fn instant(&self, at: DateTime<Utc>) -> String {
        let local = at.with_timezone(&self.tz);
        format!("{}{}", local.format("%a %-d %b %Y, %H:%M %Z"), self.zone_suffix())
    }

    /// e.g. `Sat 26 Dec 2026, 10:00–12:00 IST (Asia/Kolkata)`.
    ///
    /// The abbreviation is repeated per time only when it changes inside the range (a DST
    /// switch during the shoot), and the date only when the range crosses local midnight.
    pub fn range(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> String {
        let from = start.with_timezone(&self.tz);
        let to = end.with_timezone(&self.tz);
        let same_day = from.date_naive() == to.date_naive();
        let from_abbr = from.format("%Z").to_string();
        let to_abbr = to.format("%Z").to_string();
        let day = "%a %-d %b %Y";

        let body = match (same_day, from_abbr == to_abbr) {
            (true, true) => {
                format!("{}, {}–{} {}", from.format(day), from.format("%H:%M"), to.format("%H:%M"), to_abbr)
            }
            (true, false) => format!(
                "{}, {} {}–{} {}",
                from.format(day),
                from.format("%H:%M"),
                from_abbr,
                to.format("%H:%M"),
                to_abbr
            ),
            (false, true) => {
                format!("{} – {} {}", from.format("%a %-d %b %Y, %H:%M"), to.format("%a %-d %b %Y, %H:%M"), to_abbr)
            }
            (false, false) => format!(
                "{} {} – {} {}",
                from.format("%a %-d %b %Y, %H:%M"),
                from_abbr,
                to.format("%a %-d %b %Y, %H:%M"),
                to_abbr
            ),
        };
        format!("{body}{}", self.zone_suffix())
    }

    /// `" (Asia/Kolkata)"`, or nothing for UTC where it would only say "UTC (UTC)".
    fn zone_suffix(&self) -> String {
        if self.tz == Tz::UTC { String::new() } else { format!(" ({})", self.tz.name()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().unwrap()
    }

    #[test]
    fn kolkata_range_matches_the_documented_shape() {
        let zone = RecipientZone::resolve("Asia/Kolkata");
        assert_eq!(
            zone.range(utc(2026, 12, 26, 4, 30), utc(2026, 12, 26, 6, 30)),
            "Sat 26 Dec 2026, 10:00–12:00 IST (Asia/Kolkata)"
        );
    }

    #[test]
    fn new_york_shows_daylight_and_standard_time() {
        let zone = RecipientZone::resolve("America/New_York");
        assert_eq!(
            zone.range(utc(2026, 7, 4, 14, 0), utc(2026, 7, 4, 16, 0)),
            "Sat 4 Jul 2026, 10:00–12:00 EDT (America/New_York)"
        );
        assert_eq!(
            zone.range(utc(2026, 1, 10, 15, 0), utc(2026, 1, 10, 17, 0)),
            "Sat 10 Jan 2026, 10:00–12:00 EST (America/New_York)"
        );
    }

    #[test]
    fn range_spanning_a_dst_switch_labels_both_ends() {
        // 2026-11-01 06:00Z is 01:00 EST, after clocks fell back from 02:00 EDT.
        let zone = RecipientZone::resolve("America/New_York");
        assert_eq!(
            zone.range(utc(2026, 11, 1, 4, 30), utc(2026, 11, 1, 6, 30)),
            "Sun 1 Nov 2026, 00:30 EDT–01:30 EST (America/New_York)"
        );
    }

    #[test]
    fn range_crossing_midnight_repeats_the_date() {
        let zone = RecipientZone::resolve("Asia/Kolkata");
        assert_eq!(
            zone.range(utc(2026, 12, 26, 16, 30), utc(2026, 12, 26, 20, 30)),
            "Sat 26 Dec 2026, 22:00 – Sun 27 Dec 2026, 02:00 IST (Asia/Kolkata)"
        );
    }

    #[test]
    fn invalid_or_empty_zone_falls_back_to_utc() {
        for name in ["Mars/Olympus_Mons", "", "asia/kolkata<script>"] {
            let zone = RecipientZone::resolve(name);
            assert_eq!(zone.name(), "UTC");
            assert_eq!(
                zone.range(utc(2026, 12, 26, 4, 30), utc(2026, 12, 26, 6, 30)),
                "Sat 26 Dec 2026, 04:30–06:30 UTC"
            );
        }
    }

    #[test]
    fn zone_without_abbreviation_shows_an_offset() {
        let zone = RecipientZone::resolve("Asia/Dubai");
        assert_eq!(zone.instant(utc(2026, 12, 26, 6, 0)), "Sat 26 Dec 2026, 10:00 +04 (Asia/Dubai)");
    }

    #[test]
    fn surrounding_whitespace_is_tolerated() {
        assert_eq!(RecipientZone::resolve(" Europe/London ").name(), "Europe/London");
    }
}
