//! `wenyuan`: the command line. Everything happens in the library so tests drive the same code.

fn main() -> std::process::ExitCode {
    wenyuan::cli::main()
}
