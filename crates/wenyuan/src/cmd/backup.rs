//! `wenyuan backup`: one .zip of a data folder, made while the server runs.
//!
//! The archive holds `wenyuan-backup.json` (what it is), `wenyuan.db` (a `VACUUM INTO` snapshot:
//! the database of one moment, whatever the server writes meanwhile) and every other file of the
//! data folder under its own path: `wenyuan.toml`, `theme/`, `dictionary.txt`, images the
//! settings name. The search index is derived data and left out unless asked for; a restored
//! server without it rebuilds it from the database's change feed.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context};
use wenyuan_core::SystemClock;
use wenyuan_store::Backend;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::cli::BackupArgs;
use crate::config::Config;
use crate::server::open_services;

/// The archive's description, read first by `wenyuan restore`.
pub const MANIFEST: &str = "wenyuan-backup.json";
/// The database's name in the archive and in a restored data folder (the default URL's file).
pub const DATABASE: &str = "wenyuan.db";
/// Where the index sits in the data folder and in the archive.
const INDEX: &str = "index";
/// Tries at copying the index while the server merges segments (a file may vanish midway).
const INDEX_TRIES: usize = 5;

pub async fn run(args: BackupArgs) -> anyhow::Result<ExitCode> {
    let config = Config::from_store_args(&args.store)?;
    if args.out.exists() {
        bail!("{} exists already: give a new file", args.out.display());
    }
    let backend = Backend::from_url(&config.database_url)?;
    let partial = with_suffix(&args.out, ".partial");
    let snapshot = with_suffix(&args.out, ".snapshot.db");
    let staged_index = with_suffix(&args.out, ".index");
    let result = write_backup(&config, &args, backend, &partial, &snapshot, &staged_index).await;
    // Whatever happened, no temporary file stays behind.
    let _ = std::fs::remove_file(&snapshot);
    let _ = std::fs::remove_dir_all(&staged_index);
    match result {
        Ok(summary) => {
            std::fs::rename(&partial, &args.out)
                .with_context(|| format!("cannot write {}", args.out.display()))?;
            println!("{summary}");
            if backend == Backend::Postgres {
                println!(
                    "the database is not in the archive: back it up with pg_dump (see the README)"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => {
            let _ = std::fs::remove_file(&partial);
            Err(err)
        }
    }
}

async fn write_backup(
    config: &Config,
    args: &BackupArgs,
    backend: Backend,
    partial: &Path,
    snapshot: &Path,
    staged_index: &Path,
) -> anyhow::Result<String> {
    let file =
        File::create(partial).with_context(|| format!("cannot create {}", partial.display()))?;
    let mut zip = ZipWriter::new(BufWriter::new(file));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(true);
    // The index first, the database after: a restored index is then at most behind the
    // database (the server catches up from the change feed), never ahead of it.
    let index_files = if args.with_index {
        stage_index(&config.index_dir(), staged_index)?
    } else {
        0
    };
    let database = match backend {
        Backend::Sqlite => {
            let services = open_services(config, Arc::new(SystemClock)).await?;
            let made = services.maintenance.snapshot_database(snapshot).await;
            services.close().await;
            made.context("cannot take a snapshot of the database")?;
            add_file(&mut zip, DATABASE, snapshot, options)?;
            true
        }
        Backend::Postgres => false,
    };
    let skip = skipped_paths(config, args, partial, snapshot, staged_index);
    let mut files = Vec::new();
    collect_files(&config.data_dir, &skip, &mut files)?;
    files.sort();
    for path in &files {
        let name = archive_name(&config.data_dir, path)?;
        add_file(&mut zip, &name, path, options)?;
    }
    // A configuration file given outside the data folder goes in as the data folder's own.
    if let Some(config_file) = &args.store.config {
        if !config_file.starts_with(&config.data_dir) {
            add_file(&mut zip, "wenyuan.toml", config_file, options)?;
        }
    }
    if args.with_index {
        // Stored as they are: tantivy's files are compressed or bit-packed already, so deflate
        // took minutes of one core on a large index to save little, and the restore of a new
        // node waited as long again to inflate them.
        let index_options = options.compression_method(CompressionMethod::Stored);
        let mut staged = Vec::new();
        collect_files(staged_index, &[], &mut staged)?;
        staged.sort();
        for path in &staged {
            let name = format!("{INDEX}/{}", archive_name(staged_index, path)?);
            add_file(&mut zip, &name, path, index_options)?;
        }
    }
    let manifest = serde_json::json!({
        "format": 1,
        "wenyuan": env!("CARGO_PKG_VERSION"),
        "database": if database { DATABASE } else { "" },
        "index": args.with_index,
    });
    zip.start_file(MANIFEST, options)?;
    zip.write_all(serde_json::to_string_pretty(&manifest)?.as_bytes())?;
    let mut out = zip.finish().context("cannot finish the archive")?;
    out.flush()?;
    out.get_ref().sync_all()?;
    Ok(format!(
        "backup written: database {}, {} files, index {}",
        if database { "included" } else { "not included" },
        files.len(),
        if args.with_index {
            format!("{index_files} files")
        } else {
            "left out".to_owned()
        }
    ))
}

/// Copy the index into `to`, starting over when a file vanishes (the server merged segments
/// meanwhile). `meta.json` is copied first: the segments it names were all present then, and a
/// segment made later is an unused file the index removes when opened.
fn stage_index(index: &Path, to: &Path) -> anyhow::Result<usize> {
    if !index.is_dir() {
        return Ok(0);
    }
    let mut last_error = None;
    for _ in 0..INDEX_TRIES {
        let _ = std::fs::remove_dir_all(to);
        std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
        match copy_index_once(index, to) {
            Ok(n) => return Ok(n),
            Err(err) => last_error = Some(err),
        }
    }
    Err(last_error
        .map(anyhow::Error::from)
        .unwrap_or_else(|| anyhow::anyhow!("no try was made"))
        .context("cannot copy the search index while the server changes it"))
}

fn copy_index_once(index: &Path, to: &Path) -> std::io::Result<usize> {
    let meta = index.join("meta.json");
    let mut copied = 0;
    if meta.exists() {
        std::fs::copy(&meta, to.join("meta.json"))?;
        copied += 1;
    }
    for entry in std::fs::read_dir(index)? {
        let entry = entry?;
        let name = entry.file_name();
        let name_text = name.to_string_lossy();
        // Lock files belong to the running writer; meta.json is copied already.
        if name_text == "meta.json" || name_text.ends_with(".lock") || !entry.file_type()?.is_file()
        {
            continue;
        }
        std::fs::copy(entry.path(), to.join(&name))?;
        copied += 1;
    }
    Ok(copied)
}

/// What the walk of the data folder leaves out: the live database files, the index (copied
/// apart), and this backup's own files when they are written inside the data folder.
fn skipped_paths(
    config: &Config,
    args: &BackupArgs,
    partial: &Path,
    snapshot: &Path,
    staged_index: &Path,
) -> Vec<PathBuf> {
    let mut skip = vec![
        config.index_dir(),
        args.out.clone(),
        partial.to_owned(),
        snapshot.to_owned(),
        staged_index.to_owned(),
    ];
    if let Some(db) = sqlite_file(&config.database_url) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            skip.push(with_suffix(&db, suffix));
        }
    }
    skip.into_iter().map(|p| absolute(&p)).collect()
}

/// The database file of a `sqlite://` URL.
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty()).then(|| PathBuf::from(path))
}

