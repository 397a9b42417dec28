//! Printers, generic over the writer so that tests render into memory:
//! human (colour or plain) and JSON Lines. Also the only writer of stderr
//! ([`messages`]).

pub mod human;
pub mod json;
pub mod messages;
pub mod sanitize;

pub use human::Styles;
