//! Integration tests: real API Gateway v2 events through the real handlers, against a
//! real DynamoDB-compatible server (moto). One test binary keeps link time down.

mod accounts;
mod admin;
mod availability;
mod booking_lifecycle;
mod booking_race;
mod bookings;
mod contract;
mod layout;
mod notifications;
mod plumbing;
mod profiles;
mod reviews;
mod sample_events;
mod support;
