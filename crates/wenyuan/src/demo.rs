//! The sample content bundled in the binary for `wenyuan demo` (see `demo/README.md`).

use wenyuan_core::desk::import::{ImportOptions, ImportReport, NoProgress};
use wenyuan_core::{Access, CoreError, Role, Services};

const SEED_SPEECH: &[u8] = include_bytes!("../demo/seed-speech.txt");
const REPORTS: &[u8] = include_bytes!("../demo/reports-sample.jsonl");

pub const DEMO_MEMBER: &str = "demo";
pub const DEMO_PASSWORD: &str = "wenyuan-demo";

/// Import the sample documents. Safe to run twice: duplicates are skipped.
pub async fn load_sample(services: &Services) -> Result<ImportReport, CoreError> {
    let mut report = ImportReport::default();
    let speech = ImportOptions {
        category: Some("讲话稿".to_owned()),
        access: Access::Member,
        ..ImportOptions::default()
    };
    let outcome = services
        .desk
        .import
        .import_text_bytes("seed-speech.txt", SEED_SPEECH, &speech)
        .await?;
    report.add(&["seed-speech.txt".to_owned()], &[outcome]);
    let reports = ImportOptions {
        category: None,
        access: Access::Member,
        ..ImportOptions::default()
    };
    services
        .desk
        .import
        .import_jsonl_reader(
            "reports-sample.jsonl",
            REPORTS,
            &reports,
            &NoProgress,
            &mut report,
        )
        .await?;
    Ok(report)
}

/// Create the demo member unless it exists. Returns whether it was created.
pub async fn ensure_demo_member(services: &Services) -> Result<bool, CoreError> {
    match services
        .accounts
        .add_user(DEMO_MEMBER, DEMO_PASSWORD, Role::Member)
        .await
    {
        Ok(_) => Ok(true),
        Err(CoreError::Conflict(_)) => Ok(false),
        Err(other) => Err(other),
    }
}
