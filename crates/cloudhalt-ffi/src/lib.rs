//! The cloudhalt C ABI (work in progress).
