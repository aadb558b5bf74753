//! Accounts: users and roles, registration and profile rules, passwords, sign-in
//! throttling, refresh-token families and access tokens. Pure: no AWS, no storage, no
//! HTTP (the time is always passed in).

pub mod account;
pub mod feed;
pub mod login_throttle;
pub mod password;
pub mod phone;
pub mod refresh;
pub mod session;
pub mod tokens;

pub use account::{Email, ReminderHours, Role, SmsEvent, SmsEvents, User, UserView};
