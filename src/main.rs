//! The `ccsim` binary: parse the command line and hand over to the library's CLI layer.

fn main() -> std::process::ExitCode {
    ccsim::cli::main()
}
