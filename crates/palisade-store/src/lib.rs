//! Palisade's history: every recorded run (a scan, a cluster scan, a watch's snapshots) with
//! its findings, and a watch's finding events, in SQLite — one embedded file, the default —
//! or PostgreSQL, where a fleet of clusters shares one database. Both go through one code
//! path (sqlx's `Any` driver, queries written once in SQL both understand); every row names
//! its cluster. The schema is created and moved on by versioned migrations ([`MIGRATIONS`]),
//! applied under a lock so that writers starting together do not race; each run is written in
//! one transaction, so two writers recording at once lose nothing.
//!
//! Findings are kept in the JSON report's shape (the `finding` column), with the columns a
//! trend or a filter needs beside it (rule, severity, layer, namespace, kind, name).

use serde_json::Value;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};
use std::collections::BTreeMap;

/// The migrations, in order: (version, statements). Append; never edit a shipped one.
pub const MIGRATIONS: &[(i64, &[&str])] = &[(
    1,
    &[
        "CREATE TABLE IF NOT EXISTS palisade_runs (
            id TEXT PRIMARY KEY,
            cluster TEXT NOT NULL,
            source TEXT NOT NULL,
            started_ms BIGINT NOT NULL,
            finished_ms BIGINT NOT NULL,
            objects BIGINT NOT NULL,
            findings BIGINT NOT NULL,
            by_severity TEXT NOT NULL,
            by_layer TEXT NOT NULL,
            palisade_version TEXT NOT NULL
        )",
        "CREATE INDEX IF NOT EXISTS palisade_runs_cluster_time ON palisade_runs (cluster, finished_ms)",
        "CREATE TABLE IF NOT EXISTS palisade_findings (
            run_id TEXT NOT NULL REFERENCES palisade_runs (id),
            cluster TEXT NOT NULL,
            rule TEXT NOT NULL,
            severity TEXT NOT NULL,
            layer TEXT NOT NULL,
            namespace TEXT,
            kind TEXT NOT NULL,
            name TEXT NOT NULL,
            finding TEXT NOT NULL
        )",
        "CREATE INDEX IF NOT EXISTS palisade_findings_run ON palisade_findings (run_id)",
        "CREATE TABLE IF NOT EXISTS palisade_events (
            cluster TEXT NOT NULL,
            session TEXT NOT NULL,
            at_ms BIGINT NOT NULL,
            event TEXT NOT NULL,
            rule TEXT NOT NULL,
            severity TEXT NOT NULL,
            layer TEXT NOT NULL,
            namespace TEXT,
            finding TEXT NOT NULL
        )",
        "CREATE INDEX IF NOT EXISTS palisade_events_cluster_time ON palisade_events (cluster, at_ms)",
    ],
)];

/// Which database a store is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// An open store.
pub struct Store {
    pool: AnyPool,
    pub backend: Backend,
    /// Where it is, passwords left out (for messages).
    pub location: String,
}

/// A run to record.
pub struct NewRun<'a> {
    pub cluster: &'a str,
    /// `scan`, `cluster`, `watch`.
    pub source: &'a str,
    pub started_ms: i64,
    pub finished_ms: i64,
    pub objects: i64,
    pub version: &'a str,
}

/// A recorded run.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    pub id: String,
    pub cluster: String,
    pub source: String,
    pub started_ms: i64,
    pub finished_ms: i64,
    pub objects: i64,
    pub findings: i64,
    pub by_severity: BTreeMap<String, i64>,
    pub by_layer: BTreeMap<String, i64>,
    pub version: String,
}

/// A watch's finding event to record.
pub struct NewEvent<'a> {
    pub at_ms: i64,
    /// `opened` or `resolved`.
    pub event: &'a str,
    /// The finding in the report's shape.
    pub finding: &'a Value,
}

fn db(e: sqlx::Error) -> String {
    e.to_string()
}

