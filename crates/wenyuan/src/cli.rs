//! The command-line interface. The doc comments here are the `--help` text.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use wenyuan_core::Status;

use crate::cmd;

/// 文渊 Wenyuan: a self-hosted Chinese document library.
#[derive(Debug, Parser)]
#[command(name = "wenyuan", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server.
    Serve(ServeArgs),
    /// Import documents (.txt, .md, .docx, .html/.htm, .jsonl, .zip files, or folders of them).
    Import(ImportArgs),
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// VIP: make redeem codes (卡密).
    #[command(subcommand)]
    Vip(VipCommand),
    /// Rebuild the search index from the database (the server must be stopped). Needed after
    /// changing the user dictionary (`dictionary.txt` in the data folder).
    Reindex(StoreArgs),
    /// Load the bundled sample documents into an empty data folder, create a demo member, and serve.
    Demo(ServeArgs),
    /// 模板化: propose replacing place and person names with X/XX in a text file (any encoding)
    /// or standard input, and print the text with every proposal applied.
    Anonymize(AnonymizeArgs),
    /// 修复已有文档的数据。
    #[command(subcommand)]
    Repair(RepairCommand),
}

#[derive(Debug, Subcommand)]
pub enum RepairCommand {
    /// 重新推定导入文档的日期：日期为导入当天（旧版的兜底）或为空的文档，取正文中的日期行
    /// （标题下的日期、落款日期），没有则不设日期。来源给出的日期保持不变。
    Dates(StoreArgs),
}

/// Where the data lives; shared by every subcommand.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// Data folder: the SQLite database, the search index, the theme folder.
    #[arg(long, env = "WENYUAN_DATA", value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB (default: SQLite in the data folder).
    #[arg(long, env = "WENYUAN_DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,
    /// Configuration file (TOML). Default: wenyuan.toml in the data folder, when present.
    #[arg(long, env = "WENYUAN_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Address to listen on.
    #[arg(long, env = "WENYUAN_LISTEN", value_name = "ADDR")]
    pub listen: Option<String>,
    /// The site's public URL, e.g. https://fanwen.example.com (used for canonical links and QR codes;
    /// https makes cookies Secure).
    // Its rule (and every other site setting's) is `wenyuan_core::settings::rules::base_url`.
    #[arg(long, env = "WENYUAN_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Category for documents that do not name one.
    #[arg(long, value_name = "NAME")]
    pub category: Option<String>,
    /// Access level for documents that do not name one: public, member or vip.
    #[arg(long, value_name = "LEVEL")]
    pub access: Option<String>,
    /// Status of the imported documents: draft, pending, published or hidden.
    #[arg(long, value_name = "STATUS", default_value_t = Status::Published)]
    pub status: Status,
    /// Publish documents that nearly duplicate a stored one (or one imported just before)
    /// instead of holding them as pending for an editor.
    #[arg(long)]
    pub allow_near_duplicates: bool,
    /// 模板化: replace place and person names (and the editors' word list) by X/XX in every
    /// imported document, accepting all that `wenyuan anonymize` would propose. Review them
    /// before publishing: import with `--status draft`.
    #[arg(long)]
    pub anonymize: bool,
    /// Files or folders to import (folders are searched recursively).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct AnonymizeArgs {
    /// The text file; `-` or nothing reads standard input.
    #[arg(value_name = "PATH")]
    pub path: Option<PathBuf>,
    /// Print the proposed replacements as JSON, `[{start, end, original, replacement, kind}]`,
    /// with offsets in characters, instead of the text.
    #[arg(long)]
    pub json: bool,
    /// A word always replaced (a company, a project); may be given several times.
    #[arg(long = "word", value_name = "WORD")]
    pub words: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user account.
    Add(UserAddArgs),
}

#[derive(Debug, Clone, Args)]
pub struct UserAddArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// User name (2–32 characters).
    #[arg(long)]
    pub name: String,
    /// Read the password from standard input (one line).
    #[arg(long, required = true)]
    pub password_stdin: bool,
    /// Role: member, vip, editor or admin.
    #[arg(long, default_value = "member")]
    pub role: String,
}

#[derive(Debug, Subcommand)]
pub enum VipCommand {
    /// Make a batch of VIP redeem codes and print them, one per line. They are shown only
    /// now: the database keeps only their hashes. Members redeem them at /me/vip.
    Codes(VipCodesArgs),
}

#[derive(Debug, Clone, Args)]
pub struct VipCodesArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// How many codes (1–1000).
    #[arg(long)]
    pub count: i64,
    /// Days of VIP each code gives (1–3650).
    #[arg(long)]
    pub days: i64,
    /// A name for the batch, shown at /admin/vip-codes (default: the date and time).
    #[arg(long, value_name = "NAME")]
    pub batch: Option<String>,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::config::init_tracing();
    // Pure text work: no runtime, no data folder.
    let command = match cli.command {
        Command::Anonymize(args) => return finish(cmd::anonymize::run(args)),
        other => other,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match command {
            Command::Serve(args) => cmd::serve::run(args).await,
            Command::Import(args) => cmd::import::run(args).await,
            Command::User(UserCommand::Add(args)) => cmd::user::add(args).await,
            Command::Vip(VipCommand::Codes(args)) => cmd::vip::codes(args).await,
            Command::Reindex(args) => cmd::reindex::run(args).await,
            Command::Repair(RepairCommand::Dates(args)) => cmd::repair::dates(args).await,
            Command::Demo(args) => cmd::demo::run(args).await,
            Command::Anonymize(args) => cmd::anonymize::run(args),
        }
    });
    finish(result)
}

fn finish(result: anyhow::Result<ExitCode>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
