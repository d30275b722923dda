//! `egress-console lint` as a user runs it: the real binary, real files, exit statuses.

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn lint(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_egress-console"))
        .arg("lint")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("egress-console runs");
    let mut input = child.stdin.take().unwrap();
    // A command may exit before it reads its input (a usage error): a broken pipe is fine.
    let _ = input.write_all(stdin.unwrap_or("").as_bytes());
    drop(input);
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn json_findings(output: &Output) -> Vec<Value> {
    serde_json::from_slice::<Value>(&output.stdout)
        .expect("JSON output")
        .as_array()
        .unwrap()
        .clone()
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

const EP: &str = "apiVersion: networking.tanzu.vmware.com/v1alpha1\nkind: EgressPoint\n";

#[test]
fn the_reference_example_passes_with_exit_status_0() {
    let output = lint(&[fixture("reference-example.yaml").to_str().unwrap()], None);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("0 errors, 0 warnings in 1 EgressPoint (1 file)"));
}

#[test]
fn an_ip_host_with_https_fails_with_the_ip_protocol_diagnostic_on_its_line() {
    let file = fixture("ip-https.yaml");
    let output = lint(&[file.to_str().unwrap()], None);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let expected = format!(
        "{}:8: error[ip-protocol] database spec.targets[0].hosts[0]: 11.22.33.44 is an IP address",
        file.display()
    );
    assert!(text.contains(&expected), "{text}");
    assert!(text.contains("    hint: set spec.targets[0].port.protocol to TCP"), "{text}");
}

#[test]
fn json_output_has_every_field_of_a_finding() {
    let output = lint(&["--format", "json", fixture("ip-https.yaml").to_str().unwrap()], None);
    assert_eq!(output.status.code(), Some(1));
    let findings = json_findings(&output);
    let f = findings.iter().find(|f| f["code"] == "ip-protocol").expect("ip-protocol finding");
    assert_eq!(f["path"], "spec.targets[0].hosts[0]");
    assert_eq!((f["line"].as_u64(), f["document"].as_u64()), (Some(8), Some(1)));
    assert_eq!((f["severity"].as_str(), f["name"].as_str()), (Some("error"), Some("database")));
    // Decided: documents without a namespace are in --namespace's Space, `default`.
    assert_eq!(f["namespace"], "default");
    assert!(f["hint"].as_str().unwrap().contains("TCP"));
    assert!(f["file"].as_str().unwrap().ends_with("ip-https.yaml"));
}

#[test]
fn other_kinds_in_a_multi_document_stream_are_skipped() {
    let stream = format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec: {{replicas: 1}}\n---\n\
         {EP}metadata: {{name: ok}}\nspec:\n  targets:\n  - hosts: [api.example.com]\n    port: {{number: 443, protocol: HTTPS}}\n---\n"
    );
    let output = lint(&["-"], Some(&stream));
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("in 1 EgressPoint (1 file)"));
}

#[test]
fn conflicts_between_files_of_one_namespace_are_found_and_other_namespaces_never_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let target = |ns: &str, name: &str, protocol: &str| {
        format!(
            "{EP}metadata: {{name: {name}, namespace: {ns}}}\nspec:\n  targets:\n  - hosts: [db.example.com]\n    port: {{number: 5432, protocol: {protocol}}}\n"
        )
    };
    let a = write(&dir, "a.yaml", &target("team-a", "db-tcp", "TCP"));
    let b = write(
        &dir,
        "b.yaml",
        &format!("{}---\n{}", target("team-a", "db-tls", "TLS"), target("team-b", "db-tls", "TLS")),
    );
    let output = lint(&["--format", "json", &a, &b], None);
    assert_eq!(output.status.code(), Some(1));
    let conflicts: Vec<_> =
        json_findings(&output).into_iter().filter(|f| f["code"] == "host-port-protocols").collect();
    // db-tcp and db-tls of team-a conflict with each other; team-b's db-tls with nothing.
    assert_eq!(conflicts.len(), 2, "{conflicts:#?}");
    assert!(conflicts.iter().all(|f| f["namespace"] == "team-a"));
    let on_b = conflicts.iter().find(|f| f["file"] == b.as_str()).unwrap();
    assert!(on_b["message"].as_str().unwrap().contains("by EgressPoint \"db-tcp\""));
}

