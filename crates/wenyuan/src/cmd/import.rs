use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{HumanBytes, HumanDuration, ProgressBar, ProgressStyle};
use wenyuan_core::desk::import::{ImportFailure, ImportOptions, ImportProgress, ImportReport};
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
    let progress = Progress::new();
    let report = services
        .desk
        .import
        .import_paths(&args.paths, &options, &progress)
        .await;
    progress.finish();
    if let Ok(report) = &report {
        // Imports from the command line are in the desk's log like uploads, by the system.
        let audited = services
            .audit
            .record_system("import", "", &audit_detail(report, &args.paths))
            .await;
        if let Err(e) = audited {
            tracing::warn!(error = %e, "the import could not be written to the audit log");
        }
    }
    services.close().await;
    let report = report?;
    progress.done(&report);
    println!("{}", report.summary());
    Ok(if report.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// What the audit log says of one import, as for an upload.
fn audit_detail(report: &ImportReport, paths: &[std::path::PathBuf]) -> String {
    let files: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let mut files = files.join("、");
    if files.chars().count() > 200 {
        files = files.chars().take(200).collect::<String>() + "…";
    }
    format!(
        "导入 {}，重复 {}，近似重复 {}，失败 {}（{files}）",
        report.imported.saturating_sub(report.near_duplicates.len()),
        report.skipped,
        report.near_duplicates.len(),
        report.failures.len()
    )
}

/// How often a line of progress is written when stderr is not a terminal.
const PLAIN_EVERY: Duration = Duration::from_secs(5);

/// Progress on stderr: a bar (count, rate, time left) on a terminal; plain lines, without
/// control codes, every few seconds when stderr is a pipe or a file. Failures, duplicates and
/// near-duplicates are reported there the same way, one line each, as they happen.
struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    state: Mutex<Counts>,
}

#[derive(Default)]
struct Counts {
    total_bytes: u64,
    bytes: u64,
    documents: usize,
    last_line: Option<Instant>,
}

impl Progress {
    fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {wide_bar} {percent}% {msg} 剩余 {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress {
            bar,
            started: Instant::now(),
            state: Mutex::new(Counts::default()),
        }
    }

    fn counts(&self) -> std::sync::MutexGuard<'_, Counts> {
        // A panic elsewhere while holding the lock leaves plain numbers: still fine to read.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn rate(&self, documents: usize) -> f64 {
        documents as f64 / self.started.elapsed().as_secs_f64().max(1e-3)
    }

    /// A line to print: on a terminal above the bar, otherwise as it is.
    fn line(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{text}")),
            None => eprintln!("{text}"),
        }
    }

    /// The bar's message, or (no terminal) a plain line when the last one is old enough.
    fn show(&self) {
        let mut counts = self.counts();
        let rate = self.rate(counts.documents);
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{} 篇，{rate:.0} 篇/秒", counts.documents));
            return;
        }
        let now = Instant::now();
        if counts
            .last_line
            .is_some_and(|at| now.duration_since(at) < PLAIN_EVERY)
        {
            return;
        }
        counts.last_line = Some(now);
        let share = counts.bytes as f64 / counts.total_bytes.max(1) as f64;
        let left = match share > 0.0 {
            true => {
                let elapsed = self.started.elapsed().as_secs_f64();
                HumanDuration(Duration::from_secs_f64(elapsed * (1.0 - share) / share)).to_string()
            }
            false => "未知".to_owned(),
        };
        eprintln!(
            "进度：{} 篇，{:.0}%（{}/{}），{rate:.0} 篇/秒，预计剩余 {left}",
            counts.documents,
            share * 100.0,
            HumanBytes(counts.bytes),
            HumanBytes(counts.total_bytes)
        );
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    /// The closing line on stderr: how many, how fast.
    fn done(&self, report: &ImportReport) {
        let seconds = self.started.elapsed().as_secs_f64();
        eprintln!(
            "完成：{} 篇，用时 {seconds:.1} 秒，{:.0} 篇/秒",
            report.documents(),
            self.rate(report.documents())
        );
    }
}

impl ImportProgress for Progress {
    fn start(&self, total_bytes: u64) {
        self.counts().total_bytes = total_bytes;
        if let Some(bar) = &self.bar {
            bar.set_length(total_bytes);
        }
    }
    fn advance(&self, bytes: u64) {
        self.counts().bytes += bytes;
        if let Some(bar) = &self.bar {
            bar.inc(bytes);
        }
    }
    fn documents(&self, done: usize) {
        self.counts().documents = done;
        self.show();
    }
    fn failed(&self, failure: &ImportFailure) {
        self.line(&format!("failed: {}: {}", failure.place, failure.reason));
    }
    fn duplicate(&self, place: &str, of: i64) {
        self.line(&format!("duplicate: {place}: same as document #{of}"));
    }
    fn near_duplicate(&self, place: &str, id: i64, of: i64, similarity: f64, held: bool) {
        let what = if held { "held as pending" } else { "published" };
        self.line(&format!(
            "near-duplicate: {place}: #{id} is a near-duplicate of #{of} (similarity {similarity:.3}), {what}"
        ));
    }
}
