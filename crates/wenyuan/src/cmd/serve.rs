use std::process::ExitCode;
use std::sync::Arc;

use wenyuan_core::SystemClock;

use crate::cli::ServeArgs;
use crate::config::Config;
use crate::server::{open_services, redact, start};

pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let config = Config::from_serve_args(&args)?;
    serve(&config).await?;
    Ok(ExitCode::SUCCESS)
}

/// Serve until SIGINT/SIGTERM.
pub async fn serve(config: &Config) -> anyhow::Result<()> {
    let services = open_services(config, Arc::new(SystemClock)).await?;
    let server = start(config, services, &config.listen, true).await?;
    tracing::info!(
        database = %redact(&config.database_url),
        data = %config.data_dir.display(),
        "文渊 Wenyuan is serving at http://{}",
        server.addr
    );
    eprintln!("文渊 Wenyuan: http://{} (Ctrl-C to stop)", server.addr);
    server.wait().await
}
