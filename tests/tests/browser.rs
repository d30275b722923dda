//! The UI in a real headless Chromium, against `egress-console serve` on the embedded Space
//! API with its demo Spaces: the form from first keystroke to delete, keyboard-only use, YAML
//! paste, the workload page, and axe-core on every page. Screenshots go to the test output
//! directory.

use anyhow::{Result, ensure};
use egress_e2e::ui::{
    axe_violations, element, tab_to, type_keys, wait_enabled, wait_path, wait_text, wait_true,
};
use egress_e2e::{Browser, Server};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};

/// Runs `steps` with a fresh server and browser; always ends the browser session, so a
/// failure does not leave Chromium running.
macro_rules! in_browser {
    ($steps:ident) => {{
        let server = Server::start().await?;
        let browser = Browser::start().await?;
        let outcome = $steps(&browser.client, &server, &browser).await;
        browser.finish(stringify!($steps), outcome).await
    }};
}

/// Replaces an input's text as a user would: select all, type.
async fn retype(client: &Client, css: &str, text: &str) -> Result<()> {
    let input = element(client, css).await?;
    input.send_keys(&(Key::Control + "a")).await?;
    input.send_keys(text).await?;
    Ok(())
}

/// The EgressPoint as the server stores it (read back through the REST API), if any.
async fn stored(server: &Server, space: &str, name: &str) -> Result<Option<serde_json::Value>> {
    let addr = server.url.trim_start_matches("http://");
    let path = format!("/api/v1/spaces/{space}/egresspoints/{name}");
    let (status, body) = egress_e2e::http::request(addr, "GET", &path, None).await?;
    Ok(if status == 200 { Some(serde_json::from_str(&body)?) } else { None })
}

/// The page modules (`split_*.wasm`, one per lazily loaded route) this page has fetched.
async fn split_modules_fetched(client: &Client) -> Result<Vec<String>> {
    let names = client
        .execute(
            "return performance.getEntriesByType('resource').map(e => e.name)\
             .filter(n => n.includes('/pkg/split_'));",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(names)?)
}

async fn is_disabled(client: &Client, css: &str) -> Result<bool> {
    Ok(client.find(Locator::Css(css)).await?.attr("disabled").await?.is_some())
}

