//! `wenyuan import --from-dedecms DUMP.sql|mysql://…`: move a DedeCMS site over (see
//! `wenyuan_core::desk::import::dedecms`) and print what was moved, what was skipped and why.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::Arc;

use anyhow::Context as _;
use wenyuan_core::desk::import::ImportOptions;
use wenyuan_core::desk::DedeReport;
use wenyuan_core::SystemClock;

use crate::cli::ImportArgs;
use crate::config::Config;
use crate::server::open_services;

pub async fn run(args: &ImportArgs, source: &str) -> anyhow::Result<ExitCode> {
    // A live database is read through its own dump tool, into a file beside nothing else.
    let dumped;
    let dump: PathBuf = if source.starts_with("mysql://") || source.starts_with("mariadb://") {
        dumped = tempfile::Builder::new()
            .prefix("wenyuan-dedecms-")
            .suffix(".sql")
            .tempfile()
            .context("创建临时文件")?;
        dump_live_database(source, dumped.path())?;
        dumped.path().to_path_buf()
    } else {
        PathBuf::from(source)
    };
    let config = Config::from_store_args(&args.store)?;
    let services = open_services(&config, Arc::new(SystemClock)).await?;
    let options = ImportOptions {
        // The old site published these pages: a similar pair stays published (and listed at
        // the desk), or its old address would lead to a page guests cannot see.
        allow_near_duplicates: true,
        ..ImportOptions::default()
    };
    let report = services.desk.dedecms.import_dump(&dump, &options).await;
    services.close().await;
    let report = report?;
    print_report(&report);
    Ok(if report.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn print_report(report: &DedeReport) {
    println!(
        "DedeCMS 迁移（表前缀 {}）：备份中有文章 {} 篇",
        report.prefix, report.articles_in_dump
    );
    println!(
        "导入 {} 篇（其中待审 {} 篇），已存在 {} 篇，跳过 {} 篇，失败 {} 篇；栏目 {} 个，标签 {} 个，头条/推荐 {} 篇；旧网址 {} 个已设为 301 跳转",
        report.imported,
        report.pending,
        report.already_there,
        report.skipped.len(),
        report.failed.len(),
        report.categories,
        report.tags,
        report.featured,
        report.old_urls
    );
    for (aid, reason) in &report.skipped {
        eprintln!("跳过 aid={aid}：{reason}");
    }
    for (aid, reason) in &report.failed {
        eprintln!("失败 aid={aid}：{reason}");
    }
}

/// `mysqldump` of the database a `mysql://user:password@host:port/database` address names.
fn dump_live_database(address: &str, into: &Path) -> anyhow::Result<()> {
    let parsed = LiveDatabase::parse(address)?;
    let mut command = Command::new("mysqldump");
    command
        .arg("--single-transaction")
        .arg("--skip-lock-tables")
        .arg("--default-character-set=utf8mb4")
        .arg(format!("--host={}", parsed.host))
        .arg(format!("--port={}", parsed.port))
        .arg(format!("--user={}", parsed.user))
        .arg(format!("--result-file={}", into.display()))
        .arg(&parsed.database);
    // The password goes through the environment, not the command line other users can read.
    if let Some(password) = &parsed.password {
        command.env("MYSQL_PWD", password);
    }
    let output = command
        .output()
        .context("运行 mysqldump（读取在线数据库需要本机安装 MySQL 或 MariaDB 的客户端）")?;
    if !output.status.success() {
        anyhow::bail!(
            "mysqldump 未能导出数据库 {}：{}",
            parsed.database,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

#[derive(Debug, PartialEq)]
struct LiveDatabase {
    user: String,
    password: Option<String>,
    host: String,
    port: u16,
    database: String,
}

impl LiveDatabase {
    fn parse(address: &str) -> anyhow::Result<Self> {
        let bad =
            || anyhow::anyhow!("数据库地址应为 mysql://用户:密码@主机:端口/库名，而不是 {address}");
        let rest = address.split_once("://").ok_or_else(bad)?.1;
        let (credentials, place) = rest.rsplit_once('@').unwrap_or(("root", rest));
        let (user, password) = match credentials.split_once(':') {
            Some((u, p)) => (u, Some(decode(p))),
            None => (credentials, None),
        };
        let (host_port, database) = place.split_once('/').ok_or_else(bad)?;
        let database = database.split('?').next().unwrap_or_default();
        if database.is_empty() {
            return Err(bad());
        }
        let (host, port) = match host_port.rsplit_once(':') {
            Some((h, p)) => (h, p.parse::<u16>().map_err(|_| bad())?),
            None => (host_port, 3306),
        };
        Ok(LiveDatabase {
            user: decode(user),
            password,
            host: if host.is_empty() {
                "127.0.0.1".into()
            } else {
                host.into()
            },
            port,
            database: decode(database),
        })
    }
}

/// `%40` → `@` in the parts of an address.
fn decode(part: &str) -> String {
    percent_encoding::percent_decode_str(part)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::LiveDatabase;

    #[test]
    fn live_database_addresses_are_read_with_their_defaults() {
        assert_eq!(
            LiveDatabase::parse("mysql://dede:p%40ss@db.local:3307/fanwen").unwrap(),
            LiveDatabase {
                user: "dede".into(),
                password: Some("p@ss".into()),
                host: "db.local".into(),
                port: 3307,
                database: "fanwen".into(),
            }
        );
        let plain = LiveDatabase::parse("mysql://root@127.0.0.1/test").unwrap();
        assert_eq!((plain.port, plain.password), (3306, None));
        assert!(LiveDatabase::parse("mysql://root@127.0.0.1").is_err());
    }
}