/// A finding's column values, read from its report shape.
fn columns(f: &Value) -> (String, String, String, Option<String>, String, String) {
    let s = |v: &Value| v.as_str().unwrap_or("").to_string();
    let rule = s(&f["rule"]);
    let layer = palisade_core::rule::layer_of(&rule).unwrap_or("workloads").to_string();
    (rule, s(&f["severity"]), layer, f["object"]["namespace"].as_str().map(str::to_string), s(&f["object"]["kind"]), s(&f["object"]["name"]))
}

/// Counts by a string field of the findings.
fn count(findings: &[Value], key: impl Fn(&Value) -> String) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for f in findings {
        *out.entry(key(f)).or_default() += 1;
    }
    out
}

/// A run id that sorts by time and does not collide: `20261203T195001-3fa2c1`.
fn run_id(started_ms: i64) -> String {
    use std::hash::{BuildHasher, Hasher};
    let secs = started_ms.div_euclid(1000);
    let date = palisade_core::policy::Date::from_unix_days(secs.div_euclid(86_400));
    let day = secs.rem_euclid(86_400);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_i64(started_ms);
    h.write_u32(std::process::id());
    format!("{:04}{:02}{:02}T{:02}{:02}{:02}-{:06x}", date.year, date.month, date.day, day / 3600, day / 60 % 60, day % 60, h.finish() & 0xff_ffff)
}

