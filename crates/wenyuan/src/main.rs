//! `wenyuan`: the command line. Everything happens in the library so tests drive the same code.

/// mimalloc rather than glibc's malloc: on the guest page, glibc's malloc and free took about a sixth
/// of the server's CPU samples (perf, bench/article_page.sh); mimalloc's thread-local free lists make
/// the many small allocations of a request much cheaper.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    wenyuan::cli::main()
}
