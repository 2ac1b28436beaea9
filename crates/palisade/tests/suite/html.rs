//! The HTML report in a real browser: Debian's Chromium, headless (`scripts/test` installs
//! it). The page is opened from a file as a reader would; Chromium prints the document after
//! the page's script ran (`--dump-dom`) and logs every network request it made
//! (`--log-net-log`), so the tests read what a reader sees and what the page asked for.

use crate::common;

use common::{json, palisade, repo, tempdir, write};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

fn chromium_binary() -> &'static str {
    for candidate in ["chromium", "chromium-browser"] {
        if Command::new(candidate).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success()) {
            return candidate;
        }
    }
    panic!("Chromium is not installed: `scripts/test` installs Debian's chromium");
}

/// What the browser made of a page: the document after its script ran, and the requests the
/// page itself made (the browser's own background traffic left out).
struct Seen {
    dom: String,
    requests: Vec<String>,
}

/// Opens `url` headless, with a screenshot to `screenshot` when given.
fn open(dir: &Path, url: &str, screenshot: Option<&Path>) -> Seen {
    let netlog = dir.join("netlog.json");
    let _ = std::fs::remove_file(&netlog);
    let mut cmd = Command::new(chromium_binary());
    cmd.args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg(format!("--log-net-log={}", netlog.display()))
        .args(["--virtual-time-budget=10000", "--window-size=1280,2400"]);
    match screenshot {
        Some(png) => cmd.arg(format!("--screenshot={}", png.display())),
        None => cmd.arg("--dump-dom"),
    };
    let child = cmd.arg(url).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "chromium: {}", String::from_utf8_lossy(&out.stderr));
    let log: Value = serde_json::from_slice(&std::fs::read(&netlog).unwrap()).unwrap_or_else(|e| panic!("the net log: {e}"));
    let start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"].as_u64().unwrap();
    // A page's requests carry its origin as initiator (`null` for a file); the browser's own
    // (updates, time) carry "not an origin".
    let requests = log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"].as_u64() == Some(start_job) && e["params"]["initiator"].as_str() != Some("not an origin"))
        .filter_map(|e| e["params"]["url"].as_str().map(str::to_string))
        .collect();
    Seen { dom: String::from_utf8(out.stdout).unwrap(), requests }
}

/// The text of the first element with `id`, tags and entities removed.
fn text_of(dom: &str, id: &str) -> String {
    let start = dom.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id}"));
    let body = &dom[start..];
    let body = &body[body.find('>').unwrap() + 1..];
    let mut depth = 1i32;
    let mut out = String::new();
    let mut rest = body;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let tag_end = rest[lt..].find('>').unwrap() + lt;
        let tag = &rest[lt..=tag_end];
        if tag.starts_with("</") {
            depth -= 1;
        } else if !tag.ends_with("/>") && !["<input", "<meta", "<br"].iter().any(|t| tag.starts_with(t)) {
            depth += 1;
        }
        if depth == 0 {
            break;
        }
        out.push(' ');
        rest = &rest[tag_end + 1..];
    }
    out.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The value of `attr` on the element with `id`.
fn attr_of(dom: &str, id: &str, attr: &str) -> Option<String> {
    let start = dom.find(&format!("id=\"{id}\""))?;
    let tag_start = dom[..start].rfind('<')?;
    let tag = &dom[tag_start..tag_start + dom[tag_start..].find('>')?];
    let at = tag.find(&format!(" {attr}=\""))? + attr.len() + 3;
    Some(tag[at..at + tag[at..].find('"')?].to_string())
}

