//! The `conform` binary: everything lives in the library (`conform::cli`).

fn main() -> std::process::ExitCode {
    conform::cli::main()
}
