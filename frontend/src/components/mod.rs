//! Reusable pieces of the UI.

mod diagnostic_list;

pub use diagnostic_list::DiagnosticList;
