//! The OpenAPI side of the command line: `conform export openapi` and `conform import openapi`.
//!
//! The work is in [`crate::openapi`]; here are the options and what is printed, so that the
//! library never reaches back into the command line.

use std::path::PathBuf;

use crate::exit::Exit;
use crate::openapi::{export, import, read_document, DirectOptions};

/// `conform run --openapi FILE ...`: a team's own document run directly.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct DirectArgs {
    /// Run an OpenAPI document (3.0, 3.1 or Swagger 2.0; YAML or JSON) instead of the
    /// contracts folder: imported in memory, nothing written.
    #[arg(long, value_name = "FILE")]
    pub openapi: Option<PathBuf>,
    /// The target's base URL for --openapi (a path of the document's first `servers` entry is
    /// appended when the URL has none).
    #[arg(long, value_name = "URL", requires = "openapi")]
    pub base_url: Option<String>,
    /// A header sent on every request, `Name: value` (repeatable); a credential the
    /// document's security scheme describes is used as that scheme's credential.
    #[arg(
        short = 'H',
        long = "header",
        value_name = "'NAME: VALUE'",
        requires = "openapi"
    )]
    pub headers: Vec<String>,
    /// A variable of the imported contract, `name=value` (a string) or `name:=JSON`
    /// (repeatable); `conform list --openapi FILE` shows which the cases read.
    #[arg(long = "var", value_name = "NAME=VALUE", requires = "openapi")]
    pub vars: Vec<String>,
    /// Name of the imported contract (default: from the file name).
    #[arg(long = "name", value_name = "NAME", requires = "openapi")]
    pub name: Option<String>,
}

impl DirectArgs {
    /// What the command line said, for [`crate::openapi::prepare_direct`].
    pub fn options(&self) -> DirectOptions {
        DirectOptions {
            openapi: self.openapi.clone(),
            base_url: self.base_url.clone(),
            headers: self.headers.clone(),
            vars: self.vars.clone(),
            name: self.name.clone(),
        }
    }
}

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
