//! One module per subcommand.

pub mod anonymize;
pub mod demo;
pub mod import;
pub mod reindex;
pub mod repair;
pub mod serve;
pub mod user;
pub mod vip;
