//! One module per subcommand.

pub mod demo;
pub mod import;
pub mod reindex;
pub mod serve;
pub mod user;
