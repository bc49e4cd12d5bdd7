//! Opaque handles: which Rust type sits behind each C pointer, and how it is owned.
//!
//! Every handle is a `Box` handed to C by `_new` and taken back by `_free`; calls borrow it.

/// A type handed to C as an opaque, Box-owned pointer.
pub(crate) trait Handle: Sized {
    /// Moves `self` to the heap and hands ownership to C.
    fn into_raw(self) -> *mut Self {
        Box::into_raw(Box::new(self))
    }

    /// Borrows the handle for the duration of a call; `None` for NULL.
    ///
    /// # Safety
    /// `p` is NULL or a live pointer from [`Handle::into_raw`].
    unsafe fn borrow<'a>(p: *const Self) -> Option<&'a Self> {
        // SAFETY: by the caller's contract.
        unsafe { p.as_ref() }
    }

    /// Takes ownership back and drops the value; NULL is a no-op.
    ///
    /// # Safety
    /// `p` is NULL or a live pointer from [`Handle::into_raw`], not used afterwards.
    unsafe fn free(p: *mut Self) {
        if !p.is_null() {
            // SAFETY: by the caller's contract, `p` came from `Box::into_raw`.
            drop(unsafe { Box::from_raw(p) });
        }
    }
}

/// Writes an output pointer. Called only on success, so outputs are written only with CLOUDHALT_OK.
///
/// # Safety
/// `out` is NULL (the caller did not want the value, which is then dropped) or valid for writes.
pub(crate) unsafe fn write_out<T: Handle>(out: *mut *mut T, value: T) {
    if !out.is_null() {
        // SAFETY: valid for writes by contract.
        unsafe { *out = value.into_raw() };
    }
}
