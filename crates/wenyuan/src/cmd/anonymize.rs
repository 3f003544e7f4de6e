//! `wenyuan anonymize`: the 模板化 proposal for one file or standard input, as text or JSON.

use std::io::{Read, Write};
use std::process::ExitCode;

use anyhow::Context;
use wenyuan_text::{apply, decode_text, AnonymizeOptions, Anonymizer};

use crate::cli::AnonymizeArgs;

pub fn run(args: AnonymizeArgs) -> anyhow::Result<ExitCode> {
    let (bytes, source) = match args.path.as_deref() {
        None => read_stdin()?,
        Some(p) if p.as_os_str() == "-" => read_stdin()?,
        Some(p) => (
            std::fs::read(p).with_context(|| format!("无法读取 {}", p.display()))?,
            p.display().to_string(),
        ),
    };
    let text = decode_text(&bytes)
        .with_context(|| format!("{source} 无法作为文本读取"))?
        .text;
    let anonymizer = Anonymizer::new(AnonymizeOptions {
        custom_words: args.words.clone(),
        ..AnonymizeOptions::default()
    });
    let replacements = anonymizer.propose(&text);
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &replacements)?;
        writeln!(out)?;
    } else {
        let result = apply(&text, &replacements);
        write!(out, "{result}")?;
        if !result.ends_with('\n') {
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn read_stdin() -> anyhow::Result<(Vec<u8>, String)> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .context("无法读取标准输入")?;
    Ok((bytes, "标准输入".to_owned()))
}
