//! The `quarry` binary: parse the arguments, run the command, turn the
//! result into an exit code (0 hits or success, 1 no hits, 2 usage or
//! query error, 3 busy, 4 damaged, 5 index I/O; see the README).

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
    // tantivy can panic on a damaged index file (a flipped byte in a fast
    // field); that must end as one error line, never a panic dump.
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        quarry::run(cli, Some(&matches))
    }));
    let code = match outcome {
        Ok(Ok(code)) => code,
        Ok(Err(err)) => {
            messages::error(&err.to_string());
            err.exit_code()
        }
        Err(panic) => {
            messages::error(&format!(
                "index is damaged (reading it failed: {}): run 'quarry verify' to see where, then 'quarry index --rebuild'",
                quarry::error::panic_message(&panic)
            ));
            quarry::error::EXIT_DAMAGED
        }
    };
    std::process::exit(code);
}
