//! The committed header is exactly what cbindgen generates, its version macros match Cargo.toml,
//! and every export runs inside the panic boundary.
//!
//! Regenerate the header with `CLOUDHALT_BLESS=1 cargo test -p cloudhalt-ffi --test header`.

use std::path::{Path, PathBuf};

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn header_path() -> PathBuf {
    crate_dir().join("../../include/cloudhalt.h")
}

fn version_part(name: &str) -> u32 {
    match name {
        "MAJOR" => env!("CARGO_PKG_VERSION_MAJOR"),
        "MINOR" => env!("CARGO_PKG_VERSION_MINOR"),
        _ => env!("CARGO_PKG_VERSION_PATCH"),
    }
    .parse()
    .unwrap()
}

/// `(MAJOR << 16) | (MINOR << 8) | PATCH`, computed here rather than kept by hand.
fn version_number() -> u32 {
    (version_part("MAJOR") << 16) | (version_part("MINOR") << 8) | version_part("PATCH")
}

/// What cbindgen writes after the includes: the version macros, CLOUDHALT_DEPRECATED and the
/// aliases of renamed values.
fn preamble() -> String {
    format!(
        "\n/* The version of this header, from Cargo.toml. cloudhalt_version() returns the library's. */\n\
         #define CLOUDHALT_VERSION \"{}\"\n\
         #define CLOUDHALT_VERSION_MAJOR {}\n\
         #define CLOUDHALT_VERSION_MINOR {}\n\
         #define CLOUDHALT_VERSION_PATCH {}\n\
         /* (MAJOR << 16) | (MINOR << 8) | PATCH, for #if comparisons. */\n\
         #define CLOUDHALT_VERSION_NUMBER {}\n\
         \n\
         /* Marks a function that will go away in the next ABI epoch, saying what to use instead. */\n\
         #if defined(__GNUC__) || defined(__clang__)\n\
         #define CLOUDHALT_DEPRECATED(why) __attribute__((deprecated(why)))\n\
         #elif defined(_MSC_VER)\n\
         #define CLOUDHALT_DEPRECATED(why) __declspec(deprecated(why))\n\
         #else\n\
         #define CLOUDHALT_DEPRECATED(why)\n\
         #endif\n\
         \n\
         /* The original spelling of CLOUDHALT_STATE_CONFLICT (kind state_conflict): the same value. */\n\
         #define CLOUDHALT_CONFLICT CLOUDHALT_STATE_CONFLICT",
        env!("CARGO_PKG_VERSION"),
        version_part("MAJOR"),
        version_part("MINOR"),
        version_part("PATCH"),
        version_number(),
    )
}

fn generate() -> String {
    let dir = crate_dir();
    let mut config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).unwrap();
    config.after_includes = Some(preamble());
    let bindings = cbindgen::Builder::new()
        .with_crate(&dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header");
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).unwrap()
}

#[test]
fn committed_header_matches_cbindgen() {
    let generated = generate();
    let path = header_path();
    if std::env::var_os("CLOUDHALT_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/cloudhalt.h differs from what cbindgen generates from the source: regenerate it \
         with `CLOUDHALT_BLESS=1 cargo test -p cloudhalt-ffi --test header` and commit it"
    );
}

fn header_define(header: &str, name: &str) -> String {
    let prefix = format!("#define {name} ");
    header
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("{name} missing from the header"))
        .trim()
        .to_owned()
}

#[test]
fn header_version_macros_match_cargo() {
    let header = std::fs::read_to_string(header_path()).unwrap();
    assert_eq!(
        header_define(&header, "CLOUDHALT_VERSION"),
        format!("\"{}\"", env!("CARGO_PKG_VERSION"))
    );
    for part in ["MAJOR", "MINOR", "PATCH"] {
        assert_eq!(
            header_define(&header, &format!("CLOUDHALT_VERSION_{part}")),
            version_part(part).to_string(),
            "{part}"
        );
    }
    assert_eq!(
        header_define(&header, "CLOUDHALT_VERSION_NUMBER"),
        version_number().to_string()
    );
}

