/// Declares a rule: its doc comment (the documentation) and its metadata. The check is an
/// `impl Check` beside it.
///
/// ```ignore
/// declare_rule! {
///     /// ## What it does
///     /// ...
///     pub struct PrivilegedContainer {
///         id: "POD001",
///         name: "privileged-container",
///         severity: High,
///         summary: "Container runs privileged",
///         controls: ["pss-baseline:privileged", "cis-1.12:5.2.2"],
///         pss: PssCheck::baseline("privileged", 0),
///     }
/// }
/// ```
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            id: $id:literal,
            name: $rname:literal,
            severity: $sev:ident,
            summary: $summary:literal,
            controls: [$($control:literal),* $(,)?],
            pss: $pss:expr
            $(, redundant_with: [$($redundant:literal),* $(,)?])? $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        pub struct $name;

        impl $name {
            pub const META: palisade_core::RuleMeta = palisade_core::RuleMeta {
                id: $id,
                name: $rname,
                severity: palisade_core::Severity::$sev,
                summary: $summary,
                doc: concat!($($doc, "\n"),*),
                controls: &[$($control),*],
                pss: $pss,
                redundant_with: &[$($($redundant),*)?],
            };
        }

        impl palisade_core::Described for $name {
            fn meta(&self) -> &'static palisade_core::RuleMeta {
                &Self::META
            }
        }
    };
}
