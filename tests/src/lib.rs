//! Test kit: a real DynamoDB-compatible server (moto) and real API Gateway events.
//!
//! Every test gets its own table, created from the definition in template.yaml, so
//! tests run in parallel without seeing each other's data and the schema under test is
//! exactly the one that deploys.

pub mod events;
pub mod fakes;
pub mod faulty;
pub mod moto;
pub mod stream;
pub mod template;
pub mod ttl;

pub use events::{ApiEvent, TestResponse, call};
pub use moto::{TestEnv, env};
