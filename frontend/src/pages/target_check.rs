//! One egress target (host, port, protocol) checked on every keystroke, with the YAML that
//! kubectl would apply.

use crate::components::DiagnosticList;
use egress_rules::{Diagnostic, EgressPoint, Protocol, has_errors, path, to_yaml, validate};
use leptos::prelude::*;

/// The target form.
#[component]
pub fn TargetCheck() -> impl IntoView {
    let name = RwSignal::new("example-egress".to_owned());
    let host = RwSignal::new(String::new());
    let port = RwSignal::new("443".to_owned());
    let protocol = RwSignal::new(Protocol::Https.as_str().to_owned());
    let host_touched = RwSignal::new(false);

    let egress_point = Memo::new(move |_| {
        let number = port.with(|p| p.trim().parse::<i64>().ok());
        let hosts = host.with(|h| [h.as_str()].map(str::to_owned));
        let mut ep = EgressPoint::new(name.get());
        ep = ep.with_target(&hosts.iter().map(String::as_str).collect::<Vec<_>>(), 0, "");
        ep.spec.targets[0].port.number = number;
        ep.spec.targets[0].port.protocol = protocol.get();
        ep
    });
    let diagnostics = Memo::new(move |_| egress_point.with(validate));
    let at = move |field: String| {
        Signal::derive(move || {
            diagnostics.with(|all| {
                all.iter().filter(|d| d.path == field).cloned().collect::<Vec<Diagnostic>>()
            })
        })
    };
    let host_diagnostics = {
        let all = at(path::host(0, 0));
        Signal::derive(move || if host_touched.get() { all.get() } else { Vec::new() })
    };
    let name_diagnostics = at("metadata.name".to_owned());
    let port_diagnostics = at(path::port_number(0));
    let protocol_diagnostics = at(path::protocol(0));
    let invalid = |s: Signal<Vec<Diagnostic>>| move || has_errors(&s.get()).to_string();
    let verdict = move || {
        if !host_touched.get() {
            return ("idle", "Type a host to check it.".to_owned());
        }
        if diagnostics.with(|d| has_errors(d)) {
            ("invalid", "The platform would reject this target.".to_owned())
        } else {
            let ep = egress_point.get();
            let t = &ep.spec.targets[0];
            let number = t.port.number.unwrap_or_default();
            (
                "valid",
                format!("{}:{} over {} is a valid target.", t.hosts[0], number, t.port.protocol),
            )
        }
    };

    view! {
        <section class="card" aria-labelledby="check-title">
            <h1 id="check-title">"Check an egress target"</h1>
            <p class="lede">
                "Every keystroke is checked with the same rules the platform applies to EgressPoints."
            </p>
            <form class="target-form" on:submit=|ev| ev.prevent_default()>
                <div class="field">
                    <label for="name">"Name"</label>
                    <input id="name" name="name" autocomplete="off" spellcheck="false"
                        aria-describedby="name-diagnostics"
                        aria-invalid=invalid(name_diagnostics)
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev)) />
                    <DiagnosticList id="name-diagnostics" items=name_diagnostics />
                </div>
                <div class="field">
                    <label for="host">"Host"</label>
                    <input id="host" name="host" autocomplete="off" spellcheck="false"
                        placeholder="www.example.com or 11.22.33.44"
                        aria-describedby="host-diagnostics"
                        aria-invalid=invalid(host_diagnostics)
                        prop:value=move || host.get()
                        on:input=move |ev| {
                            host_touched.set(true);
                            host.set(event_target_value(&ev));
                        } />
                    <DiagnosticList id="host-diagnostics" items=host_diagnostics />
                </div>
                <div class="row">
                    <div class="field">
                        <label for="port">"Port"</label>
                        <input id="port" name="port" inputmode="numeric"
                            aria-describedby="port-diagnostics"
                            aria-invalid=invalid(port_diagnostics)
                            prop:value=move || port.get()
                            on:input=move |ev| port.set(event_target_value(&ev)) />
                        <DiagnosticList id="port-diagnostics" items=port_diagnostics />
                    </div>
                    <div class="field">
                        <label for="protocol">"Protocol"</label>
                        <select id="protocol" name="protocol"
                            aria-describedby="protocol-diagnostics"
                            prop:value=move || protocol.get()
                            on:change=move |ev| protocol.set(event_target_value(&ev))>
                            {Protocol::ALL
                                .map(|p| view! { <option value=p.as_str()>{p.as_str()}</option> })
                                .collect_view()}
                        </select>
                        <DiagnosticList id="protocol-diagnostics" items=protocol_diagnostics />
                    </div>
                </div>
            </form>
            <p id="verdict" class=move || format!("verdict {}", verdict().0) role="status">
                {move || verdict().1}
            </p>
        </section>
        <section class="card" aria-labelledby="yaml-title">
            <h2 id="yaml-title">"YAML"</h2>
            <pre class="yaml"><code id="yaml">{move || egress_point.with(to_yaml)}</code></pre>
        </section>
    }
}
