//! The `quarry` binary: parse the arguments, run the command, turn the
//! result into an exit code (0 hits or success, 1 no hits, 2 error).

use clap::{CommandFactory, FromArgMatches};

use quarry::cli::Cli;
use quarry::output::messages;

fn main() {
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
