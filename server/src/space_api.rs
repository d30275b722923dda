//! `egress-console apiserver`: the embedded Space API on its own, with a kubeconfig for it.

use crate::cli::ApiserverArgs;
use crate::serve::shutdown_signal;
use crate::{Error, Result};
use egress_apiserver::auth::Auth;
use egress_apiserver::http::tls;
use egress_apiserver::{Options, SpaceApi, demo};
use std::path::{Path, PathBuf};

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
    // TLS with a given certificate, or a self-signed one whenever tokens are in use.
    let tls = match (&args.tls_cert_file, &args.tls_private_key_file) {
        (Some(cert), Some(key)) => Some((tls::from_files(cert, key)?, false)),
        _ if !users.is_empty() => Some((tls::self_signed(&data_dir)?, true)),
        _ => None,
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let trusted = tls.as_ref().filter(|(_, own)| *own).map(|(pair, _)| pair.cert_pem.as_str());
    let kubeconfig = data_dir.join("kubeconfig");
    write_kubeconfig(&kubeconfig, &format!("{scheme}://{addr}"), &users, trusted)
        .map_err(|e| Error::Read { path: kubeconfig.display().to_string(), source: e })?;
    println!("Space API is at {scheme}://{addr} (data in {})", data_dir.display());
    println!("kubeconfig: {}", kubeconfig.display());
    println!("try: kubectl --kubeconfig {} get egresspoints -A", kubeconfig.display());
    let hosts = egress_apiserver::http::AllowedHosts::new(addr, &args.allowed_host);
    let acceptor = tls.map(|(pair, _)| tls::acceptor(&pair, false)).transpose()?;
    egress_apiserver::http::serve::serve_with(
        listener,
        api.standalone_router(hosts),
        shutdown_signal(),
        acceptor,
    )
    .await?;
    Ok(())
}

/// A kubeconfig with one context per token user (or one without credentials), built with
/// kube's own `Kubeconfig` type (so a token is quoted as YAML needs, whatever it holds) and
/// written owner-only from the first byte: a new file beside it, created 0600, then renamed
/// over the old one, so no reader ever sees a partial or world-readable file.
pub fn write_kubeconfig(
    path: &Path,
    server: &str,
    users: &[egress_apiserver::auth::User],
    trusted_cert_pem: Option<&str>,
) -> std::io::Result<()> {
    use kube::config::{
        AuthInfo, Cluster, Context, Kubeconfig, NamedAuthInfo, NamedCluster, NamedContext,
    };
    let cluster = "egress-console";
    let entries: Vec<(String, AuthInfo)> = if users.is_empty() {
        vec![(cluster.to_owned(), AuthInfo::default())]
    } else {
        users
            .iter()
            .map(|user| {
                let auth =
                    AuthInfo { token: Some(user.token.clone().into()), ..AuthInfo::default() };
                (format!("egress-console-{}", user.name), auth)
            })
            .collect()
    };
    let config = Kubeconfig {
        api_version: Some("v1".into()),
        kind: Some("Config".into()),
        clusters: vec![NamedCluster {
            name: cluster.into(),
            cluster: Some(Cluster {
                server: Some(server.into()),
                // The self-signed certificate is its own authority.
                certificate_authority_data: trusted_cert_pem.map(|pem| {
                    use base64::Engine;
                    base64::engine::general_purpose::STANDARD.encode(pem)
                }),
                ..Cluster::default()
            }),
            ..NamedCluster::default()
        }],
        contexts: entries
            .iter()
            .map(|(name, _)| NamedContext {
                name: name.clone(),
                context: Some(Context {
                    cluster: cluster.into(),
                    user: Some(name.clone()),
                    namespace: Some("default".into()),
                    ..Context::default()
                }),
                ..NamedContext::default()
            })
            .collect(),
        current_context: entries.first().map(|(name, _)| name.clone()),
        auth_infos: entries
            .into_iter()
            .map(|(name, auth)| NamedAuthInfo {
                name,
                auth_info: Some(auth),
                ..NamedAuthInfo::default()
            })
            .collect(),
        ..Kubeconfig::default()
    };
    let value = serde_json::to_value(&config).map_err(std::io::Error::other)?;
    write_private(path, egress_rules::yaml::to_yaml(&value).as_bytes())
}

/// Writes `bytes` to `path` through a sibling file created readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let partial = path.with_file_name(format!(".{name}.{}.partial", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // It may hold tokens: owner only, as kubectl writes its own.
        options.mode(0o600);
    }
    let _ = std::fs::remove_file(&partial);
    let written = options.open(&partial).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    match written.and_then(|()| std::fs::rename(&partial, path)) {
        Ok(()) => Ok(()),
        Err(error) => {
            let _ = std::fs::remove_file(&partial);
            Err(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kubeconfig_is_owner_only_and_carries_any_token_intact() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kubeconfig");
        std::fs::write(&path, "old").unwrap();
        let user = egress_apiserver::auth::User {
            name: "alice".into(),
            token: "t: {x} # not a comment\n- y".into(),
            uid: "1".into(),
            groups: Vec::new(),
        };
        write_kubeconfig(&path, "http://127.0.0.1:1", std::slice::from_ref(&user), None).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let config = kube::config::Kubeconfig::from_yaml(&text).unwrap();
        let auth = config.auth_infos[0].auth_info.as_ref().unwrap();
        assert_eq!(
            serde_json::to_value(auth).unwrap()["token"],
            serde_json::json!(user.token),
            "{text}"
        );
        assert_eq!(config.current_context.as_deref(), Some("egress-console-alice"));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no partial file left");
    }
}
