//! The cloudhalt Python module (work in progress).
