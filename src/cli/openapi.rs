//! The OpenAPI side of the command line: `conform export openapi` and `conform import openapi`.
//!
//! The work is in [`crate::openapi`]; here are the options and what is printed, so that the
//! library never reaches back into the command line.

use std::path::PathBuf;

use crate::exit::Exit;
use crate::openapi::{export, import, read_document};

/// `conform export FORMAT ...`.
#[derive(Debug, clap::Subcommand)]
pub enum ExportCommand {
    /// Write a contract as an OpenAPI 3.1 document (JSON).
    Openapi(ExportArgs),
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The contract to export (its suite name).
    #[arg(long, value_name = "NAME")]
    pub contract: String,
    /// Where the document goes (default: standard output).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Folder holding `suites/` and `schemas/` (default as for `run`).
    #[arg(long, value_name = "DIR")]
    pub contracts: Option<PathBuf>,
    /// Folder of the documents' examples, one subfolder per contract (default:
    /// `tests/examples` under the contracts folder, if present).
    #[arg(long, value_name = "DIR")]
    pub examples: Option<PathBuf>,
}

/// `conform import FORMAT ...`.
#[derive(Debug, clap::Subcommand)]
pub enum ImportCommand {
    /// Create `schemas/NAME/*.json` and `suites/NAME.toml` from an OpenAPI 3.0/3.1 or Swagger 2.0 document
    /// (YAML or JSON; `$ref`s to other files are bundled).
    Openapi(ImportArgs),
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The OpenAPI document (YAML or JSON).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Name of the new contract (lower-case letters, digits, '-', '_').
    #[arg(long, value_name = "NAME")]
    pub name: String,
    /// Folder that gets `suites/` and `schemas/` (default: the current folder).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out: PathBuf,
}

/// Runs `conform export ...` (the binary's edge: errors are reported by the caller, exit 2).
pub fn export_command(cmd: ExportCommand) -> anyhow::Result<Exit> {
    use anyhow::Context;
    let ExportCommand::Openapi(args) = cmd;
    let dir = super::contracts_dir(args.contracts.as_deref());
    let contracts = crate::contract::load_dir(&dir)
        .with_context(|| format!("failed to load contracts from {}", dir.display()))?;
    let contract = contracts
        .iter()
        .find(|c| c.name() == args.contract)
        .with_context(|| {
            let known: Vec<&str> = contracts.iter().map(|c| c.name()).collect();
            format!(
                "no contract named `{}` (known: {})",
                args.contract,
                known.join(", ")
            )
        })?;
    let examples = args
        .examples
        .unwrap_or_else(|| dir.join("tests").join("examples"))
        .join(contract.name());
    let doc = export(contract, Some(&examples))?;
    let mut text = serde_json::to_string_pretty(&doc)?;
    text.push('\n');
    match &args.output {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("failed to write {}", path.display()))?,
        None => print!("{text}"),
    }
    Ok(Exit::Held)
}

/// Runs `conform import ...`: prints what was written and what was left out.
pub fn import_command(cmd: ImportCommand) -> anyhow::Result<Exit> {
    let ImportCommand::Openapi(args) = cmd;
    let doc = read_document(&args.file)?;
    let imported = import(&doc.value, &doc.source, &args.name, &args.out)?;
    for note in &doc.notes {
        println!("note: {note}");
    }
    for path in &imported.schemas {
        println!("wrote {}", path.display());
    }
    println!("wrote {}", imported.suite.display());
    for note in &imported.notes {
        println!("note: {note}");
    }
    println!(
        "next: add a [{}] table with base_url and the suite's [variables] to your config, then \
         `conform run --config FILE`",
        args.name
    );
    Ok(Exit::Held)
}
