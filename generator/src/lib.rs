//! `segment-gitops`: a workspace as HCL in Git, kept in step with it.
//!
//! - [`inventory`] lists what the workspace holds; [`desired`] reads each
//!   object through the provider's own import path (`segment-resources`).
//! - [`reconcile`] matches objects to what the folder declares ([`repo`])
//!   and produces file edits; [`hcl`] writes and reads the HCL.
//! - [`session`] runs export, sync and drift over a [`git::Repo`].
//! - [`check`] reviews a Terraform plan for a pull request.
//!
//! The demo and the benchmarks, which also link the server and the plugin
//! shell, are `segment-demo`'s.

pub mod base;
pub mod check;
pub mod cli;
pub mod deletion;
pub mod desired;
pub mod dry_run;
pub mod files;
pub mod git;
pub mod hcl;
pub mod head_cache;
pub mod inventory;
pub mod kinds;
pub mod naming;
pub mod poll;
pub mod progress;
pub mod reconcile;
pub mod rehearse;
pub mod repo;
pub mod requests;
pub mod session;
pub mod sync;
pub mod unwritten;
pub mod watch;
