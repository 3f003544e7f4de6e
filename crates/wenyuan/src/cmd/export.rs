//! `wenyuan export --format jsonl`: every document as records `wenyuan import` reads back.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use wenyuan_core::SystemClock;

use crate::cli::{ExportArgs, ExportFormat};
use crate::config::Config;
use crate::server::open_services;

pub async fn run(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let config = Config::from_store_args(&args.store)?;
    let ExportFormat::Jsonl = args.format;
    let services = open_services(&config, Arc::new(SystemClock)).await?;
    let mut out: Box<dyn Write + Send> = match &args.out {
        Some(path) if path.as_os_str() != "-" => Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        )),
        _ => Box::new(BufWriter::new(std::io::stdout())),
    };
    let written = services.maintenance.export_jsonl(&mut *out).await;
    services.close().await;
    let written = written.context("cannot export the documents")?;
    eprintln!("exported {written} documents");
    Ok(ExitCode::SUCCESS)
}
