//! The exported folder as files: what it declares ([`scan`]) and the
//! span-exact edits the generator makes to it ([`edit`]).

pub mod edit;
pub mod scan;

pub use scan::{Folder, ImportDecl, ResourceDecl};
