//! The app's pages.

mod target_check;

pub use target_check::TargetCheck;
