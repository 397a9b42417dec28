//! Replays the saved fuzzing corpus through the pure front ends.
