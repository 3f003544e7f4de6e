//! One module per subcommand.

pub mod anonymize;
pub mod backup;
pub mod dedecms;
pub mod demo;
pub mod export;
pub mod import;
pub mod reindex;
pub mod repair;
pub mod restore;
pub mod serve;
pub mod user;
pub mod vip;
