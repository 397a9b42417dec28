//! Integration tests: the real `quarry` binary run on small corpora written
//! into temporary directories.

mod harness;

mod eval;
mod filters;
mod formats;
mod highlight;
mod incremental;
mod index;
mod json;
mod output;
mod replay;
mod search;
mod trust;
mod ux;
mod watch;
