use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use wenyuan_core::SystemClock;
use wenyuan_search::{SearchIndex, WriterBudget};

use crate::cli::StoreArgs;
use crate::config::Config;
use crate::server::{load_dictionary, open_services};

pub async fn run(args: StoreArgs) -> anyhow::Result<ExitCode> {
    let config = Config::from_store_args(&args)?;
    let services = open_services(&config, Arc::new(SystemClock)).await?;
    load_dictionary(&config)?;
    let dir = config.index_dir();
    // Fail before deleting anything if a server holds the index.
    drop(SearchIndex::open(&dir).context("cannot rebuild the search index")?);
    SearchIndex::destroy(&dir)?;
    services.attach_index(Arc::new(SearchIndex::open_with_writer(
        &dir,
        WriterBudget::rebuild(),
    )?));
    let bar = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} documents ({eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let started = Instant::now();
    let total = services
        .search
        .rebuild_index(&|total, done| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await?;
    bar.finish_and_clear();
    services.close().await;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "indexed {total} documents in {seconds:.1} s ({:.0} documents/s)",
        total as f64 / seconds.max(1e-9)
    );
    Ok(ExitCode::SUCCESS)
}
