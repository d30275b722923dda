//! The catalog's one error type. It says what went wrong in the catalog's terms; the REST
//! API turns it into a problem+json answer (`api/error.rs`), so this module knows nothing
//! of HTTP answers.

/// Why the catalog could not give a Space (or list them).
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// No Space of that name, for this caller.
    #[error("there is no Space \"{0}\"")]
    UnknownSpace(String),
    /// The caller's token cannot be sent in an `Authorization` header.
    #[error("the token has characters a header cannot carry")]
    UnusableToken,
    /// A Kubernetes client could not be built from the Space's configuration.
    #[error("cannot build a client for Space \"{space}\": {source}")]
    Client {
        /// The Space (or `<namespaces N>` for a namespace source).
        space: String,
        /// What kube-rs said.
        source: kube::Error,
    },
    /// A call to the Space's Kubernetes API failed.
    #[error("the Kubernetes API of Space \"{space}\" failed: {source}")]
    Kubernetes {
        /// The Space (or `namespaces` when listing a source's namespaces).
        space: String,
        /// What kube-rs said, with the API's Status when there is one.
        source: kube::Error,
    },
    /// The Space's Kubernetes API did not answer in time.
    #[error("the Kubernetes API of Space \"{space}\" did not answer within {seconds} s")]
    Timeout {
        /// The Space.
        space: String,
        /// How long it was given.
        seconds: u64,
    },
}

/// The catalog's result type.
pub type CatalogResult<T> = Result<T, CatalogError>;
