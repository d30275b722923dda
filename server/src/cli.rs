//! Command-line interface: `egress-console serve | apiserver | lint`.

use clap::{Parser, Subcommand, ValueEnum};
use egress_rules::Severity;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Egress Console: create, list and check Tanzu Platform EgressPoints
/// (networking.tanzu.vmware.com/v1alpha1).
#[derive(Debug, Parser)]
#[command(name = "egress-console", version, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web UI and the REST API over the Spaces of the catalog.
    Serve(ServeArgs),
    /// Check EgressPoint YAML files the way the platform will, before you apply them.
    ///
    /// Reads multi-document YAML (or JSON); documents of other kinds are skipped.
    /// EgressPoints are grouped by metadata.namespace (none = one default Space), so
    /// conflicts between documents and files of one Space are found.
    ///
    /// Exit status: 0 when no error was found (warnings allowed), 1 when any document has an
    /// error, 2 for usage or I/O problems.
    #[command(
        after_help = "Examples:\n  egress-console lint deploy/*.yaml\n  kubectl get egp -A -o yaml | egress-console lint -\n  egress-console lint --format json egress.yaml"
    )]
    Lint(LintArgs),
    /// Run the embedded Space API alone: a durable, Kubernetes-compatible API server for
    /// Spaces (namespaces), EgressPoints, Deployments and ContainerApps.
    ///
    /// Writes a kubeconfig into the data directory and prints its path, so that
    /// `kubectl --kubeconfig PATH get egresspoints -A` works at once.
    #[command(
        after_help = "Examples:\n  egress-console apiserver --demo\n  egress-console apiserver --data-dir /var/lib/egress --token-auth-file tokens.csv --authorization-policy-file policy.jsonl"
    )]
    Apiserver(ApiserverArgs),
    /// What applying EgressPoint files would change in a live Space (--space), or against
    /// another set of files (--against: two git revisions, say): EgressPoints added, changed (a YAML diff without server-set fields)
    /// and, with --prune, removed; what the rules say about each; and what each workload
    /// gains and loses (Deployments and ContainerApps in the files are the workloads).
    ///
    /// Exit status: 0 when nothing would change, 1 when something would, 2 on errors
    /// (unreadable files, an unreachable Space, or an EgressPoint the rules refuse). With
    /// --expect, an expectation that does not hold after the change also exits 1.
    #[command(after_help = "Examples:
  egress-console diff deploy/ --space storefront --expect expectations.yaml
  egress-console diff deploy/ --space prod --kubeconfig ~/.kube/config --context prod
  egress-console diff deploy/ --against old/
  egress-console diff new.yaml --against <(git show main:egress.yaml) --format markdown")]
    Diff(DiffArgs),
    /// The EgressPoints workloads will need, read from their own configuration before they
    /// ever run: the URLs, connection strings and host:port values in their containers'
    /// env, args and command and in the ConfigMaps they reference (Deployments and
    /// ContainerApps; ConfigMaps in the same files). Prints one EgressPoint per workload,
    /// ready for `kubectl apply`, with where each endpoint came from, and what was skipped
    /// (in-cluster names, loopback, metadata addresses) or not read (Secrets are never read).
    #[command(after_help = "Examples:
  egress-console suggest deploy/
  egress-console suggest app.yaml config.yaml --format json
  egress-console suggest deploy/ --space storefront")]
    Suggest(SuggestArgs),
}

/// Options of `suggest`.
#[derive(Debug, Clone, clap::Args)]
pub struct SuggestArgs {
    /// Manifests (or folders of .yaml, .yml and .json files).
    #[arg(required = true, value_name = "FILE|DIR")]
    pub files: Vec<PathBuf>,
    /// The namespace of documents without one.
    #[arg(long, short = 'n', default_value = "default", value_name = "NAMESPACE")]
    pub namespace: String,
    /// Output: YAML ready for `kubectl apply` (with comments), or JSON for tools.
    #[arg(long, value_enum, default_value_t = SuggestFormat::Yaml)]
    pub format: SuggestFormat,
    /// Compare with what this live Space already allows: each endpoint is said to be
    /// allowed (by which EgressPoint), new, or conflicting with one of the Space's.
    #[arg(long, value_name = "NAME")]
    pub space: Option<String>,
    /// Where --space is found.
    #[command(flatten, next_help_heading = "Space source (with --space)")]
    pub sources: SourceArgs,
}

/// `suggest --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SuggestFormat {
    /// EgressPoints as YAML, with comments.
    Yaml,
    /// Everything read, as JSON.
    Json,
}

