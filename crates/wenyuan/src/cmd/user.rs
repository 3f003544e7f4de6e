use std::io::BufRead;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context};
use wenyuan_core::{Role, SystemClock};

use crate::cli::UserAddArgs;
use crate::config::Config;
use crate::server::open_services;

pub async fn add(args: UserAddArgs) -> anyhow::Result<ExitCode> {
    let role: Role = args.role.parse().map_err(anyhow::Error::msg)?;
    let mut password = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut password)
        .context("cannot read the password from standard input")?;
    let password = password.trim_end_matches(['\n', '\r']);
    if password.is_empty() {
        bail!("no password on standard input (pipe it in: echo 'PASSWORD' | wenyuan user add --name NAME --password-stdin)");
    }
    let config = Config::from_store_args(&args.store)?;
    let services = open_services(&config, Arc::new(SystemClock)).await?;
    let member = services
        .accounts
        .add_user(&args.name, password, role)
        .await?;
    println!(
        "created user {} (id {}, role {})",
        member.name,
        member.id,
        member.role.as_str()
    );
    services.close().await;
    Ok(ExitCode::SUCCESS)
}
