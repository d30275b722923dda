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

/// What each caller may do is asked of the Space API with that caller's own token, and the
/// answers are those the Space API then enforces.
#[tokio::test]
async fn access_and_whoami_are_answered_with_each_callers_own_credentials() {
    let files = tempfile::tempdir().unwrap();
    let tokens = files.path().join("tokens.csv");
    std::fs::write(&tokens, "reader-token,reader,1\neditor-token,editor,2,\"editors\"\n").unwrap();
    let policy = files.path().join("policy.jsonl");
    std::fs::write(
        &policy,
        r#"{"apiVersion":"abac.authorization.kubernetes.io/v1beta1","kind":"Policy","spec":{"user":"reader","namespace":"team-a","resource":"*","apiGroup":"*","readonly":true}}
{"apiVersion":"abac.authorization.kubernetes.io/v1beta1","kind":"Policy","spec":{"group":"editors","namespace":"*","resource":"*","apiGroup":"*"}}
"#,
    )
    .unwrap();
    let auth = egress_apiserver::auth::Auth::from_files(Some(&tokens), Some(&policy)).unwrap();
    let data = tempfile::tempdir().unwrap();
    let api = SpaceApi::open(data.path(), Options { auth, ..Options::default() }).unwrap();
    api.ensure_namespace("team-a").unwrap();
    let catalog = Catalog::new(Some(api.router()), Vec::new());
    let reader = Caller { token: Some("reader-token".into()) };
    let editor = Caller { token: Some("editor-token".into()) };

    let space = catalog.get("team-a", &reader).await.unwrap();
    let access = catalog.access(&space).await.unwrap();
    assert!(access.list && access.get && access.watch, "{access:?}");
    assert!(!access.create && !access.update && !access.delete, "{access:?}");
    assert_eq!(access.summary(), "read only");
    let space = catalog.get("team-a", &editor).await.unwrap();
    assert_eq!(catalog.access(&space).await.unwrap().summary(), "can edit");

    let who = catalog.whoami(&editor).await.unwrap();
    assert_eq!(who.username, "editor");
    assert!(who.groups.contains(&"editors".to_owned()), "{who:?}");
}
