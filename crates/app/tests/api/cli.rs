//! The `switchboard` binary's commands, run as a user would.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use serde_json::json;

use crate::common::spawn_server;

fn switchboard(
    dir: &std::path::Path,
    args: &[&str],
    env: &[(&str, &str)],
    stdin: Option<&str>,
) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchboard"));
    command
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("SWITCHBOARD_DATA_DIR", dir.join("data"))
        .envs(database_env(&dir.join("data")))
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let mut pipe = child.stdin.take().unwrap();
    if let Some(input) = stdin {
        pipe.write_all(input.as_bytes()).unwrap();
    }
    drop(pipe);
    child.wait_with_output().unwrap()
}

/// On the PostgreSQL pass, the database that belongs to `data_dir` (the one a server spawned on
/// it uses too).
fn database_env(data_dir: &std::path::Path) -> Option<(&'static str, String)> {
    crate::backend::for_data_dir(data_dir)
        .database
        .map(|db| ("SWITCHBOARD_DATABASE_URL", db.url().to_owned()))
}

#[test]
fn openapi_prints_the_served_document() {
    let dir = tempfile::tempdir().unwrap();
    let out = switchboard(
        dir.path(),
        &["openapi"],
        &[("SWITCHBOARD_BIND", "not checked")],
        None,
    );
    assert!(out.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        printed,
        serde_json::to_value(switchboard_http::api_doc()).unwrap()
    );
}

#[test]
fn a_bad_setting_stops_start_up_with_one_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    for (var, value) in [
        ("SWITCHBOARD_BIND", "localhost"),
        ("SWITCHBOARD_JWT_SECRET", "short"),
        (
            "SWITCHBOARD_DATABASE_URL",
            "postgres://localhost/switchboard",
        ),
    ] {
        let out = switchboard(dir.path(), &["serve"], &[(var, value)], None);
        assert_eq!(out.status.code(), Some(1), "{var}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(stderr.contains(var), "{stderr}");
    }
}

#[test]
fn migrate_creates_the_database_in_the_data_directory_or_on_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let out = switchboard(dir.path(), &["migrate"], &[], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let data = crate::backend::for_data_dir(&dir.path().join("data"));
    if data.database.is_none() {
        assert!(dir.path().join("data/switchboard.db").exists());
    }
    let store = switchboard_store::Store::open(&data.url).unwrap();
    assert!(
        store.migrate().unwrap().is_empty(),
        "every migration was applied"
    );
    let again = switchboard(dir.path(), &["migrate"], &[], None);
    assert!(again.status.success());
}

#[test]
fn create_user_reads_the_password_from_stdin_and_refuses_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "create-user",
        "--username",
        "Ana",
        "--role",
        "agent",
        "--password-stdin",
    ];
    let out = switchboard(dir.path(), &args, &[], Some("a long passphrase\n"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Created agent user \"Ana\""));

    let again = switchboard(dir.path(), &args, &[], Some("another passphrase\n"));
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already taken"));

    let weak = switchboard(
        dir.path(),
        &[
            "create-user",
            "--username",
            "bob",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        &[],
        Some("short\n"),
    );
    assert_eq!(weak.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&weak.stderr).contains("at least 8"));

    let no_tty = switchboard(
        dir.path(),
        &["create-user", "--username", "carl", "--role", "admin"],
        &[],
        None,
    );
    assert_eq!(no_tty.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&no_tty.stderr).contains("--password-stdin"));

    // The created user signs in on the server using that data directory.
    let data_dir = dir.path().join("data");
    actix_web::rt::System::new().block_on(async move {
        let server = spawn_server(&data_dir, None).await;
        assert!(
            server.report.admin.is_none(),
            "users exist, so no admin is bootstrapped"
        );
        let response = reqwest::Client::new()
            .post(format!("{}/api/v1/auth/login", server.base))
            .json(&json!({"username": "ana", "password": "a long passphrase"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
    });
}
