//! Access reviews against `egress-console apiserver` with a token file and an ABAC policy:
//! for three users — one who may only read Space A (`storefront`), one who may edit it, one
//! with no policy — `kubectl auth can-i` gives exactly the answer the server then enforces,
//! verb by verb, in Space A and in Space B (`sandbox`). Over TLS, as kubectl sends tokens only
//! there.

use anyhow::{Result, ensure};
use egress_e2e::{SpaceApiProcess, TempDir};
use std::process::Output;

const TOKENS: &str =
    "reader-token,reader,1\neditor-token,editor,2,\"editors\"\nnobody-token,nobody,3\n";
const POLICY: &str = r#"{"apiVersion":"abac.authorization.kubernetes.io/v1beta1","kind":"Policy","spec":{"user":"reader","namespace":"storefront","resource":"*","apiGroup":"*","readonly":true}}
{"apiVersion":"abac.authorization.kubernetes.io/v1beta1","kind":"Policy","spec":{"group":"editors","namespace":"storefront","resource":"*","apiGroup":"*"}}
"#;

fn kubectl_as(
    api: &SpaceApiProcess,
    user: &str,
    args: &[&str],
    stdin: Option<&str>,
) -> Result<Output> {
    let context = format!("egress-console-{user}");
    let args: Vec<&str> =
        ["--context", context.as_str()].into_iter().chain(args.iter().copied()).collect();
    egress_e2e::run_kubectl(&api.kubeconfig, &args, stdin, &[])
}

fn manifest(name: &str) -> String {
    format!(
        "apiVersion: networking.tanzu.vmware.com/v1alpha1\nkind: EgressPoint\nmetadata:\n  name: {name}\nspec:\n  targets:\n  - hosts: [{name}.example.com]\n    port: {{number: 443, protocol: HTTPS}}\n"
    )
}

/// Whether the server lets `user` do `verb` on EgressPoints in `namespace`, found by doing it.
fn enforced(api: &SpaceApiProcess, user: &str, verb: &str, namespace: &str) -> Result<bool> {
    let name = format!("probe-{user}");
    let out = match verb {
        "list" => kubectl_as(api, user, &["get", "egresspoints", "-n", namespace], None)?,
        "create" => {
            kubectl_as(api, user, &["create", "-n", namespace, "-f", "-"], Some(&manifest(&name)))?
        }
        "delete" => {
            // Something to delete, made by the server's own loopback-seeded data.
            kubectl_as(
                api,
                user,
                &["delete", "egresspoint", "-n", namespace, "shared-apis", "--dry-run=server"],
                None,
            )?
        }
        other => anyhow::bail!("no probe for {other}"),
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    ensure!(
        out.status.success() || stderr.contains("Forbidden") || stderr.contains("forbidden"),
        "{user} {verb} {namespace}: {stderr}"
    );
    Ok(out.status.success())
}

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_auth_can_i_answers_what_the_server_enforces() -> Result<()> {
    let dir = TempDir::new("access-reviews")?;
    std::fs::write(dir.0.join("tokens.csv"), TOKENS)?;
    std::fs::write(dir.0.join("policy.jsonl"), POLICY)?;
    let data = dir.0.join("data");
    std::fs::create_dir_all(&data)?;
    let tokens = dir.0.join("tokens.csv").display().to_string();
    let policy = dir.0.join("policy.jsonl").display().to_string();
    // Demo data is seeded whatever the auth settings (it failed with 401 before).
    let api = SpaceApiProcess::start(
        &data,
        &["--demo", "--token-auth-file", &tokens, "--authorization-policy-file", &policy],
    )
    .await?;
    let expected = [
        ("reader", "storefront", [("list", true), ("create", false), ("delete", false)]),
        ("editor", "storefront", [("list", true), ("create", true), ("delete", true)]),
        ("nobody", "storefront", [("list", false), ("create", false), ("delete", false)]),
        ("reader", "sandbox", [("list", false), ("create", false), ("delete", false)]),
        ("editor", "sandbox", [("list", false), ("create", false), ("delete", false)]),
    ];
    let mut checked = 0;
    for (user, namespace, verbs) in expected {
        for (verb, allowed) in verbs {
            let out = kubectl_as(
                &api,
                user,
                &["auth", "can-i", verb, "egresspoints", "-n", namespace],
                None,
            )?;
            let said = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            let says_yes = said == "yes";
            ensure!(out.status.success() == says_yes, "exit status and answer differ: {said}");
            ensure!(
                says_yes == allowed,
                "{user} can-i {verb} in {namespace}: {said}, expected {allowed}"
            );
            if namespace == "sandbox" && verb == "delete" {
                continue; // sandbox has no EgressPoint to probe a delete with
            }
            let done = enforced(&api, user, verb, namespace)?;
            ensure!(
                done == says_yes,
                "{user} {verb} in {namespace}: can-i said {said}, the server {}",
                if done { "allowed it" } else { "refused" }
            );
            checked += 1;
        }
    }
    ensure!(checked >= 12, "only {checked} probes ran");

    // whoami and --list name the user and its rules.
    let who = kubectl_as(&api, "editor", &["auth", "whoami"], None)?;
    let who = String::from_utf8_lossy(&who.stdout).into_owned();
    ensure!(who.contains("editor") && who.contains("editors"), "{who}");
    let list = kubectl_as(&api, "reader", &["auth", "can-i", "--list", "-n", "storefront"], None)?;
    let list = String::from_utf8_lossy(&list.stdout).into_owned();
    ensure!(list.contains("*.*") && list.contains("[get list watch]"), "{list}");
    api.kill().await
}
