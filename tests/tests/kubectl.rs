//! kubectl against the embedded Space API over TCP: the real client, unmodified.

use anyhow::{Result, ensure};
use egress_e2e::{SpaceApiProcess, TempDir, kubectl};
use serde_json::json;
use std::process::{Output, Stdio};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

fn run(
    api: &SpaceApiProcess,
    args: &[&str],
    stdin: Option<&str>,
    env: &[(&str, &str)],
) -> Result<Output> {
    egress_e2e::run_kubectl(&api.kubeconfig, args, stdin, env)
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

const MANIFEST: &str = "apiVersion: networking.tanzu.vmware.com/v1alpha1
kind: EgressPoint
metadata:
  name: api
spec:
  targets:
  - hosts: [api.example.com]
    port: {number: 443, protocol: HTTPS}
";

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_applies_reads_edits_patches_and_deletes_egress_points() -> Result<()> {
    let dir = TempDir::new("kubectl-crud")?;
    let api = SpaceApiProcess::start(&dir.0, &[]).await?;

    let out = run(&api, &["apply", "-f", "-"], Some(MANIFEST), &[])?;
    ensure!(
        out.status.success()
            && text(&out).contains("egresspoint.networking.tanzu.vmware.com/api created"),
        "{}",
        text(&out)
    );
    let out = run(&api, &["apply", "-f", "-"], Some(MANIFEST), &[])?;
    ensure!(text(&out).contains("unchanged"), "{}", text(&out));

    let out = run(&api, &["get", "egp", "api", "-o", "yaml"], None, &[])?;
    let yaml = text(&out);
    ensure!(yaml.contains("resourceVersion:") && yaml.contains("- api.example.com"), "{yaml}");
    let out = run(&api, &["get", "egresspoints"], None, &[])?;
    ensure!(
        text(&out).contains("HOSTS") && text(&out).contains("api.example.com"),
        "{}",
        text(&out)
    );

    let out = run(
        &api,
        &[
            "patch",
            "egp",
            "api",
            "--type",
            "merge",
            "-p",
            r#"{"metadata":{"labels":{"team":"a"}}}"#,
        ],
        None,
        &[],
    )?;
    ensure!(out.status.success(), "{}", text(&out));

    let editor = dir.0.join("editor.sh");
    std::fs::write(&editor, "#!/bin/sh\nsed -i 's/number: 443/number: 8443/' \"$1\"\n")?;
    std::process::Command::new("chmod").arg("+x").arg(&editor).status()?;
    let out = run(&api, &["edit", "egp", "api"], None, &[("EDITOR", editor.to_str().unwrap())])?;
    ensure!(out.status.success() && text(&out).contains("edited"), "{}", text(&out));
    let out = run(
        &api,
        &["get", "egp", "api", "-o", "jsonpath={.spec.targets[0].port.number}"],
        None,
        &[],
    )?;
    ensure!(text(&out) == "8443", "{}", text(&out));

    // kubectl edit owns the targets now: a server-side apply that changes them conflicts,
    // as on kube-apiserver, until it is forced.
    let ssa = MANIFEST.replace("api.example.com", "ssa.example.com");
    let out = run(&api, &["apply", "--server-side", "-f", "-"], Some(&ssa), &[])?;
    ensure!(
        !out.status.success()
            && text(&out).contains("conflict with \"kubectl-edit\": .spec.targets"),
        "{}",
        text(&out)
    );
    let out =
        run(&api, &["apply", "--server-side", "--force-conflicts", "-f", "-"], Some(&ssa), &[])?;
    ensure!(text(&out).contains("serverside-applied"), "{}", text(&out));

    let out = run(
        &api,
        &["apply", "--dry-run=server", "-f", "-"],
        Some(&MANIFEST.replace("name: api", "name: dry")),
        &[],
    )?;
    ensure!(text(&out).contains("(server dry run)"), "{}", text(&out));
    let out = run(&api, &["get", "egp", "dry"], None, &[])?;
    ensure!(!out.status.success(), "a server dry run must not create anything");

    let out = run(&api, &["delete", "egp", "api"], None, &[])?;
    ensure!(text(&out).contains("deleted"), "{}", text(&out));
    api.kill().await
}

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_prints_the_422_of_an_invalid_manifest_with_its_field_path() -> Result<()> {
    let dir = TempDir::new("kubectl-invalid")?;
    let api = SpaceApiProcess::start(&dir.0, &[]).await?;
    let bad = MANIFEST.replace("api.example.com", "11.22.33.44");
    let out = run(&api, &["apply", "-f", "-"], Some(&bad), &[])?;
    ensure!(!out.status.success());
    let message = text(&out);
    ensure!(message.contains("The EgressPoint \"api\" is invalid"), "{message}");
    ensure!(
        message.contains("spec.targets[0].hosts[0]: 11.22.33.44 is an IP address"),
        "{message}"
    );
    let typo = MANIFEST.replace("targets:", "target:");
    let out = run(&api, &["apply", "-f", "-"], Some(&typo), &[])?;
    ensure!(text(&out).contains("unknown field \"spec.target\""), "{}", text(&out));
    api.kill().await
}

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_get_watch_shows_a_change_made_elsewhere() -> Result<()> {
    let dir = TempDir::new("kubectl-watch")?;
    let api = SpaceApiProcess::start(&dir.0, &[]).await?;
    let mut watch = tokio::process::Command::new(kubectl())
        .arg("--kubeconfig")
        .arg(&api.kubeconfig)
        .args(["get", "egp", "-w", "--output-watch-events"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let mut lines = BufReader::new(watch.stdout.take().unwrap()).lines();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let out = run(&api, &["apply", "-f", "-"], Some(MANIFEST), &[])?;
    ensure!(out.status.success(), "{}", text(&out));
    let seen = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(line) = lines.next_line().await? {
            if line.contains("ADDED") && line.contains("api") {
                return Ok::<_, anyhow::Error>(line);
            }
        }
        anyhow::bail!("the watch ended")
    })
    .await??;
    ensure!(seen.contains("api.example.com"), "{seen}");
    watch.start_kill()?;
    api.kill().await
}

const TWO_CONTAINERS: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: two
spec:
  replicas: 1
  selector: {matchLabels: {app: two}}
  template:
    metadata: {labels: {app: two}}
    spec:
      containers:
      - name: app
        image: app:1
        ports: [{containerPort: 8080}, {containerPort: 9090}]
        env: [{name: A, value: '1'}]
      - name: sidecar
        image: proxy:1
";

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_set_and_apply_change_one_container_and_keep_the_rest() -> Result<()> {
    // Strategic merge patch: what kubectl sends for built-in kinds merges lists by their
    // keys. Treated as a JSON merge patch, `set image` deleted the sidecar and the ports.
    let dir = TempDir::new("kubectl-smp")?;
    let api = SpaceApiProcess::start(&dir.0, &[]).await?;
    let stored = |api: &SpaceApiProcess| -> Result<serde_json::Value> {
        let out = run(api, &["get", "deployment", "two", "-o", "json"], None, &[])?;
        ensure!(out.status.success(), "{}", text(&out));
        Ok(serde_json::from_slice(&out.stdout)?)
    };
    let out = run(&api, &["apply", "-f", "-"], Some(TWO_CONTAINERS), &[])?;
    ensure!(out.status.success(), "{}", text(&out));

    let out = run(&api, &["set", "image", "deployment/two", "app=app:2"], None, &[])?;
    ensure!(out.status.success(), "{}", text(&out));
    let out = run(&api, &["set", "env", "deployment/two", "B=2"], None, &[])?;
    ensure!(out.status.success(), "{}", text(&out));
    let object = stored(&api)?;
    let containers = object["spec"]["template"]["spec"]["containers"].as_array().unwrap().clone();
    ensure!(containers.len() == 2, "a container was lost: {object:#}");
    ensure!(containers[0]["image"] == "app:2", "{object:#}");
    ensure!(containers[0]["ports"].as_array().map(Vec::len) == Some(2), "{object:#}");
    let env: Vec<&str> = containers[0]["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    ensure!(env == ["A", "B"], "{object:#}");
    ensure!(containers[1]["image"] == "proxy:1", "{object:#}");
    ensure!(!object.to_string().contains("$setElementOrder"), "a directive was stored: {object:#}");

    // Client-side apply of an edited manifest: only what changed in it changes.
    let edited = TWO_CONTAINERS.replace("image: proxy:1", "image: proxy:2");
    let out = run(&api, &["apply", "-f", "-"], Some(&edited), &[])?;
    ensure!(out.status.success(), "{}", text(&out));
    let object = stored(&api)?;
    let containers = object["spec"]["template"]["spec"]["containers"].as_array().unwrap().clone();
    ensure!(containers.len() == 2 && containers[1]["image"] == "proxy:2", "{object:#}");
    // `set env` added B outside the manifest: apply keeps it (it only removes what the
    // previous apply set), as kube-apiserver does.
    ensure!(containers[0]["env"].as_array().map(Vec::len) == Some(2), "{object:#}");
    Ok(())
}

/// The names of a Deployment's containers, in order.
fn container_names(object: &serde_json::Value) -> Vec<String> {
    object["spec"]["template"]["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["name"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn server_side_apply_tracks_field_owners_refuses_conflicts_and_removes_dropped_fields()
-> Result<()> {
    let dir = TempDir::new("kubectl-ssa")?;
    let api = SpaceApiProcess::start(&dir.0, &[]).await?;
    let stored = |api: &SpaceApiProcess| -> Result<serde_json::Value> {
        let out = run(
            api,
            &["get", "deployment", "two", "-o", "json", "--show-managed-fields"],
            None,
            &[],
        )?;
        ensure!(out.status.success(), "{}", text(&out));
        Ok(serde_json::from_slice(&out.stdout)?)
    };
    let apply = |manager: &str, yaml: &str, extra: &[&str]| -> Result<Output> {
        let mut args = vec!["apply", "--server-side", "--field-manager", manager, "-f", "-"];
        args.extend(extra);
        run(&api, &args, Some(yaml), &[])
    };
    let out = apply("alice", TWO_CONTAINERS, &[])?;
    ensure!(out.status.success(), "{}", text(&out));
    let object = stored(&api)?;
    let managers: Vec<&str> = object["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["manager"].as_str().unwrap())
        .collect();
    ensure!(managers == ["alice"], "{object:#}");

    // Bob applies only the replicas: a conflict with alice, named, and nothing changes.
    let bob =
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: two}\nspec:\n  replicas: 5\n";
    let out = apply("bob", bob, &[])?;
    ensure!(!out.status.success(), "a conflicting apply succeeded");
    let said = text(&out);
    ensure!(said.contains("conflict with \"alice\": .spec.replicas"), "{said}");
    ensure!(stored(&api)?["spec"]["replicas"] == 1, "the conflicting apply changed replicas");
    // Forced, bob owns replicas; alice's containers stay.
    let out = apply("bob", bob, &["--force-conflicts"])?;
    ensure!(out.status.success(), "{}", text(&out));
    let object = stored(&api)?;
    ensure!(object["spec"]["replicas"] == 5, "{object:#}");
    ensure!(object["spec"]["template"]["spec"]["containers"].as_array().map(Vec::len) == Some(2));

    // A partial container list from carol merges by name: nobody's container is dropped.
    let carol = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: two}\nspec:\n  template:\n    spec:\n      containers:\n      - name: logger\n        image: fluent:1\n";
    let out = apply("carol", carol, &[])?;
    ensure!(out.status.success(), "{}", text(&out));
    let object = stored(&api)?;
    let names = container_names(&object);
    ensure!(names == ["app", "sidecar", "logger"], "{object:#}");

    // Alice stops applying the sidecar: it goes (only she owned it); carol's logger stays.
    let without_sidecar: String =
        TWO_CONTAINERS.split("      - name: sidecar").next().unwrap().to_owned();
    let out = apply("alice", &without_sidecar, &["--force-conflicts"])?;
    ensure!(out.status.success(), "{}", text(&out));
    let object = stored(&api)?;
    let names = container_names(&object);
    ensure!(names == ["app", "logger"], "{object:#}");

    // Applying the same again changes nothing: same resourceVersion, and kubectl diff agrees.
    let version = object["metadata"]["resourceVersion"].clone();
    let out = apply("alice", &without_sidecar, &["--force-conflicts"])?;
    ensure!(out.status.success(), "{}", text(&out));
    ensure!(
        stored(&api)?["metadata"]["resourceVersion"] == version,
        "a no-op apply bumped the version"
    );
    let out = run(
        &api,
        &["diff", "--server-side", "--field-manager", "alice", "--force-conflicts", "-f", "-"],
        Some(&without_sidecar),
        &[],
    )?;
    ensure!(out.status.code() == Some(0), "kubectl diff saw a change: {}", text(&out));
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn everyday_kubectl_commands_on_built_in_kinds_work_and_store_what_they_say() -> Result<()> {
    let dir = TempDir::new("kubectl-builtin")?;
    let api = SpaceApiProcess::start(&dir.0, &[]).await?;
    let ok = |args: &[&str]| -> Result<String> {
        let out = run(&api, args, None, &[])?;
        ensure!(out.status.success(), "kubectl {}: {}", args.join(" "), text(&out));
        Ok(text(&out))
    };
    let json = |args: &[&str]| -> Result<serde_json::Value> {
        let out = run(&api, args, None, &[])?;
        ensure!(out.status.success(), "kubectl {}: {}", args.join(" "), text(&out));
        Ok(serde_json::from_slice(&out.stdout)?)
    };
    // kubectl sends these as protobuf: each is stored as the JSON a JSON client sends.
    ok(&["create", "namespace", "shop"])?;
    let ns = json(&["get", "namespace", "shop", "-o", "json"])?;
    ensure!(ns["metadata"]["labels"]["kubernetes.io/metadata.name"] == "shop", "{ns:#}");
    ok(&["create", "deployment", "web", "--image=nginx:1", "--replicas=2", "-n", "shop"])?;
    let web = json(&["get", "deployment", "web", "-n", "shop", "-o", "json"])?;
    ensure!(web["spec"]["replicas"] == 2, "{web:#}");
    ensure!(web["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1", "{web:#}");
    ensure!(web["spec"]["selector"]["matchLabels"]["app"] == "web", "{web:#}");
    ensure!(web["spec"]["template"]["metadata"].get("creationTimestamp").is_none(), "{web:#}");
    ok(&["create", "configmap", "settings", "--from-literal=mode=fast", "-n", "shop"])?;
    let settings = json(&["get", "configmap", "settings", "-n", "shop", "-o", "json"])?;
    ensure!(settings["data"]["mode"] == "fast", "{settings:#}");
    ok(&["create", "secret", "generic", "token", "--from-literal=value=s3cret", "-n", "shop"])?;
    let secret = json(&["get", "secret", "token", "-n", "shop", "-o", "json"])?;
    ensure!(secret["data"]["value"] == "czNjcmV0", "{secret:#}");
    ok(&["create", "service", "clusterip", "web", "--tcp=80:8080", "-n", "shop"])?;
    let service = json(&["get", "service", "web", "-n", "shop", "-o", "json"])?;
    ensure!(service["spec"]["ports"][0]["port"] == 80, "{service:#}");
    ensure!(service["spec"]["ports"][0]["targetPort"] == 8080, "{service:#}");

    ok(&["create", "serviceaccount", "robot", "-n", "shop"])?;
    ensure!(
        json(&["get", "serviceaccount", "robot", "-n", "shop", "-o", "json"])?["metadata"]["name"]
            == "robot"
    );
    ok(&["create", "job", "once", "--image=busybox:1", "-n", "shop", "--", "echo", "hi"])?;
    let job = json(&["get", "job", "once", "-n", "shop", "-o", "json"])?;
    let container = &job["spec"]["template"]["spec"]["containers"][0];
    ensure!(
        container["image"] == "busybox:1" && container["command"] == json!(["echo", "hi"]),
        "{job:#}"
    );
    ensure!(job["spec"]["template"]["spec"]["restartPolicy"] == "Never", "{job:#}");
    ok(&[
        "create",
        "cronjob",
        "nightly",
        "--image=busybox:1",
        "--schedule=0 3 * * *",
        "-n",
        "shop",
    ])?;
    let cron = json(&["get", "cronjob", "nightly", "-n", "shop", "-o", "json"])?;
    ensure!(cron["spec"]["schedule"] == "0 3 * * *", "{cron:#}");
    ensure!(
        cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["image"]
            == "busybox:1",
        "{cron:#}"
    );

    // Deployments are shown rolled out; scale goes through /scale.
    let listed = ok(&["get", "deployments", "-n", "shop"])?;
    ensure!(listed.contains("2/2"), "{listed}");
    ok(&["scale", "deployment/web", "--replicas=5", "-n", "shop"])?;
    let web = json(&["get", "deployment", "web", "-n", "shop", "-o", "json"])?;
    ensure!(web["spec"]["replicas"] == 5 && web["status"]["readyReplicas"] == 5, "{web:#}");
    let status = ok(&["rollout", "status", "deployment/web", "-n", "shop", "--timeout=10s"])?;
    ensure!(status.contains("successfully rolled out"), "{status}");

    // The commands that read across kinds.
    let all = ok(&["get", "all", "-n", "shop"])?;
    ensure!(all.contains("deployment.apps/web") && all.contains("service/web"), "{all}");
    let info = ok(&["cluster-info"])?;
    ensure!(info.contains("control plane is running"), "{info}");
    ok(&["get", "events", "-n", "shop"])?;
    ok(&["events", "-n", "shop"])?;

    // apply --prune removes what the files no longer hold (by label); delete --all empties.
    let pair = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: shop, labels: {set: p}}\ndata: {x: '1'}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: shop, labels: {set: p}}\ndata: {x: '2'}\n";
    let out = run(&api, &["apply", "-f", "-"], Some(pair), &[])?;
    ensure!(out.status.success(), "{}", text(&out));
    let only_a = pair.split("---\n").next().unwrap();
    let out = run(&api, &["apply", "--prune", "-l", "set=p", "-f", "-"], Some(only_a), &[])?;
    ensure!(out.status.success() && text(&out).contains("configmap/b pruned"), "{}", text(&out));
    let names = ok(&["get", "configmaps", "-n", "shop", "-l", "set=p", "-o", "name"])?;
    ensure!(names.trim() == "configmap/a", "{names}");
    ok(&["delete", "configmaps", "--all", "-n", "shop"])?;
    let left = ok(&["get", "configmaps", "-n", "shop", "-o", "name"])?;
    ensure!(left.trim().is_empty(), "{left}");
    api.kill().await
}

#[tokio::test(flavor = "multi_thread")]
async fn finalizers_terminating_namespaces_and_owner_references_follow_the_delete_lifecycle()
-> Result<()> {
    let dir = TempDir::new("kubectl-lifecycle")?;
    let api = SpaceApiProcess::start(&dir.0, &[]).await?;
    let ok = |args: &[&str], stdin: Option<&str>| -> Result<String> {
        let out = run(&api, args, stdin, &[])?;
        ensure!(out.status.success(), "kubectl {}: {}", args.join(" "), text(&out));
        Ok(text(&out))
    };
    let get = |args: &[&str]| -> Result<Option<serde_json::Value>> {
        let mut all = vec!["get"];
        all.extend(args);
        all.extend(["-o", "json"]);
        let out = run(&api, &all, None, &[])?;
        if !out.status.success() {
            ensure!(text(&out).contains("NotFound"), "{}", text(&out));
            return Ok(None);
        }
        Ok(Some(serde_json::from_slice(&out.stdout)?))
    };
    ok(&["create", "namespace", "t1"], None)?;
    let held = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: held, namespace: t1, finalizers: [example.com/hold]}\ndata: {a: '1'}\n";
    ok(&["apply", "-f", "-"], Some(held))?;
    ok(&["create", "deployment", "web", "--image=nginx", "-n", "t1"], None)?;

    // A finalizer keeps the object, marked, until it is removed.
    ok(&["delete", "configmap", "held", "-n", "t1", "--wait=false"], None)?;
    let marked = get(&["configmap", "held", "-n", "t1"])?.expect("held is kept");
    ensure!(marked["metadata"]["deletionTimestamp"].is_string(), "{marked:#}");
    // No finalizer may be added meanwhile.
    let patch_held = |finalizers: &str| {
        let body = format!(r#"{{"metadata":{{"finalizers":{finalizers}}}}}"#);
        run(
            &api,
            &["patch", "configmap", "held", "-n", "t1", "--type=merge", "-p", &body],
            None,
            &[],
        )
    };
    let out = patch_held(r#"["example.com/hold","x.io/more"]"#)?;
    ensure!(!out.status.success() && text(&out).contains("no new finalizers"), "{}", text(&out));

    // The namespace is Terminating while held is there; its other content is gone, and
    // nothing new may be created in it.
    ok(&["delete", "namespace", "t1", "--wait=false"], None)?;
    let ns = get(&["namespace", "t1"])?.expect("t1 is kept while held is there");
    ensure!(ns["status"]["phase"] == "Terminating", "{ns:#}");
    ensure!(get(&["deployment", "web", "-n", "t1"])?.is_none(), "the deployment survived");
    let out = run(&api, &["create", "configmap", "late", "-n", "t1"], None, &[])?;
    ensure!(!out.status.success() && text(&out).contains("being terminated"), "{}", text(&out));
    // The last finalizer removed: held goes, and the namespace with it.
    let out = patch_held("null")?;
    ensure!(out.status.success(), "{}", text(&out));
    ensure!(get(&["configmap", "held", "-n", "t1"])?.is_none(), "held is still there");
    ensure!(get(&["namespace", "t1"])?.is_none(), "t1 is still there");

    // Owner references: deleting the owner deletes its dependent; with --cascade=orphan the
    // dependent stays, without the reference.
    for (owner, cascade) in [("owner-a", "background"), ("owner-b", "orphan")] {
        ok(&["create", "configmap", owner, "-n", "default"], None)?;
        let uid = get(&["configmap", owner, "-n", "default"])?.unwrap()["metadata"]["uid"]
            .as_str()
            .unwrap()
            .to_owned();
        let dependent = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {owner}-dep\n  namespace: default\n  ownerReferences: [{{apiVersion: v1, kind: ConfigMap, name: {owner}, uid: {uid}}}]\n"
        );
        ok(&["apply", "-f", "-"], Some(&dependent))?;
        ok(
            &["delete", "configmap", owner, "-n", "default", &format!("--cascade={cascade}")],
            None,
        )?;
        let left = get(&["configmap", &format!("{owner}-dep"), "-n", "default"])?;
        match cascade {
            "background" => ensure!(left.is_none(), "the dependent of {owner} survived"),
            _ => {
                let left = left.expect("an orphan stays");
                ensure!(
                    left["metadata"]
                        .get("ownerReferences")
                        .is_none_or(|r| r.as_array().is_some_and(Vec::is_empty)),
                    "{left:#}"
                );
            }
        }
    }
    api.kill().await
}

const MISSPELT_DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: typo
spec:
  replica: 3
  selector: {matchLabels: {app: typo}}
  template:
    metadata: {labels: {app: typo}}
    spec:
      containers: [{name: app, image: nginx, imagePullPolicyy: Always}]
";

#[tokio::test(flavor = "multi_thread")]
async fn deployments_are_explained_and_checked_by_kubernetes_own_schema() -> Result<()> {
    let dir = TempDir::new("kubectl-schema")?;
    let api = SpaceApiProcess::start(&dir.0, &[]).await?;
    let out = run(&api, &["explain", "deployment.spec.replicas"], None, &[])?;
    ensure!(
        out.status.success() && text(&out).contains("Number of desired pods"),
        "{}",
        text(&out)
    );
    let out = run(&api, &["explain", "deployment.spec.template.spec.containers"], None, &[])?;
    ensure!(text(&out).contains("imagePullPolicy"), "{}", text(&out));

    // kubectl asks for strict field validation: refused in kube-apiserver's words, nothing stored.
    let out = run(&api, &["apply", "-f", "-"], Some(MISSPELT_DEPLOYMENT), &[])?;
    let said = text(&out);
    ensure!(!out.status.success(), "{said}");
    ensure!(
        said.contains("strict decoding error")
            && said.contains("unknown field \"spec.replica\"")
            && said.contains("unknown field \"spec.template.spec.containers[0].imagePullPolicyy\""),
        "{said}"
    );
    let out = run(&api, &["get", "deployment", "typo"], None, &[])?;
    ensure!(!out.status.success(), "a refused Deployment was stored: {}", text(&out));

    // With --validate=warn it is stored without the unknown fields, and kubectl says so.
    let out = run(&api, &["apply", "--validate=warn", "-f", "-"], Some(MISSPELT_DEPLOYMENT), &[])?;
    ensure!(out.status.success() && text(&out).contains("unknown field"), "{}", text(&out));
    let out = run(&api, &["get", "deployment", "typo", "-o", "json"], None, &[])?;
    let stored: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    ensure!(stored["spec"].get("replica").is_none(), "{stored}");
    let container = &stored["spec"]["template"]["spec"]["containers"][0];
    ensure!(
        container["image"] == "nginx" && container.get("imagePullPolicyy").is_none(),
        "{stored}"
    );
    Ok(())
}
