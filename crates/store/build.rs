//! `embed_migrations!` reads the migration folders at compile time, but Cargo only knows to
//! rebuild for the files it was told about: a new migration directory would otherwise leave
//! the previous set embedded (diesel_migrations' documented remedy).
fn main() {
    println!("cargo:rerun-if-changed=../../migrations/sqlite");
    println!("cargo:rerun-if-changed=../../migrations/postgres");
}
