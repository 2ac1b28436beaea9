//! `palisade scan` and `palisade compliance`.

use super::{load_policy, styled};
use crate::cli::{CheckArgs, Format, ScanArgs, SelectArgs};
use indicatif::{ProgressBar, ProgressStyle};
use palisade::inputs::{collect_inputs, Input, PassOptions};
use palisade::scan::{scan, ScanOptions};
use palisade_core::{PssVersion, Severity};
use palisade_report::{json, junit, sarif, table, Report};
use palisade_rules::frameworks::{assess, COMPLIANCE_FRAMEWORKS};
use palisade_analysis::model::{Key, ObjectFacts};
use palisade_core::Finding;
use palisade_rules::engine::RootOutcome;
use palisade_rules::{Engine, Selection};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Scans as the arguments and the policy file say; with `compliance`, the framework is
/// required and the table is the control-by-control view.
pub fn run(args: ScanArgs, compliance: bool) -> ExitCode {
    if let Err(code) = check_compliance_args(&args.check, compliance) {
        return code;
    }
    if args.paths.is_empty() && args.kustomize.is_empty() {
        eprintln!("error: nothing to scan: give files, directories, `-` for stdin, or --kustomize DIR\n\nFor more information, try 'palisade scan --help'.");
        return ExitCode::from(2);
    }
    // `compliance` also judges saved reports; the other paths are inputs to scan.
    let (saved, paths) = if compliance {
        match saved_reports(&args.paths) {
            Ok(split) => split,
            Err(code) => return code,
        }
    } else {
        (Vec::new(), args.paths.clone())
    };
    let mut setup = match Setup::new(&args.check.select, args.check.fail_on, &paths, args.namespace.clone()) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let insights = setup.insights_for(args.check.format);
    if paths.is_empty() && args.kustomize.is_empty() {
        let mut report = Report { rules: setup.engine.rules().iter().map(|r| r.meta()).collect(), ..Report::default() };
        saved.into_iter().for_each(|r| report.absorb(r));
        report.sort();
        return setup.finish(report, &args.check, compliance, if compliance { "compliance" } else { "scan" });
    }
    let (inputs, mut errors) = collect_inputs(&paths, &args.kustomize);
    let stdin_uses = inputs.iter().filter(|i| **i == Input::Stdin).count();
    if stdin_uses > 1 {
        eprintln!("error: `-` (standard input) given more than once");
        return ExitCode::from(2);
    }
    if let Some(inventory) = &setup.inventory {
        namespaces_first(&inputs, inventory);
    }
    let progress = progress_bar(&args.check, inputs.len(), "scanning files");
    let tick = || {
        if let Some(p) = &progress {
            p.inc(1);
        }
    };
    let mut report = scan(
        &inputs,
        &ScanOptions {
            engine: &setup.engine,
            pass: PassOptions { on_progress: &tick, ..PassOptions::quiet() },
            keep_objects: matches!(args.check.format, Format::Junit),
            builtin_roles: !args.check.select.no_builtin_roles,
            insights,
        },
    );
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    errors.append(&mut report.errors);
    report.errors = errors;
    if !saved.is_empty() {
        saved.into_iter().for_each(|r| report.absorb(r));
        report.sort();
    }
    setup.finish(report, &args.check, compliance, if compliance { "compliance" } else { "scan" })
}

/// User policies' namespaceSelectors read Namespaces' labels: those in the input files are
/// known before any object is judged, wherever they are in the input.
fn namespaces_first(inputs: &[Input], inventory: &palisade_policy::Inventory) {
    for input in inputs {
        let Input::File(path) = input else { continue };
        let Ok(bytes) = std::fs::read(path) else { continue };
        if mentions_namespace(&bytes) {
            for doc in palisade_source::Document::load_all(&bytes, &palisade_source::Limits::default()).into_iter().flatten() {
                if doc.root.get("kind").and_then(palisade_core::Node::as_str) == Some("Namespace") {
                    inventory.add_namespace(&doc.root);
                }
            }
        }
    }
}

