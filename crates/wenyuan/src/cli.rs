//! The command-line interface. The doc comments here are the `--help` text.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Arg, ArgAction, Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use wenyuan_core::Status;

use crate::cmd;

/// 文渊 Wenyuan：自建的中文范文文库。
#[derive(Debug, Parser)]
#[command(name = "wenyuan", version, about = "文渊 Wenyuan：自建的中文范文文库。", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// 运行网站服务。
    Serve(ServeArgs),
    /// 导入文档（.txt、.md、.docx、.doc、.wps、.pdf、.html/.htm、.jsonl、.zip 文件，或存放它们的文件夹）。
    Import(ImportArgs),
    /// 管理用户账号。
    #[command(subcommand)]
    User(UserCommand),
    /// VIP：生成卡密。
    #[command(subcommand)]
    Vip(VipCommand),
    /// 从数据库重建搜索索引（须先停止服务）。修改用户词典（数据目录中的 dictionary.txt）后需要重建。
    Reindex(StoreArgs),
    /// 向空的数据目录载入自带的示例文档，创建演示会员并运行网站。
    Demo(ServeArgs),
    /// 模板化：把文本文件（任意编码）或标准输入中的地名、人名替换为 X/XX，输出替换后的全文。
    Anonymize(AnonymizeArgs),
    /// 在服务运行时把数据目录备份为一个 .zip：SQLite 数据库的一致快照、配置文件、主题及数据目录中的
    /// 其他文件（PostgreSQL 时不含数据库，请用 pg_dump，见 README）。
    Backup(BackupArgs),
    /// 把 `wenyuan backup` 生成的备份恢复到空的（或新的）数据目录。
    Restore(RestoreArgs),
    /// 把全部文档（任何状态）导出为 `wenyuan import` 可读回的 .jsonl 记录。
    Export(ExportArgs),

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

/// 数据所在的位置；各命令通用。
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// 数据目录：SQLite 数据库、搜索索引、主题目录。
    #[arg(long, env = "WENYUAN_DATA", value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// 数据库地址：sqlite://路径 或 postgres://用户@主机/库（默认：数据目录中的 SQLite）。
    #[arg(long, env = "WENYUAN_DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,
    /// 配置文件（TOML）。默认：数据目录中的 wenyuan.toml（如有）。
    #[arg(long, env = "WENYUAN_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// 监听地址。
    #[arg(long, env = "WENYUAN_LISTEN", value_name = "ADDR")]
    pub listen: Option<String>,
    /// 网站的公开网址，如 https://fanwen.example.com（用于规范链接和二维码；https 时 Cookie 带 Secure）。
    // Its rule (and every other site setting's) is `wenyuan_core::settings::rules::base_url`.
    #[arg(long, env = "WENYUAN_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,
    /// 在此地址提供 /metrics（Prometheus 文本格式），如 127.0.0.1:9180；不给则关闭。
    /// 只供运维使用，不要暴露在公网上。
    #[arg(long, env = "WENYUAN_METRICS_LISTEN", value_name = "ADDR")]
    pub metrics_listen: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// 未写明栏目的文档归入的栏目。
    #[arg(long, value_name = "NAME")]
    pub category: Option<String>,
    /// 未写明权限的文档的权限：public（公开）、member（会员）或 vip。
    #[arg(long, value_name = "LEVEL")]
    pub access: Option<String>,
    /// 导入文档的状态：draft（草稿）、pending（待审）、published（已发布）或 hidden（已隐藏）。
    #[arg(long, value_name = "STATUS", default_value_t = Status::Published)]
    pub status: Status,
    /// 与已有文档（或刚导入的文档）近似重复的文档也直接发布，而不是留作待审。
    #[arg(long)]
    pub allow_near_duplicates: bool,
    /// 模板化：把每篇导入文档中的地名、人名（及编辑维护的词表）替换为 X/XX，即接受
    /// wenyuan anonymize 的全部建议。发布前请审阅：可配合 --status draft 导入。
    #[arg(long)]
    pub anonymize: bool,
    /// 从 DedeCMS（织梦）网站迁移：mysqldump 导出的 .sql 备份文件（GBK 或 UTF-8，任意表前缀），
    /// 或在线数据库地址 mysql://用户:密码@主机:端口/库名（需要本机有 mysqldump）。导入栏目、文章、
    /// 标签、浏览数，并让旧网址（/plus/view.php?aid=N、栏目目录、静态文章页、列表页）以 301 跳转到
    /// 新网址。可重复运行：已导入的文章不会重复。
    #[arg(long, value_name = "DUMP.sql|mysql://…", conflicts_with = "paths")]
    pub from_dedecms: Option<String>,
    /// 要导入的文件或文件夹（递归查找文件夹）。
    #[arg(required_unless_present = "from_dedecms", value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct AnonymizeArgs {
    /// 文本文件；写 - 或不写则读标准输入。
    #[arg(value_name = "PATH")]
    pub path: Option<PathBuf>,
    /// 输出替换建议的 JSON（[{start, end, original, replacement, kind}]，位置按字符计），而不是全文。
    #[arg(long)]
    pub json: bool,
    /// 总要替换的词（单位名、项目名）；可多次给出。
    #[arg(long = "word", value_name = "WORD")]
    pub words: Vec<String>,
}

