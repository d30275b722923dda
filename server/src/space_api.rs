//! `egress-console apiserver`: the embedded Space API on its own, with a kubeconfig for it.

use crate::cli::ApiserverArgs;
use crate::serve::shutdown_signal;
use crate::{Error, Result};
use egress_apiserver::auth::Auth;
use egress_apiserver::{Options, SpaceApi, demo};
use std::path::{Path, PathBuf};
use tower_http::trace::TraceLayer;

/// The per-user data directory: `$XDG_DATA_HOME/egress-console` or
/// `~/.local/share/egress-console`.
pub fn default_data_dir() -> PathBuf {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("egress-console")
}

/// Opens the store, seeds demo data when asked, serves until SIGTERM or Ctrl-C.
pub async fn run(args: ApiserverArgs) -> Result<()> {
    let data_dir = args.data_dir.clone().unwrap_or_else(default_data_dir);
    let auth = Auth::from_files(
        args.token_auth_file.as_deref(),
        args.authorization_policy_file.as_deref(),
    )?;
    let users = auth.users();
    let api = SpaceApi::open(&data_dir, Options { auth, ..Options::default() })?;
    if args.demo {
        let created = demo::seed(&api).await?;
        tracing::info!(created, "demo data");
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|source| Error::Listen { addr: args.listen.to_string(), source })?;
    let addr = listener.local_addr()?;
    let kubeconfig = data_dir.join("kubeconfig");
    write_kubeconfig(&kubeconfig, &format!("http://{addr}"), &users)
        .map_err(|e| Error::Read { path: kubeconfig.display().to_string(), source: e })?;
    println!("Space API is at http://{addr} (data in {})", data_dir.display());
    println!("kubeconfig: {}", kubeconfig.display());
    println!("try: kubectl --kubeconfig {} get egresspoints -A", kubeconfig.display());
    axum::serve(listener, api.router().layer(TraceLayer::new_for_http()))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

/// A kubeconfig with one context per token user (or one without credentials).
pub fn write_kubeconfig(
    path: &Path,
    server: &str,
    users: &[egress_apiserver::auth::User],
) -> std::io::Result<()> {
    let mut contexts = String::new();
    let mut user_entries = String::new();
    let names: Vec<String> = if users.is_empty() {
        vec!["egress-console".into()]
    } else {
        users.iter().map(|u| format!("egress-console-{}", u.name)).collect()
    };
    for (i, name) in names.iter().enumerate() {
        contexts.push_str(&format!(
            "- name: {name}\n  context:\n    cluster: egress-console\n    namespace: default\n    user: {name}\n"
        ));
        match users.get(i) {
            Some(user) => user_entries
                .push_str(&format!("- name: {name}\n  user:\n    token: {}\n", user.token)),
            None => user_entries.push_str(&format!("- name: {name}\n  user: {{}}\n")),
        }
    }
    let text = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: egress-console\n  cluster:\n    server: {server}\ncontexts:\n{contexts}current-context: {}\nusers:\n{user_entries}",
        names[0]
    );
    std::fs::write(path, text)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // It may hold tokens: owner only, as kubectl writes its own.
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}