/// Whether a file may hold a Namespace (most do not, and are not parsed twice).
fn mentions_namespace(bytes: &[u8]) -> bool {
    bytes.windows(9).any(|w| w == b"Namespace")
}

/// Splits the paths into saved Palisade JSON reports, read back, and inputs to scan. A
/// report that cannot be read is an error naming the file (exit 2).
fn saved_reports(paths: &[std::path::PathBuf]) -> Result<(Vec<Report>, Vec<std::path::PathBuf>), ExitCode> {
    let (mut reports, mut rest) = (Vec::new(), Vec::new());
    for path in paths {
        let json = path.is_file() && path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let value = json.then(|| std::fs::read(path).ok().and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())).flatten();
        match value.filter(palisade_report::read::is_report) {
            Some(v) => {
                let rule_of = |id: &str| palisade_rules::registry::all().iter().map(|r| r.meta()).find(|m| m.id == id);
                match palisade_report::read::read(&v, &rule_of) {
                    Ok(r) => reports.push(r),
                    Err(e) => {
                        eprintln!("error: {}: {e}", path.display());
                        return Err(ExitCode::from(2));
                    }
                }
            }
            None => rest.push(path.clone()),
        }
    }
    Ok((reports, rest))
}

/// Files an outcome's findings and waived findings into `report`, each through `place`, and
/// gives back what its objects contribute to the model.
pub fn file_outcome(report: &mut Report, outcome: RootOutcome, place: impl Fn(Finding) -> Finding) -> Vec<(Key, ObjectFacts)> {
    report.findings.extend(outcome.findings.into_iter().map(&place));
    report.suppressed.extend(outcome.suppressed.into_iter().map(|(f, w)| (place(f), w)));
    outcome.facts
}

/// `compliance` needs a framework with controls, and writes a table or JSON.
pub fn check_compliance_args(args: &CheckArgs, compliance: bool) -> Result<(), ExitCode> {
    if !compliance {
        return Ok(());
    }
    match args.select.framework.as_deref() {
        Some(fw) if COMPLIANCE_FRAMEWORKS.contains(&fw) => {}
        _ => {
            eprintln!("error: `palisade compliance` needs --framework with one of: {}", COMPLIANCE_FRAMEWORKS.join(", "));
            return Err(ExitCode::from(2));
        }
    }
    if !matches!(args.format, Format::Table | Format::Json | Format::Html) {
        eprintln!("error: `palisade compliance` writes --format table, json or html");
        return Err(ExitCode::from(2));
    }
    Ok(())
}

/// The engine the arguments and the policy file ask for, and how the run ends.
pub struct Setup {
    pub engine: Engine,
    /// What user policies know of the cluster besides the object under review (Namespaces
    /// for namespaceSelectors, `data.inventory`), when user policies are loaded.
    pub inventory: Option<Arc<palisade_policy::Inventory>>,
    framework: Option<String>,
    fail_on: Severity,
    /// When the run began, for the history store.
    started_ms: i64,
}

