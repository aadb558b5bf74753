//! A validated daily series of non-negative counts.

use chrono::{Days, NaiveDate};
use thiserror::Error;

/// The longest span a series may cover. A century of days is 290 KB of `f64`: far more
/// history than any model here reads, but a span from year 1 to 9999 from one bad row
/// would allocate tens of MB, so the limit keeps memory bounded per series.
pub const MAX_SPAN_DAYS: usize = 36_600;

/// Why a list of `(date, count)` points is not a daily series.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SeriesError {
    #[error("the series has no points")]
    Empty,
    #[error("dates are not in increasing order: {later} comes after {earlier}")]
    Unsorted { earlier: NaiveDate, later: NaiveDate },
    #[error("the date {0} appears more than once")]
    Duplicate(NaiveDate),
    #[error("the count on {date} is negative ({count})")]
    Negative { date: NaiveDate, count: f64 },
    #[error("the count on {0} is not a finite number")]
    NotFinite(NaiveDate),
    #[error("the series spans {days} days, more than the {max} allowed")]
    TooLong { days: usize, max: usize },
}

/// Daily counts from `start`, one value per calendar day with no holes.
///
/// A date missing from the input counts as zero. For bookings this is the truth, not an
/// imputation: the aggregates only hold a row for a day on which something happened, so
/// a day without a row is a day with no demand. (A caller whose gaps mean "not
/// measured" must fill them before building the series.)
#[derive(Debug, Clone, PartialEq)]
pub struct DailySeries {
    start: NaiveDate,
    values: Vec<f64>,
}

impl DailySeries {
    /// Builds a series from points in strictly increasing date order; days between two
    /// points are zero.
    pub fn from_points(points: &[(NaiveDate, f64)]) -> Result<Self, SeriesError> {
        let (&(start, _), rest) = points.split_first().ok_or(SeriesError::Empty)?;
        let mut previous = start;
        for &(date, _) in rest {
            if date == previous {
                return Err(SeriesError::Duplicate(date));
            }
            if date < previous {
                return Err(SeriesError::Unsorted { earlier: previous, later: date });
            }
            previous = date;
        }
        for &(date, count) in points {
            if !count.is_finite() {
                return Err(SeriesError::NotFinite(date));
            }
            if count < 0.0 {
                return Err(SeriesError::Negative { date, count });
            }
        }
        // Sorted, so `previous` is the last date and the difference is non-negative.
        let span = usize::try_from((previous - start).num_days()).unwrap_or(usize::MAX).saturating_add(1);
        if span > MAX_SPAN_DAYS {
            return Err(SeriesError::TooLong { days: span, max: MAX_SPAN_DAYS });
        }
        let mut values = vec![0.0; span];
        for &(date, count) in points {
            // In range by construction: start <= date <= previous.
            let offset = usize::try_from((date - start).num_days()).unwrap_or(0);
            if let Some(slot) = values.get_mut(offset) {
                // `-0.0` is accepted above; store a plain zero so output never shows "-0".
                *slot = count + 0.0;
            }
        }
        Ok(Self { start, values })
    }

    /// A series of consecutive days from `start`. Same validation as [`Self::from_points`].
    pub fn from_values(start: NaiveDate, values: Vec<f64>) -> Result<Self, SeriesError> {
        if values.is_empty() {
            return Err(SeriesError::Empty);
        }
        if values.len() > MAX_SPAN_DAYS {
            return Err(SeriesError::TooLong { days: values.len(), max: MAX_SPAN_DAYS });
        }
        for (i, &v) in values.iter().enumerate() {
            let date = start
                .checked_add_days(Days::new(i as u64))
                .ok_or(SeriesError::TooLong { days: values.len(), max: MAX_SPAN_DAYS })?;
            if !v.is_finite() {
                return Err(SeriesError::NotFinite(date));
            }
            if v < 0.0 {
                return Err(SeriesError::Negative { date, count: v });
            }
        }
        // The last date must exist for forecasts to be dated after it.
        start
            .checked_add_days(Days::new(values.len() as u64))
            .ok_or(SeriesError::TooLong { days: values.len(), max: MAX_SPAN_DAYS })?;
        let values = values.into_iter().map(|v| v + 0.0).collect();
        Ok(Self { start, values })
    }

    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// The last day of the series.
    pub fn end(&self) -> NaiveDate {
        self.date_at(self.values.len().saturating_sub(1)).unwrap_or(self.start)
    }

