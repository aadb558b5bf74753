//! Price quotes as clients hold them: the quoted terms sealed with the quote key, so
//! `POST /bookings` can trust a price it did not compute itself. The scope carries a
//! version: terms of a new shape get a new scope, and old quotes simply stop opening
//! (they expire within the half hour anyway).

use crate::App;
use cm_booking::pricing::{QuoteRefusal, QuoteTerms};
use cm_core::FieldErrors;
use cm_http::{Internal, Problem};

const SCOPE: &str = "quote/v1";

pub fn seal<S>(app: &App<S>, terms: &QuoteTerms) -> Result<String, Internal> {
    app.quotes()?.seal(SCOPE, terms)
}

/// The terms of a quote this platform issued; `None` for anything else (made up,
/// altered, or sealed with a key since retired).
pub fn open<S>(app: &App<S>, quote_id: &str) -> Result<Option<QuoteTerms>, Internal> {
    Ok(app.quotes()?.open(SCOPE, quote_id.trim()))
}

/// 422 for a `quote_id` that is not one of ours.
pub fn not_ours_problem() -> Problem {
    Problem::new(422, "quote-invalid", "Quote not valid", "`quote_id` is not a quote this platform issued")
        .with_errors(FieldErrors::single("quote_id", "is not a quote this platform issued"))
}

/// 422 for a quote that expired or is for another session.
pub fn refusal_problem(r: &QuoteRefusal) -> Problem {
    let (kind, title) = match r {
        QuoteRefusal::Expired(_) => ("quote-expired", "Quote expired"),
        QuoteRefusal::OtherSession(_) => ("quote-mismatch", "Quote for another session"),
    };
    Problem::new(422, kind, title, r.to_string()).with_errors(FieldErrors::single("quote_id", r.to_string()))
}

/// 422 for a booking without a quote with a photographer whose prices follow demand:
/// the client must have seen the price they agree to.
pub fn quote_required_problem() -> Problem {
    Problem::validation(FieldErrors::single(
        "quote_id",
        "is required: this photographer's prices follow demand; get one from GET /photographers/{id}/quote",
    ))
}