/// `$1, $2, …` for `n` parameters from `from` (SQLite and PostgreSQL both read them).
fn params(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

impl Store {
    /// Opens (creating and migrating when needed) `url`: `postgres://…`, `sqlite://PATH`, or a
    /// plain file path (SQLite).
    pub async fn open(url: &str) -> Result<Store, String> {
        sqlx::any::install_default_drivers();
        let (backend, connect, location) = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let shown = match (url.find("://"), url.rfind('@')) {
                (Some(scheme), Some(at)) if at > scheme => format!("{}://…{}", &url[..scheme], &url[at..]),
                _ => url.to_string(),
            };
            (Backend::Postgres, url.to_string(), shown)
        } else {
            let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
            let path = path.split('?').next().unwrap_or(path);
            if let Some(dir) = std::path::Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            }
            (Backend::Sqlite, format!("sqlite://{path}?mode=rwc"), path.to_string())
        };
        // One connection first: a server that is down or a wrong password fails at once, with
        // the driver's own words, rather than after the pool's retries.
        {
            use sqlx::Connection;
            let conn = sqlx::AnyConnection::connect(&connect).await.map_err(|e| format!("{location}: {e}"))?;
            let _ = conn.close().await;
        }
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 1 } else { 4 })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // Other writers wait their turn rather than fail; readers do not block them.
                        sqlx::query("PRAGMA busy_timeout = 30000").execute(&mut *conn).await?;
                        sqlx::query("PRAGMA journal_mode = WAL").execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            })
            .connect(&connect)
            .await
            .map_err(|e| format!("{location}: {e}"))?;
        let store = Store { pool, backend, location };
        store.migrate().await.map_err(|e| format!("{}: migrating the schema: {e}", store.location))?;
        Ok(store)
    }

    /// Applies the migrations not applied yet, each in one transaction that first claims its
    /// version: a second writer starting at the same moment waits for the first to commit,
    /// then finds the version taken and moves on.
    async fn migrate(&self) -> Result<(), String> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        if self.backend == Backend::Postgres {
            // Concurrent CREATE TABLE IF NOT EXISTS can still collide in PostgreSQL's catalog.
            sqlx::query("SELECT pg_advisory_xact_lock(7436)").execute(&mut *tx).await.map_err(db)?;
        }
        sqlx::query("CREATE TABLE IF NOT EXISTS palisade_migrations (version BIGINT PRIMARY KEY, applied_ms BIGINT NOT NULL)").execute(&mut *tx).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        for (version, statements) in MIGRATIONS {
            let mut tx = self.pool.begin().await.map_err(db)?;
            let claimed = sqlx::query("INSERT INTO palisade_migrations (version, applied_ms) VALUES ($1, $2) ON CONFLICT (version) DO NOTHING")
                .bind(*version)
                .bind(now_ms())
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            if claimed.rows_affected() == 1 {
                for statement in *statements {
                    sqlx::query(statement).execute(&mut *tx).await.map_err(|e| format!("migration {version}: {e}"))?;
                }
            }
            tx.commit().await.map_err(db)?;
        }
        Ok(())
    }

    /// The schema version applied.
    pub async fn schema_version(&self) -> Result<i64, String> {
        let row = sqlx::query("SELECT MAX(version) AS v FROM palisade_migrations").fetch_one(&self.pool).await.map_err(db)?;
        row.try_get::<i64, _>("v").map_err(db)
    }

    /// Records a run and its findings (report-shaped), in one transaction; returns its id.
    pub async fn record_run(&self, run: &NewRun<'_>, findings: &[Value]) -> Result<String, String> {
        let id = run_id(run.started_ms);
        let by_severity = count(findings, |f| f["severity"].as_str().unwrap_or("").to_string());
        let by_layer = count(findings, |f| columns(f).2);
        let mut tx = self.pool.begin().await.map_err(db)?;
        sqlx::query(&format!("INSERT INTO palisade_runs (id, cluster, source, started_ms, finished_ms, objects, findings, by_severity, by_layer, palisade_version) VALUES ({})", params(1, 10)))
            .bind(&id)
            .bind(run.cluster)
            .bind(run.source)
            .bind(run.started_ms)
            .bind(run.finished_ms)
            .bind(run.objects)
            .bind(findings.len() as i64)
            .bind(serde_json::to_string(&by_severity).unwrap_or_default())
            .bind(serde_json::to_string(&by_layer).unwrap_or_default())
            .bind(run.version)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        // Many rows a statement: 9 parameters each, well under both databases' limits.
        for chunk in findings.chunks(500) {
            let rows: Vec<String> = (0..chunk.len()).map(|i| format!("({})", params(i * 9 + 1, 9))).collect();
            let sql = format!("INSERT INTO palisade_findings (run_id, cluster, rule, severity, layer, namespace, kind, name, finding) VALUES {}", rows.join(", "));
            let mut q = sqlx::query(&sql);
            for f in chunk {
                let (rule, severity, layer, namespace, kind, name) = columns(f);
                q = q.bind(id.clone()).bind(run.cluster.to_string()).bind(rule).bind(severity).bind(layer).bind(namespace).bind(kind).bind(name).bind(f.to_string());
            }
            q.execute(&mut *tx).await.map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        Ok(id)
    }

    /// Records a watch session's finding events.
    pub async fn record_events(&self, cluster: &str, session: &str, events: &[NewEvent<'_>]) -> Result<(), String> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        for chunk in events.chunks(500) {
            let rows: Vec<String> = (0..chunk.len()).map(|i| format!("({})", params(i * 9 + 1, 9))).collect();
            let sql = format!("INSERT INTO palisade_events (cluster, session, at_ms, event, rule, severity, layer, namespace, finding) VALUES {}", rows.join(", "));
            let mut q = sqlx::query(&sql);
            for e in chunk {
                let (rule, severity, layer, namespace, _, _) = columns(e.finding);
                q = q.bind(cluster.to_string()).bind(session.to_string()).bind(e.at_ms).bind(e.event.to_string()).bind(rule).bind(severity).bind(layer).bind(namespace).bind(e.finding.to_string());
            }
            q.execute(&mut *tx).await.map_err(db)?;
        }
        tx.commit().await.map_err(db)
    }

    /// Recorded runs, newest first: of one cluster or all, finished at or after `since_ms`.
    pub async fn runs(&self, cluster: Option<&str>, since_ms: Option<i64>, limit: i64) -> Result<Vec<Run>, String> {
        let sql = "SELECT id, cluster, source, started_ms, finished_ms, objects, findings, by_severity, by_layer, palisade_version FROM palisade_runs
                   WHERE ($1 = '' OR cluster = $2) AND finished_ms >= $3 ORDER BY finished_ms DESC, id DESC LIMIT $4";
        let cluster = cluster.unwrap_or("");
        let rows = sqlx::query(sql).bind(cluster).bind(cluster).bind(since_ms.unwrap_or(i64::MIN)).bind(limit).fetch_all(&self.pool).await.map_err(db)?;
        rows.iter().map(run_of).collect()
    }

    /// The run whose id is `id` or starts with it (`latest` for the newest, `latest~N` for the
    /// Nth before it); an error when none or several match.
    pub async fn find_run(&self, id: &str, cluster: Option<&str>) -> Result<Run, String> {
        if let Some(back) = id.strip_prefix("latest") {
            let n: usize = match back.strip_prefix('~') {
                Some(n) => n.parse().map_err(|_| format!("`{id}`: expected latest or latest~N"))?,
                None if back.is_empty() => 0,
                None => return Err(format!("`{id}`: expected latest or latest~N")),
            };
            let runs = self.runs(cluster, None, n as i64 + 1).await?;
            return runs.into_iter().nth(n).ok_or_else(|| format!("`{id}`: {} has fewer runs than that", self.location));
        }
        let rows = sqlx::query("SELECT id, cluster, source, started_ms, finished_ms, objects, findings, by_severity, by_layer, palisade_version FROM palisade_runs WHERE id LIKE $1 ORDER BY id LIMIT 2")
            .bind(format!("{}%", id.replace(['%', '_'], "")))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        match rows.as_slice() {
            [one] => run_of(one),
            [] => Err(format!("no run `{id}` in {} (`palisade history` lists them)", self.location)),
            _ => Err(format!("`{id}` names more than one run in {}; give more of the id", self.location)),
        }
    }

    /// A run's findings, in the report's shape.
    pub async fn findings(&self, run_id: &str) -> Result<Vec<Value>, String> {
        let rows = sqlx::query("SELECT finding FROM palisade_findings WHERE run_id = $1").bind(run_id).fetch_all(&self.pool).await.map_err(db)?;
        rows.iter().map(|r| r.try_get::<String, _>("finding").map_err(db).and_then(|t| serde_json::from_str(&t).map_err(|e| format!("run {run_id}: a stored finding is not JSON: {e}")))).collect()
    }

    /// A cluster's recorded events from `since_ms`, oldest first: (at, event, finding).
    pub async fn events(&self, cluster: &str, since_ms: i64) -> Result<Vec<(i64, String, Value)>, String> {
        let rows = sqlx::query("SELECT at_ms, event, finding FROM palisade_events WHERE cluster = $1 AND at_ms >= $2 ORDER BY at_ms")
            .bind(cluster)
            .bind(since_ms)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter()
            .map(|r| {
                let finding: String = r.try_get("finding").map_err(db)?;
                Ok((r.try_get("at_ms").map_err(db)?, r.try_get("event").map_err(db)?, serde_json::from_str(&finding).map_err(|e| e.to_string())?))
            })
            .collect()
    }
}

