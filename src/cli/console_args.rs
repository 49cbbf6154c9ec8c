//! libtest's options on `conform run`, with conform's `--format`: parsed here, handed to the
//! console as a plain [`Selection`] and [`Format`].

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};

use crate::console::{Format, Selection};

/// libtest's options, with conform's `--format`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ConsoleArgs {
    /// Only cases whose `[kind] id` contains this (with --exact: is this, or the id is).
    #[arg(value_name = "FILTER")]
    pub filter: Option<String>,
    /// FILTER and --skip match whole names, not parts.
    #[arg(long)]
    pub exact: bool,
    /// Leave out cases whose `[kind] id` contains this (repeatable).
    #[arg(long, value_name = "FILTER")]
    pub skip: Vec<String>,
    /// List the cases (`[kind] id: test`) instead of running them.
    #[arg(long)]
    pub list: bool,
    /// Cases in flight at once (the same as --concurrency).
    #[arg(long, value_name = "N", value_parser = super::at_least_one)]
    pub test_threads: Option<usize>,
    /// Output: libtest (one line per case), terse (one character per case) or json (events).
    #[arg(long, value_parser = format_parser(), value_name = "libtest|terse|json")]
    pub format: Option<Format>,
    /// The same as --format terse.
    #[arg(short, long)]
    pub quiet: bool,
    /// Accepted for libtest compatibility: conform cases are never ignored ahead of the run.
    #[arg(long, hide = true)]
    pub ignored: bool,
    /// Accepted for libtest compatibility (no effect).
    #[arg(long, hide = true)]
    pub include_ignored: bool,
    /// Accepted for libtest compatibility (no effect: cases print nothing of their own).
    #[arg(long, hide = true)]
    pub nocapture: bool,
    /// Accepted for libtest compatibility (no effect).
    #[arg(long, hide = true)]
    pub show_output: bool,
}

impl ConsoleArgs {
    /// The format asked for: `-q` is terse.
    pub fn format(&self) -> Format {
        match self.format {
            Some(f) => f,
            None if self.quiet => Format::Terse,
            None => Format::Libtest,
        }
    }

    /// The cases FILTER, `--exact` and `--skip` choose.
    pub fn selection(&self) -> Selection {
        Selection {
            filter: self.filter.clone(),
            exact: self.exact,
            skip: self.skip.clone(),
        }
    }
}

/// `--format`'s names, each with what it shows.
fn format_parser() -> impl TypedValueParser<Value = Format> {
    PossibleValuesParser::new([
        PossibleValue::new("libtest")
            .alias("pretty")
            .help("One line per case, as `cargo test` prints (the default)"),
        PossibleValue::new("terse").help("One character per case"),
        PossibleValue::new("json").help("JSON events, one per line, as they happen"),
    ])
    .try_map(|name| Format::from_name(&name).ok_or(format!("no console format {name:?}")))
}