impl Setup {
    /// Reads the policy file (`--config`, or palisade.yaml at the top of the first of
    /// `paths`) and the roster, and builds the engine; problems are printed.
    pub fn new(args: &SelectArgs, fail_on: Option<Severity>, paths: &[std::path::PathBuf], namespace: Option<String>) -> Result<Setup, ExitCode> {
        let mut policy = load_policy(&args.config, args.no_config, paths)?;
        if let Some(path) = &args.roster {
            match palisade::policy_file::load_roster(path) {
                Ok(r) => policy.settings.roster = Some(Arc::new(r)),
                Err(e) => {
                    eprintln!("error: {e}");
                    return Err(ExitCode::from(2));
                }
            }
        }
        if let Some(path) = &args.versions {
            let text = std::fs::read_to_string(path).map_err(|e| {
                eprintln!("error: {}: {e}", path.display());
                ExitCode::from(2)
            })?;
            match palisade_core::versions::Versions::parse(&text, &path.display().to_string()) {
                Ok(v) => policy.settings.versions = Some(Arc::new(v)),
                Err(e) => {
                    eprintln!("error: {e}");
                    return Err(ExitCode::from(2));
                }
            }
        }
        let pss_version = args.pss_version.or(policy.pss_version).unwrap_or(PssVersion::LATEST);
        let fail_on = fail_on.or(policy.fail_on).unwrap_or(Severity::Low);
        let or_policy = |cli: &Vec<String>, file: &Vec<String>| if cli.is_empty() { file.clone() } else { cli.clone() };
        let (user_rules, inventory) = load_user_policies(args, &policy)?;
        let selection = Selection {
            framework: args.framework.clone().or_else(|| policy.framework.clone()),
            select: or_policy(&args.select, &policy.select),
            ignore: or_policy(&args.ignore, &policy.ignore),
            version: Some(pss_version),
            policy: Some(Arc::new(policy)),
            today: None,
            namespace,
            user_rules,
        };
        match Engine::new(&selection) {
            Ok(engine) => Ok(Setup { engine, inventory, framework: selection.framework, fail_on, started_ms: palisade_store::now_ms() }),
            Err(e) => {
                eprintln!("error: {e}");
                Err(ExitCode::from(2))
            }
        }
    }

    /// Judges objects a source described (a node's Host, probed Endpoints) as one input: each
    /// through the rules, then the cross-object rules over them all.
    pub fn judge(&self, objects: &[serde_json::Value]) -> Report {
        let engine = &self.engine;
        let mut model = palisade_analysis::model::Model::default();
        let mut report = Report { rules: engine.rules().iter().map(|r| r.meta()).collect(), ..Report::default() };
        for object in objects {
            let outcome = engine.evaluate_live(&palisade_source::json::node_of(object));
            report.objects += outcome.objects;
            for (key, facts) in file_outcome(&mut report, outcome, |f| f) {
                model.load(key, facts);
            }
        }
        let end = engine.finish(&model);
        file_outcome(&mut report, end, |f| f);
        report.kinds = model.kind_counts().clone();
        report
    }

    /// Whether `format` shows the model's views (`Report::insights`); when it does, the
    /// engine keeps every fact they read.
    pub fn insights_for(&mut self, format: Format) -> bool {
        let wanted = matches!(format, Format::Html);
        if wanted {
            self.engine.model_everything();
        }
        wanted
    }

    /// Adds the compliance view, writes the report, records the run as `source` when asked
    /// (`--record`), and gives the exit code.
    pub fn finish(&self, mut report: Report, args: &CheckArgs, compliance: bool, source: &str) -> ExitCode {
        if let Some(fw) = &self.framework {
            report.compliance = assess(fw, &report.findings, &report.suppressed, &report.kinds, report.workloads);
        }
        if let Err(code) = super::history::record(&report, &args.record, source, self.started_ms, args.quiet) {
            return code;
        }
        let code = exit_code(&report, self.fail_on);
        let written = match (&report.compliance, compliance, args.format) {
            (Some(c), true, Format::Table) => write_compliance(c, &report, args),
            _ => write_report(&report, args),
        };
        if let Err(e) = written {
            eprintln!("error: cannot write the report: {e}");
            return ExitCode::from(2);
        }
        code
    }
}