fn run_of(r: &AnyRow) -> Result<Run, String> {
    let map = |col: &str| -> Result<BTreeMap<String, i64>, String> {
        let text: String = r.try_get(col).map_err(db)?;
        serde_json::from_str(&text).map_err(|e| format!("{col}: {e}"))
    };
    Ok(Run {
        id: r.try_get("id").map_err(db)?,
        cluster: r.try_get("cluster").map_err(db)?,
        source: r.try_get("source").map_err(db)?,
        started_ms: r.try_get("started_ms").map_err(db)?,
        finished_ms: r.try_get("finished_ms").map_err(db)?,
        objects: r.try_get("objects").map_err(db)?,
        findings: r.try_get("findings").map_err(db)?,
        by_severity: map("by_severity")?,
        by_layer: map("by_layer")?,
        version: r.try_get("palisade_version").map_err(db)?,
    })
}

/// Now, in milliseconds since 1970.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// The default store: `$XDG_DATA_HOME/palisade/history.db`, else `~/.local/share/…`, else
/// `./palisade-history.db`.
pub fn default_location() -> String {
    let base = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()).map(std::path::PathBuf::from).or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".local/share")));
    match base {
        Some(dir) => dir.join("palisade/history.db").display().to_string(),
        None => "palisade-history.db".into(),
    }
}
