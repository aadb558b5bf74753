//! The single-table key design. Every item has `pk`/`sk`; three overloaded GSIs serve
//! the secondary access patterns. docs/data-model.md lists each pattern and its key.

pub const PK: &str = "pk";
pub const SK: &str = "sk";
pub const GSI1: &str = "gsi1";
pub const GSI2: &str = "gsi2";
pub const GSI3: &str = "gsi3";

pub fn user(id: impl std::fmt::Display) -> String {
    format!("USER#{id}")
}
pub const USER_SK: &str = "USER";
pub const LOGIN_SK: &str = "LOGIN";
pub const PHOTOGRAPHER_SK: &str = "PHOTOGRAPHER";

pub fn email(normalized: &str) -> String {
    format!("EMAIL#{normalized}")
}
pub const EMAIL_SK: &str = "EMAIL";

pub fn role(role: &str) -> String {
    format!("ROLE#{role}")
}
pub const ALL_USERS: &str = "USERS";

pub fn refresh_family(family: &str) -> String {
    format!("REFRESH#{family}")
}
pub const REFRESH_SK: &str = "FAMILY";

pub fn listing(partition: &str) -> String {
    format!("LISTING#{partition}")
}
