//! conform: contract-conformance testing for HTTP APIs.
//!
//! The pipeline, one module each, data flowing one way: [`contract`] (suites and schemas, as
//! data) → [`plan`] (cases, with [`generate`]) → [`engine`] (runs them, HTTP through [`http`],
//! [`checks`] on each answer, events to sinks) → [`report`] (one model, many formats) and
//! [`console`] (the live output). [`cli`] is the command line at the edge, [`exit`] decides the
//! exit codes; nothing below `cli` imports it. [`server`] is the embedded reference implementation of the four APIs; it depends on
//! none of the harness, and the harness never imports it: the binary and the tests wire them.
//!
//! The modules that handle what a target sent (or what the operator configured) deny
//! `unwrap` and `expect` outside tests: a hostile answer must end its case, never the run.

pub mod case_kind;
#[cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
pub mod checks;
pub mod cli;
#[cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
pub mod config;
pub mod console;
pub mod contract;
#[cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
pub mod curl;
#[cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
pub mod decode;
#[cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
pub mod engine;
pub mod exit;
pub mod generate;
#[cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
pub mod http;
pub mod intern;
pub mod openapi;
pub mod partition;
pub mod plan;
#[cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
pub mod promise;
#[cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
pub mod rate;
#[cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
pub mod redact;
#[cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
pub mod report;
pub mod server;
#[cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
pub mod strict_json;
#[cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
pub mod template;