#[test]
fn header_lists_the_status_values_0_to_15_in_order() {
    let header = std::fs::read_to_string(header_path()).unwrap();
    let expected = [
        "CLOUDHALT_OK",
        "CLOUDHALT_INVALID_INPUT",
        "CLOUDHALT_CREDENTIALS",
        "CLOUDHALT_TRANSPORT",
        "CLOUDHALT_TIMEOUT",
        "CLOUDHALT_AUTH",
        "CLOUDHALT_THROTTLED",
        "CLOUDHALT_NOT_FOUND",
        "CLOUDHALT_STATE_CONFLICT",
        "CLOUDHALT_INVALID_PARAMETER",
        "CLOUDHALT_QUOTA",
        "CLOUDHALT_SERVER",
        "CLOUDHALT_API",
        "CLOUDHALT_UNEXPECTED_RESPONSE",
        "CLOUDHALT_PANIC",
        "CLOUDHALT_AUDIT",
    ];
    for (value, name) in expected.iter().enumerate() {
        let line = format!("{name} = {value},");
        assert!(header.contains(&line), "header lacks `{line}`");
    }
    // Renamed values keep their old spelling.
    assert_eq!(
        header_define(&header, "CLOUDHALT_CONFLICT"),
        "CLOUDHALT_STATE_CONFLICT"
    );
}

#[test]
fn header_lists_the_outcome_values_in_the_core_order() {
    let header = std::fs::read_to_string(header_path()).unwrap();
    for (value, name) in ["DONE", "ALREADY", "FAILED", "UNKNOWN"].iter().enumerate() {
        let line = format!("CLOUDHALT_OUTCOME_{name} = {value},");
        assert!(header.contains(&line), "header lacks `{line}`");
    }
    assert!(header.contains("typedef enum cloudhalt_outcome {"));
}

fn sources() -> Vec<(PathBuf, String)> {
    let mut files: Vec<_> = std::fs::read_dir(crate_dir().join("src"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect()
}

/// Every `#[unsafe(no_mangle)]` function's body starts inside `boundary!`: no exceptions.
#[test]
fn every_export_is_inside_the_panic_boundary() {
    let mut exports = 0;
    for (path, text) in sources() {
        let chunks: Vec<&str> = text.split("#[unsafe(no_mangle)]").collect();
        for chunk in &chunks[1..] {
            exports += 1;
            let signature_end = chunk.find('{').unwrap();
            let name = chunk[..signature_end]
                .split("fn ")
                .nth(1)
                .and_then(|s| s.split('(').next())
                .unwrap_or("?");
            let body = chunk[signature_end + 1..].trim_start();
            assert!(
                body.starts_with("boundary!("),
                "{}: export {name} does not run inside boundary!",
                Path::new(&path).display()
            );
        }
        assert!(
            !text.contains("#[no_mangle]"),
            "{}: use #[unsafe(no_mangle)]",
            path.display()
        );
    }
    // Every export in the header, and no more: the header was generated from these sources.
    let header = std::fs::read_to_string(header_path()).unwrap();
    let in_header = header
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_lowercase()))
        .filter(|l| !l.starts_with("typedef") && l.contains("cloudhalt_") && l.contains('('))
        .count();
    assert_eq!(
        exports, in_header,
        "exports in src vs functions in the header"
    );
    assert!(exports >= 30, "found only {exports} exports");
}

#[test]
fn no_profile_sets_panic_abort() {
    for manifest in ["../../Cargo.toml", "Cargo.toml"] {
        let text = std::fs::read_to_string(crate_dir().join(manifest)).unwrap();
        for line in text.lines() {
            let line = line.split('#').next().unwrap().replace(' ', "");
            assert!(
                !line.contains("panic=\"abort\""),
                "{manifest} sets panic = \"abort\": the C boundary would no longer catch panics"
            );
        }
    }
}

/// The README's C quick start is examples/quickstart.c, so it compiles and runs in test-c.sh.
#[test]
fn readme_quick_start_is_the_example_verbatim() {
    let bindings = crate_dir().join("../../bindings");
    let readme = std::fs::read_to_string(bindings.join("README.md")).unwrap();
    let example = std::fs::read_to_string(bindings.join("examples/quickstart.c")).unwrap();
    let start = readme
        .find("## C quick start")
        .expect("README has a C quick start");
    let block = &readme[start..];
    let code_start = block.find("```c\n").expect("a ```c block") + "```c\n".len();
    let code_end = code_start + block[code_start..].find("```").unwrap();
    assert_eq!(
        &block[code_start..code_end],
        example,
        "bindings/README.md's C quick start differs from bindings/examples/quickstart.c"
    );
}
