//! The `quarry` binary: parse the arguments, run the command, turn the
//! result into an exit code (0 hits or success, 1 no hits, 2 error).

use clap::Parser;

use quarry::cli::Cli;
use quarry::output::messages;

fn main() {
    let cli = Cli::parse();
    let code = match quarry::run(cli) {
        Ok(code) => code,
        Err(err) => {
            messages::error(&err.to_string());
            err.exit_code()
        }
    };
    std::process::exit(code);
}
