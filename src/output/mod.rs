//! Printers, generic over the writer so that tests render into memory:
//! search hits (human with colour, JSON Lines), the reports of `index` and
//! `status`. Also the only writers of stderr ([`messages`], [`progress`]).

pub mod human;
pub mod json;
pub mod messages;
pub mod progress;
pub mod sanitize;
pub mod summary;

pub use human::Styles;