#[test]
fn a_list_from_kubectl_get_is_checked_item_by_item() {
    let list = format!(
        "apiVersion: v1\nkind: List\nitems:\n- {}\n",
        "apiVersion: networking.tanzu.vmware.com/v1alpha1\n  kind: EgressPoint\n  metadata: {name: bad}\n  spec:\n    targets:\n    - hosts: [\"https://x.example.com\"]\n      port: {number: 443, protocol: HTTPS}"
    );
    let output = lint(&["--format", "json", "-"], Some(&list));
    let findings = json_findings(&output);
    let host = findings.iter().find(|f| f["code"] == "host").expect("host finding");
    assert_eq!(host["line"].as_u64(), Some(9), "{host:#?}");
}

#[test]
fn unparseable_yaml_is_an_error_with_its_line() {
    let output =
        lint(&["--format", "json", "-"], Some(&format!("{EP}metadata: {{name: x\nspec: [\n")));
    assert_eq!(output.status.code(), Some(1));
    let findings = json_findings(&output);
    assert_eq!(findings[0]["code"], "syntax");
    assert!(findings[0]["line"].as_u64().unwrap() >= 3, "{findings:#?}");
}

#[test]
fn a_missing_file_exits_2_with_one_line_on_stderr() {
    let output = lint(&["/nonexistent/egress.yaml"], None);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("cannot read /nonexistent/egress.yaml"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(lint(&[], None).status.code(), Some(2));
    assert_eq!(lint(&["--format", "xml", "x.yaml"], None).status.code(), Some(2));
}

#[test]
fn warnings_alone_exit_0_and_min_severity_hides_them() {
    let doc = format!(
        "{EP}metadata: {{name: mail}}\nspec:\n  targets:\n  - hosts: [smtp.example.com]\n    port: {{number: 25, protocol: TLS}}\n"
    );
    let output = lint(&["-"], Some(&doc));
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains("warning[server-first]"), "{}", stdout(&output));
    let quiet = lint(&["--min-severity", "error", "-"], Some(&doc));
    assert!(!stdout(&quiet).contains("server-first"));
}

#[test]
fn two_documents_with_one_name_in_one_namespace_are_reported() {
    let doc = format!(
        "{EP}metadata: {{name: twin}}\nspec:\n  targets:\n  - hosts: [a.example.com]\n    port: {{number: 443, protocol: HTTPS}}\n"
    );
    let output = lint(&["--format", "json", "-"], Some(&format!("{doc}---\n{doc}")));
    let findings = json_findings(&output);
    assert!(
        findings.iter().any(|f| f["code"] == "duplicate" && f["path"] == "metadata.name"),
        "{findings:#?}"
    );
}

#[test]
fn two_generate_name_documents_of_one_namespace_are_compared() {
    // Two objects without a name are two objects: their conflict is found.
    let text = format!(
        "{EP}metadata: {{generateName: a-}}\nspec:\n  targets:\n  - hosts: [db.example.com]\n    port: {{number: 5432, protocol: TCP}}\n---\n{EP}metadata: {{generateName: b-}}\nspec:\n  targets:\n  - hosts: [db.example.com]\n    port: {{number: 5432, protocol: TLS}}\n"
    );
    let output = lint(&["--format", "json", "-"], Some(&text));
    assert_eq!(output.status.code(), Some(1));
    let findings = json_findings(&output);
    assert!(findings.iter().any(|f| f["code"] == "host-port-protocols"), "{findings:#?}");
}

#[test]
fn a_wrongly_typed_field_is_one_finding_as_in_the_api() {
    let text = format!(
        "{EP}metadata: {{name: web}}\nspec:\n  targets:\n  - hosts: [a.example.com]\n    port: {{number: \"https\", protocol: HTTPS}}\n"
    );
    let findings = json_findings(&lint(&["--format", "json", "-"], Some(&text)));
    let at_port: Vec<_> =
        findings.iter().filter(|f| f["path"] == "spec.targets[0].port.number").collect();
    assert_eq!(at_port.len(), 1, "{findings:#?}");
}

