//! `sqlx::migrate!()` embeds the migration files when the crate compiles, but cargo does not
//! know the macro read them: without this, a new migration file is silently left out until the
//! crate is rebuilt for some other reason.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
