// mimalloc instead of the system allocator: the analysis allocates and frees many small strings
// and vectors per line on every worker thread (docs/performance.md, "session 13").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    noteplate::cli::main()
}
