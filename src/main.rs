//! The `quarry` binary: parse the arguments, run the command, turn the
//! result into an exit code (0 hits or success, 1 no hits, 2 error).

use clap::{CommandFactory, FromArgMatches};

use quarry::cli::Cli;
use quarry::output::messages;

fn main() {
    // The PDF extractor's child process (`quarry __extract-pdf MEMORY`) is
    // not a command users see, so it stays out of clap (and completions).
    let mut args = std::env::args();
    if args.nth(1).as_deref() == Some(quarry::corpus::pdf::CHILD_COMMAND) {
        let memory = args.next().and_then(|m| m.parse().ok());
        std::process::exit(quarry::corpus::pdf::child_main(memory));
    }
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let code = match quarry::run(cli, Some(&matches)) {
        Ok(code) => code,
        Err(err) => {
            messages::error(&err.to_string());
            err.exit_code()
        }
    };
    std::process::exit(code);
}
