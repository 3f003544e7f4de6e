use std::process::ExitCode;
use std::sync::Arc;

use wenyuan_core::SystemClock;

use crate::cli::ServeArgs;
use crate::config::Config;
use crate::demo::{ensure_demo_member, load_sample, DEMO_MEMBER, DEMO_PASSWORD};
use crate::server::{open_services, start};

pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let config = Config::from_serve_args(&args)?;
    let services = open_services(&config, Arc::new(SystemClock)).await?;
    if services.reading.count_documents().await? == 0 {
        let report = load_sample(&services).await?;
        eprintln!("demo: {}", report.summary());
    } else {
        eprintln!("demo: the data folder already has documents; not importing the sample again");
    }
    ensure_demo_member(&services).await?;
    eprintln!("demo member: name {DEMO_MEMBER}, password {DEMO_PASSWORD}");
    let server = start(&config, services, &config.listen, true).await?;
    eprintln!("文渊 Wenyuan demo: http://{} (Ctrl-C to stop)", server.addr);
    server.wait().await?;
    Ok(ExitCode::SUCCESS)
}
