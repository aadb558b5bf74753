//! Handler decisions, unit-tested: real API Gateway events through the real handlers,
//! with storage played by the in-memory fakes of `cm_tests::fakes` and time by a
//! `ManualClock`. No emulator, so these run in seconds; tests/tests/api/ drives the
//! same handlers against a real table, and `api/fakes_agree.rs` checks that the fakes
//! answer like it. One binary keeps link time down. Alone: `cargo test -p cm-tests
//! --test handlers`.

mod access;
mod accounts;
mod booking_changes;
mod create_booking;
mod expiry;
mod portfolio;
mod reviews;
mod support;
