//! The stand-in driven by the real async-stripe client: if a shape, status or error body
//! differed from what the client parses, these tests fail.

mod api;
mod events;
mod support;
