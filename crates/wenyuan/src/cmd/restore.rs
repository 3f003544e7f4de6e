//! `wenyuan restore`: a backup archive unpacked into an empty data folder.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context};
use zip::ZipArchive;

use super::backup::{DATABASE, MANIFEST};
use crate::cli::RestoreArgs;

pub fn run(args: RestoreArgs) -> anyhow::Result<ExitCode> {
    let file = File::open(&args.archive)
        .with_context(|| format!("cannot read {}", args.archive.display()))?;
    let mut archive = ZipArchive::new(file)
        .with_context(|| format!("{} is not a backup archive", args.archive.display()))?;
    let manifest = read_manifest(&mut archive)
        .with_context(|| format!("{} is not a wenyuan backup", args.archive.display()))?;
    refuse_non_empty(&args.data)?;
    std::fs::create_dir_all(&args.data)
        .with_context(|| format!("cannot create {}", args.data.display()))?;
    let mut files = 0;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        if entry.is_dir() || entry.name() == MANIFEST {
            continue;
        }
        // An entry naming a path outside the folder (`../x`, `/etc/x`) is refused, not written.
        let Some(relative) = entry.enclosed_name() else {
            bail!("the archive names an unsafe path: {}", entry.name());
        };
        let target = args.data.join(&relative);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        let mut out =
            File::create(&target).with_context(|| format!("cannot write {}", target.display()))?;
        std::io::copy(&mut entry, &mut out)
            .with_context(|| format!("cannot write {}", target.display()))?;
        out.sync_all()?;
        files += 1;
    }
    let has_database = manifest["database"].as_str() == Some(DATABASE);
    println!(
        "restored {files} files into {}{}",
        args.data.display(),
        if has_database {
            ""
        } else {
            " (no database in the archive: restore it with pg_restore)"
        }
    );
    if manifest["index"] != serde_json::Value::Bool(true) {
        println!("the search index is rebuilt when the server starts");
    }
    Ok(ExitCode::SUCCESS)
}

fn read_manifest(archive: &mut ZipArchive<File>) -> anyhow::Result<serde_json::Value> {
    let mut entry = archive
        .by_name(MANIFEST)
        .with_context(|| format!("it holds no {MANIFEST}"))?;
    let mut text = String::new();
    entry.read_to_string(&mut text)?;
    let manifest: serde_json::Value = serde_json::from_str(&text)?;
    if manifest["format"] != 1 {
        bail!("unknown backup format {}", manifest["format"]);
    }
    Ok(manifest)
}

/// Restoring over a library would mix two of them: only an empty or missing folder is taken.
fn refuse_non_empty(dir: &Path) -> anyhow::Result<()> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                bail!(
                    "{} is not empty: restore into an empty or new folder",
                    dir.display()
                );
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", dir.display())),
    }
}
