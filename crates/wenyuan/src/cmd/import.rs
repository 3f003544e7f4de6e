use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use wenyuan_core::desk::import::{ImportFailure, ImportOptions, ImportProgress};
use wenyuan_core::{Access, SystemClock};

use crate::cli::ImportArgs;
use crate::config::Config;
use crate::server::open_services;

pub async fn run(args: ImportArgs) -> anyhow::Result<ExitCode> {
    if let Some(source) = &args.from_dedecms {
        return super::dedecms::run(&args, source).await;
    }
    let config = Config::from_store_args(&args.store)?;
    let services = open_services(&config, Arc::new(SystemClock)).await?;
    // The library's settings: the admin's saved default access wins over the config file's.
    let access = match &args.access {
        Some(a) => a.parse::<Access>().map_err(anyhow::Error::msg)?,
        None => services.site().default_access,
    };
    let options = ImportOptions {
        category: args.category.clone().filter(|c| !c.trim().is_empty()),
        access,
        status: args.status,
        allow_near_duplicates: args.allow_near_duplicates,
        anonymize: match args.anonymize {
            true => Some(services.desk.import.import_anonymizer().await?),
            false => None,
        },
        ..ImportOptions::default()
    };
    let progress = BarProgress::new();
    let started = Instant::now();
    let report = services
        .desk
        .import
        .import_paths(&args.paths, &options, &progress)
        .await;
    progress.bar.finish_and_clear();
    services.close().await;
    let report = report?;
    let seconds = started.elapsed().as_secs_f64();
    for line in report.near_duplicate_lines() {
        println!("{line}");
    }
    println!("{}", report.summary());
    tracing::info!(
        seconds = format!("{seconds:.2}"),
        per_second = format!(
            "{:.0}",
            (report.imported + report.skipped) as f64 / seconds.max(1e-9)
        ),
        "import finished"
    );
    Ok(if report.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// A progress bar on a terminal; nothing when stderr is a pipe or a file.
struct BarProgress {
    bar: ProgressBar,
}

impl BarProgress {
    fn new() -> Self {
        let bar = if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({eta})",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        } else {
            ProgressBar::hidden()
        };
        BarProgress { bar }
    }
}

impl ImportProgress for BarProgress {
    fn start(&self, total_bytes: u64) {
        self.bar.set_length(total_bytes);
    }
    fn advance(&self, bytes: u64) {
        self.bar.inc(bytes);
    }
    fn failed(&self, failure: &ImportFailure) {
        self.bar
            .suspend(|| eprintln!("failed: {}: {}", failure.place, failure.reason));
    }
    fn duplicate(&self, place: &str, of: i64) {
        self.bar
            .suspend(|| eprintln!("duplicate: {place}: same as document #{of}"));
    }
}