    /// The date `offset` days after the start, if the calendar has it.
    pub fn date_at(&self, offset: usize) -> Option<NaiveDate> {
        self.start.checked_add_days(Days::new(offset as u64))
    }

    pub fn values(&self) -> &[f64] {
        &self.values
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Never true for a built series; here because clippy expects it beside `len`.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The series with zero days appended through `end`, unchanged if it already reaches
    /// it. A series built from the days that had events ends on the last event; before
    /// it is forecast or judged sparse it must run to the day the forecast is made, or
    /// the quiet weeks since would be missing.
    pub fn extended_to(&self, end: NaiveDate) -> Result<Self, SeriesError> {
        if end <= self.end() {
            return Ok(self.clone());
        }
        let span = usize::try_from((end - self.start).num_days()).unwrap_or(usize::MAX).saturating_add(1);
        if span > MAX_SPAN_DAYS {
            return Err(SeriesError::TooLong { days: span, max: MAX_SPAN_DAYS });
        }
        let mut values = self.values.clone();
        values.resize(span, 0.0);
        Ok(Self { start: self.start, values })
    }

    /// The first `len` days (at least one), for backtesting from an earlier origin.
    pub fn truncated(&self, len: usize) -> Self {
        let len = len.clamp(1, self.values.len().max(1));
        Self { start: self.start, values: self.values[..len].to_vec() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("test date")
    }

    #[test]
    fn gaps_are_zero_days() {
        let s = DailySeries::from_points(&[(d("2026-01-01"), 3.0), (d("2026-01-04"), 5.0)]).expect("valid");
        assert_eq!(s.values(), &[3.0, 0.0, 0.0, 5.0]);
        assert_eq!(s.end(), d("2026-01-04"));
    }

    #[test]
    fn rejects_bad_input_with_the_offending_date() {
        assert_eq!(DailySeries::from_points(&[]), Err(SeriesError::Empty));
        assert_eq!(
            DailySeries::from_points(&[(d("2026-01-02"), 1.0), (d("2026-01-01"), 1.0)]),
            Err(SeriesError::Unsorted { earlier: d("2026-01-02"), later: d("2026-01-01") })
        );
        assert_eq!(
            DailySeries::from_points(&[(d("2026-01-02"), 1.0), (d("2026-01-02"), 1.0)]),
            Err(SeriesError::Duplicate(d("2026-01-02")))
        );
        assert_eq!(
            DailySeries::from_points(&[(d("2026-01-02"), -1.0)]),
            Err(SeriesError::Negative { date: d("2026-01-02"), count: -1.0 })
        );
        assert_eq!(
            DailySeries::from_points(&[(d("2026-01-02"), f64::NAN)]),
            Err(SeriesError::NotFinite(d("2026-01-02")))
        );
        assert!(matches!(
            DailySeries::from_points(&[(d("1900-01-01"), 1.0), (d("2026-01-01"), 1.0)]),
            Err(SeriesError::TooLong { .. })
        ));
    }

    #[test]
    fn extending_appends_zero_days() {
        let s = DailySeries::from_points(&[(d("2026-01-01"), 3.0), (d("2026-01-02"), 5.0)]).expect("valid");
        let e = s.extended_to(d("2026-01-05")).expect("extends");
        assert_eq!(e.values(), &[3.0, 5.0, 0.0, 0.0, 0.0]);
        assert_eq!(e.end(), d("2026-01-05"));
        assert_eq!(s.extended_to(d("2025-12-01")).expect("no-op"), s);
        assert!(matches!(s.extended_to(d("2200-01-01")), Err(SeriesError::TooLong { .. })));
    }

    #[test]
    fn negative_zero_is_stored_as_zero() {
        let s = DailySeries::from_points(&[(d("2026-01-01"), -0.0)]).expect("valid");
        assert!(s.values()[0].is_sign_positive());
    }
}
