//! What both servers (`egress-console serve` and the standalone Space API) put between the
//! network and their routes, so that every entry point gets the same defences:
//! - [`guard`]: one check per request before any work (Host, cross-origin writes, media
//!   types, announced body size);
//! - [`serve`]: the connection loop with header-read, idle and shutdown limits;
//! - [`cpu`]: a bounded pool for parsing and checking bodies off the async workers;
//! - [`headers`]: security headers for API responses;
//! - [`trace`]: request spans that never carry a query string (tokens).

pub mod cpu;
pub mod guard;
pub mod headers;
pub mod serve;
pub mod tls;
pub mod trace;

pub use guard::{AllowedHosts, Guard, Refusal};
