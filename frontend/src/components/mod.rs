//! Reusable pieces of the UI.

mod access;
mod diagnostic_list;
mod diff;
mod flash;
mod leave_guard;
mod notice;
mod upload;
mod yaml_block;

pub use access::{AccessNote, ActionLink, SpaceAccess};
pub use diagnostic_list::{ApplyFix, DiagnosticList, DiagnosticSummary};
pub use diff::LineDiff;
pub use flash::{Flash, FlashBar, provide_flashes, use_flashes};
pub use leave_guard::guard_unsaved;
pub use notice::{FeedBadge, Loading, Phase, ProblemNotice};
pub use upload::read_chosen_file;
pub use yaml_block::YamlBlock;
