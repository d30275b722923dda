//! What a caller may do in a Space, asked of the Space's Kubernetes API with the caller's
//! own credentials (SelfSubjectAccessReview, one per verb, all at once), and who the caller
//! is (SelfSubjectReview). Works the same on a real cluster and on the embedded Space API.
//! Answers are cached briefly per Space and caller.

use super::{Caller, Catalog, CatalogError, CatalogResult, Space};
use egress_api::{Access, Whoami};
use k8s_openapi::api::authentication::v1::SelfSubjectReview;
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use kube::api::{Api, PostParams};
use std::time::{Duration, Instant};

/// How long an access answer is reused.
pub const ACCESS_TTL: Duration = Duration::from_secs(10);

/// The verbs asked about EgressPoints, in `Access`'s field order.
const VERBS: [&str; 7] = ["list", "watch", "get", "create", "update", "patch", "delete"];

async fn may(
    client: &kube::Client,
    namespace: &str,
    verb: &str,
    group: &str,
    resource: &str,
) -> Result<bool, kube::Error> {
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                namespace: Some(namespace.to_owned()),
                verb: Some(verb.to_owned()),
                group: Some(group.to_owned()),
                resource: Some(resource.to_owned()),
                ..ResourceAttributes::default()
            }),
            ..SelfSubjectAccessReviewSpec::default()
        },
        ..SelfSubjectAccessReview::default()
    };
    let answer = Api::<SelfSubjectAccessReview>::all(client.clone())
        .create(&PostParams::default(), &review)
        .await?;
    Ok(answer.status.is_some_and(|s| s.allowed))
}

impl Catalog {
    /// What the caller of `space` may do there (cached for [`ACCESS_TTL`]).
    pub async fn access(&self, space: &Space) -> CatalogResult<Access> {
        let key = (space.name.clone(), space.caller.clone());
        if let Some((at, access)) = self.access.lock().unwrap_or_else(|e| e.into_inner()).get(&key)
            && at.elapsed() < ACCESS_TTL
        {
            return Ok(access.clone());
        }
        let group = egress_rules::GROUP;
        let client = &space.client;
        let namespace = space.namespace.as_str();
        let mut asks: Vec<_> =
            VERBS.iter().map(|verb| may(client, namespace, verb, group, "egresspoints")).collect();
        asks.push(may(client, namespace, "list", "apps", "deployments"));
        asks.push(may(client, namespace, "list", "apps.tanzu.vmware.com", "containerapps"));
        let answers: Vec<bool> = futures_util::future::join_all(asks)
            .await
            .into_iter()
            .collect::<Result<_, _>>()
            .map_err(|source| CatalogError::Kubernetes { space: space.name.clone(), source })?;
        let access = Access {
            space: space.name.clone(),
            list: answers[0],
            watch: answers[1],
            get: answers[2],
            create: answers[3],
            update: answers[4],
            patch: answers[5],
            delete: answers[6],
            read_deployments: answers[7],
            read_container_apps: answers[8],
        };
        let mut cache = self.access.lock().unwrap_or_else(|e| e.into_inner());
        // Bounded like the reachability cache: every bearer string is a caller.
        if cache.len() >= super::REACH_ENTRIES {
            cache.retain(|_, (at, _)| at.elapsed() < ACCESS_TTL);
            if cache.len() >= super::REACH_ENTRIES {
                cache.clear();
            }
        }
        cache.insert(key, (Instant::now(), access.clone()));
        Ok(access)
    }

    /// Who the caller is, asked of the first Space's cluster.
    pub async fn whoami(&self, caller: &Caller) -> CatalogResult<Whoami> {
        let spaces = self.spaces(caller).await?;
        let Some(space) = spaces.first() else {
            return Ok(Whoami { username: String::new(), groups: Vec::new() });
        };
        let review = Api::<SelfSubjectReview>::all(space.client.clone())
            .create(&PostParams::default(), &SelfSubjectReview::default())
            .await
            .map_err(|source| CatalogError::Kubernetes { space: space.name.clone(), source })?;
        let user = review.status.and_then(|s| s.user_info).unwrap_or_default();
        Ok(Whoami {
            username: user.username.unwrap_or_default(),
            groups: user.groups.unwrap_or_default(),
        })
    }
}