/// Options of `diff`.
#[derive(Debug, Clone, clap::Args)]
pub struct DiffArgs {
    /// The files (or folders of .yaml, .yml and .json files) as they would be applied.
    #[arg(required = true, value_name = "FILE|DIR")]
    pub files: Vec<PathBuf>,
    /// The files to compare against (the state before the change).
    #[arg(long, num_args = 1.., value_name = "FILE|DIR", required_unless_present = "space", conflicts_with = "space")]
    pub against: Vec<PathBuf>,
    /// Compare against this live Space instead (its EgressPoints and workloads as they are
    /// now), found by the Space source options below as `serve` finds it. Documents without
    /// a namespace go to it; a document naming another namespace is an error.
    #[arg(long, value_name = "NAME")]
    pub space: Option<String>,
    /// Also check an egress expectations file (docs/expectations.md) against the state
    /// after the change; any that does not hold makes the exit status 1.
    #[arg(long, value_name = "FILE")]
    pub expect: Option<PathBuf>,
    /// Also remove EgressPoints that are only in --against (as `kubectl apply --prune`).
    #[arg(long)]
    pub prune: bool,
    /// With --against: the namespace of documents without one.
    #[arg(long, short = 'n', default_value = "default", value_name = "NAMESPACE")]
    pub namespace: String,
    /// Output: text, JSON, or Markdown for a pull-request comment.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Where --space is found.
    #[command(flatten, next_help_heading = "Space source (with --space)")]
    pub sources: SourceArgs,
}

/// `diff --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// For a terminal.
    Text,
    /// For tools.
    Json,
    /// For a pull-request comment.
    Markdown,
}

/// Options of `apiserver`.
#[derive(Debug, clap::Args)]
pub struct ApiserverArgs {
    /// Address to listen on (plain HTTP: keep it on loopback).
    #[arg(long, default_value = "127.0.0.1:6443")]
    pub listen: SocketAddr,
    /// Where objects are stored. Default: the per-user data directory
    /// ($XDG_DATA_HOME/egress-console, else ~/.local/share/egress-console).
    #[arg(long, env = "EGRESS_CONSOLE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// kube-apiserver token file: CSV lines `token,user,uid,"group1,group2"`. Requests
    /// without one of these bearer tokens get 401.
    #[arg(long)]
    pub token_auth_file: Option<PathBuf>,
    /// kube-apiserver ABAC policy file: one JSON policy per line. Requests no policy allows
    /// get 403.
    #[arg(long)]
    pub authorization_policy_file: Option<PathBuf>,
    /// Add demo Spaces, workloads and EgressPoints (only those not already there).
    #[arg(long)]
    pub demo: bool,
    /// Another name this server is reached by (`HOST:PORT`, repeatable). Without
    /// authentication it answers only to the listen address and its loopback names, so
    /// that no web page can reach it through DNS rebinding.
    #[arg(long, value_name = "HOST:PORT")]
    pub allowed_host: Vec<String>,
    /// Serve HTTPS with this certificate (PEM, with `--tls-private-key-file`). With a token
    /// file and no certificate, a self-signed one for localhost is made once and kept in the
    /// data directory (`apiserver.crt`), and the kubeconfig trusts it: kubectl sends tokens
    /// only over TLS.
    #[arg(long, requires = "tls_private_key_file", value_name = "FILE")]
    pub tls_cert_file: Option<PathBuf>,
    /// The certificate's private key (PEM).
    #[arg(long, requires = "tls_cert_file", value_name = "FILE")]
    pub tls_private_key_file: Option<PathBuf>,
}

/// Options of `serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on. Keep it on loopback unless a proxy authenticates users.
    #[arg(long, default_value = "127.0.0.1:8080", env = "EGRESS_CONSOLE_LISTEN")]
    pub listen: SocketAddr,
    /// Folder with the built UI (index.html, pkg/). Default: `site` next to the binary or
    /// one folder up, where `cargo xtask build` puts it.
    #[arg(long, env = "EGRESS_CONSOLE_SITE_DIR")]
    pub site_dir: Option<PathBuf>,
    /// Where the Spaces come from.
    #[command(flatten)]
    pub sources: SourceArgs,
    /// With --in-cluster: a namespace to offer as a Space (repeatable).
    #[arg(long)]
    pub namespace: Vec<String>,
    /// Another Host name this server may be reached by (repeatable). Requests naming any
    /// other Host are refused, which stops DNS-rebinding attacks.
    #[arg(long)]
    pub allowed_host: Vec<String>,
    /// Whose credentials reach Kubernetes: `local` (the kubeconfig's or the embedded API's)
    /// or `token` (each caller's own bearer token, for running behind an authenticating
    /// proxy; requests without one get 401).
    #[arg(long, value_enum, default_value_t = crate::spaces::AuthMode::Local)]
    pub auth: crate::spaces::AuthMode,
    /// Ask Kubernetes on every request instead of answering lists, `/rules` and the
    /// checks before writes from a watch of each Space in use (one per Space and caller).
    /// For API servers that allow `list` but not `watch`; the live feed still watches.
    #[arg(long)]
    pub no_watch_cache: bool,
    /// Serve HTTPS with this certificate chain (PEM), offering HTTP/2: browsers then carry
    /// every request and live feed of the UI over one connection (over HTTP/1.1 they open at
    /// most six per server). Needs --tls-key.
    #[arg(long, requires = "tls_key", value_name = "PEM")]
    pub tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM).
    #[arg(long, requires = "tls_cert", value_name = "PEM")]
    pub tls_key: Option<PathBuf>,
}

