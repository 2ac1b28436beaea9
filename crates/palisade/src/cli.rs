//! The command line: every command, argument and help text (clap derive).

use clap::{Parser, Subcommand, ValueEnum};
use palisade_core::{PssVersion, Severity};
use palisade_rules::engine::FRAMEWORKS;
use std::path::PathBuf;

/// Palisade checks how well Kubernetes manifests are defended — Pod Security Standards exactly
/// as Pod Security Admission enforces them, workload hardening, supply chain, secrets,
/// namespaces, exposure and RBAC — and points at the line to fix.
#[derive(Parser)]
#[command(name = "palisade", version, about, long_about = None, propagate_version = true)]
#[command(after_help = "Examples:
  palisade scan k8s/                          scan every .yaml/.yml/.json under k8s/
  helm template ./chart | palisade scan -      scan rendered Helm output (findings name the template)
  palisade scan --kustomize overlays/prod      render with `kubectl kustomize`, then scan
  palisade scan k8s/ --format sarif -o palisade.sarif
  palisade scan k8s/ --framework pss-baseline --pss-version v1.30
  palisade compliance --framework cis-1.12 k8s/    control by control, with a score
  palisade images k8s/                        every image and who runs it
  palisade secrets k8s/                       where each workload's secrets come from
  palisade rbac who-can get secrets -n shop -f k8s/
  palisade policy init                        a commented palisade.yaml (waivers, registries, ...)
  palisade rules                              list every rule
  palisade explain POD015                     what a rule checks, why, and how to fix it

Exit codes: 0 no finding at or above --fail-on; 1 findings at or above it;
2 usage error, a broken policy file, or an input that could not be read (everything else is
still scanned).")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Scan manifests (files, directories, `-` for stdin, or a kustomization).
    #[command(after_help = "Directories are searched recursively for .yaml, .yml and .json files (hidden
directories are skipped). Multi-document YAML, JSON, and `List`/`*List` documents are
understood. Documents that are not Kubernetes objects are skipped and listed, never dropped
silently. Workloads of every kind are evaluated on their pod template, including custom
resources whose spec.template.spec has containers (Argo Rollouts and the like).

Without --framework, every rule runs; Pod Security checks at the restricted level.
A palisade.yaml at the top of the first scanned directory (or --config FILE) sets
frameworks, severities, allowed registries and waivers; command-line options win.

Exit codes: 0 no finding at or above --fail-on; 1 findings at or above it;
2 usage error, or an input that could not be read (everything else is still scanned).

Examples:
  palisade scan k8s/ --format sarif -o palisade.sarif
  helm template ./chart | palisade scan -
  palisade scan --kustomize overlays/prod --fail-on high")]
    Scan(ScanArgs),
    /// Assess a framework control by control: pass, fail, not applicable, or manual.
    #[command(after_help = "Frameworks: cis-1.12 (CIS Kubernetes Benchmark 1.12: §1–§4 from node audits and
