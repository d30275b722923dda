//! Token mode: every bearer string is a caller, so what the console remembers per caller
//! must stay bounded however many made-up tokens arrive.

use egress_apiserver::{Options, SpaceApi};
use egress_console::spaces::{Caller, Catalog, REACH_ENTRIES};

#[tokio::test]
async fn thousands_of_made_up_tokens_leave_a_bounded_cache() {
    let data = tempfile::tempdir().unwrap();
    let api = SpaceApi::open(data.path(), Options::default()).unwrap();
    for namespace in ["team-a", "team-b"] {
        api.ensure_namespace(namespace).unwrap();
    }
    let catalog = Catalog::new(Some(api.router()), Vec::new());
    // Three Spaces (default, team-a, team-b) per token: 7,500 answers without a bound.
    for i in 0..2_500 {
        let caller = Caller { token: Some(format!("made-up-token-{i}")) };
        let spaces = catalog.infos(&caller).await.unwrap();
        assert_eq!(spaces.len(), 3);
        assert!(catalog.cached_answers() <= REACH_ENTRIES, "{} answers", catalog.cached_answers());
    }
    assert!(catalog.cached_answers() > 0);
    // A caller asking again within the time to live is answered from the cache.
    let caller = Caller { token: Some("made-up-token-2499".into()) };
    let before = catalog.cached_answers();
    catalog.infos(&caller).await.unwrap();
    assert_eq!(catalog.cached_answers(), before);
}
