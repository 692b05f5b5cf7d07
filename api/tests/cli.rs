//! The `ccm` command as an operator meets it: start-up problems are one line, never a panic.

use std::process::{Command, Output};

fn ccm(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ccm"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("ccm runs")
}

fn one_line_error(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(stderr.starts_with("ccm: "), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

fn temp_db() -> (std::path::PathBuf, String) {
    let path = std::env::temp_dir().join(format!(
        "ccm-cli-{}.db",
        std::process::id() as u64 * 1000 + rand_suffix()
    ));
    let url = format!("sqlite://{}", path.display());
    (path, url)
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64 % 1000)
        .unwrap_or(0)
}

#[test]
fn an_unknown_database_scheme_stops_start_up_with_one_line() {
    let err = one_line_error(&ccm(
        &["migrate"],
        &[("DATABASE_URL", "mysql://localhost/ccm")],
    ));
    assert!(
        err.contains("DATABASE_URL scheme \"mysql\" is not supported"),
        "{err}"
    );
}

#[test]
fn an_unreachable_postgresql_stops_start_up_with_one_line() {
    let err = one_line_error(&ccm(
        &["migrate"],
        &[("DATABASE_URL", "postgres://ccm@127.0.0.1:1/ccm")],
    ));
    assert!(err.contains("cannot connect to the database"), "{err}");
}

#[test]
fn production_refuses_the_development_secret() {
    let (_, url) = temp_db();
    let err = one_line_error(&ccm(
        &["migrate"],
        &[("DATABASE_URL", &url), ("CCM_ENV", "production")],
    ));
    assert!(err.contains("CCM_JWT_SECRET"), "{err}");
}

#[test]
fn create_admin_makes_the_first_account_once() {
    let (path, url) = temp_db();
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("CCM_ADMIN_PASSWORD", "a-long-admin-password"),
    ];
    let first = ccm(&["create-admin", "--email", "Root@Example.org"], &env);
    assert!(first.status.success(), "{first:?}");
    assert!(
        String::from_utf8_lossy(&first.stdout).contains("created platform admin root@example.org")
    );
    let again = ccm(&["create-admin", "--email", "root@example.org"], &env);
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("already exists"));
    let short = ccm(
        &[
            "create-admin",
            "--email",
            "x@example.org",
            "--password",
            "short",
        ],
        &env[..1],
    );
    assert!(one_line_error(&short).contains("at least 12 characters"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

#[test]
fn openapi_prints_the_document() {
    let out = ccm(&["openapi"], &[]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("openapi: 3.1"),
        "{}",
        &text[..40.min(text.len())]
    );
    let json = ccm(&["openapi", "--format", "json"], &[]);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert!(doc["paths"]["/v1/quotes"]["post"].is_object());
}

#[test]
fn production_refuses_demo_data() {
    let (_, url) = temp_db();
    let secret = "x".repeat(40);
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("CCM_ENV", "production"),
        ("CCM_JWT_SECRET", secret.as_str()),
    ];
    let err = one_line_error(&ccm(&["seed-demo"], &env));
    assert!(err.contains("published password"), "{err}");
    let err = one_line_error(&ccm(&["serve", "--seed-demo"], &env));
    assert!(err.contains("published password"), "{err}");
}

#[test]
fn retention_run_prints_what_it_changed_as_json() {
    let (path, url) = temp_db();
    let docs = std::env::temp_dir().join(format!("ccm-cli-docs-{}", rand_suffix()));
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("CCM_DOCUMENT_DIR", docs.to_str().unwrap()),
    ];
    for args in [
        &["retention", "run", "--dry-run"][..],
        &["retention", "run"],
    ] {
        let out = ccm(args, &env);
        assert!(out.status.success(), "{out:?}");
        let report: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("the report is JSON on stdout");
        assert_eq!(report["closed_cases"], 0);
        assert_eq!(report["dry_run"], args.len() == 3);
        assert_eq!(report["applied"], serde_json::json!([]));
    }
    let wrong = ccm(&["retention", "apply"], &env);
    assert!(!wrong.status.success());
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let _ = std::fs::remove_dir_all(docs);
}
