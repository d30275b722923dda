//! The routes whose code loads on demand. `cargo xtask build` splits the wasm at each
//! `#[lazy_route]` below: the first page (the Spaces and a Space's rules table) loads only the
//! main module, and each other page fetches its chunk the first time it is opened (code two
//! pages share, such as the YAML reader, goes to a chunk both load).
//!
//! `data()` runs in the main module, so it stays trivial: each page reads its route parameters
//! and opens its feeds itself, as before.

use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

/// Declares a lazily loaded route that shows `$page`.
macro_rules! lazy_page {
    ($(#[$doc:meta])* $route:ident => $page:path) => {
        $(#[$doc])*
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page /> }.into_any()
            }
        }
    };
}

lazy_page!(
    /// `/spaces/{space}/egresspoints`.
    EgressPointsRoute => super::space_egresspoints::SpaceEgressPointsPage
);
lazy_page!(
    /// `/spaces/{space}/expectations`.
    ExpectationsRoute => super::space_expectations::SpaceExpectationsPage
);
lazy_page!(
    /// `/spaces/{space}/egresspoints/new`.
    CreateRoute => super::form::CreatePage
);
lazy_page!(
    /// `/spaces/{space}/egresspoints/{name}`.
    EgressPointRoute => super::egress_point::EgressPointPage
);
lazy_page!(
    /// `/spaces/{space}/egresspoints/{name}/edit`.
    EditRoute => super::form::EditPage
);
lazy_page!(
    /// `/spaces/{space}/workloads/{kind}/{name}`.
    WorkloadRoute => super::workload::WorkloadPage
);
