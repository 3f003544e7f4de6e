//! `wenyuan repair …`: fixes of stored data made by older versions.

use std::process::ExitCode;
use std::sync::Arc;

use wenyuan_core::SystemClock;

use crate::cli::StoreArgs;
use crate::config::Config;
use crate::server::open_services;

/// `wenyuan repair dates`: re-derive the dates of imported documents (see
/// `Documents::repair_dates`); the index follows through the change feed.
pub async fn dates(args: StoreArgs) -> anyhow::Result<ExitCode> {
    let config = Config::from_store_args(&args)?;
    let services = open_services(&config, Arc::new(SystemClock)).await?;
    let report = services.desk.documents.repair_dates().await;
    services.close().await;
    let report = report?;
    println!(
        "检查了 {} 篇导入的文档：{} 篇取正文中的日期，{} 篇改为无日期",
        report.checked, report.dated, report.undated
    );
    Ok(ExitCode::SUCCESS)
}
