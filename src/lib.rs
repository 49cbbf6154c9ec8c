//! conform: contract-conformance testing for HTTP APIs.
//!
//! The pipeline, one module each: [`contract`] (suites and schemas, as data) → [`plan`] (cases) →
//! [`runner`] (HTTP through [`http`], [`checks`] on each response) → [`report`] (one model, many
//! formats). [`server`] is the embedded reference implementation of the four APIs; it depends on
//! none of the harness, and the harness never imports it: the binary and the tests wire them.

pub mod checks;
pub mod cli;
pub mod config;
pub mod contract;
pub mod curl;
pub mod decode;
pub mod generate;
pub mod http;
pub mod partition;
pub mod plan;
pub mod promise;
pub mod rate;
pub mod redact;
pub mod regress;
pub mod report;
pub mod reporting;
pub mod runner;
pub mod server;
pub mod strict_json;
pub mod template;
