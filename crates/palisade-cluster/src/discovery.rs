//! Which resources the server serves: aggregated discovery (`apidiscovery.k8s.io/v2`, one
//! request for `/api` and one for `/apis`, answered since 1.30) when the server answers it,
//! the legacy documents (`/api/v1`, `/apis`, then `/apis/G/V` per group) otherwise. One
//! version per group: the server's preferred one, as kubectl reads.

use crate::get_json;
use serde_json::Value;

/// One listable resource type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiResource {
    pub group: String,
    pub version: String,
    /// The plural (`deployments`).
    pub resource: String,
    pub kind: String,
    pub namespaced: bool,
    pub verbs: Vec<String>,
}

impl ApiResource {
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `secrets`, `deployments.apps`.
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.resource.clone()
        } else {
            format!("{}.{}", self.resource, self.group)
        }
    }

    /// The list path (`/api/v1/pods`, `/apis/apps/v1/deployments`).
    pub fn path(&self) -> String {
        if self.group.is_empty() {
            format!("/api/{}/{}", self.version, self.resource)
        } else {
            format!("/apis/{}/{}/{}", self.group, self.version, self.resource)
        }
    }
}

const AGGREGATED: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";

/// How the server answered discovery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Aggregated,
    Legacy,
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().into_iter().flatten().filter_map(|s| s.as_str().map(str::to_string)).collect()
}

/// What discovery found.
pub struct Discovered {
    pub resources: Vec<ApiResource>,
    pub format: Format,
    /// Group versions whose documents could not be read (an aggregated API server that is
    /// down): their resources are missing from the scan.
    pub problems: Vec<String>,
}

/// Every resource the server serves in its preferred versions, subresources excluded.
pub async fn discover(client: &kube::Client) -> Result<Discovered, String> {
    let core = get_json(client, "/api", Some(AGGREGATED)).await.map_err(|e| format!("discovery (/api): {e}"))?;
    if core["kind"] == "APIGroupDiscoveryList" {
        let groups = get_json(client, "/apis", Some(AGGREGATED)).await.map_err(|e| format!("discovery (/apis): {e}"))?;
        let mut out = Vec::new();
        for list in [&core, &groups] {
            for group in list["items"].as_array().into_iter().flatten() {
                let name = group["metadata"]["name"].as_str().unwrap_or("");
                // Versions come in the server's preference order.
                let Some(version) = group["versions"].as_array().and_then(|v| v.first()) else { continue };
                let v = version["version"].as_str().unwrap_or("");
                for r in version["resources"].as_array().into_iter().flatten() {
                    out.push(ApiResource {
                        group: name.to_string(),
                        version: v.to_string(),
                        resource: r["resource"].as_str().unwrap_or("").to_string(),
                        kind: r["responseKind"]["kind"].as_str().unwrap_or("").to_string(),
                        namespaced: r["scope"] == "Namespaced",
                        verbs: strings(&r["verbs"]),
                    });
                }
            }
        }
        return Ok(Discovered { resources: out, format: Format::Aggregated, problems: Vec::new() });
    }
    let mut versions: Vec<(String, String)> = strings(&core["versions"]).into_iter().take(1).map(|v| (String::new(), v)).collect();
    let groups = get_json(client, "/apis", None).await.map_err(|e| format!("discovery (/apis): {e}"))?;
    for group in groups["groups"].as_array().into_iter().flatten() {
        let name = group["name"].as_str().unwrap_or("").to_string();
        let preferred = group["preferredVersion"]["version"].as_str().or_else(|| group["versions"][0]["version"].as_str());
        if let Some(v) = preferred {
            versions.push((name, v.to_string()));
        }
    }
    let (mut out, mut problems) = (Vec::new(), Vec::new());
    for (group, version) in versions {
        let path = if group.is_empty() { format!("/api/{version}") } else { format!("/apis/{group}/{version}") };
        // One group failing (an aggregated API server that is down) does not stop the rest.
        let list = match get_json(client, &path, None).await {
            Ok(list) => list,
            Err(e) => {
                problems.push(format!("discovery ({path}): {e}"));
                continue;
            }
        };
        for r in list["resources"].as_array().into_iter().flatten() {
            let resource = r["name"].as_str().unwrap_or("");
            if resource.contains('/') {
                continue;
            }
            out.push(ApiResource {
                group: group.clone(),
                version: version.clone(),
                resource: resource.to_string(),
                kind: r["kind"].as_str().unwrap_or("").to_string(),
                namespaced: r["namespaced"].as_bool().unwrap_or(false),
                verbs: strings(&r["verbs"]),
            });
        }
    }
    Ok(Discovered { resources: out, format: Format::Legacy, problems })
}
