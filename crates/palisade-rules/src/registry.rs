//! The ordered catalogue of every rule. IDs are stable and never reused.

use crate::{aud, cp, exp, host, img, net, node, ns, pod, pol, rbac, sec, svc, ver};
use crate::check::Rule;

/// Every rule, in catalogue order.
pub fn all() -> &'static [&'static dyn Rule] {
    &[
        &pod::privileged_container::PrivilegedContainer,
        &pod::host_namespaces::HostNamespaces,
        &pod::capabilities_beyond_default::CapabilitiesBeyondDefault,
        &pod::host_path_volume::HostPathVolume,
        &pod::host_port::HostPort,
        &pod::apparmor_unconfined::ApparmorUnconfined,
        &pod::selinux_custom_options::SelinuxCustomOptions,
        &pod::unmasked_proc_mount::UnmaskedProcMount,
        &pod::seccomp_unconfined::SeccompUnconfined,
        &pod::unsafe_sysctl::UnsafeSysctl,
        &pod::windows_host_process::WindowsHostProcess,
        &pod::probe_or_lifecycle_host::ProbeOrLifecycleHost,
        &pod::restricted_volume_type::RestrictedVolumeType,
        &pod::privilege_escalation_allowed::PrivilegeEscalationAllowed,
        &pod::run_as_non_root_not_required::RunAsNonRootNotRequired,
        &pod::run_as_uid_zero::RunAsUidZero,
        &pod::seccomp_profile_missing::SeccompProfileMissing,
        &pod::capabilities_not_dropped::CapabilitiesNotDropped,
        &pod::unmasked_proc_mount_restricted::UnmaskedProcMountRestricted,
        &pod::runs_as_root::RunsAsRoot,
        &pod::writable_root_filesystem::WritableRootFilesystem,
        &pod::missing_resource_limits::MissingResourceLimits,
        &pod::missing_resource_requests::MissingResourceRequests,
        &pod::service_account_token_automounted::ServiceAccountTokenAutomounted,
        &pod::default_service_account::DefaultServiceAccount,
        &pod::default_namespace::DefaultNamespace,
        &pod::shared_process_namespace::SharedProcessNamespace,
        &pod::net_raw_not_dropped::NetRawNotDropped,
        &pod::sys_admin_capability::SysAdminCapability,
        &pod::runtime_socket_mounted::RuntimeSocketMounted,
        &pod::sensitive_host_path::SensitiveHostPath,
        &img::floating_tag::FloatingTag,
        &img::not_pinned_by_digest::NotPinnedByDigest,
        &img::registry_not_allowed::RegistryNotAllowed,
        &img::mutable_tag_pull_policy::MutableTagPullPolicy,
        &sec::secret_data_in_manifest::SecretDataInManifest,
        &sec::secret_in_env::SecretInEnv,
        &sec::legacy_token_secret::LegacyTokenSecret,
        &sec::credential_in_plain_sight::CredentialInPlainSight,
        &sec::plain_secret_without_vault::PlainSecretWithoutVault,
        &sec::secret_not_rotated::SecretNotRotated,
        &ns::pss_not_enforced::PssNotEnforced,
        &ns::without_resource_quota::WithoutResourceQuota,
        &ns::without_limit_range::WithoutLimitRange,
        &ns::without_network_policy::WithoutNetworkPolicy,
        &net::unisolated_workloads::UnisolatedIngress,
        &net::unisolated_egress::UnisolatedEgress,
        &net::metadata_endpoint_reachable::MetadataEndpointReachable,
        &net::policy_selects_nothing::PolicySelectsNothing,
        &net::reachable_from_everywhere::ReachableFromEverywhere,
        &net::named_port_unresolved::NamedPortUnresolved,
        &net::peer_selects_nothing::PeerSelectsNothing,
        &svc::node_port::NodePort,
        &svc::load_balancer_open::LoadBalancerOpen,
        &svc::external_ips::ExternalIps,
        &svc::ingress_without_tls::IngressWithoutTls,
        &rbac::read_secrets::ReadSecrets,
        &rbac::wildcard_rule::WildcardRule,
        &rbac::create_pods::CreatePods,
        &rbac::bind_escalate_impersonate::BindEscalateImpersonate,
        &rbac::create_persistent_volumes::CreatePersistentVolumes,
        &rbac::nodes_proxy::NodesProxy,
        &rbac::approve_csr::ApproveCsr,
        &rbac::webhook_configurations::WebhookConfigurations,
        &rbac::token_create::TokenCreate,
        &rbac::cluster_admin_binding::ClusterAdminBinding,
        &rbac::public_group_binding::PublicGroupBinding,
        &rbac::system_masters::SystemMasters,
        &rbac::missing_role::MissingRole,
        &rbac::stale_subject::StaleSubject,
        &rbac::cluster_binding_one_namespace::ClusterBindingOneNamespace,
        &rbac::eks_aws_auth::EksAwsAuth,
        &cp::apiserver_flags::ApiServerFlags,
        &cp::controller_manager_flags::ControllerManagerFlags,
        &cp::scheduler_flags::SchedulerFlags,
        &cp::etcd_flags::EtcdFlags,
        &cp::encryption_at_rest::EncryptionAtRest,
        &node::file_permissions::FilePermissions,
        &node::file_ownership::FileOwnership,
        &node::kubelet_config::KubeletConfig,
        &host::sshd_hardening::SshdHardening,
        &host::no_mandatory_access_control::NoMandatoryAccessControl,
        &host::kernel_sysctls::KernelSysctls,
        &host::runtime_socket_open::RuntimeSocketOpen,
        &host::docker_group::DockerGroup,
        &host::auditd_not_running::AuditdNotRunning,
        &host::exposed_listener::ExposedListener,
        &host::unneeded_service::UnneededService,
        &exp::etcd_anonymous_read::EtcdAnonymousRead,
        &exp::etcd_exposed::EtcdExposed,
        &exp::kubelet_anonymous::KubeletAnonymous,
        &exp::kubelet_read_only_port::KubeletReadOnlyPort,
        &exp::apiserver_anonymous::ApiserverAnonymous,
        &exp::apiserver_insecure::ApiserverInsecure,
        &exp::dashboard_exposed::DashboardExposed,
        &exp::component_exposed::ComponentExposed,
        &exp::certificate_expiry::CertificateExpiry,
        &aud::pod_exec::PodExec,
        &aud::anonymous_allowed::AnonymousAllowed,
        &aud::cluster_admin_granted::ClusterAdminGranted,
        &aud::system_role_changed::SystemRoleChanged,
        &aud::token_requested::TokenRequested,
        &aud::node_proxy::NodeProxy,
        &aud::rbac_changed::RbacChanged,
        &aud::secret_read_by_stranger::SecretReadByStranger,
        &aud::forbidden_burst::ForbiddenBurst,
        &ver::server_version::ServerVersion,
        &ver::kubelet_version::KubeletVersion,
        // Waiver rules come last: stale-waiver needs every other finding to have met the
        // waivers first.
        &pol::expired_waiver::ExpiredWaiver,
        &pol::stale_waiver::StaleWaiver,
        &pol::invalid_inline_waiver::InvalidInlineWaiver,
    ]
}

/// The rule with this ID, or with this name.
pub fn find(id_or_name: &str) -> Option<&'static dyn Rule> {
    all()
        .iter()
        .copied()
        .find(|r| r.meta().id.eq_ignore_ascii_case(id_or_name) || r.meta().name == id_or_name)
}

/// Whether a reference — a rule ID, an ID prefix (`POD`), a rule name, or a control
/// (`pss-baseline:privileged`) — names at least one rule.
pub fn names_a_rule(reference: &str) -> bool {
    // User policies are loaded after the policy file and the flags are read; their names
    // are checked then.
    palisade_core::rule::is_user_policy_ref(reference) || all().iter().any(|r| palisade_core::policy::rule_ref_matches(reference, r.meta(), r.meta().controls))
}