#[test]
fn the_demo_report_shows_the_scan_filters_links_and_asks_nothing_of_the_network() {
    let dir = tempdir("html-demo");
    let demo = repo().join("examples/demo").display().to_string();
    let (_, report) = json(&[&demo], None);
    let findings = report["findings"].as_array().unwrap();
    let html = dir.join("report.html");
    let out = palisade(&["scan", &demo, "--format", "html", "-o", html.to_str().unwrap()], None);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let url = format!("file://{}", html.display());

    // The counts shown are the scan's.
    let seen = open(&dir, &url, None);
    for severity in ["critical", "high", "medium", "low", "info"] {
        let n = findings.iter().filter(|f| f["severity"] == severity).count();
        assert!(seen.dom.contains(&format!("data-severity=\"{severity}\" data-count=\"{n}\"")), "{severity}: {n}");
    }
    assert_eq!(text_of(&seen.dom, "count"), format!("{0} of {0} findings", findings.len()));
    assert!(attr_of(&seen.dom, "list", "tabindex").is_some());
    // Only what is on screen is in the document.
    let rows = seen.dom.matches("class=\"row ").count();
    assert!(rows > 0 && rows <= findings.len(), "{rows}");
    assert!(seen.requests.is_empty(), "the page asked for {:?}", seen.requests);

    // A link keeps its filter: high findings of namespace shop, and finding 3 opened.
    let high_shop: Vec<usize> = (0..findings.len()).filter(|i| findings[*i]["severity"] == "high" && findings[*i]["object"]["namespace"] == "shop").collect();
    let pick = high_shop[0];
    let seen = open(&dir, &format!("{url}#sev=high&ns=shop&f={pick}"), None);
    assert_eq!(attr_of(&seen.dom, "count", "data-shown"), Some(high_shop.len().to_string()));
    assert_eq!(attr_of(&seen.dom, "detail", "data-i"), Some(pick.to_string()));
    let detail = text_of(&seen.dom, "detail");
    assert!(detail.contains(findings[pick]["message"].as_str().unwrap()), "{detail}");
    assert!(detail.contains(&format!("{}:{}", findings[pick]["location"]["file"].as_str().unwrap(), findings[pick]["location"]["line"])), "{detail}");
    // Free text narrows to what contains it.
    let seen = open(&dir, &format!("{url}#q=debug-shell"), None);
    let with_text = findings.iter().filter(|f| f["message"].as_str().unwrap().contains("debug-shell") || f["object"]["name"] == "debug-shell").count();
    assert_eq!(attr_of(&seen.dom, "count", "data-shown"), Some(with_text.to_string()));

    // The check above can see a request: a page that makes two is caught.
    let control = write(&dir, "control.html", "<!doctype html><img src=\"http://127.0.0.1:9/leak.png\"><script>fetch('http://127.0.0.1:9/x').catch(() => {})</script>");
    let seen = open(&dir, &format!("file://{control}"), None);
    assert_eq!(seen.requests.len(), 2, "{:?}", seen.requests);

    // A screenshot, kept as the test's artifact.
    let png = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-demo.png");
    open(&dir, &url, Some(&png));
    assert!(std::fs::metadata(&png).unwrap().len() > 10_000);
    eprintln!("screenshot: {}", png.display());
}

#[test]
fn a_report_of_350000_findings_is_usable_at_once() {
    use palisade_core::{Finding, FieldPath, ObjectRef, RuleMeta, Severity, Violation};
    use std::sync::Arc;
    let dir = tempdir("html-big");
    let rules: Vec<&'static RuleMeta> = (0..20).map(|i| RuleMeta::user(&format!("vap:rule-{i}"), Severity::ALL[i % 5], &format!("rule {i}"), "")).collect();
    let objects: Vec<Arc<ObjectRef>> =
        (0..50_000).map(|i| Arc::new(ObjectRef { api_version: "apps/v1".into(), kind: "Deployment".into(), namespace: Some(format!("team-{}", i % 120)), name: format!("app-{i}") })).collect();
    let findings: Vec<Finding> = (0..350_000)
        .map(|i| Finding::new(rules[i % 20], objects[i % 50_000].clone(), Violation::new(FieldPath::default(), format!("container `main` of Deployment app-{} breaks rule {} (finding {i})", i % 50_000, i % 20))))
        .collect();
    let report = palisade_report::Report { findings, objects: 50_000, files: 1, ..Default::default() };
    let html = dir.join("big.html");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&html).unwrap());
    palisade_report::html::write(&report, "test", &mut out).unwrap();
    drop(out);
    let size = std::fs::metadata(&html).unwrap().len();
    let started = Instant::now();
    let seen = open(&dir, &format!("file://{}#sev=critical,high&q=app-42", html.display()), None);
    let wall = started.elapsed();
    assert_eq!(attr_of(&seen.dom, "count", "data-shown").unwrap().parse::<usize>().unwrap(), {
        // critical and high: rules 0, 1, 5, 6, … (i % 5 < 2); text: objects app-42, app-420…, app-4200…, app-42000…
        (0..350_000usize).filter(|i| (i % 20) % 5 < 2 && format!("app-{}", i % 50_000).contains("app-42")).count()
    });
    let rows = seen.dom.matches("class=\"row ").count();
    assert!(rows > 0 && rows < 200, "only the rows on screen are drawn: {rows}");
    let ready: u64 = seen.dom.split("data-ready-ms=\"").nth(1).and_then(|s| s.split('"').next()).and_then(|s| s.parse().ok()).unwrap();
    // Reported, not asserted: timing is measured, not tested.
    eprintln!("350,000 findings: {:.1} MB page; first screen after {ready} ms of page time; Chromium run {:.1} s in all", size as f64 / 1e6, wall.as_secs_f64());
}
