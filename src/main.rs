//! The `quarry` binary: parse the arguments, run the command, turn the
//! result into an exit code (0 hits or success, 1 no hits, 2 error).

use clap::Parser;

use quarry::cli::Cli;
use quarry::output::messages;

fn main() {
    let cli = Cli::parse();
    // tantivy can panic on a damaged index file (a flipped byte in a fast
    // field); that must end as one error line, never a panic dump.
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| quarry::run(cli)));
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
