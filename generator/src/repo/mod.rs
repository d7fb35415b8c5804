//! The exported folder as files: what it declares ([`scan`]), what
//! Terraform's local state beside it manages ([`state`]), and the
//! span-exact edits the generator makes to it ([`edit`]).

pub mod at_rev;
pub mod check;
pub mod edit;
pub mod inside;
pub mod scan;
pub mod state;

pub use scan::{Folder, ImportDecl, ResourceDecl};
