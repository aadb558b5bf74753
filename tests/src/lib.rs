//! Test kit: Amazon's DynamoDB Local for DynamoDB and its streams, moto for the other
//! AWS services, and real API Gateway events.
//!
//! Every test gets its own table, created from the definition in template.yaml, so
//! tests run in parallel without seeing each other's data and the schema under test is
//! exactly the one that deploys.

pub mod aws;
pub mod events;
pub mod fakes;
pub mod faulty;
pub mod images;
pub mod media;
pub mod moto;
pub mod realtime;
pub mod servers;
pub mod stream;
pub mod stripe;
pub mod template;
pub mod ttl;

pub use aws::{TestEnv, env};
pub use events::{ApiEvent, TestResponse, call};