#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// 要写入的备份文件（.zip），不能已存在。
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// 同时备份搜索索引（否则恢复后的服务在启动时重建索引）。
    #[arg(long)]
    pub with_index: bool,
}

#[derive(Debug, Clone, Args)]
pub struct RestoreArgs {
    /// `wenyuan backup` 生成的备份文件。
    #[arg(value_name = "FILE")]
    pub archive: PathBuf,
    /// 恢复到的数据目录：必须为空或不存在。
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
}

/// Formats `wenyuan export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// 每行一条 JSON 记录：id、title、date、category、tags、access、status、views、body。
    Jsonl,
}

#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// 导出格式。
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: ExportFormat,
    /// 写入的文件；省略或为 `-` 时写到标准输出。
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// 创建用户账号。
    Add(UserAddArgs),
    /// 为用户设置新密码（忘记密码时由管理员在服务器上操作）。该用户在所有设备上的登录都会退出，
    /// 操作记入操作日志。例：echo '新密码' | wenyuan user passwd 张三 --password-stdin
    Passwd(UserPasswdArgs),
}

#[derive(Debug, Clone, Args)]
pub struct UserPasswdArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// 用户名。
    #[arg(value_name = "NAME")]
    pub name: String,
    /// 从标准输入读取新密码（一行，至少 8 个字符）。
    #[arg(long, required = true)]
    pub password_stdin: bool,
}

#[derive(Debug, Clone, Args)]
pub struct UserAddArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// 用户名（2–32 个字）。
    #[arg(long)]
    pub name: String,
    /// 从标准输入读取密码（一行）。
    #[arg(long, required = true)]
    pub password_stdin: bool,
    /// 角色：member（会员）、vip、editor（编辑）或 admin（管理员）。
    #[arg(long, default_value = "member")]
    pub role: String,
}

#[derive(Debug, Subcommand)]
pub enum VipCommand {
    /// 生成一批 VIP 卡密，每行一个。只显示这一次：数据库只保存其哈希。会员在 /me/vip 兑换。
    Codes(VipCodesArgs),
}

#[derive(Debug, Clone, Args)]
pub struct VipCodesArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// 数量（1–1000）。
    #[arg(long)]
    pub count: i64,
    /// 每个卡密的 VIP 天数（1–3650）。
    #[arg(long)]
    pub days: i64,
    /// 这批卡密的名称，显示在 /admin/vip-codes（默认：日期和时间）。
    #[arg(long, value_name = "NAME")]
    pub batch: Option<String>,
}

pub fn main() -> ExitCode {
    let matches = chinese_help(Cli::command()).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
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
            eprintln!("错误：无法启动异步运行时：{err}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match command {
            Command::Serve(args) => cmd::serve::run(args).await,
            Command::Import(args) => cmd::import::run(args).await,
            Command::User(UserCommand::Add(args)) => cmd::user::add(args).await,
            Command::User(UserCommand::Passwd(args)) => cmd::user::passwd(args).await,
            Command::Vip(VipCommand::Codes(args)) => cmd::vip::codes(args).await,
            Command::Reindex(args) => cmd::reindex::run(args).await,
            Command::Repair(RepairCommand::Dates(args)) => cmd::repair::dates(args).await,
            Command::Demo(args) => cmd::demo::run(args).await,
            Command::Anonymize(args) => cmd::anonymize::run(args),
            Command::Backup(args) => cmd::backup::run(args).await,
            Command::Restore(args) => cmd::restore::run(args),
            Command::Export(args) => cmd::export::run(args).await,
        }
    });
    finish(result)
}

fn finish(result: anyhow::Result<ExitCode>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("错误：{err:#}");
            ExitCode::FAILURE
        }
    }
}

/// The `--help` text in Chinese: clap's own headings and flags, for every subcommand (the
/// subcommand names stay English).
fn chinese_help(command: clap::Command) -> clap::Command {
    let is_root = command.get_name() == "wenyuan";
    let mut command = command
        .mut_args(|arg| {
            let heading = if arg.is_positional() {
                "参数"
            } else {
                "选项"
            };
            arg.help_heading(heading)
        })
        .help_template("{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}")
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令")
        .next_help_heading("选项")
        .disable_help_subcommand(true)
        .disable_help_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("显示帮助"),
        );
    if is_root {
        command = command.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("显示版本"),
        );
    }
    let names: Vec<String> = command
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .collect();
    for name in names {
        command = command.mut_subcommand(name, chinese_help);
    }
    command
}
