//! Integration tests: real API Gateway v2 events through the real handlers, against a
//! real DynamoDB-compatible server (moto). One test binary keeps link time down.

mod accounts;
mod admin;
mod layout;
mod plumbing;
mod profiles;
mod sample_events;
mod support;
