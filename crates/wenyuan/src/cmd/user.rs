//! `wenyuan user add` and `wenyuan user passwd`: accounts from the command line, the password
//! read from standard input (never from the command line, where `ps` and the shell's history
//! would keep it).

use std::io::BufRead;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context};
use wenyuan_core::{Role, SystemClock};

use crate::cli::{UserAddArgs, UserPasswdArgs};
use crate::config::Config;
use crate::server::open_services;

pub async fn add(args: UserAddArgs) -> anyhow::Result<ExitCode> {
    let role: Role = args.role.parse().map_err(anyhow::Error::msg)?;
    let password = read_password("wenyuan user add --name NAME --password-stdin")?;
    let config = Config::from_store_args(&args.store)?;
    let services = open_services(&config, Arc::new(SystemClock)).await?;
    let member = services
        .accounts
        .add_user(&args.name, &password, role)
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

pub async fn passwd(args: UserPasswdArgs) -> anyhow::Result<ExitCode> {
    let password = read_password("wenyuan user passwd NAME --password-stdin")?;
    let config = Config::from_store_args(&args.store)?;
    let services = open_services(&config, Arc::new(SystemClock)).await?;
    let done = services.recovery.set_password(&args.name, &password).await;
    services.close().await;
    done?;
    println!(
        "已为用户 {} 设置新密码；该用户在所有设备上的登录已退出。",
        args.name.trim()
    );
    Ok(ExitCode::SUCCESS)
}

/// One line of standard input, without its line end.
fn read_password(usage: &str) -> anyhow::Result<String> {
    let mut password = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut password)
        .context("无法从标准输入读取密码")?;
    let password = password.trim_end_matches(['\n', '\r']);
    if password.is_empty() {
        bail!("标准输入中没有密码（请用管道传入：echo '密码' | {usage}）");
    }
    Ok(password.to_owned())
}
