//! A Space named on the command line (`diff --space`, `suggest --space`), found by the same
//! source options as `serve` (kubeconfig contexts, in-cluster, Tanzu, or the embedded Space
//! API's data directory), for commands that otherwise run without a runtime.

use crate::cli::SourceArgs;
use crate::spaces::{Caller, CatalogError, Space};

/// Runs `work` on a runtime made for this one command.
pub fn block_on<T>(work: impl Future<Output = Result<T, String>>) -> Result<T, String> {
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(work)
}

/// The Space `name` of the sources `sources` give; `command` names the command in the error.
pub async fn find(sources: &SourceArgs, name: &str, command: &str) -> Result<Space, String> {
    let config = crate::serve::sources::SourcesConfig::from_args(sources, &[name.to_owned()])
        .map_err(|e| e.to_string())?;
    let catalog = crate::serve::sources::catalog(&config).await.map_err(|e| e.to_string())?;
    catalog.get(name, &Caller::default()).await.map_err(|e| match e {
        CatalogError::UnknownSpace(_) => format!(
            "there is no Space \"{name}\" in the Space sources given (see egress-console {command} --help)"
        ),
        other => other.to_string(),
    })
}

/// What a problem of the Space's API says, in one line.
pub fn said(name: &str) -> impl Fn(crate::api::error::ApiError) -> String + '_ {
    move |problem| format!("Space \"{name}\": {}", problem.detail)
}
