//! Reusable pieces of the UI.

mod diagnostic_list;
mod notice;
mod yaml_block;

pub use diagnostic_list::DiagnosticList;
pub use notice::{FeedBadge, Loading, ProblemNotice};
pub use yaml_block::YamlBlock;
