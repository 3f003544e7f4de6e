//! The `wenyuan` binary's library: command-line parsing, configuration, and one module per
//! subcommand. Tests start the server through [`server::start`], exactly as `wenyuan serve` does.

pub mod cli;
pub mod cmd;
pub mod config;
pub mod demo;
pub mod server;
