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
pub struct Seen {
    pub dom: String,
    pub requests: Vec<String>,
}

/// Opens `url` headless, with a screenshot to `screenshot` when given.
pub fn open(dir: &Path, url: &str, screenshot: Option<&Path>) -> Seen {
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

/// The rows of the table with `id`, each as its cells' text.
fn table_rows(dom: &str, id: &str) -> Vec<Vec<String>> {
    let start = dom.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id}"));
    let body = &dom[start..];
    let body = &body[body.find("<tbody>").unwrap()..body.find("</tbody>").unwrap()];
    body.split("<tr").skip(1).map(|row| row.split("<td").skip(1).map(|cell| text_of(&format!("<td id=\"c\"{cell}"), "c")).collect()).collect()
}

#[test]
fn the_demo_report_shows_escalation_paths_secret_readers_the_network_inventories_and_source_lines() {
    let dir = tempdir("html-views");
    let demo = repo().join("examples/demo").display().to_string();
    let html = dir.join("report.html");
    let out = palisade(&["scan", &demo, "--format", "html", "-o", html.to_str().unwrap()], None);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let page = std::fs::read_to_string(&html).unwrap();
    let query = |args: &[&str]| -> Value {
        let out = palisade(args, None);
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {}", out.stderr))
    };

    // Escalation paths: as many as `rbac paths` finds, each subject and what it reaches.
    let paths = query(&["rbac", "paths", "-f", &demo, "--format", "json"]);
    let paths = paths["paths"].as_array().unwrap();
    assert!(!paths.is_empty(), "the demo has an escalation path");
    let rows = table_rows(&page, "paths");
    assert_eq!(rows.len(), paths.len());
    for p in paths {
        assert!(rows.iter().any(|r| r[0] == p["subject"].as_str().unwrap() && r[2] == p["reaches"].as_str().unwrap()), "{p}");
    }
    assert!(page.contains("aria-label=\"Escalation paths:"), "the graph");

    // Who can read each Secret: the readers `rbac secrets` names.
    let secrets = query(&["rbac", "secrets", "-f", &demo, "--format", "json"]);
    let rows = table_rows(&page, "secret-readers");
    let secrets = secrets["secrets"].as_array().unwrap();
    assert_eq!(rows.len(), secrets.len());
    for s in secrets {
        let row = rows.iter().find(|r| r[0] == s["secret"].as_str().unwrap()).unwrap_or_else(|| panic!("{s}"));
        assert_eq!(row[1], s["readers"].as_array().unwrap().len().to_string());
        for reader in s["readers"].as_array().unwrap() {
            assert!(row[2].contains(reader["subject"].as_str().unwrap()), "{row:?}");
        }
    }

    // The network: the workloads that reach the metadata endpoint are `netpol matrix`'s.
    let matrix = query(&["netpol", "matrix", "-f", &demo, "--format", "json"]);
    let mut reach: Vec<String> = matrix["matrix"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["to"].as_object().unwrap().keys().any(|k| k.starts_with("metadata")))
        .map(|r| r["from"].as_str().unwrap().to_string())
        .collect();
    reach.sort();
    let listed = text_of(&page, "metadata");
    assert!(!reach.is_empty(), "some demo workload reaches the metadata endpoint");
    for from in &reach {
        // `netpol matrix` names NAMESPACE/NAME; the page NAMESPACE/KIND/NAME.
        let (ns, name) = from.split_once('/').unwrap();
        assert!(listed.contains(ns) && listed.contains(&format!("/{name} ")), "{from} in {listed}");
    }
    assert!(page.contains("Namespace to namespace") && page.contains("class=\"cell\""), "the heatmap");

    // Inventories: every image `palisade images` lists.
    let images = query(&["images", &demo, "--format", "json"]);
    let rows = table_rows(&page, "images");
    let images = images["images"].as_array().unwrap();
    assert_eq!(rows.len(), images.len());
    for i in images {
        assert!(rows.iter().any(|r| r[0] == i["image"].as_str().unwrap()), "{i}");
    }
    let sources = query(&["secrets", &demo, "--format", "json"]);
    let n: usize = sources["workloads"].as_array().unwrap().iter().map(|w| w["sources"].as_array().unwrap().len()).sum();
    assert_eq!(table_rows(&page, "secret-sources").len(), n);

    // Source lines: an opened finding shows its file's lines around it, its own marked.
    let (_, report) = json(&[&demo], None);
    let findings = report["findings"].as_array().unwrap();
    let pick = findings.iter().position(|f| f["location"]["line"].as_u64().is_some_and(|l| l > 4)).unwrap();
    let (file, line) = (findings[pick]["location"]["file"].as_str().unwrap(), findings[pick]["location"]["line"].as_u64().unwrap() as usize);
    let text = std::fs::read_to_string(file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let seen = open(&dir, &format!("file://{}#f={pick}", html.display()), None);
    let detail = &seen.dom[seen.dom.find("id=\"detail\"").unwrap()..];
    let marked = &detail[detail.find("<mark>").expect("the finding's line is marked")..];
    let marked = text_of(&format!("<x id=\"m\">{}</x>", &marked[6..marked.find("</mark>").unwrap()]), "m");
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(marked, format!("{line} {}", words(lines[line - 1])));
    assert!(text_of(&seen.dom, "detail").contains(&words(lines[line - 2])), "the line before");
    // Without script, each rule's example has its excerpt.
    assert!(page.matches("<pre class=\"excerpt\"").count() >= 3);
    assert!(seen.requests.is_empty(), "{:?}", seen.requests);
}
