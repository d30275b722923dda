//! Reusable pieces of the UI.

mod diagnostic_list;
mod diff;
mod notice;
mod yaml_block;

pub use diagnostic_list::{DiagnosticList, DiagnosticSummary};
pub use diff::LineDiff;
pub use notice::{FeedBadge, Loading, Phase, ProblemNotice};
pub use yaml_block::YamlBlock;
