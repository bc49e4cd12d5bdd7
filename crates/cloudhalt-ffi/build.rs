//! Gives libcloudhalt.so its SONAME: `libcloudhalt.so.0` is the ABI epoch (see the header).

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" || os == "android" || os.ends_with("bsd") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libcloudhalt.so.0");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
