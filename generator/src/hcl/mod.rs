//! HCL as the generator writes it: a small value tree ([`Hv`]), text that
//! `terraform fmt` leaves unchanged ([`write`], [`align`]), and the reading
//! back of what a person may have written ([`eval`]).

pub mod align;
pub mod eval;
mod value;
pub mod write;

pub use value::{is_identifier, Hv};