async fn create_edit_delete(client: &Client, server: &Server, browser: &Browser) -> Result<()> {
    client.goto(&format!("{}/spaces/sandbox", server.url)).await?;
    element(client, "#empty-space").await?;
    browser.screenshot("rules-empty-space").await?;
    // The rules page needs no lazily loaded module; the form's comes when it opens.
    ensure!(split_modules_fetched(client).await?.is_empty(), "the rules page fetched a chunk");
    element(client, "#new-egresspoint").await?.click().await?;
    wait_path(client, "/spaces/sandbox/egresspoints/new").await?;
    element(client, "#name").await?;
    let fetched = split_modules_fetched(client).await?;
    ensure!(fetched.iter().any(|m| m.contains("create_route")), "{fetched:?}");
    let crashed = egress_e2e::ui::fatal(client).await;
    ensure!(crashed.is_empty(), "opening the form{crashed}");

    // Every input has a visible label.
    let host = element(client, "input.host").await?;
    let host_id = host.attr("id").await?.unwrap_or_default();
    for id in ["name", "source-ref", &host_id, "yaml-input"] {
        let label = client.find(Locator::Css(&format!("label[for='{id}']"))).await?;
        ensure!(
            !label.text().await?.is_empty() || id == "yaml-input",
            "#{id} has no visible label"
        );
    }
    ensure!(
        client.find(Locator::Css("select.protocol")).await.is_ok(),
        "Protocol is not a <select>"
    );
    // A new form opens at its name, with no red anywhere, only what Save needs.
    wait_true(
        client,
        "return document.activeElement && document.activeElement.id === 'name';",
        "the name taking the focus",
    )
    .await?;
    let blockers = element(client, "#save-blockers").await?.text().await?;
    ensure!(blockers.contains("Give it a name"), "{blockers}");
    ensure!(
        client.find_all(Locator::Css(".diagnostic.error")).await?.is_empty(),
        "red before typing"
    );

    // Enter with an error left goes to the first field in error (the empty host).
    element(client, "#name").await?.send_keys("billing-db").await?;
    element(client, "#name").await?.send_keys(&Key::Enter.to_string()).await?;
    wait_true(
        client,
        &format!("return document.activeElement && document.activeElement.id === '{host_id}';"),
        "the empty host taking the focus",
    )
    .await?;
    host.send_keys("11.22.33.44").await?;
    let messages = format!("#{host_id}-diagnostics");
    let text = wait_text(client, &messages, |t| t.contains("IP")).await?;
    ensure!(text.contains("IP hosts can only use protocol TCP"), "{text}");
    let code =
        client.find(Locator::Css(&format!("{messages} li"))).await?.attr("data-code").await?;
    ensure!(code.as_deref() == Some("ip-protocol"), "code was {code:?}");
    ensure!(host.attr("aria-invalid").await?.as_deref() == Some("true"));
    ensure!(is_disabled(client, "#save").await?, "Save is enabled with an error");
    // Messages speak the form's words, not field paths.
    ensure!(!text.contains("spec."), "a field path in the message: {text}");
    ensure!(text.contains("Target 1 protocol"), "{text}");
    let blockers = wait_text(client, "#save-blockers", |t| t.contains("1 error")).await?;
    ensure!(blockers.contains("Target 1, host 1"), "{blockers}");
    browser.screenshot("form-ip-with-https").await?;
    // The blocker links to its field.
    element(client, "#name").await?.click().await?;
    element(client, "#save-blockers a").await?.click().await?;
    // The focus moves on the next frame.
    let focused =
        format!("return document.activeElement && document.activeElement.id === '{host_id}';");
    wait_true(client, &focused, "the blocker link focusing the host").await?;

    // One click applies the fix the message offers.
    let fix = element(client, &format!("{messages} button.fix")).await?;
    ensure!(fix.text().await? == "Fix: use TCP", "{}", fix.text().await?);
    fix.click().await?;
    wait_true(
        client,
        "return document.querySelector('select.protocol').value === 'TCP';",
        "the protocol becoming TCP",
    )
    .await?;
    retype(client, "input.port", "5432").await?;
    wait_text(client, &messages, str::is_empty).await?;
    ensure!(!is_disabled(client, "#save").await?, "Save stays disabled after the fix");
    // The preview follows after a short pause.
    wait_text(client, "#yaml", |y| y.contains("protocol: TCP") && y.contains("number: 5432"))
        .await?;
    // Beside Save: what saving would change in the Space's access, computed in the browser.
    let impact = wait_text(client, "#impact", |t| t.contains("11.22.33.44:5432")).await?;
    ensure!(
        impact.contains("every workload gains 11.22.33.44:5432 HTTP/HTTPS/TCP/TLS; loses nothing"),
        "{impact}"
    );
    browser.screenshot("form-valid").await?;
    element(client, "#save").await?.click().await?;
    wait_path(client, "/spaces/sandbox/egresspoints/billing-db").await?;
    wait_text(client, "#targets", |t| t.contains("11.22.33.44") && t.contains("5432")).await?;
    // The new page's heading has the focus; the notice says what happened, with a link.
    wait_true(
        client,
        "return document.activeElement && document.activeElement.id === 'ep-title';",
        "the heading taking the focus",
    )
    .await?;
    wait_text(client, "#flash", |t| t.contains("Created EgressPoint billing-db.")).await?;
    element(client, "#flash-link").await?;
    browser.screenshot("egresspoint-view").await?;

    // The rules table shows it.
    client.goto(&format!("{}/spaces/sandbox", server.url)).await?;
    let row = element(client, "tr[data-egresspoint='billing-db']").await?;
    ensure!(row.text().await?.contains("11.22.33.44"));
    let pager = element(client, "nav.pager").await?.text().await?;
    ensure!(
        pager == "Previous\nPage 1 of 1\nNext" || pager == "Previous Page 1 of 1 Next",
        "{pager:?}"
    );
    browser.screenshot("rules-table").await?;

    // Edit: the form opens filled; the change is saved.
    client.goto(&format!("{}/spaces/sandbox/egresspoints/billing-db", server.url)).await?;
    element(client, "#edit").await?.click().await?;
    wait_path(client, "/spaces/sandbox/egresspoints/billing-db/edit").await?;
    let port = element(client, "input.port").await?;
    ensure!(port.prop("value").await?.as_deref() == Some("5432"), "the edit form is not filled");
    retype(client, "input.port", "6432").await?;
    browser.screenshot("form-edit").await?;
    element(client, "#save").await?.click().await?;
    wait_path(client, "/spaces/sandbox/egresspoints/billing-db").await?;
    wait_text(client, "#targets", |t| t.contains("6432")).await?;

    // Delete asks first and names the traffic that stops.
    element(client, "#delete").await?.click().await?;
    let impact =
        wait_text(client, "#delete-impact", |t| t.contains("11.22.33.44:6432 over TCP")).await?;
    ensure!(!impact.contains("still allowed"), "{impact}");
    let access = element(client, "#delete-access").await?.text().await?;
    ensure!(access.contains("every workload gains nothing; loses 11.22.33.44:6432"), "{access}");
    browser.screenshot("delete-dialog").await?;
    element(client, "#delete-confirm").await?.click().await?;
    wait_path(client, "/spaces/sandbox").await?;
    element(client, "#empty-space").await?;
    ensure!(stored(server, "sandbox", "billing-db").await?.is_none(), "still stored");

    // Undo re-creates the deleted version.
    wait_text(client, "#flash", |t| t.contains("Deleted EgressPoint billing-db.")).await?;
    browser.screenshot("deleted-with-undo").await?;
    element(client, "#flash-undo").await?.click().await?;
    wait_text(client, "#flash", |t| t.contains("Restored EgressPoint billing-db.")).await?;
    element(client, "tr[data-egresspoint='billing-db']").await?;
    let restored = stored(server, "sandbox", "billing-db").await?.expect("restored");
    let target = &restored["spec"]["targets"][0];
    ensure!(target["port"]["number"] == 6432 && target["hosts"][0] == "11.22.33.44", "{restored}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn create_edit_and_delete_an_egresspoint_through_the_form() -> Result<()> {
    in_browser!(create_edit_delete)
}

async fn keyboard_only(client: &Client, server: &Server, browser: &Browser) -> Result<()> {
    client.goto(&format!("{}/spaces/sandbox/egresspoints/new", server.url)).await?;
    let host_id = element(client, "input.host").await?.attr("id").await?.unwrap_or_default();
    tab_to(client, "name", 40).await?;
    type_keys(client, "typed-only").await?;
    tab_to(client, &host_id, 10).await?;
    type_keys(client, "api.example.com").await?;
    // Add a second host and a second target, all from the keyboard.
    tab_to(client, "add-target", 20).await?;
    type_keys(client, &Key::Enter.to_string()).await?;
    // The new target's host takes the focus once it is rendered (later on a loaded machine:
    // keys typed before that went nowhere).
    let new_host_focused = "const e = document.activeElement; \
        return !!e && e.classList.contains('host') && e.value === '';";
    wait_true(client, new_host_focused, "the new target's host taking the focus").await?;
    type_keys(client, "files.example.com").await?;
    wait_enabled(client, "#save").await?;
    tab_to(client, "save", 30).await?;
    browser.screenshot("form-keyboard-only").await?;
    type_keys(client, &Key::Enter.to_string()).await?;
    wait_path(client, "/spaces/sandbox/egresspoints/typed-only").await?;
    wait_text(client, "#targets", |t| t.contains("files.example.com")).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_egresspoint_can_be_created_with_the_keyboard_alone() -> Result<()> {
    in_browser!(keyboard_only)
}

/// What the preview shows for this object: keys sorted, as `to_yaml` writes them.
const PASTED: &str = "apiVersion: networking.tanzu.vmware.com/v1alpha1
kind: EgressPoint
metadata:
  annotations:
    owner: payments-team@example.com
  labels:
    team: payments
  name: pasted
  namespace: sandbox
spec:
  sourceRef:
    apiGroup: apps
    kind: Deployment
    name: playground
  targets:
    - hosts:
        - api.example.com
        - 11.22.33.44
      port:
        number: 443
        protocol: HTTPS
";

async fn paste_yaml(client: &Client, server: &Server, browser: &Browser) -> Result<()> {
    client.goto(&format!("{}/spaces/sandbox/egresspoints/new", server.url)).await?;
    element(client, "#paste summary").await?.click().await?;
    element(client, "#name").await?.send_keys("typed-first").await?;
    let textarea = element(client, "#yaml-input").await?;
    let fill = "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}));";
    // Text that is not YAML: said with its line, and the form keeps what was typed.
    client
        .execute(fill, vec![serde_json::to_value(&textarea)?, "spec: [unclosed\n".into()])
        .await?;
    element(client, "#yaml-load").await?.click().await?;
    let refused = wait_text(client, "#paste-result", |t| t.contains("not valid YAML")).await?;
    ensure!(refused.contains("Line"), "{refused}");
    let kept = element(client, "#name").await?.prop("value").await?;
    ensure!(kept.as_deref() == Some("typed-first"), "{kept:?}");
    let with_unknown = PASTED.replace("spec:\n", "spec:\n  egress: everything\n");
    client.execute(fill, vec![serde_json::to_value(&textarea)?, with_unknown.into()]).await?;
    element(client, "#yaml-load").await?.click().await?;
    let dropped = wait_text(client, "#paste-dropped", |t| t.contains("spec.egress")).await?;
    ensure!(dropped.contains("Not carried into the form"), "{dropped}");
    let result = element(client, "#paste-result").await?.text().await?;
    ensure!(result.contains("ip-protocol") || result.contains("IP hosts"), "{result}");
    let name = element(client, "#name").await?.prop("value").await?;
    ensure!(name.as_deref() == Some("pasted"), "{name:?}");
    // The preview is the pasted document, minus the field EgressPoints do not have.
    let preview = wait_text(client, "#yaml", |t| t.contains("11.22.33.44")).await?;
    ensure!(preview.trim_end() == PASTED.trim_end(), "preview differs:\n{preview}");
    browser.screenshot("form-pasted-yaml").await?;

    // Without the IP host it saves, and what the form has no field for (labels,
    // annotations) is stored too.
    element(client, "button[aria-label='Remove host 11.22.33.44']").await?.click().await?;
    wait_enabled(client, "#save").await?;
    element(client, "#save").await?.click().await?;
    wait_path(client, "/spaces/sandbox/egresspoints/pasted").await?;
    let object = stored(server, "sandbox", "pasted").await?.expect("stored");
    let metadata = &object["metadata"];
    ensure!(metadata["labels"]["team"] == "payments", "the label was dropped: {object}");
    ensure!(
        metadata["annotations"]["owner"] == "payments-team@example.com",
        "the annotation was dropped: {object}"
    );
    ensure!(object["spec"].get("egress").is_none(), "the unknown field was stored: {object}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn pasted_yaml_fills_the_form_keeps_its_labels_and_reports_unknown_fields() -> Result<()> {
    in_browser!(paste_yaml)
}

/// What `kubectl get egresspoints -o yaml` prints: a `kind: List`.
fn list_of(items: &[(&str, &str)]) -> String {
    let mut out = String::from("apiVersion: v1\nkind: List\nitems:\n");
    for (name, protocol) in items {
        out.push_str(&format!(
            "- apiVersion: networking.tanzu.vmware.com/v1alpha1\n  kind: EgressPoint\n  metadata:\n    name: {name}\n    labels: {{team: imports}}\n  spec:\n    targets:\n    - hosts: [db.example.com]\n      port: {{number: 5432, protocol: {protocol}}}\n"
        ));
    }
    out
}

async fn import_list(client: &Client, server: &Server, browser: &Browser) -> Result<()> {
    client.goto(&format!("{}/spaces/sandbox/egresspoints/new", server.url)).await?;
    element(client, "#paste summary").await?.click().await?;
    let textarea = element(client, "#yaml-input").await?;
    let fill = "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}));";
    // Two that clash with each other (two protocols on db.example.com:5432): nothing is
    // created, and each gets its line.
    let clashing = list_of(&[("db-tcp", "TCP"), ("db-tls", "TLS")]);
    client.execute(fill, vec![serde_json::to_value(&textarea)?, clashing.into()]).await?;
    element(client, "#yaml-load").await?.click().await?;
    wait_text(client, "#paste-several", |t| t.contains("2 EgressPoints")).await?;
    element(client, "#import-all").await?.click().await?;
    wait_text(client, "#import-summary", |t| t.contains("Nothing was created")).await?;
    let lines = element(client, "#import-results").await?.text().await?;
    ensure!(lines.contains("db-tcp") && lines.contains("db-tls"), "{lines}");
    browser.screenshot("form-import-refused").await?;
    ensure!(stored(server, "sandbox", "db-tcp").await?.is_none(), "created despite the clash");

    // One of them can be edited in the form instead.
    element(client, "button[data-load='1']").await?.click().await?;
    let name = element(client, "#name").await?.prop("value").await?;
    ensure!(name.as_deref() == Some("db-tls"), "{name:?}");

    // Two that agree: both are created, one line each, labels kept.
    let agreeing = list_of(&[("db-a", "TCP"), ("db-b", "TCP")]);
    let textarea = element(client, "#yaml-input").await?;
    client.execute(fill, vec![serde_json::to_value(&textarea)?, agreeing.into()]).await?;
    element(client, "#yaml-load").await?.click().await?;
    // Before anything is created: what importing them would change.
    wait_text(client, "#import-impact", |t| t.contains("gains db.example.com:5432")).await?;
    element(client, "#import-all").await?.click().await?;
    wait_text(client, "#import-summary", |t| t.contains("Created 2 of 2")).await?;
    browser.screenshot("form-import-done").await?;
    for name in ["db-a", "db-b"] {
        let object = stored(server, "sandbox", name).await?.expect("created");
        ensure!(object["metadata"]["labels"]["team"] == "imports", "{object}");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pasted_list_is_checked_as_a_whole_and_imported_with_a_line_per_object() -> Result<()> {
    in_browser!(import_list)
}

async fn leave_with_changes(client: &Client, server: &Server, browser: &Browser) -> Result<()> {
    client.goto(&format!("{}/spaces/sandbox", server.url)).await?;
    element(client, "#new-egresspoint").await?.click().await?;
    // Untouched, Cancel just leaves.
    wait_text(client, "#cancel", |t| t == "Cancel").await?;
    element(client, "#name").await?.send_keys("half-done").await?;
    // The Back button cannot be stopped, but what was typed is kept as a draft for this
    // tab, and coming back offers it.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    client.back().await?;
    wait_path(client, "/spaces/sandbox").await?;
    element(client, "#new-egresspoint").await?.click().await?;
    wait_text(client, "#draft", |t| t.contains("not saved")).await?;
    browser.screenshot("form-draft-offered").await?;
    element(client, "#draft-restore").await?.click().await?;
    let restored = element(client, "#name").await?.prop("value").await?;
    ensure!(restored.as_deref() == Some("half-done"), "the draft was not restored: {restored:?}");
    wait_text(client, "#cancel", |t| t.contains("discard")).await?;
    browser.screenshot("form-with-changes").await?;
    // A breadcrumb asks first; staying keeps everything typed.
    element(client, "nav.breadcrumbs a[href='/spaces/sandbox']").await?.click().await?;
    let question = client.get_alert_text().await?;
    ensure!(question.contains("has not been saved"), "{question}");
    client.dismiss_alert().await?;
    wait_path(client, "/spaces/sandbox/egresspoints/new").await?;
    let kept = element(client, "#name").await?.prop("value").await?;
    ensure!(kept.as_deref() == Some("half-done"), "{kept:?}");
    // Cancel is the explicit choice: it leaves without asking, nothing was stored, and the
    // draft is gone.
    element(client, "#cancel").await?.click().await?;
    wait_path(client, "/spaces/sandbox").await?;
    ensure!(stored(server, "sandbox", "half-done").await?.is_none());
    element(client, "#new-egresspoint").await?.click().await?;
    element(client, "#name").await?;
    ensure!(client.find_all(Locator::Css("#draft")).await?.is_empty(), "Cancel left the draft");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn leaving_a_form_with_changes_asks_first_and_cancel_discards() -> Result<()> {
    in_browser!(leave_with_changes)
}

/// Visits every page, saves a screenshot of each (names ending in `suffix`) and returns
/// what axe-core reports as serious or critical.
async fn audit_pages(
    client: &Client,
    server: &Server,
    browser: &Browser,
    suffix: &str,
) -> Result<Vec<String>> {
    let pages = [
        ("/", "#spaces", "page-spaces"),
        ("/spaces/storefront", "#rules tbody tr", "page-rules"),
        ("/spaces/storefront/egresspoints", "#egresspoints tbody tr", "page-egresspoints"),
        ("/spaces/storefront/expectations", "#expectations-results tbody tr", "page-expectations"),
        ("/spaces/storefront/egresspoints/new", "input.host", "page-create"),
        ("/spaces/storefront/egresspoints/payment-gateway", "#targets", "page-egresspoint"),
        ("/spaces/storefront/egresspoints/payment-gateway/edit", "input.host", "page-edit"),
        ("/spaces/storefront/workloads/Deployment/checkout", "#effective-egress", "page-workload"),
        ("/spaces/no-such-space", "#unknown-space", "page-unknown-space"),
        ("/no/such/page", "main h1", "page-not-found"),
    ];
    // Expectations kept in this browser, so that their page shows results.
    client.goto(&server.url).await?;
    client
        .execute(
            "localStorage.setItem('egress-console:expectations:storefront', arguments[0]);",
            vec![serde_json::json!("kind: EgressExpectations\nexpect:\n- workload: Deployment/checkout\n  reach: [api.stripe.com:443/HTTPS]\n  notReach: [api.paypal.com:443/HTTPS]\n")],
        )
        .await?;
    let mut problems = Vec::new();
    for (path, ready, shot) in pages {
        client.goto(&format!("{}{path}", server.url)).await?;
        element(client, ready).await?;
        browser.screenshot(&format!("{shot}{suffix}")).await?;
        for violation in axe_violations(client).await? {
            problems.push(format!("{path}: {violation}"));
        }
        // Nothing is wider than the window (on a phone: tables become cards).
        let widths = client
            .execute("return [document.documentElement.scrollWidth, window.innerWidth];", vec![])
            .await?;
        if widths[0].as_u64() > widths[1].as_u64() {
            problems.push(format!(
                "{path}: the page is {} px wide in a {} px window",
                widths[0], widths[1]
            ));
        }
    }
    Ok(problems)
}

async fn every_page_accessible(client: &Client, server: &Server, browser: &Browser) -> Result<()> {
    let problems = audit_pages(client, server, browser, "").await?;
    // The check itself works: an input without a label is reported.
    client
        .execute("document.querySelector('main').append(document.createElement('input'))", vec![])
        .await?;
    let planted = axe_violations(client).await?;
    ensure!(
        planted.iter().any(|v| v.contains("label")),
        "axe-core missed an unlabelled input: {planted:?}"
    );
    ensure!(problems.is_empty(), "axe-core found:\n{}", problems.join("\n"));

    // The workload page answers "can it reach…?" with the EgressPoint that allows it.
    client.goto(&format!("{}/spaces/storefront/workloads/Deployment/checkout", server.url)).await?;
    let effective = element(client, "#effective-egress").await?.text().await?;
    ensure!(
        effective.contains("api.github.com") && effective.contains("api.stripe.com"),
        "{effective}"
    );
    element(client, "#reach-host").await?.send_keys("api.stripe.com").await?;
    element(client, "#reach-ask").await?.click().await?;
    let answer = wait_text(client, "#reach-answer", |t| t.starts_with("Yes")).await?;
    ensure!(answer.contains("payment-gateway"), "{answer}");
    retype(client, "#reach-host", "example.org").await?;
    element(client, "#reach-ask").await?.click().await?;
    wait_text(client, "#reach-answer", |t| t.starts_with("No")).await?;
    browser.screenshot("page-workload-answer").await?;
    // A port that is not one is said here, and nothing is sent.
    retype(client, "#reach-port", "99999").await?;
    wait_text(client, "#reach-port-problem", |t| t.contains("1 to 65535")).await?;
    ensure!(is_disabled(client, "#reach-ask").await?, "Check is enabled with port 99999");
    retype(client, "#reach-port", "8443").await?;
    element(client, "#reach-ask").await?.click().await?;
    wait_text(client, "#reach-answer", |t| t.contains("example.org:8443")).await?;
    // "No" leads to the create form, prefilled with what was asked.
    element(client, "#reach-create").await?.click().await?;
    wait_path(client, "/spaces/storefront/egresspoints/new").await?;
    let host = element(client, "input.host").await?.prop("value").await?;
    let port = element(client, "input.port").await?.prop("value").await?;
    ensure!(
        host.as_deref() == Some("example.org") && port.as_deref() == Some("8443"),
        "{host:?} {port:?}"
    );
    wait_true(
        client,
        "return document.querySelector('#source-ref').value === 'Deployment/checkout';",
        "the workload being chosen",
    )
    .await?;

    // The rules table keeps its filter and sort in the address: a reload shows the same.
    client.goto(&format!("{}/spaces/storefront", server.url)).await?;
    element(client, "#rules tbody tr").await?;
    element(client, "#filter-text").await?.send_keys("stripe").await?;
    element(client, "#filter-protocol").await?.select_by_value("HTTPS").await?;
    wait_true(client, "return location.search.includes('q=stripe') && location.search.includes('protocol=HTTPS');", "the filter in the address").await?;
    client.refresh().await?;
    let kept = element(client, "#filter-text").await?.prop("value").await?;
    ensure!(kept.as_deref() == Some("stripe"), "{kept:?}");
    let rows = wait_text(client, "#rules tbody", |t| t.contains("api.stripe.com")).await?;
    ensure!(!rows.contains("api.github.com"), "the filter was not applied after reload: {rows}");
    // Each row has Edit and Delete; Delete opens the EgressPoint's confirmation at once.
    element(client, "#rules tbody tr .row-actions a.danger").await?.click().await?;
    wait_path(client, "/spaces/storefront/egresspoints/payment-gateway").await?;
    wait_true(
        client,
        "return document.querySelector('#delete-dialog')?.open === true;",
        "the delete dialog opening",
    )
    .await?;
    element(client, "#delete-cancel").await?.click().await?;

    // An unknown Space says so in words, with the way back, and no spinner or picker.
    client.goto(&format!("{}/spaces/no-such-space", server.url)).await?;
    let notice = element(client, "#unknown-space").await?.text().await?;
    ensure!(notice.contains("There is no Space") && !notice.contains("/api/v1"), "{notice}");
    ensure!(
        client.find_all(Locator::Css(".spinner, #workload-picker")).await?.is_empty(),
        "a spinner or the picker is left"
    );

    // Any workload can be chosen, also one no EgressPoint names: it has the Space-wide rules.
    client.goto(&format!("{}/spaces/storefront", server.url)).await?;
    wait_text(client, "#workload-picker", |t| t.contains("search (Deployment)")).await?;
    element(client, "#workload-picker").await?.select_by_value("Deployment/search").await?;
    element(client, "#workload-show").await?.click().await?;
    wait_path(client, "/spaces/storefront/workloads/Deployment/search").await?;
    let egress = wait_text(client, "#effective-egress", |t| t.contains("api.github.com")).await?;
    ensure!(!egress.contains("api.stripe.com"), "{egress}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn every_page_passes_axe_core_and_the_workload_page_answers_reachability() -> Result<()> {
    in_browser!(every_page_accessible)
}

async fn dark_pages_accessible(client: &Client, server: &Server, browser: &Browser) -> Result<()> {
    client.goto(&server.url).await?;
    let dark =
        client.execute("return matchMedia('(prefers-color-scheme: dark)').matches", vec![]).await?;
    ensure!(dark == serde_json::Value::Bool(true), "Chromium did not take the dark scheme");
    let problems = audit_pages(client, server, browser, "-dark").await?;
    ensure!(problems.is_empty(), "axe-core found, in the dark theme:\n{}", problems.join("\n"));
    Ok(())
}

async fn phone_pages_fit(client: &Client, server: &Server, browser: &Browser) -> Result<()> {
    client.set_window_size(390, 844).await?;
    client.goto(&server.url).await?;
    let width = client.execute("return window.innerWidth;", vec![]).await?;
    ensure!(
        width.as_u64().is_some_and(|w| w <= 420),
        "the window is {width} px wide, not a phone's"
    );
    let problems = audit_pages(client, server, browser, "-phone").await?;
    ensure!(problems.is_empty(), "on a 390 px phone:\n{}", problems.join("\n"));
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn every_page_fits_a_390_px_phone() -> Result<()> {
    in_browser!(phone_pages_fit)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_page_passes_axe_core_in_the_dark_theme_too() -> Result<()> {
    let server = Server::start().await?;
    let browser = Browser::start_with(&["--blink-settings=preferredColorScheme=0"]).await?;
    let outcome = dark_pages_accessible(&browser.client, &server, &browser).await;
    browser.finish("dark_pages_accessible", outcome).await
}
