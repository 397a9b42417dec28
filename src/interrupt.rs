//! SIGINT and SIGTERM during a long run: the first one asks the run to
//! stop after the current file (it then commits and reports); a second
//! SIGINT or SIGTERM exits at once, without committing.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::flag;

use crate::error::{EXIT_SIGINT, EXIT_SIGTERM};

/// The stop request of a run.
pub struct Interrupt {
    stop: Arc<AtomicBool>,
    signal: Arc<AtomicUsize>,
}

impl Interrupt {
    /// Installs the handlers. If they cannot be installed the run simply
    /// cannot be stopped gracefully (signals keep their default action).
    pub fn install() -> Interrupt {
        let stop = Arc::new(AtomicBool::new(false));
        let signal = Arc::new(AtomicUsize::new(0));
        for (sig, code) in [(SIGINT, EXIT_SIGINT), (SIGTERM, EXIT_SIGTERM)] {
            // Registered first, so it sees the flag set by an earlier signal.
            let _ = flag::register_conditional_shutdown(sig, code, Arc::clone(&stop));
            let _ = flag::register(sig, Arc::clone(&stop));
            let _ = flag::register_usize(sig, Arc::clone(&signal), sig as usize);
        }
        Interrupt { stop, signal }
    }

    /// Set once a stop was requested.
    pub fn flag(&self) -> &AtomicBool {
        &self.stop
    }

    /// The exit code for the signal that stopped the run, if one did.
    pub fn exit_code(&self) -> Option<i32> {
        match self.signal.load(Ordering::SeqCst) {
            0 => None,
            s if s == SIGTERM as usize => Some(EXIT_SIGTERM),
            _ => Some(EXIT_SIGINT),
        }
    }
}