the control plane, §5 from the objects), nsa (NSA/CISA Kubernetes Hardening Guide), cncf (the
CNCF's nine best practices), pss-baseline, pss-restricted. Every control is listed: automated
ones pass or fail on the scanned objects (or are not applicable when the input holds nothing
they are about); the rest are marked manual with the reason. --format json writes the full
scan report with a `compliance` section. Takes the same inputs and options as `palisade scan`,
and also saved JSON reports (`palisade node`, `palisade cluster`, `palisade merge` output):
their findings and waived findings count as they were recorded, as if this run had made them.

Examples:
  palisade compliance --framework cis-1.12 k8s/
  palisade compliance --framework nsa k8s/ --format json -o compliance.json
  palisade compliance --framework cis-1.12 node-*.json cluster.json")]
    Compliance(ScanArgs),
    /// Scan a live cluster: every listable resource, the whole catalogue, with coverage.
    #[command(after_help = "Connects as kubectl does: --kubeconfig, else $KUBECONFIG (several files are merged),
else ~/.kube/config, else the in-cluster ServiceAccount; --context picks a context. Every
listable resource is discovered (CRDs included) and listed page by page; objects that a
checked controller owns (a Deployment's ReplicaSets and their Pods) are left out unless
--include-owned. Findings name the live object; there are no file locations. Resources the
credentials may not list are coverage gaps, reported with what they hide, not failures.

Exit codes: 0 no finding at or above --fail-on; 1 findings at or above it; 2 usage error, the
cluster could not be reached, or a resource failed to list (the rest is still scanned).

Examples:
  palisade cluster
  palisade cluster --context prod --format json -o prod.json
  palisade cluster --framework cis-1.12 --fail-on high")]
    Cluster(ClusterArgs),
    /// Keep watching a live cluster: findings opened and resolved as objects change.
    #[command(after_help = "Connects as `palisade cluster` does, lists every resource type it may list and watch, then
watches them. When all are listed, every open finding is written as `opened` (unless
--changes-only); after that, each change is judged with what it touches (a Namespace's labels
re-judge its pods, an RBAC change re-runs the RBAC analysis) and writes the findings it opened
and resolved. `--format json` writes one JSON object per line:
  {\"event\": \"opened\"|\"resolved\", \"at\": \"<RFC 3339>\", \"finding\": {…}}
with the finding in the JSON report's shape. Runs until interrupted.

Dropped watches are reopened where they stood, a watch silent for --watch-timeout is taken as
dropped, `410 Gone` relists the type and writes only what really changed, and a server that is
away is retried with backoff. --metrics-addr serves Prometheus metrics on /metrics. Alerts
(--alert-webhook, --alert-slack) get findings at or above --alert-severity as they open and
resolve; they are queued and retried and never hold up the watch.

Examples:
  palisade watch
  palisade watch --context prod --format json >> findings.jsonl
  palisade watch --metrics-addr 127.0.0.1:9464 --alert-slack https://hooks.slack.com/services/…")]
    Watch(WatchArgs),
    /// Save what a cluster scan reads as one YAML List (Secret values replaced by their
    /// lengths), for offline or air-gapped review with `palisade scan`.
    #[command(after_help = "`palisade scan snapshot.yaml` gives the findings `palisade cluster` gives on the same
objects. managedFields and kubectl's last-applied annotation are left out, ConfigMap
values over 64 KiB become their length, and no Secret value is ever written.

Examples:
  palisade dump -o snapshot.yaml
  palisade dump --context prod -o prod-$(date +%F).yaml")]
    Dump(DumpArgs),
    /// What changed between two snapshots (or manifests, or JSON reports): objects added,
    /// removed and changed, and findings opened and resolved.
    #[command(after_help = "OLD and NEW are snapshots from `palisade dump`, any manifests, or `palisade.report/v1`
JSON reports (findings only: a report does not list its objects). Snapshots are scanned
with the same options as `palisade scan`. Objects are matched by API group, kind,
namespace and name; resourceVersion, uid, managedFields and status are not changes.

Exit codes: 0 no finding opened at or above --fail-on; 1 findings opened; 2 an input
could not be read.

With --store (and no URL: the default store), OLD and NEW are runs recorded there.

Examples:
  palisade diff monday.yaml tuesday.yaml
  palisade diff old-report.json new-report.json --format json
  palisade diff latest~1 latest --store --cluster prod")]
    Diff(DiffArgs),
    /// List the runs recorded in the history store.
    #[command(after_help = "Runs are recorded by `scan`, `compliance`, `cluster`, `node`, `probe` and `audit-log`
with --record (or --store URL), and by `palisade watch --record` (a snapshot when the first
list is judged, then every --snapshot-every). Each row names its cluster; a fleet shares one
PostgreSQL store (--store postgres://…).

Examples:
  palisade history
  palisade history --cluster prod --limit 5 --format json
  palisade history --store postgres://palisade@db.internal/palisade")]
    History(HistoryArgs),
    /// Open findings over time, by severity and by layer, from the history store.
    #[command(after_help = "A chart in the terminal (one sparkline per severity and per layer, with the first,
lowest, highest and last value), or an SVG file with -o FILE.svg; --format json gives the
points. Without --cluster, every cluster recorded has its own chart.

Examples:
  palisade trend
  palisade trend --since 90d --cluster prod -o trend.svg")]
    Trend(TrendArgs),
    /// Audit a node: the Kubernetes processes' flags, files and kubelet configuration (CIS
    /// §1–§4) and the host's hardening, read-only, under a root directory.
    #[command(after_help = "Reads /proc/*/cmdline and the files the CIS Benchmark's node checks are about (static-pod
manifests, kubeconfigs, the PKI, etcd's data directory, the kubelet's unit, drop-ins, config
and CA) under --root (default /: run it on the node, or point it at a mounted image or a
fixture tree). Never writes. The kube-apiserver, controller manager, scheduler and etcd
processes are judged by the same checks as their static pods; the kubelet's settings where
the kubelet takes them (flags, then its config file, then the defaults), each finding at the
file and line that decided. Host hardening too: sshd, AppArmor/SELinux, sysctls, runtime
sockets, the docker group, auditd, listening sockets and services enabled at boot
(`node: {services: [...]}` in palisade.yaml names more that are meant to run).

Examples:
  sudo palisade node
  palisade node --root /mnt/node-image --format json -o node-1.json
  palisade compliance --framework cis-1.12 node-1.json   # §1–§4 control by control")]
    Node(NodeArgs),
    /// Probe endpoints from the outside, as a stranger would: which etcd, API server, kubelet,
    /// proxy and dashboard ports answer, and what they give away without credentials.
    #[command(after_help = "TARGET is a host, HOST:PORT, [IPv6]:PORT or a CIDR range (at most a /16 unless
--force). A target without a port gets the default ports: etcd 2379 and peer 2380, API server
6443, 443 and 8443, insecure API 8080, kubelet 10250 and read-only 10255, kube-proxy 10256,
controller manager 10257, scheduler 10259, kubectl proxy 8001, dashboard 9090 (--ports
replaces them). Each open port gets its TLS facts (version, certificate subject, SANs,
issuer, expiry, whether a client certificate is required), what answers, and read-only
anonymous requests: etcd's key count over the v3 gateway and the v2 API (never a value), the
kubelet's /pods, /runningpods, /configz and /metrics, the API server's discovery and
anonymous lists of namespaces, pods and secrets, dashboards without login. Nothing is
written, nothing is exploited, no secret is printed. Probe only what you are allowed to.

Examples:
  palisade probe 10.0.0.12                       every default port of one host
  palisade probe 10.0.0.0/24 --format json -o exposure.json
  palisade probe etcd-1.internal:2379 cp-1:6443 --timeout 5s")]
    Probe(ProbeArgs),
    /// Detect what an audit log says happened: exec into pods, anonymous requests let
    /// through, cluster-admin granted, RBAC changed, tokens minted, nodes/proxy, Secrets read
    /// by strangers, bursts of Forbidden, and what the requests created (privileged,
    /// host-network or host-path pods, NodePorts, credentials in ConfigMaps) judged by the
    /// usual rules.
    #[command(name = "audit-log", after_help = "FILE holds Kubernetes audit events (audit.k8s.io/v1, or v1beta1): JSON lines as the log
backend writes them, or EventList documents as the webhook backend posts them; `-` reads
standard input. Each finding names the event's auditID and sits at its line of the log. A
line that is not an event is an error with its line number; the rest is still read. Events
no audit rule can detect anything in (reads, lease renewals, status patches) are counted
and passed by unread, which is what makes a busy API server's log quick to read.

With --follow, the log is read as it grows (rotation and truncation are noticed) and each
finding is written as it is made, one JSON object a line with --format json:
  {\"event\": \"detected\", \"at\": \"<RFC 3339>\", \"finding\": {…}}

Examples:
  palisade audit-log /var/log/kubernetes/audit.log
  palisade audit-log audit.log --format json -o detections.json
  palisade audit-log -F /var/log/kubernetes/audit.log --format json >> detections.jsonl
  kubectl logs -n kube-system kube-apiserver-cp-1 | palisade audit-log -")]
    AuditLog(AuditLogArgs),
    /// Serve the admission webhook and the audit webhook over TLS — the same rules, policy
    /// file and waivers as `scan`, deciding before anything is created — and a read-only
    /// dashboard of recorded runs or report files.
    #[command(after_help = "--admission ADDR serves a validating admission webhook: POST /validate takes an
admission.k8s.io/v1 AdmissionReview and answers with the same uid, `allowed`, a status message
listing each blocking finding (rule, field, fix) and warnings for the rest; GET /healthz,
/readyz and /metrics. Every pod-carrying kind is judged (a bad Deployment is refused when it
is applied); on UPDATE only findings the old object did not have block; DELETE and CONNECT
are allowed; dry runs are judged and never recorded. Waivers in the policy file and in
annotations apply as in `scan`, and an expired waiver blocks again.

Modes: enforce (refuse findings at or above --fail-on, warn of the rest), warn (allow, with
every finding as a warning), audit (allow and record). A namespace picks its own with the
labels palisade.io/enforce, palisade.io/warn and palisade.io/audit set to privileged, baseline,
restricted or default, read through a watch on Namespaces when a cluster is reachable
(--kubeconfig, $KUBECONFIG, ~/.kube/config or in-cluster). Each finding that refused a request,
and each audit mode saw, is written to standard output as a JSON line:
  {\"event\": \"admission\", \"action\": \"deny\"|\"audit\", \"at\", \"request\", \"finding\"}

--audit-webhook ADDR takes the EventList batches of the API server's audit webhook backend
(POST, any path) and writes each detection as `palisade audit-log --follow` does.

--dashboard ADDR serves the HTML report's views live and read-only: from the history store
(--store, else the default one) open findings over time per cluster by severity and by layer,
every recorded run as the HTML report (/runs/ID) and two runs compared (/diff?from=A&to=B);
given REPORT files instead (JSON reports, read again on each visit), each of them. ADDR may be
a port alone (8080), which binds loopback; bind another address only with a token
(--dashboard-token-file, or $PALISADE_DASHBOARD_TOKEN): clients send `Authorization: Bearer
TOKEN`, and a browser opens /?token=TOKEN once (a cookie keeps it). Plain HTTP unless
--tls-cert and --tls-key are given.

The certificate and key are read again when their files change (cert-manager rotation).

Examples:
  palisade serve --admission 0.0.0.0:8443 --tls-cert tls.crt --tls-key tls.key --framework pss-restricted
  palisade serve --admission 127.0.0.1:8443 --tls-cert c.pem --tls-key k.pem --mode warn --exempt-namespace kube-system
  palisade serve --audit-webhook 0.0.0.0:9443 --tls-cert tls.crt --tls-key tls.key
  palisade serve --dashboard 8080 --store postgres://palisade@db:5432/palisade
  palisade serve --dashboard 127.0.0.1:8080 ci/report.json nodes/*.json")]
    Serve(ServeArgs),
    /// Install the admission webhook: print its Deployment, Service, PodDisruptionBudget,
    /// RBAC and ValidatingWebhookConfiguration.
    #[command(subcommand)]
    Admission(AdmissionCommand),
    /// Merge JSON reports of many nodes (`palisade node --format json`) into one: every
    /// finding, and per check which nodes fail and which pass.
    #[command(after_help = "Each input is a palisade.report/v1 JSON report. A node report names its host; other
reports (a cluster scan) are merged in as they are. The output is one report with every
finding and error, and a `merge` section: per check (rule and CIS control), the hosts that
fail it and those that pass.

Examples:
  palisade merge node-*.json -o cluster-nodes.json
  palisade merge node-*.json --format table")]
    Merge(MergeArgs),
    /// List every image with its registry, tag and digest, and the workloads that run it.
    #[command(after_help = "Examples:\n  palisade images k8s/\n  helm template ./chart | palisade images - --format json")]
    Images(InventoryArgs),
    /// Show where each workload's secrets come from: plain Secrets, External Secrets (with
    /// their store and provider) or Secrets Store CSI volumes (with their provider).
    #[command(after_help = "Plain Secrets are marked when the policy file sets secrets: {require-vault: true};
`palisade scan` reports them as SEC005 findings.

Examples:\n  palisade secrets k8s/\n  palisade secrets k8s/ --format json")]
    Secrets(InventoryArgs),
    /// Inventory a cluster or its manifests: nodes, namespaces, workloads and their
    /// containers, images, service accounts, and every exposure.
    #[command(after_help = "Without PATH, reads the live cluster (the current kubectl context, or --kubeconfig and
--context); with PATH, files, directories or snapshots from `palisade dump`. Exposures are
LoadBalancer and NodePort Services (with their source ranges), externalIPs, Ingress hosts
(and whether they have TLS), hostNetwork pods and hostPorts.

Formats: table (a section per kind), json ({\"nodes\", \"namespaces\", \"workloads\", \"images\",
\"service_accounts\", \"exposures\"}), csv (section,kind,namespace,name,detail).

Examples:
  palisade inventory
  palisade inventory snapshot.yaml --format csv -o estate.csv")]
    Inventory(EstateArgs),
    /// Who can do what: exact RBAC answers from Roles, ClusterRoles and their bindings.
    #[command(subcommand)]
    Rbac(RbacCommand),
    /// What NetworkPolicies allow: connectivity between workloads, and to and from outside.
    #[command(subcommand)]
    Netpol(NetpolCommand),
    /// List the rule catalogue.
    Rules {
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value_t = RulesFormat::Table)]
        format: RulesFormat,
    },
    /// Show the documentation of one rule (by ID or name).
    Explain {
        /// A rule ID (`POD001`) or name (`privileged-container`).
        rule: String,
    },
    /// Write or check a policy file (palisade.yaml): frameworks, severities, registries, waivers.
    #[command(subcommand)]
    Policy(PolicyCommand),
}

/// Which cluster, and how to read it: kubectl's flags.
#[derive(clap::Args)]
pub struct ConnectArgs {
    /// Kubeconfig file [default: $KUBECONFIG (several files merged), else ~/.kube/config,
    /// else the in-cluster ServiceAccount].
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,

    /// The kubeconfig context to use [default: its current-context].
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,

    /// Objects per list request (as kubectl's --chunk-size).
    #[arg(long, value_name = "N", default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..))]
    pub chunk_size: u32,

    /// Also read the objects a checked controller owns (Pods of ReplicaSets, ReplicaSets of
    /// Deployments, Jobs of CronJobs).
    #[arg(long)]
    pub include_owned: bool,
}

#[derive(clap::Args)]
pub struct ClusterArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,

    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(clap::Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Only this cluster's runs.
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,
    /// At most this many runs, newest first.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limit: i64,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

#[derive(clap::Args)]
pub struct TrendArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Only this cluster.
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,
    /// How far back (`30d`, `12w`).
    #[arg(long, value_name = "DURATION", default_value = "30d", value_parser = palisade_core::policy::parse_days)]
    pub since: u32,
    /// Write an SVG chart to FILE instead of the terminal chart.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Output format (terminal chart or the points as JSON).
    #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

/// `palisade watch`'s formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum WatchFormat {
    /// One line per event, for people.
    Table,
    /// One JSON object per line.
    Json,
}

#[derive(clap::Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = WatchFormat::Table)]
    pub format: WatchFormat,

    /// Append the events to FILE instead of writing them to standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Write only what changes after the first judgement, not the findings open at the start.
    #[arg(long)]
    pub changes_only: bool,

    /// A watch silent this long, without even a bookmark, is taken as dropped and reopened
    /// (`90s`, `5m`).
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_duration)]
    pub watch_timeout: std::time::Duration,

    /// Serve Prometheus metrics on http://ADDR/metrics (open findings by severity, rule and
    /// namespace; evaluation latency; watch lag; reconnects).
    #[arg(long, value_name = "ADDR")]
    pub metrics_addr: Option<String>,

    /// POST each alert as JSON to URL (repeatable).
    #[arg(long, value_name = "URL")]
    pub alert_webhook: Vec<String>,

    /// POST each alert to a Slack incoming webhook (or anything that takes Slack's payload).
    #[arg(long, value_name = "URL")]
    pub alert_slack: Vec<String>,

    /// The lowest severity that is alerted.
    #[arg(long, value_name = "SEVERITY", default_value = "high", value_parser = parse_severity)]
    pub alert_severity: Severity,

    #[command(flatten)]
    pub record: RecordArgs,

    /// With --record: also record a snapshot of the open findings this often (the first is
    /// taken when the first list is judged), so `palisade trend` follows a long watch.
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = parse_duration)]
    pub snapshot_every: std::time::Duration,

    #[command(flatten)]
    pub select: SelectArgs,

    /// Only the events: no status lines on standard error.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// `palisade inventory`'s formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum EstateFormat {
    Table,
    Json,
    Csv,
}

#[derive(clap::Args)]
pub struct EstateArgs {
    /// Files, directories or snapshots to read (`-` for standard input); without any, the
    /// live cluster.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = EstateFormat::Table)]
    pub format: EstateFormat,

    /// Write to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Namespaced objects without `metadata.namespace` are taken to be in NS (files only).
    #[arg(long, short = 'n', value_name = "NS")]
    pub namespace: Option<String>,

    #[command(flatten)]
    pub connect: ConnectArgs,
}

#[derive(clap::Args)]
pub struct NodeArgs {
    /// The host's root directory.
    #[arg(long, value_name = "DIR", default_value = "/")]
    pub root: PathBuf,

    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(clap::Args)]
pub struct AuditLogArgs {
    /// The audit log (`-` for standard input).
    #[arg(value_name = "FILE")]
    pub input: PathBuf,

    /// Judge every event with the whole catalogue, not only those that can raise a detection
    /// (requests no audit rule can detect anything in — reads, lease renewals, status patches
    /// — are otherwise counted and passed by unread); slower, the same findings.
    #[arg(long)]
    pub judge_all: bool,

    /// Keep reading as the log grows, as `tail -F` does (a rotated or truncated log is
    /// reopened from its start), and write each finding as it is made: one JSON object a
    /// line with `--format json` (`{"event": "detected", "at", "finding"}`), else a line of
    /// text. Runs until stopped.
    #[arg(long, short = 'F')]
    pub follow: bool,

    /// With --follow: how often to look for new lines.
    #[arg(long, value_name = "DURATION", default_value = "250ms", value_parser = parse_duration, requires = "follow")]
    pub poll: std::time::Duration,

    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AdmissionMode {
    /// Refuse requests with findings at or above --fail-on; warn of the rest.
    Enforce,
    /// Allow, with every finding as a warning to the client.
    Warn,
    /// Allow, and record the findings.
    Audit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OnErrorArg {
    Allow,
    Deny,
}

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Serve the validating admission webhook on ADDR (HOST:PORT).
    #[arg(long, value_name = "ADDR", required_unless_present_any = ["audit_webhook", "dashboard"])]
    pub admission: Option<String>,

    /// Take the API server's audit webhook batches on ADDR (HOST:PORT).
    #[arg(long, value_name = "ADDR")]
    pub audit_webhook: Option<String>,

    /// Serve the read-only dashboard on ADDR (HOST:PORT, or a port alone for loopback).
    #[arg(long, value_name = "ADDR")]
    pub dashboard: Option<String>,

    /// A file holding the token the dashboard asks for [default: $PALISADE_DASHBOARD_TOKEN].
    #[arg(long, value_name = "FILE", requires = "dashboard")]
    pub dashboard_token_file: Option<PathBuf>,

    /// JSON reports the dashboard shows instead of the history store's runs.
    #[arg(value_name = "REPORT", requires = "dashboard")]
    pub reports: Vec<PathBuf>,

    /// The server's certificate chain (PEM); read again when it changes. Required for
    /// --admission and --audit-webhook.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// The certificate's private key (PEM); read again when it changes.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// What findings do where a namespace does not choose with its labels.
    #[arg(long, value_enum, default_value_t = AdmissionMode::Enforce)]
    pub mode: AdmissionMode,

    /// The severity that blocks in enforce mode [default: high; the policy file's fail-on
    /// wins over the default].
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub fail_on: Option<Severity>,

    /// Namespaces whose requests are allowed unjudged (repeatable).
    #[arg(long, value_name = "NS")]
    pub exempt_namespace: Vec<String>,

    /// Users whose requests are allowed unjudged (repeatable).
    #[arg(long, value_name = "USER")]
    pub exempt_user: Vec<String>,

    /// Runtime classes whose pods are allowed unjudged (repeatable).
    #[arg(long, value_name = "CLASS")]
    pub exempt_runtime_class: Vec<String>,

    /// How long one decision may take; past it, --on-error answers.
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = parse_duration)]
    pub budget: std::time::Duration,

    /// The answer when a request cannot be judged in time (or at all).
    #[arg(long, value_enum, default_value_t = OnErrorArg::Allow)]
    pub on_error: OnErrorArg,

    /// Do not read namespaces' labels from a cluster (every namespace gets --mode).
    #[arg(long)]
    pub no_cluster: bool,

    /// Kubeconfig for the namespaces' labels (else $KUBECONFIG, ~/.kube/config, in-cluster).
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,

    /// Kubeconfig context.
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,

    #[command(flatten)]
    pub select: SelectArgs,

    /// Also keep what is written to standard output (refusals, audited findings, audit
    /// detections) in the history store, as events.
    #[command(flatten)]
    pub record: RecordArgs,

    /// Say nothing on standard error but errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Subcommand)]
pub enum AdmissionCommand {
    /// Print the manifests that install the admission webhook (YAML on standard output).
    #[command(after_help = "The Deployment runs two replicas of `palisade serve --admission` as a non-root user with
a read-only root filesystem, behind a Service and a PodDisruptionBudget; a ServiceAccount may
list and watch Namespaces (for their palisade.io/* labels) and nothing else. The
ValidatingWebhookConfiguration sends CREATE and UPDATE of pods and every pod-carrying kind,
with sideEffects None, matchPolicy Equivalent, a timeout and failure policy of your choosing,
and a namespaceSelector that leaves out kube-system and the webhook's own namespace. The
serving certificate is the Secret --tls-secret (type kubernetes.io/tls); --ca-bundle FILE
puts its CA in the configuration (else cert-manager's CA injector fills it in from the
annotation).

Examples:
  palisade admission manifests --namespace palisade --ca-bundle ca.crt | kubectl apply -f -
  palisade admission manifests --namespace palisade --failure-policy Ignore --mode warn")]
    Manifests(ManifestsArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailurePolicy {
    /// Refuse what the webhook cannot judge (the API's `Fail`).
    #[value(name = "Fail", alias = "fail")]
    Fail,
    /// Let it through (the API's `Ignore`).
    #[value(name = "Ignore", alias = "ignore")]
    Ignore,
}

#[derive(clap::Args)]
pub struct ManifestsArgs {
    /// The namespace the webhook runs in.
    #[arg(long, short = 'n', value_name = "NS", default_value = "palisade")]
    pub namespace: String,

    /// The image to run, pinned by digest.
    #[arg(long, value_name = "IMAGE", default_value = "ghcr.io/palisade-dev/palisade:0.1.0@sha256:0000000000000000000000000000000000000000000000000000000000000000")]
    pub image: String,

    /// PEM file of the CA that signed the serving certificate, for the caBundle.
    #[arg(long, value_name = "FILE")]
    pub ca_bundle: Option<PathBuf>,

    /// The Secret (kubernetes.io/tls) holding the serving certificate and key.
    #[arg(long, value_name = "NAME", default_value = "palisade-admission-tls")]
    pub tls_secret: String,

    /// What the API server does when the webhook cannot answer.
    #[arg(long, value_enum, default_value_t = FailurePolicy::Fail)]
    pub failure_policy: FailurePolicy,

    /// How long the API server waits for an answer (1–30 s).
    #[arg(long, value_name = "SECONDS", default_value_t = 5, value_parser = clap::value_parser!(u8).range(1..=30))]
    pub timeout_seconds: u8,

    /// The webhook's mode.
    #[arg(long, value_enum, default_value_t = AdmissionMode::Enforce)]
    pub mode: AdmissionMode,

    /// Run only the rules of one framework (passed to `palisade serve`).
    #[arg(long, value_name = "FRAMEWORK", value_parser = clap::builder::PossibleValuesParser::new(FRAMEWORKS))]
    pub framework: Option<String>,
}

#[derive(clap::Args)]
pub struct ProbeArgs {
    /// Hosts, HOST:PORT or CIDR ranges to probe.
    #[arg(value_name = "TARGET", required = true)]
    pub targets: Vec<String>,
    /// The ports to probe on targets without one (comma-separated), instead of the defaults.
    #[arg(long, value_name = "PORT,...", value_delimiter = ',')]
    pub ports: Vec<u16>,
    /// Probe ranges larger than a /16.
    #[arg(long)]
    pub force: bool,
    /// How long one request may take (handshake, question and answer): 500ms, 3s.
    #[arg(long, value_name = "DURATION", default_value = "3s", value_parser = parse_duration)]
    pub timeout: std::time::Duration,
    /// How long a connection may take to open.
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = parse_duration)]
    pub connect_timeout: std::time::Duration,
    /// How many endpoints to probe at once.
    #[arg(long, value_name = "N", default_value_t = 512)]
    pub concurrency: usize,

    #[command(flatten)]
    pub check: CheckArgs,
}

/// `500ms`, `3s`, `1m`, `1h`, or plain seconds.
fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let t = text.trim();
    let (number, unit) = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).map(|i| t.split_at(i)).unwrap_or((t, "s"));
    let n: f64 = number.parse().map_err(|_| format!("`{text}` is not a duration (500ms, 3s, 1m)"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(format!("`{text}`: the unit must be ms, s, m or h")),
    };
    if secs <= 0.0 || !secs.is_finite() {
        return Err(format!("`{text}` must be more than zero"));
    }
    Ok(std::time::Duration::from_secs_f64(secs))
}

#[derive(clap::Args)]
pub struct MergeArgs {
    /// JSON reports to merge.
    #[arg(value_name = "REPORT", required = true)]
    pub reports: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Json)]
    pub format: ListFormat,
    /// Write to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct DiffArgs {
    /// The earlier snapshot, manifests or JSON report; with --store, a recorded run (its id,
    /// a unique start of it, `latest` or `latest~N`).
    pub old: PathBuf,
    /// The later one.
    pub new: PathBuf,
    /// Compare two runs recorded in this store (see `palisade history`).
    #[arg(long, value_name = "URL", num_args = 0..=1, default_missing_value = "")]
    pub store: Option<String>,
    /// With --store: `latest` means the latest run of this cluster.
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
    /// Exit with 1 when a finding at or above this severity was opened [default: low].
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub fail_on: Option<Severity>,
    /// Policy file for scanning snapshots (frameworks, severities, waivers).
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct DumpArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,

    /// Where to write the snapshot (`-` for standard output).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,

    /// Print nothing but errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Subcommand)]
pub enum PolicyCommand {
    /// Write a commented starting policy file.
    Init {
        /// Where to write it.
        #[arg(default_value = "palisade.yaml")]
        path: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Check a policy file: every problem with its file:line; exit 2 if there is one.
    Check {
        /// The policy file.
        #[arg(default_value = "palisade.yaml")]
        path: PathBuf,
    },
    /// Run gator verify suites (`kind: Suite`, as the Gatekeeper library ships them): pass or
    /// fail per case; exit 1 if any case fails, 2 if a suite cannot be read.
    #[command(after_help = "A directory is searched for suite files. Templates carrying both CEL and Rego are run with
each, and a case passes only when both meet its assertions.

Examples:
  palisade policy verify library/general/requiredlabels/suite.yaml
  palisade policy verify library/ --run 'disallowed'")]
    Verify {
        /// Suite files or directories.
        #[arg(required = true, value_name = "SUITE")]
        paths: Vec<PathBuf>,
        /// Run only the cases whose `test/case` name matches this regular expression.
        #[arg(long, value_name = "REGEX")]
        run: Option<String>,
        /// Print passing cases too, not only failures and the summary.
        #[arg(long, short = 'v')]
        verbose: bool,
    },
}

#[derive(clap::Args)]
pub struct ScanArgs {
    /// Files or directories to scan; `-` reads standard input.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Render a kustomization directory with `kubectl kustomize` and scan the result
    /// (repeatable).
    #[arg(long, value_name = "DIR")]
    pub kustomize: Vec<PathBuf>,

    /// Namespaced objects without `metadata.namespace` are taken to be in NS, as `kubectl
    /// apply -n NS` would put them [default: default]; namespace rules count them there.
    #[arg(long, short = 'n', value_name = "NS")]
    pub namespace: Option<String>,

    #[command(flatten)]
    pub check: CheckArgs,
}

/// What to check and how to report it: shared by `scan`, `compliance` and `cluster`.
#[derive(clap::Args)]
pub struct CheckArgs {
    /// Report format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit with 1 when a finding is at or above this severity [default: low].
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub fail_on: Option<Severity>,

    #[command(flatten)]
    pub select: SelectArgs,

    #[command(flatten)]
    pub record: RecordArgs,

    /// With `--format markdown`: an earlier JSON report (`--format json`) to compare with —
    /// the summary lists the findings it does not have, and counts those it had that are gone.
    #[arg(long, value_name = "REPORT.json")]
    pub baseline: Option<PathBuf>,

    /// Print only findings and errors: no skipped list, summary or progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Where the history is kept.
#[derive(clap::Args, Clone, Debug)]
pub struct StoreArgs {
    /// The history store: a SQLite file, or postgres://USER@HOST:PORT/DB for one a fleet
    /// shares [default: $XDG_DATA_HOME/palisade/history.db, else ~/.local/share/palisade/history.db].
    #[arg(long, value_name = "URL")]
    pub store: Option<String>,
}

impl StoreArgs {
    pub fn location(&self) -> String {
        self.store.clone().unwrap_or_else(palisade_store::default_location)
    }
}

/// Recording a run in the history store.
#[derive(clap::Args, Clone, Debug)]
pub struct RecordArgs {
    /// Record this run and its findings in the history store (`palisade history`, `trend`).
    /// Implied by --store.
    #[arg(long)]
    pub record: bool,

    #[command(flatten)]
    pub store: StoreArgs,

    /// The cluster name recorded with the run [default: the kubeconfig context, else the
    /// server; `local` for files and nodes].
    #[arg(long, value_name = "NAME")]
    pub cluster_name: Option<String>,
}

impl RecordArgs {
    pub fn wanted(&self) -> bool {
        self.record || self.store.store.is_some()
    }
}

/// Which rules run and how: the policy file and the options that override it — the same
/// for every command that judges objects.
#[derive(Clone, clap::Args)]
pub struct SelectArgs {
    /// Policy file (frameworks, severity overrides, registries, waivers). Without it,
    /// `palisade.yaml` at the top of the first scanned directory is used, if there is one.
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Ignore any policy file found in the scanned directories.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,

    /// Identity roster (CSV `user,NAME` / `group,NAME`, or YAML): bindings to users and groups
    /// not in it are stale grants (RBAC014). Overrides the policy file's `roster`.
    #[arg(long, value_name = "FILE")]
    pub roster: Option<PathBuf>,

    /// Run only the rules of one framework: pss-baseline (the 12 baseline checks),
    /// pss-restricted (baseline + restricted), cis-1.12, nsa, cncf, mitre.
    #[arg(long, value_name = "FRAMEWORK", value_parser = clap::builder::PossibleValuesParser::new(FRAMEWORKS))]
    pub framework: Option<String>,

    /// Pod Security Standards version to evaluate: `latest` or v1.0 … v1.37 [default: latest].
    #[arg(long, value_name = "VERSION", value_parser = parse_version)]
    pub pss_version: Option<PssVersion>,

    /// Run only these rules: IDs, ID prefixes (POD) or names, comma-separated or repeated.
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub select: Vec<String>,

    /// Do not run these rules: IDs, ID prefixes or names, comma-separated or repeated.
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub ignore: Vec<String>,

    /// User policies to run beside the catalogue (repeatable; files or directories):
    /// Gatekeeper ConstraintTemplates with their Constraints, ValidatingAdmissionPolicies with
    /// their bindings and parameter objects. Findings are `gatekeeper:KIND/NAME` and
    /// `vap:NAME` rules. Adds to the policy file's `policies:`.
    #[arg(long, value_name = "PATH")]
    pub policies: Vec<PathBuf>,

    /// The Kubernetes version the user policies are for (1.MINOR): their CEL may use only
    /// what API servers of that version accept in a new policy — a library arriving in 1.N
    /// is accepted from 1.N+1 — and anything else is an error at its line. Default: on
    /// `cluster` and `watch`, the API server's version; elsewhere the newest Palisade knows.
    #[arg(long, value_name = "VERSION")]
    pub kubernetes_version: Option<palisade_core::versions::KubernetesVersion>,

    /// The version of the API server a live command is connected to: what the user policies
    /// are for when neither `--kubernetes-version` nor the policy file says (set by `cluster`
    /// and `watch` once connected; not a flag).
    #[arg(skip)]
    pub server_version: Option<palisade_core::versions::KubernetesVersion>,

    /// Objects that exist in the cluster but are not under review (repeatable): Gatekeeper's
    /// `data.inventory` for referential templates, and the Namespaces whose labels
    /// namespaceSelectors read.
    #[arg(long, value_name = "PATH")]
    pub inventory: Vec<PathBuf>,

    /// Bindings to Kubernetes' default roles (admin, edit, view, system:*) that the input
    /// does not define grant nothing, instead of what the shipped definitions grant.
    #[arg(long)]
    pub no_builtin_roles: bool,

    /// The Kubernetes support window to judge versions by (VER rules), replacing the table
    /// shipped with Palisade: lines of `MINOR RELEASED END-OF-SUPPORT`, e.g.
    /// `1.30 2024-04-17 2026-07-31` for a distribution's extended support.
    #[arg(long, value_name = "FILE")]
    pub versions: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum RbacCommand {
    /// Every subject allowed to make a request, each with the binding, role and rule that
    /// grant it (groups are not expanded to their members).
    #[command(after_help = "RESOURCE is RESOURCE[.GROUP][/SUBRESOURCE] (secrets, pods/exec, deployments.apps,
deployments/scale); a value starting with / is a non-resource URL (/metrics). Without -n the
request is cluster-wide, which only ClusterRoleBindings grant.

Examples:
  palisade rbac who-can get secrets -n shop -f cluster-dump/
  palisade rbac who-can create pods/exec -n shop -f rbac.yaml --format json")]
    WhoCan {
        verb: String,
        resource: String,
        #[command(flatten)]
        scope: RequestScope,
        #[command(flatten)]
        io: RbacIo,
    },
    /// Escalation paths: from a subject (or every subject named in a binding), the shortest
    /// chains that reach cluster-admin, admin of a namespace, or another namespace's Secrets.
    #[command(after_help = "Steps are what RBAC allows: run a pod or mint a token as a ServiceAccount, impersonate,
bind or escalate roles, approve a client certificate, use nodes/proxy. `reaches` is
cluster-admin, namespace-admin:<ns> or secrets:<ns>.

Examples:
  palisade rbac paths sa:ci/deployer -f cluster-dump/
  palisade rbac paths -f cluster-dump/ --format json")]
    Paths {
        /// user:NAME, group:NAME or sa:NAMESPACE/NAME; every subject of a binding when omitted.
        subject: Option<String>,
        #[command(flatten)]
        io: RbacIo,
    },
    /// For each Secret in the input: who can read it (get, or list/watch in its namespace,
    /// directly or through wildcards) and how old it is.
    #[command(after_help = "With a rotation period (--max-age 90d, or secrets: {max-age: 90d} in the policy
file), older Secrets are marked and the exit code is 1. Ages come from
metadata.creationTimestamp, so read a cluster dump (kubectl get secrets,roles,rolebindings,
clusterroles,clusterrolebindings -A -o yaml).

Example:
  palisade rbac secrets -f cluster-dump.yaml --max-age 90d")]
    Secrets {
        /// Secrets older than this are to be rotated: days (90d) or weeks (12w).
        #[arg(long, value_name = "AGE")]
        max_age: Option<String>,
        #[command(flatten)]
        io: RbacIo,
    },
    /// Risky grants and bindings (the RBAC rules of `palisade scan`), as the usual report.
    #[command(after_help = "The same as `palisade scan --select RBAC`: cluster-admin bindings, secret readers,
wildcards, pod creators, bind/escalate/impersonate, PersistentVolumes, nodes/proxy, CSR
approval, webhook configurations, token creation, grants to everyone, system:masters, and
bindings to roles that do not exist (CIS 1.12 5.1).

Example:
  palisade rbac risks -f cluster-dump/ --format sarif -o rbac.sarif")]
    Risks(RisksArgs),
    /// Whether a subject may make a request (counting its implicit groups), or, without a
    /// request, everything it may do, binding by binding.
    #[command(after_help = "SUBJECT is user:NAME, group:NAME or sa:NAMESPACE/NAME. With a request, exits 0 when
it is allowed and 1 when it is not (like kubectl auth can-i).

Examples:
  palisade rbac can sa:shop/web get secrets -n shop -f cluster-dump/
  palisade rbac can user:alice -f cluster-dump/")]
    Can {
        subject: String,
        verb: Option<String>,
        resource: Option<String>,
        #[command(flatten)]
        scope: RequestScope,
        #[command(flatten)]
        io: RbacIo,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MatrixFormat {
    Table,
    Csv,
    Json,
    Dot,
}

#[derive(Subcommand)]
pub enum NetpolCommand {
    /// Allowed connectivity between every pair of workloads, from outside the cluster, and to
    /// the outside and the cloud metadata address (169.254.169.254), with the ports.
    #[command(after_help = "Each allowed pair lists its ports (`all`, or ranges like 5432/TCP): exactly what both
the sender's egress and the receiver's ingress allow. Pairs with nothing allowed are left
out. `external` stands for a public address (203.0.113.10).

Examples:
  palisade netpol matrix -f k8s/
  palisade netpol matrix -f k8s/ --format dot | dot -Tsvg > net.svg")]
    Matrix {
        #[command(flatten)]
        files: Files,
        /// Output format.
        #[arg(long, value_enum, default_value_t = MatrixFormat::Table)]
        format: MatrixFormat,
        /// Print how long loading and computing took, on standard error.
        #[arg(long)]
        timings: bool,
    },
    /// Whether SRC may open a connection to DST, and which policies decide it.
    #[command(after_help = "SRC and DST are workloads (NAMESPACE/NAME, or NAMESPACE/KIND/NAME when a name is
ambiguous), IP addresses, or `external` (a public address outside the cluster; tested as
203.0.113.10). DST takes :PORT[/PROTO]; the protocol defaults to TCP. Exits 0 when allowed,
1 when not.

Examples:
  palisade netpol can-reach shop/web shop/db:5432 -f k8s/
  palisade netpol can-reach shop/web 169.254.169.254:80 -f k8s/ --format json")]
    CanReach {
        src: String,
        dst: String,
        #[command(flatten)]
        files: Files,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
}

/// Inputs given as kubectl does: `-f PATH`, repeatable.
#[derive(clap::Args)]
pub struct Files {
    /// Files or directories to read (repeatable, as with kubectl; `-` reads standard input).
    #[arg(long = "file", short = 'f', value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
}

#[derive(clap::Args)]
pub struct RisksArgs {
    #[command(flatten)]
    pub files: Files,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with 1 when a finding is at or above this severity [default: low].
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub fail_on: Option<Severity>,
    /// Identity roster: bindings to users and groups not in it are stale grants (RBAC014).
    #[arg(long, value_name = "FILE")]
    pub roster: Option<PathBuf>,
    /// Bindings to Kubernetes' default roles that the input does not define grant nothing.
    #[arg(long)]
    pub no_builtin_roles: bool,
}

#[derive(clap::Args)]
pub struct RequestScope {
    /// The namespace of the request (omit for cluster-wide).
    #[arg(long, short = 'n', value_name = "NS")]
    pub namespace: Option<String>,
    /// The name of the object the request is about.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
}

#[derive(clap::Args)]
pub struct RbacIo {
    #[command(flatten)]
    pub files: Files,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RbacFormat::Table)]
    pub format: RbacFormat,
    /// Print how long loading and answering took, on standard error.
    #[arg(long)]
    pub timings: bool,
    /// Bindings to Kubernetes' default roles (admin, edit, view, system:*) that the input
    /// does not define grant nothing, instead of what the shipped definitions grant.
    #[arg(long)]
    pub no_builtin_roles: bool,
}

#[derive(clap::Args)]
pub struct InventoryArgs {
    /// Files or directories to read; `-` reads standard input.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Render a kustomization directory with `kubectl kustomize` first (repeatable).
    #[arg(long, value_name = "DIR")]
    pub kustomize: Vec<PathBuf>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,

    /// Write to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Policy file (default: palisade.yaml at the top of the first directory read).
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Namespaced objects without `metadata.namespace` are taken to be in NS, as `kubectl
    /// apply -n NS` would put them [default: default].
    #[arg(long, short = 'n', value_name = "NS")]
    pub namespace: Option<String>,

    /// Ignore any policy file found in the directories read.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RbacFormat {
    Table,
    Json,
    /// Graphviz DOT (`rbac paths` only).
    Dot,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    /// Grouped by file, coloured on a terminal, with a summary line.
    Table,
    /// The palisade.report/v1 document (see schema/report.schema.json).
    Json,
    /// SARIF 2.1.0 for code-scanning services.
    Sarif,
    /// JUnit XML for CI dashboards.
    Junit,
    /// One self-contained HTML page (nothing loaded from anywhere): summary charts, the
    /// compliance table, rules, a filterable findings list, waivers. Use with -o FILE.
    Html,
    /// A summary for pull-request comments (GitHub, GitLab): counts, the findings new
    /// against `--baseline`, details per rule.
    Markdown,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RulesFormat {
    Table,
    Json,
    Markdown,
}

pub fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}

pub fn parse_version(s: &str) -> Result<PssVersion, String> {
    s.parse()
}

