//! The cloudhalt emulator (work in progress).
