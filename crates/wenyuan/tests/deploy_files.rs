//! The deployment files in `deploy/` are checked by the tools that will read them: systemd's
//! own verifier for the unit, nginx's own parser for the site example (with a certificate made for
//! the test in place of Let's Encrypt's). Where a tool is missing the test says so and checks
//! what it can without it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn deploy(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../deploy")
        .join(file)
}

fn tool_present(name: &str) -> bool {
    Command::new(name).arg("--version").output().is_ok()
}

#[test]
fn systemd_analyze_verify_accepts_the_unit() {
    let unit = std::fs::read_to_string(deploy("wenyuan.service")).unwrap();
    for hardening in [
        "DynamicUser=yes",
        "StateDirectory=wenyuan",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
    ] {
        assert!(unit.contains(hardening), "the unit sets {hardening}");
    }
    if !tool_present("systemd-analyze") {
        eprintln!("systemd-analyze is not installed: the unit was checked by reading only");
        return;
    }
    // The verifier checks that ExecStart names an executable: point it at the binary just built,
    // in a copy of the unit named as the real one.
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("wenyuan.service");
    let binary = env!("CARGO_BIN_EXE_wenyuan");
    std::fs::write(&copy, unit.replace("/usr/local/bin/wenyuan", binary)).unwrap();
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&copy)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Lines about the host's own units (a container has odd ones) are not ours.
    let ours: Vec<&str> = stderr
        .lines()
        .filter(|line| line.contains("wenyuan.service"))
        .collect();
    assert!(
        out.status.success() && ours.is_empty(),
        "systemd-analyze verify: {stderr}"
    );
}

#[test]
fn nginx_parses_the_site_example() {
    let site = std::fs::read_to_string(deploy("nginx-wenyuan.conf")).unwrap();
    for needed in [
        "server 127.0.0.1:8080",
        "proxy_pass http://wenyuan",
        "X-Forwarded-For",
        "ssl_certificate",
        "proxy_cache_path",
    ] {
        assert!(site.contains(needed), "the example has {needed}");
    }
    let nginx = ["nginx", "/usr/sbin/nginx"]
        .into_iter()
        .find(|path| Command::new(path).arg("-v").output().is_ok());
    let (Some(nginx), true) = (nginx, tool_present("openssl")) else {
        eprintln!("nginx or openssl is not installed: the example was checked by reading only");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(["-subj", "/CN=fanwen.example.com", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    // The example as an operator installs it: certificate paths adjusted, inside nginx's http
    // block, its static cache in the test's folder.
    let cache = dir.path().join("cache");
    let site = site.replace("/var/cache/nginx/wenyuan", &cache.display().to_string());
    let mut adjusted = String::new();
    for line in site.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("ssl_certificate_key") {
            adjusted.push_str(&format!("    ssl_certificate_key {};\n", key.display()));
        } else if trimmed.starts_with("ssl_certificate ") {
            adjusted.push_str(&format!("    ssl_certificate {};\n", cert.display()));
        } else if trimmed.starts_with("ssl_trusted_certificate") {
            adjusted.push_str(&format!(
                "    ssl_trusted_certificate {};\n",
                cert.display()
            ));
        } else {
            adjusted.push_str(line);
            adjusted.push('\n');
        }
    }
    std::fs::write(dir.path().join("site.conf"), adjusted).unwrap();
    let conf = dir.path().join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "pid {dir}/nginx.pid;\nerror_log {dir}/error.log;\nevents {{}}\n\
             http {{\n  access_log off;\n  client_body_temp_path {dir};\n  proxy_temp_path {dir};\n\
             include {dir}/site.conf;\n}}\n",
            dir = dir.path().display()
        ),
    )
    .unwrap();
    let out = Command::new(nginx)
        .arg("-t")
        .arg("-p")
        .arg(dir.path())
        .arg("-c")
        .arg(&conf)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.contains("syntax is ok"),
        "nginx -t: {stderr}"
    );
}

#[test]
fn the_containerfile_builds_in_stages_and_runs_as_no_root() {
    let file = std::fs::read_to_string(deploy("Containerfile")).unwrap();
    let lines: Vec<&str> = file
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .collect();
    let froms = lines.iter().filter(|l| l.starts_with("FROM ")).count();
    assert!(froms >= 2, "a multi-stage build");
    assert!(lines.iter().any(|l| l.starts_with("COPY --from=build")));
    let user = lines
        .iter()
        .rev()
        .find(|l| l.starts_with("USER "))
        .expect("a USER line");
    assert!(!user.contains("root") && !user.ends_with(" 0"), "{user}");
    assert!(lines.iter().any(|l| l.starts_with("VOLUME")));
    assert!(lines.iter().any(|l| l.starts_with("HEALTHCHECK")));
    // The health check asks the server's liveness probe.
    assert!(file.contains("/healthz"));
}