#[test]
fn an_egress_point_list_is_read_like_a_list() {
    let text = format!(
        "apiVersion: networking.tanzu.vmware.com/v1alpha1\nkind: EgressPointList\nitems:\n- {}",
        format!("{EP}metadata: {{name: web}}\nspec:\n  targets:\n  - hosts: [a.example.com]\n    port: {{number: 443, protocol: HTTPS}}\n").replace('\n', "\n  ")
    );
    let output = lint(&["-"], Some(&text));
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("in 1 EgressPoint"), "{}", stdout(&output));
}

#[test]
fn octal_ports_are_read_as_kubectl_reads_them_and_said_on_their_line() {
    let text = format!(
        "{EP}metadata: {{name: web}}\nspec:\n  targets:\n  - hosts: [a.example.com]\n    port:\n      number: 0443\n      protocol: TCP\n"
    );
    let findings = json_findings(&lint(&["--format", "json", "-"], Some(&text)));
    let note = findings.iter().find(|f| f["code"] == "yaml-reading").expect("a yaml-reading note");
    assert_eq!(note["line"], 8);
    assert_eq!(note["path"], "spec.targets[0].port.number");
    assert!(note["message"].as_str().unwrap().contains("octal number 291"));
}

#[test]
fn documents_without_a_namespace_are_in_the_namespace_given() {
    // Decided: as `kubectl apply -n default` would apply them, a file without namespaces and
    // one with `namespace: default` are one Space.
    let dir = tempfile::tempdir().unwrap();
    let target = |ns: &str, protocol: &str| {
        format!(
            "{EP}metadata: {{name: db-{protocol}{ns}}}\nspec:\n  targets:\n  - hosts: [db.example.com]\n    port: {{number: 5432, protocol: {protocol}}}\n"
        )
    };
    let plain = write(&dir, "plain.yaml", &target("", "TCP"));
    let named = write(
        &dir,
        "named.yaml",
        &target("", "TLS").replace("name: db-TLS", "name: db-TLS, namespace: default"),
    );
    let output = lint(&["--format", "json", &plain, &named], None);
    assert!(json_findings(&output).iter().any(|f| f["code"] == "host-port-protocols"));
    let other = write(
        &dir,
        "other.yaml",
        &target("", "TLS").replace("name: db-TLS", "name: db-TLS, namespace: team-b"),
    );
    let output = lint(&["--format", "json", &plain, &other], None);
    assert!(!json_findings(&output).iter().any(|f| f["code"] == "host-port-protocols"));
    let output = lint(&["--format", "json", "--namespace", "team-b", &plain, &other], None);
    assert!(json_findings(&output).iter().any(|f| f["code"] == "host-port-protocols"));
}

#[test]
fn input_without_egress_points_is_said_and_fails_only_when_required() {
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\nkind: Secret\n";
    let output = lint(&["-"], Some(text));
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no EgressPoint found in 2 documents"), "{stderr}");
    let output = lint(&["--require-egresspoints", "-"], Some(text));
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn fix_changes_only_the_values_and_reports_each_fix() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "# Payment egress, reviewed by the platform team.\n{EP}metadata:\n  name: Payments_API   # renamed later\nspec:\n  targets:\n  - hosts: [\"https://api.stripe.com/v1\", API.example.com]  # two hosts\n    port: {{number: 443, protocol: https}}\n---\napiVersion: v1\nkind: List\nitems:\n- {{EP_INLINE}}\n  metadata: {{name: db}}\n  spec:\n    targets:\n    - hosts: ['10.1.2.3']\n      port:\n        number: 5432\n        protocol: TLS   # TLS, they said\n"
    )
    .replace("{EP_INLINE}", "apiVersion: networking.tanzu.vmware.com/v1alpha1\n  kind: EgressPoint");
    let file = write(&dir, "egress.yaml", &text);
    let output = lint(&["--fix", &file], None);
    let report = stdout(&output);
    let fixed = std::fs::read_to_string(&file).unwrap();
    let expected = text
        .replace("name: Payments_API", "name: payments-api")
        .replace("\"https://api.stripe.com/v1\"", "\"api.stripe.com\"")
        .replace("API.example.com]", "api.example.com]")
        .replace("protocol: https}", "protocol: HTTPS}")
        .replace("protocol: TLS   #", "protocol: TCP   #");
    assert_eq!(fixed, expected, "{report}");
    for line in [
        "fixed [name]",
        "fixed [host]",
        "fixed [host-case]",
        "fixed [protocol]",
        "fixed [ip-protocol]",
    ] {
        assert!(report.contains(line), "{line} missing:\n{report}");
    }
    assert!(report.contains("lint --fix: 1 file(s) changed"), "{report}");
    // What is left is reported as usual: no errors, so exit 0.
    assert_eq!(output.status.code(), Some(0), "{report}");
    // A second run has nothing to fix.
    let again = lint(&["--fix", &file], None);
    assert!(stdout(&again).contains("lint --fix: 0 file(s) changed"), "{}", stdout(&again));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), expected);
}

