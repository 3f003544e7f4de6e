//! `wenyuan vip codes`: a batch of redeem codes (卡密), printed one per line.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use wenyuan_core::SystemClock;

use crate::cli::VipCodesArgs;
use crate::config::Config;
use crate::server::open_services;

pub async fn codes(args: VipCodesArgs) -> anyhow::Result<ExitCode> {
    let config = Config::from_store_args(&args.store)?;
    let services = open_services(&config, Arc::new(SystemClock)).await?;
    let made = services
        .vip
        .create_codes(None, args.count, args.days, args.batch.as_deref())
        .await;
    services.close().await;
    let batch = made?;
    // The codes alone on standard output (so they can be piped to a file); what they are on
    // standard error.
    let mut out = std::io::stdout().lock();
    for code in &batch.codes {
        writeln!(out, "{code}").context("writing the codes")?;
    }
    out.flush().context("writing the codes")?;
    eprintln!(
        "made {} codes of {} days each in batch {:?}; they are not shown again",
        batch.codes.len(),
        batch.days,
        batch.batch
    );
    Ok(ExitCode::SUCCESS)
}
