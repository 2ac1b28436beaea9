//! `palisade serve --dashboard` end to end: over a history store (SQLite here; the store's
//! one code path is tested on PostgreSQL in `history`) and over report files; read-only,
//! loopback for a port alone, the token by header, by `?token=` and then by cookie.

use crate::common::{self, palisade, tempdir, write, Running};
use serde_json::Value;
use std::io::{Read, Write};

/// A plain HTTP answer: status, headers (lower-case names) and body.
struct Answer {
    status: u16,
    headers: String,
    body: String,
}

fn http(addr: &str, method: &str, path: &str, headers: &[&str]) -> Answer {
    let mut tcp = std::net::TcpStream::connect(addr).unwrap();
    tcp.set_read_timeout(Some(std::time::Duration::from_secs(30))).unwrap();
    let extra: String = headers.iter().map(|h| format!("{h}\r\n")).collect();
    write!(tcp, "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    let _ = tcp.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let headers = head.to_ascii_lowercase();
    let body = if headers.contains("transfer-encoding: chunked") { common::dechunk(body) } else { body.to_string() };
    Answer { status, headers, body }
}

/// Starts the dashboard with `args` and waits for the address it says.
fn dashboard(args: &[&str]) -> (Running, String) {
    let mut all = vec!["serve", "--dashboard", "0", "--no-config"];
    all.extend_from_slice(args);
    let mut server = Running::start(&all);
    server.wait_for_stderr("dashboard on http://");
    let said = server.stderr();
    let addr = said.split("dashboard on http://").nth(1).unwrap().split('/').next().unwrap().to_string();
    (server, addr)
}

fn count(page: &str, severity: &str) -> Option<usize> {
    page.split(&format!("data-severity=\"{severity}\" data-count=\"")).nth(1)?.split('"').next()?.parse().ok()
}

#[test]
fn the_dashboard_shows_recorded_runs_their_trend_and_a_comparison() {
    let dir = tempdir("dashboard-store");
    let db = dir.join("history.db").display().to_string();
    let run = |extra: &[&str]| -> Value {
        let mut args = vec!["scan", "examples/demo", "--format", "json", "--store", &db, "--no-config"];
        args.extend_from_slice(extra);
        serde_json::from_str(&palisade(&args, None).stdout).unwrap()
    };
    let all = run(&[]);
    let fewer = run(&["--ignore", "POD001"]);
    let (_server, addr) = dashboard(&["--store", &db]);
    assert!(addr.starts_with("127.0.0.1:"), "a port alone binds loopback: {addr}");
    let history: Value = serde_json::from_str(&palisade(&["history", "--store", &db, "--format", "json"], None).stdout).unwrap();
    let ids: Vec<&str> = history["runs"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 2);

    let front = http(&addr, "GET", "/", &[]);
    assert_eq!(front.status, 200, "{}", front.body);
    assert!(front.headers.contains("content-security-policy: default-src 'none'"), "{}", front.headers);
    for id in &ids {
        assert!(front.body.contains(&format!("href=\"/runs/{id}\"")), "run {id} is listed");
    }
    assert!(front.body.contains("<svg") && front.body.contains("open findings by layer"), "the trend");
    // In a browser: drawn, and nothing asked of anywhere but the dashboard itself.
    let seen = crate::html::open(&dir, &format!("http://{addr}/"), None);
    assert!(seen.dom.contains(&format!("href=\"/runs/{}\"", ids[0])), "{}", seen.dom);
    assert!(seen.requests.iter().all(|r| r.starts_with(&format!("http://{addr}/"))), "{:?}", seen.requests);

    // A run is the HTML report of its findings.
    let page = http(&addr, "GET", &format!("/runs/{}", ids[1]), &[]).body;
    for severity in ["critical", "high", "medium", "low"] {
        let n = all["findings"].as_array().unwrap().iter().filter(|f| f["severity"] == severity).count();
        assert_eq!(count(&page, severity), Some(n), "{severity}");
    }
    assert!(page.contains("href=\"/\""), "a way back");

    // Two runs compared: resolved are the POD001 findings the second run ignored.
    let resolved = all["findings"].as_array().unwrap().len() - fewer["findings"].as_array().unwrap().len();
    let diff = http(&addr, "GET", &format!("/diff?from={}&to={}", ids[1], ids[0]), &[]);
    assert_eq!(diff.status, 200, "{}", diff.body);
    assert!(diff.body.contains(&format!("0 opened, {resolved} resolved")), "{}", diff.body);
    assert_eq!(diff.body.matches("<td>POD001</td>").count(), resolved);

    // Read-only, and clear about what is not there.
    let post = http(&addr, "POST", "/", &[]);
    assert_eq!(post.status, 405);
    assert!(post.headers.contains("allow: get, head"));
    assert_eq!(http(&addr, "GET", "/runs/nosuchrun", &[]).status, 404);
    assert_eq!(http(&addr, "GET", "/diff?from=x", &[]).status, 400);
    assert_eq!(http(&addr, "GET", "/elsewhere", &[]).status, 404);
    assert_eq!(http(&addr, "GET", "/healthz", &[]).body, "ok");
}

#[test]
fn over_report_files_with_a_token() {
    let dir = tempdir("dashboard-files");
    let report = dir.join("report.json").display().to_string();
    let out = palisade(&["scan", "examples/demo", "--format", "json", "-o", &report, "--no-config"], None);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let broken = write(&dir, "broken.json", "{\"schema\": ");
    let token = write(&dir, "token", "s3cret-token\n");
    let (_server, addr) = dashboard(&["--dashboard-token-file", &token, &report, &broken]);

    // Without the token: 401, and how to give it.
    let denied = http(&addr, "GET", "/", &[]);
    assert_eq!(denied.status, 401);
    assert!(denied.headers.contains("www-authenticate: bearer"));
    assert_eq!(http(&addr, "GET", "/", &["Authorization: Bearer wrong"]).status, 401);
    assert_eq!(http(&addr, "GET", "/healthz", &[]).status, 200, "health needs no token");

    // By header.
    let front = http(&addr, "GET", "/", &["Authorization: Bearer s3cret-token"]);
    assert_eq!(front.status, 200);
    assert!(front.body.contains(&report) && front.body.contains("href=\"/reports/0\""));
    assert!(front.body.contains("broken.json") && front.body.contains("not JSON"), "an unreadable report says why: {}", front.body);

    // A browser gives it once in the address; a cookie keeps it, and the address loses it.
    let login = http(&addr, "GET", "/reports/0?token=s3cret-token", &[]);
    assert_eq!(login.status, 303);
    let has = |line: &str| login.headers.lines().any(|l| l.trim() == line);
    assert!(has("location: /reports/0"), "{}", login.headers);
    assert!(has("set-cookie: palisade_token=s3cret-token; path=/; httponly; samesite=strict"), "{}", login.headers);
    let page = http(&addr, "GET", "/reports/0", &["Cookie: palisade_token=s3cret-token"]);
    assert_eq!(page.status, 200);
    let expected: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let highs = expected["findings"].as_array().unwrap().iter().filter(|f| f["severity"] == "high").count();
    assert_eq!(count(&page.body, "high"), Some(highs));
    assert_eq!(http(&addr, "GET", "/reports/1", &["Cookie: palisade_token=s3cret-token"]).status, 500);
    assert_eq!(http(&addr, "GET", "/reports/7", &["Cookie: palisade_token=s3cret-token"]).status, 404);
}

#[test]
fn the_dashboard_wants_what_it_serves_from() {
    let dir = tempdir("dashboard-bad");
    let empty = write(&dir, "empty", "");
    let out = palisade(&["serve", "--dashboard", "0", "--dashboard-token-file", &empty, "x.json", "--no-config"], None);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--dashboard-token-file: the file is empty"), "{}", out.stderr);
    let out = palisade(&["serve", "--admission", "127.0.0.1:0", "--no-config"], None);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("give --tls-cert and --tls-key"), "{}", out.stderr);
}