/// The user policies of `--policies` and the policy file's `policies:` (relative to it),
/// with `--inventory`; problems are printed with their file:line (exit 2).
type UserPolicies = (Vec<&'static dyn palisade_rules::check::Rule>, Option<Arc<palisade_policy::Inventory>>);

fn load_user_policies(args: &SelectArgs, policy: &palisade_core::Policy) -> Result<UserPolicies, ExitCode> {
    let base = policy.source.as_deref().map(std::path::Path::new).and_then(std::path::Path::parent).unwrap_or(std::path::Path::new("."));
    let mut paths: Vec<std::path::PathBuf> = policy.policies.iter().map(|p| base.join(p)).collect();
    paths.extend(args.policies.iter().cloned());
    if paths.is_empty() {
        return Ok((Vec::new(), None));
    }
    let chosen = args.kubernetes_version.or(policy.kubernetes_version);
    let kubernetes = chosen.or(args.server_version);
    match palisade_policy::load(&paths, &args.inventory, kubernetes.map(|v| v.0)) {
        Ok(set) => {
            let inventory = set.inventory.clone();
            Ok((set.into_rules(), Some(inventory)))
        }
        Err(problems) => {
            for p in problems {
                eprintln!("error: {p}");
            }
            if let (None, Some(server)) = (chosen, args.server_version) {
                eprintln!("note: the policies were checked for Kubernetes {server}, the API server's version (--kubernetes-version or the policy file's `kubernetes-version` chooses another)");
            }
            Err(ExitCode::from(2))
        }
    }
}

fn exit_code(report: &Report, fail_on: Severity) -> ExitCode {
    if !report.errors.is_empty() {
        ExitCode::from(2)
    } else if report.findings.iter().any(|f| f.severity >= fail_on) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// A progress bar on a terminal for `inputs` pieces of work (`files`, `endpoints`), when
/// there are enough of them to wait for.
pub fn progress_bar(args: &CheckArgs, inputs: usize, what: &str) -> Option<ProgressBar> {
    if args.quiet || inputs < 50 || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(inputs as u64);
    bar.set_style(
        ProgressStyle::with_template(&format!("{{spinner}} {what} {{pos}}/{{len}} {{wide_bar}} {{eta}}"))
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    Some(bar)
}

/// The compliance table, then any input errors.
fn write_compliance(c: &palisade_core::compliance::Compliance, report: &Report, args: &CheckArgs) -> std::io::Result<()> {
    styled(&args.output, |out| {
        palisade_report::compliance::write(c, out)?;
        for e in &report.errors {
            writeln!(out, "error: {e}")?;
        }
        Ok(())
    })
}

/// The baseline report `--baseline` names.
fn read_baseline(path: &std::path::Path) -> Result<palisade_report::markdown::Baseline, String> {
    let name = path.display().to_string();
    let text = std::fs::read(path).map_err(|e| format!("--baseline {name}: {e}"))?;
    let value: serde_json::Value = serde_json::from_slice(&text).map_err(|e| format!("--baseline {name}: not JSON: {e}"))?;
    palisade_report::markdown::Baseline::from_report(&value, &name)
}

fn write_report(report: &Report, args: &CheckArgs) -> std::io::Result<()> {
    // Formats other than the table carry errors inside the document; say them on stderr too.
    if !matches!(args.format, Format::Table) && !args.quiet {
        for e in &report.errors {
            eprintln!("error: {e}");
        }
    }
    let mut baseline = match &args.baseline {
        Some(_) if !matches!(args.format, Format::Markdown) => return Err(std::io::Error::other("--baseline works with --format markdown")),
        Some(path) => Some(read_baseline(path).map_err(std::io::Error::other)?),
        None => None,
    };
    if let Format::Table = args.format {
        // The table is styled; the stream drops the styles when not writing to a terminal.
        return styled(&args.output, |out| table::write(report, table::Options { quiet: args.quiet }, out));
    }
    let file = match &args.output {
        Some(path) => Some(std::fs::File::create(path)?),
        None => None,
    };
    let mut out: Box<dyn Write> = match file {
        Some(f) => Box::new(std::io::BufWriter::with_capacity(1 << 16, f)),
        None => Box::new(std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock())),
    };
    match args.format {
        Format::Json => json::write(report, VERSION, &mut out)?,
        Format::Sarif => sarif::write(report, VERSION, &mut out)?,
        Format::Junit => junit::write(report, &mut out)?,
        Format::Markdown => palisade_report::markdown::write(report, baseline.as_mut(), &mut out)?,
        Format::Html => palisade_report::html::write(report, VERSION, &mut out)?,
        Format::Table => unreachable!("handled above"),
    }
    out.flush()
}