#[test]
fn fix_refuses_standard_input() {
    let output = lint(&["--fix", "-"], Some(EP));
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read standard input"));
}

#[test]
fn expectations_are_checked_against_the_linted_files_and_a_failure_names_the_egresspoint() {
    let dir = tempfile::tempdir().unwrap();
    let eps = write(
        &dir,
        "eps.yaml",
        &format!(
            "{EP}metadata: {{name: paypal, namespace: storefront}}\nspec:\n  sourceRef: {{apiGroup: apps, kind: Deployment, name: checkout}}\n  targets:\n  - hosts: [api.paypal.com]\n    port: {{number: 443, protocol: HTTPS}}\n---\n{EP}metadata: {{name: stripe, namespace: storefront}}\nspec:\n  targets:\n  - hosts: [api.stripe.com]\n    port: {{number: 443, protocol: TCP}}\n"
        ),
    );
    let expect = write(
        &dir,
        "expect.yaml",
        "kind: EgressExpectations\nspace: storefront\nexpect:\n  - workload: Deployment/checkout\n    reach: [api.stripe.com:443/HTTPS]\n    notReach: [api.paypal.com:443/HTTPS]\n    why: PayPal is not approved\n",
    );
    let output = lint(&[&eps, "--expect", &expect], None);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!("{expect}:6: error[expectation]: expected checkout (Deployment) cannot reach api.paypal.com:443/HTTPS, but allowed by paypal (api.paypal.com:443 HTTPS, checkout (Deployment))")),
        "{text}"
    );
    assert!(text.contains("    hint: expected because: PayPal is not approved"), "{text}");
    assert!(
        text.contains(&format!("{expect}:5: info[expectation]: holds: checkout (Deployment) can reach api.stripe.com:443/HTTPS (allowed by stripe (api.stripe.com:443 TCP, every workload))")),
        "{text}"
    );
    assert!(text.contains("; 1 of 2 expectations hold"), "{text}");

    // JSON: the same findings, with their code.
    let output = lint(&[&eps, "--expect", &expect, "--format", "json"], None);
    let findings = json_findings(&output);
    let expected: Vec<&Value> = findings.iter().filter(|f| f["code"] == "expectation").collect();
    assert_eq!(expected.len(), 2);
    assert_eq!(expected.iter().filter(|f| f["severity"] == "error").count(), 1);

    // Fixed by removing the PayPal EgressPoint: every expectation holds, exit 0.
    let fixed = write(
        &dir,
        "fixed.yaml",
        std::fs::read_to_string(&eps).unwrap().split("---\n").nth(1).unwrap(),
    );
    let output = lint(&[&fixed, "--expect", &expect], None);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("; 2 of 2 expectations hold"));

    // A mistake in the expectations file: exit 2, with its line, and nothing checked.
    let broken = write(
        &dir,
        "broken.yaml",
        "kind: EgressExpectations\nexpect:\n  - workload: Deployment/checkout\n    notreach: [x.com:443]\n",
    );
    let output = lint(&[&eps, "--expect", &broken], None);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "{broken}:4: unknown field \"notreach\"; did you mean \"notReach\"?"
        )),
        "{stderr}"
    );
}
