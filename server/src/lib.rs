//! Egress Console: the `egress-console` binary's commands. `lint` checks EgressPoint YAML
//! files; `serve` serves the web UI.

pub mod api;
pub mod cache;
pub mod cli;
pub mod diff;
pub mod expectations;
pub mod lint;
mod live_space;
mod manifest_files;
pub mod serve;
pub mod space_api;
pub mod spaces;
pub mod suggest;

/// What can go wrong in the server crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or stdin could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file, or `-` for stdin.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The UI files are not where the server looks for them.
    #[error(
        "no UI found in {0} (index.html is missing): build it with `cargo xtask build`, or pass --site-dir"
    )]
    SiteMissing(String),
    /// The listen address cannot be bound.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
    /// The sources configuration is wrong.
    #[error("configuration: {0}")]
    Config(String),
    /// The kubeconfig cannot be used.
    #[error("kubeconfig: {0}")]
    Kubeconfig(String),
    /// The embedded Space API could not start.
    #[error("{0}")]
    SpaceApi(#[from] egress_apiserver::Error),
    /// The command line asks for something that cannot be done.
    #[error("{0}")]
    Usage(String),
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Serving stopped with an I/O error.
    #[error("server error: {0}")]
    Serve(#[from] std::io::Error),
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