/// Where Spaces come from, for `serve` and `diff --space`: kubeconfig contexts, the
/// cluster this runs in, a Tanzu Platform project, or (when none is given) the embedded
/// Space API.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SourceArgs {
    /// Data directory of the embedded Space API, used when no kubeconfig is given
    /// (default: $XDG_DATA_HOME/egress-console, else ~/.local/share/egress-console). Demo
    /// Spaces are added on first start.
    #[arg(long, env = "EGRESS_CONSOLE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Use Spaces from this kubeconfig instead of the embedded Space API (default path:
    /// $KUBECONFIG, else ~/.kube/config, when --context is given).
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,
    /// A kubeconfig context to offer as a Space (repeatable); none = the current context.
    #[arg(long)]
    pub context: Vec<String>,
    /// Use the cluster this runs in (its service account, or each caller's token with
    /// --auth token); offer the namespaces given with --namespace as Spaces.
    #[arg(long)]
    pub in_cluster: bool,
    /// Offer every namespace matching this label selector (of the kubeconfig contexts'
    /// clusters, or with --in-cluster of this cluster) as a Space, listed on each request.
    #[arg(long)]
    pub namespace_selector: Option<String>,
    /// A Tanzu Platform project URL (`https://HOST/org/ORG/project/PROJECT`): each
    /// --tanzu-space is a Space at `{URL}/space/{SPACE}`, namespace `default`.
    #[arg(long, requires = "tanzu_space")]
    pub tanzu_project: Option<String>,
    /// A Space of --tanzu-project (repeatable).
    #[arg(long)]
    pub tanzu_space: Vec<String>,
    /// A file holding the bearer token for --tanzu-project in local mode.
    #[arg(long)]
    pub tanzu_token_file: Option<PathBuf>,
    /// Also offer the embedded Space API when other sources are given.
    #[arg(long)]
    pub embedded: bool,
    /// Read sources from a TOML file (see README); flags add to it.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// Options of `lint`.
#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// YAML or JSON files to check; `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Output format: compiler-style text, or a JSON array of findings.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Least severe finding to print. Errors are always printed and always set exit status 1.
    #[arg(long, value_enum, default_value_t = MinSeverity::Info)]
    pub min_severity: MinSeverity,
    /// The Space (namespace) of documents without `metadata.namespace`, as
    /// `kubectl apply -n NAMESPACE` would apply them: they are checked together with the
    /// documents that name that namespace.
    #[arg(long, short = 'n', default_value = "default", value_name = "NAMESPACE")]
    pub namespace: String,
    /// Exit with status 1 when the input holds no EgressPoint at all (a CI job pointed at
    /// the wrong folder). Without it, lint only says so on stderr and exits 0.
    #[arg(long)]
    pub require_egresspoints: bool,
    /// Apply the mechanical fixes the rules offer (a host written as a URL, a protocol
    /// spelled `https`, TLS on a server-first port…) to the files in place, changing only
    /// those values (comments, layout and quoting kept), and report each change; then check
    /// again and report what is left. Not for standard input.
    #[arg(long)]
    pub fix: bool,
    /// Also check an egress expectations file (kind: EgressExpectations; see
    /// docs/expectations.md) against the linted EgressPoints: each expectation that does
    /// not hold is an error naming the EgressPoint responsible, each that holds is info.
    #[arg(long, value_name = "FILE")]
    pub expect: Option<PathBuf>,
}

/// `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `file:line: severity[code] name path: message`, then the hint.
    Text,
    /// `[{file, document, line, namespace, name, path, severity, code, message, hint}]`.
    Json,
}

/// `--min-severity`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MinSeverity {
    /// Everything, including background such as "TCP also permits TLS".
    Info,
    /// Warnings and errors.
    Warning,
    /// Errors only.
    Error,
}

impl From<MinSeverity> for Severity {
    fn from(value: MinSeverity) -> Self {
        match value {
            MinSeverity::Info => Severity::Info,
            MinSeverity::Warning => Severity::Warning,
            MinSeverity::Error => Severity::Error,
        }
    }
}
