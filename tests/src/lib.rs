//! Workspace-level tests and drivers. Vector and end-to-end tests live in `tests/tests/`; the
//! fault-schedule runner behind `cargo xtask faults` lives in [`faults`], the crash runner behind
//! `cargo xtask crash` in [`crash`].

pub mod crash;
pub mod faults;
