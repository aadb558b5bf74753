//! The build script every function (and `tools/lambda-floors`) names in its Cargo.toml
//! (`build = "../build.rs"`): release binaries link as position-dependent executables.
//!
//! Why: a PIE carries a dynamic relocation for every pointer in its read-only data (the
//! SDK's and serde's tables, vtables): create-booking has 57,537. The loader writes them
//! all before `main`, which copies and dirties every page of `.data.rel.ro`; that was
//! the page-fault gap between a function's init and the hello+SDK floor's
//! (docs/performance.md, "Non-PIE binaries"). A non-PIE link resolves them when linking.
//!
//! Why here and not in `.cargo/config.toml`: a `rustflags` link argument reaches every
//! linked artifact, and `-no-pie` turns a shared-object link (proc-macros, `crc-fast`'s
//! cdylib) into an executable one, which fails. `rustc-link-arg-bins` reaches only this
//! package's binaries. Dependencies stay position-independent; a non-PIE link takes them.
//!
//! The trade-off, made on purpose: the executable's own image loses address-space
//! randomisation (libraries, heap, stack and mmap keep theirs), as every Go function on
//! Lambda does by default. `CM_PIE=1` builds PIEs again, for comparison.
fn main() {
    println!("cargo::rerun-if-env-changed=CM_PIE");
    let release = std::env::var("PROFILE").as_deref() == Ok("release");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux");
    let opted_out = std::env::var("CM_PIE").is_ok_and(|v| v == "1");
    if release && linux && !opted_out {
        println!("cargo::rustc-link-arg-bins=-no-pie");
    }
}
