//! Palisade's model, free of I/O: the value tree every input is turned into, objects and
//! their references, field paths, findings, severities and rule metadata, and pod-spec views
//! over every workload kind.
//!
//! Nothing here reads files, talks to a network or spawns threads, so every rule built on it
//! is tested offline and serves files, live objects and admission requests alike.

pub mod clock;
pub mod compliance;
pub mod coverage;
pub mod encoding;
pub mod estate;
pub mod anchor;
pub mod finding;
pub mod image;
pub mod inventory;
pub mod json_text;
pub mod object;
pub mod path;
pub mod podspec;
pub mod policy;
pub mod request;
pub mod rule;
pub mod secrets;
pub mod subjects;
pub mod value;
pub mod versions;

pub use anchor::Anchor;
pub use image::ImageRef;
pub use finding::{Finding, Location, Severity, Violation};
pub use object::{is_cluster_scoped, Object, ObjectRef};
pub use path::{FieldPath, Seg};
pub use podspec::{ContainerKind, ContainerView, PodSpecView};
pub use policy::{Date, EnforceLevel, InlineWaiver, Policy, Settings, Subject, Suppression, Waiver, WaiverSource};
pub use request::Request;
pub use rule::{Context, Described, PssCheck, PssLevel, PssVersion, RuleMeta, Target};
pub use value::{Entry, Node, Pos, Value};