fn collect_files(dir: &Path, skip: &[PathBuf], out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", dir.display())),
    };
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
        let path = entry.path();
        if skip.contains(&absolute(&path)) {
            continue;
        }
        let kind = entry.file_type()?;
        if kind.is_dir() {
            collect_files(&path, skip, out)?;
        } else if kind.is_file() {
            out.push(path);
        }
        // Symbolic links and other special files are not the library's data.
    }
    Ok(())
}

fn add_file(
    zip: &mut ZipWriter<BufWriter<File>>,
    name: &str,
    path: &Path,
    options: SimpleFileOptions,
) -> anyhow::Result<()> {
    let mut file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    zip.start_file(name, options)
        .with_context(|| format!("cannot add {name} to the archive"))?;
    std::io::copy(&mut file, zip).with_context(|| format!("cannot add {name} to the archive"))?;
    Ok(())
}

/// A file's path inside the archive: relative to `root`, with `/` between parts.
fn archive_name(root: &Path, path: &Path) -> anyhow::Result<String> {
    let relative = path
        .strip_prefix(root)
        .with_context(|| format!("{} is outside {}", path.display(), root.display()))?;
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Ok(parts.join("/"))
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A path made absolute against the working folder, for comparing paths given either way.
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_file_is_read_from_sqlite_urls() {
        assert_eq!(
            sqlite_file("sqlite:///var/lib/wenyuan/wenyuan.db?mode=rwc"),
            Some(PathBuf::from("/var/lib/wenyuan/wenyuan.db"))
        );
        assert_eq!(
            sqlite_file("sqlite://./data/x.db"),
            Some(PathBuf::from("./data/x.db"))
        );
        assert_eq!(sqlite_file("postgres://u@h/db"), None);
    }
}
